from django.contrib import admin

from recipes_api.recipes.models import Recipe


@admin.register(Recipe)
class RecipeAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "language", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id", "owner", "photo", "title", "language", "data", "model_id", "created_at", "updated_at",
    ]

    def has_add_permission(self, request):
        return False  # recipes come from photos, through the worker
