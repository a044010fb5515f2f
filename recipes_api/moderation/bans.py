"""Banning and unbanning users, and the check that refuses a banned user's
uploads and shares. A ban hides the user's shares too: the public page asks
`sharing.selectors.share_public`, which serves no banned owner's recipe."""

from django.db import transaction
from django.utils import timezone

from recipes_api import errors
from recipes_api.accounts.models import User
from recipes_api.moderation.audit import audit_record
from recipes_api.moderation.models import AuditEntry


class UserBanned(errors.DomainError):
    status = 403
    code = "user_banned"
    message = "Your account is banned from uploading and sharing. Contact support if you think this is a mistake."


def refuse_if_banned(user) -> None:
    """Raise `UserBanned` (403 `user_banned`) for a banned user. Reads the
    row, not `user`, so a ban applies to tokens issued before it."""
    if User.objects.filter(pk=user.pk, banned_at__isnull=False).exists():
        raise UserBanned()


def user_ban(*, user: User, reason: str, actor) -> bool:
    """Ban `user` for `reason`, audited as `actor`'s decision. Returns False
    (and records nothing) when the user is already banned."""
    return _set(user, banned=True, reason=reason, actor=actor)


def user_unban(*, user: User, reason: str, actor) -> bool:
    """Lift `user`'s ban; their shares are served again unless hidden or
    rejected. Returns False (and records nothing) when they are not banned."""
    return _set(user, banned=False, reason=reason, actor=actor)


def _set(user: User, *, banned: bool, reason: str, actor) -> bool:
    reason = reason.strip()
    if not reason:
        raise errors.Invalid("Give a reason for the decision.", code="reason_required")
    with transaction.atomic():
        rows = User.objects.filter(pk=user.pk, banned_at__isnull=banned)
        changes = {"banned_at": timezone.now(), "ban_reason": reason} if banned else {"banned_at": None, "ban_reason": ""}
        if not rows.update(**changes):
            return False
        action = AuditEntry.Action.BAN if banned else AuditEntry.Action.UNBAN
        audit_record(actor=actor, action=action, target=user, reason=reason)
    for field, value in changes.items():
        setattr(user, field, value)
    return True
