from uuid import uuid4

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Recipe(models.Model):
    """A recipe in one user's library.

    `data` holds the recipe as the user sees it, a
    `vision.schema.Recipe.model_dump(mode="json")`, the one definition of a
    recipe: the model's output with the user's corrections. `original_data`
    is the model's latest output, as it wrote it; a field is the user's
    when the two differ (see `edits.py`). What the library filters and sorts
    on is copied out of `data` into indexed columns by the services that
    write it (`services._columns`); `favorite`, `tags` and `notes` are the
    user's own, never model output.
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
    original_data = models.JSONField(default=dict, help_text="The model's latest output, before the user's corrections.")
    model_id = models.CharField(max_length=200, help_text="The checkpoint that wrote this recipe.")
    # Copied out of `data` for the library's filters and ordering.
    cuisine = models.CharField(max_length=60, blank=True)
    course = models.CharField(max_length=16, blank=True)
    source = models.CharField(max_length=16, blank=True)
    # The list shows the times: read from columns, a page (or a search that
    # ranks a thousand matches) never decodes the recipe JSON.
    prep_minutes = models.PositiveIntegerField(null=True, blank=True)
    cook_minutes = models.PositiveIntegerField(null=True, blank=True)
    total_minutes = models.PositiveIntegerField(null=True, blank=True, help_text="prep + cook, when either is known.")
    # The user's own.
    favorite = models.BooleanField(default=False)
    tags = models.JSONField(default=list, help_text="The user's tags; filtered through `labels`.")
    notes = models.TextField(blank=True)
    # Bumped by every write a client can see: the ETag and If-Match compare it.
    version = models.PositiveIntegerField(default=1)
    # PostgreSQL's full-text index, in the recipe's language's configuration
    # (`search.py`); on SQLite the FTS5 table `recipes_recipe_fts` instead.
    search_config = models.CharField(max_length=32, default="simple")
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The list's orderings end in `id` (a cursor needs a total order); an
        # index that ends in it too serves a page without sorting the whole
        # library, whatever the planner's statistics say (with them, SQLite
        # sorted all 5,000 recipes of a library for each page: 36 ms).
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="recipe_owner_newest_id"),
            models.Index(fields=["owner", "updated_at"], name="recipe_owner_updated"),
            models.Index(fields=["owner", "title", "id"], name="recipe_owner_title_id"),
            models.Index(fields=["owner", "total_minutes"], name="recipe_owner_total_time"),
            models.Index(fields=["owner", "cuisine"], name="recipe_owner_cuisine"),
            models.Index(fields=["owner", "course"], name="recipe_owner_course"),
            models.Index(fields=["owner", "favorite"], name="recipe_owner_favorite"),
            models.Index(fields=["owner", "source"], name="recipe_owner_source"),
            models.Index(fields=["owner", "language"], name="recipe_owner_language"),
            # A search first asks which configurations the owner's recipes use
            # (search.py): read from this index alone, not from every recipe.
            models.Index(fields=["owner", "search_config"], name="recipe_owner_search_config"),
        ]
        # The GIN index on `search_vector` is made by migration 0004 on
        # PostgreSQL only (SQLite has no GIN).

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


class RecipeLabel(models.Model):
    """One value of one of a recipe's lists, as a row the filters can find
    by index: the user's tags, and the diets and allergens of `data`.
    Rewritten whole by the services whenever those lists may change."""

    class Kind(models.TextChoices):
        TAG = "tag"
        DIET = "diet"
        ALLERGEN = "allergen"

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="labels")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["kind", "value", "recipe"], name="recipe_label_lookup")]
        constraints = [models.UniqueConstraint(fields=["recipe", "kind", "value"], name="recipe_label_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value} of recipe {self.recipe_id}"


class RecipeVersion(models.Model):
    """A model output a regeneration replaced: the recipe's history."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="versions")
    data = models.JSONField(help_text="The model's output as it was, a `vision.schema.Recipe` dump.")
    model_id = models.CharField(max_length=200)
    created_at = models.DateTimeField(help_text="When this output was written (the recipe's, or the last regeneration's).")
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["recipe", "-replaced_at"], name="recipe_version_newest")]

    def __str__(self) -> str:
        return f"version of recipe {self.recipe_id} replaced at {self.replaced_at}"


class RecipeTombstone(models.Model):
    """A deleted recipe, remembered for RECIPE_TOMBSTONE_DAYS so that an
    offline phone syncing with `updated_since` learns to drop it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipe_id = models.UUIDField()
    deleted_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "deleted_at"], name="recipe_tombstone_owner_deleted")]

    def __str__(self) -> str:
        return f"recipe {self.recipe_id} deleted at {self.deleted_at}"


class FtsDocument(models.TextField):
    """FTS5's hidden column named after its table: `document__match=q` is
    `recipes_recipe_fts MATCH q`."""


@FtsDocument.register_lookup
class FtsMatch(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class RecipeSearchEntry(models.Model):
    """A row of the SQLite FTS5 table `recipes_recipe_fts` (made by migration
    0004 on SQLite only; unmanaged, never queried on PostgreSQL)."""

    rowid = models.AutoField(primary_key=True, db_column="rowid")
    recipe = models.ForeignKey(
        Recipe, on_delete=models.DO_NOTHING, db_constraint=False, db_column="recipe_id", related_name="search_entries"
    )
    # FTS5's hidden column named after the table: `table MATCH 'query'`.
    document = FtsDocument(db_column="recipes_recipe_fts")
    # FTS5's hidden rank column: bm25 with the weights migration 0004 set.
    rank = models.FloatField(db_column="rank")

    class Meta:
        managed = False
        db_table = "recipes_recipe_fts"
