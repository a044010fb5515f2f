from django.db import models
from django.db.models import Q


class Share(models.Model):
    """A public link to one recipe: `/r/<token>/`, live until revoked.

    The token is the only key: unguessable, never derived from an id. A
    recipe has at most one live share; revoking keeps the row (with
    `revoked_at`), so an old link stays dead and a new share gets a new token.
    Whether a live share is served also depends on the recipe's moderation
    state and its owner's ban (see `sharing.selectors.share_public`).
    """

    recipe = models.ForeignKey("recipes.Recipe", on_delete=models.CASCADE, related_name="shares")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipe"], condition=Q(revoked_at__isnull=True), name="share_one_live"),
        ]

    def __str__(self) -> str:
        return f"share of recipe {self.recipe_id}" + (" (revoked)" if self.revoked_at else "")
