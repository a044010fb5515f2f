"""Writes for sharing: making and revoking a recipe's public link."""

import secrets
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from recipes_api import errors
from recipes_api.moderation.bans import refuse_if_banned
from recipes_api.moderation.services import item_for_recipe
from recipes_api.recipes.selectors import recipe_get
from recipes_api.sharing.models import Share


def share_create(*, owner, recipe_id: UUID) -> tuple[Share, bool]:
    """Make (or find) the live public link to `owner`'s recipe.

    Another user's recipe is `errors.NotFound`; a banned owner gets 403
    `user_banned`; a recipe that moderators hid or rejected is 409
    `recipe_hidden`. Sharing puts the recipe in the moderation queue
    (pending, served until decided). Returns the share and whether it is
    new: sharing twice gives the same live link.
    """
    recipe = recipe_get(owner=owner, recipe_id=recipe_id)
    refuse_if_banned(owner)
    item = item_for_recipe(recipe=recipe, shared=True)
    if not item.is_public:
        raise errors.Conflict("Moderators have hidden this recipe, so it cannot be shared.", code="recipe_hidden")
    for attempt in (1, 2):
        live = Share.objects.filter(recipe=recipe, revoked_at__isnull=True).first()
        if live is not None:
            return live, False
        try:
            with transaction.atomic():
                return Share.objects.create(recipe=recipe, token=secrets.token_urlsafe(24)), True
        except IntegrityError:  # a racing share of the same recipe won
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def share_revoke(*, owner, recipe_id: UUID) -> None:
    """Revoke the live link to `owner`'s recipe: its page answers 404 from now
    on, and sharing again makes a new token. `errors.NotFound` for another
    user's recipe or one that is not shared."""
    recipe = recipe_get(owner=owner, recipe_id=recipe_id)
    if not Share.objects.filter(recipe=recipe, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        raise errors.NotFound("This recipe is not shared.")
