"""Reads for the public share page."""

from django.urls import reverse

from recipes_api import errors
from recipes_api.moderation.models import ModerationItem
from recipes_api.sharing.models import Share

PUBLIC_STATES = [ModerationItem.State.PENDING, ModerationItem.State.APPROVED]


def share_public(*, token: str) -> Share:
    """The live share behind `token`, with its recipe, cover photo and
    moderation item loaded, as long as it may be served: not revoked, the
    recipe neither hidden nor rejected, its owner not banned. Anything else,
    `errors.NotFound`: a dead link looks like one that never existed."""
    share = (
        Share.objects.select_related("recipe__photo", "recipe__moderation", "recipe__owner")
        .filter(
            token=token,
            revoked_at__isnull=True,
            recipe__moderation__state__in=PUBLIC_STATES,
            recipe__owner__banned_at__isnull=True,
        )
        .first()
    )
    if share is None:
        raise errors.NotFound("No such shared recipe.")
    return share


def share_url(share: Share, request=None) -> str:
    """The public page's URL (absolute with `request`)."""
    path = reverse("share-page", args=[share.token])
    return request.build_absolute_uri(path) if request is not None else path


def share_photo_url(share: Share, variant: str, request=None) -> str | None:
    """The cover photo's URL through the share, which works exactly as long
    as the page does (unlike a photo's signed URLs, which expire)."""
    if share.recipe.photo_id is None:
        return None
    path = reverse("share-photo", args=[share.token, variant])
    return request.build_absolute_uri(path) if request is not None else path
