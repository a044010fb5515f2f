"""The append-only audit log: the one place that writes `AuditEntry`."""

from recipes_api.moderation.models import AuditEntry


def audit_record(*, actor, action: str, target, reason: str) -> AuditEntry:
    """Record that `actor` did `action` to `target` (any model instance) for
    `reason`. Call it inside the transaction that makes the change, so that
    the change and its record commit or roll back together."""
    return AuditEntry.objects.create(
        actor_id=str(actor.pk),
        actor_name=actor.get_username(),
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        reason=reason,
    )
