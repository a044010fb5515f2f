from uuid import uuid4

from django.conf import settings
from django.db import models


class Recipe(models.Model):
    """A recipe in one user's library.

    `data` holds `vision.schema.Recipe.model_dump(mode="json")`, the one
    definition of a recipe; `title` and `language` are copied out of it so the
    library can be searched and the admin can list it without parsing JSON.
    """

    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recipes")
    # The cover: the first of its photos (all of them, in order, are its
    # `photo_links`).
    photo = models.ForeignKey(
        "photos.Photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="recipes"
    )
    # Unique: one job yields at most one recipe, whatever races the workers run.
    job = models.OneToOneField(
        "photos.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="created_recipe"
    )
    title = models.CharField(max_length=200, db_index=True)
    language = models.CharField(max_length=35, blank=True)
    data = models.JSONField()
    model_id = models.CharField(max_length=200, help_text="The checkpoint that wrote this recipe.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"], name="recipe_owner_newest")]

    def __str__(self) -> str:
        return self.title


class RecipePhoto(models.Model):
    """One of the photos a recipe was read from, at its place; copied from
    its job, so the recipe keeps them when the job is gone."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="photo_links")
    photo = models.ForeignKey("photos.Photo", on_delete=models.CASCADE, related_name="recipe_links")
    position = models.PositiveSmallIntegerField(help_text="0 is the cover, `Recipe.photo`.")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["recipe", "position"], name="recipe_photo_position_unique")]

    def __str__(self) -> str:
        return f"photo {self.position} of recipe {self.recipe_id}"
