"""Writes for the moderation queue: items, decisions on them, and reports.

Flags come from `moderation.flags`, bans from `moderation.bans`, job retries
from `moderation.jobs`; every decision goes through `audit.audit_record`.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from recipes_api import errors
from recipes_api.moderation.audit import audit_record
from recipes_api.moderation.models import AuditEntry, ModerationItem, Report

State = ModerationItem.State
DECISIONS = {
    AuditEntry.Action.APPROVE: State.APPROVED,
    AuditEntry.Action.HIDE: State.HIDDEN,
    AuditEntry.Action.REJECT: State.REJECTED,
}


def item_for_recipe(*, recipe, shared: bool = False) -> ModerationItem:
    """The recipe's moderation item, made (pending) on first need: when it is
    shared, flagged or reported. `shared` marks it as having had a public
    link. Returns the item; an existing decision is kept."""
    defaults = {"owner_id": recipe.owner_id, "photo_id": recipe.photo_id, "job_id": recipe.job_id, "shared": shared}
    try:
        with transaction.atomic():
            item, created = ModerationItem.objects.get_or_create(recipe=recipe, defaults=defaults)
    except IntegrityError:  # a racing call made it first
        item, created = ModerationItem.objects.get(recipe=recipe), False
    if shared and not item.shared:
        ModerationItem.objects.filter(id=item.id).update(shared=True)
        item.shared = True
    return item


def items_decide(*, items, action: str, reason: str, actor) -> int:
    """Approve, hide or reject `items` (an iterable of ModerationItem) for
    `reason`, as `actor`, who must hold `moderation.moderate` (the admin
    checks). Each decision is audited in the same transaction. A hidden or
    rejected recipe's page and photo answer 404 from the next request on.
    Returns how many items were decided; a blank reason is `errors.Invalid`."""
    state = DECISIONS[action]
    reason = reason.strip()
    if not reason:
        raise errors.Invalid("Give a reason for the decision.", code="reason_required")
    now = timezone.now()
    decided = 0
    with transaction.atomic():
        for item in items:
            item.state, item.reason, item.decided_at, item.decided_by = state, reason, now, actor.get_username()
            item.save(update_fields=["state", "reason", "decided_at", "decided_by"])
            audit_record(actor=actor, action=action, target=item, reason=reason)
            decided += 1
    return decided


def report_file(*, item: ModerationItem, reason: str, note: str = "", reporter=None, reporter_key: str) -> tuple[Report, bool]:
    """Record a report on a shared recipe's item. A repeat by the same
    `reporter_key` updates the first report (reason and note) rather than
    adding one. Returns the report and whether it is new."""
    defaults = {"reason": reason, "note": note, "reporter": reporter}
    try:
        with transaction.atomic():
            report, created = Report.objects.update_or_create(item=item, reporter_key=reporter_key, defaults=defaults)
    except IntegrityError:  # the same reporter, twice at once
        report, created = Report.objects.get(item=item, reporter_key=reporter_key), False
    return report, created
