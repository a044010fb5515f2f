"""Photos and recipes in the admin without the built-in bulk delete, which
would take shared content down with no audit entry (hide or reject it in the
queue instead). Deleting one, or a user with all of theirs, still works."""

from django.contrib import admin

from recipes_api.photos.admin import PhotoAdmin
from recipes_api.photos.models import Photo
from recipes_api.recipes.admin import RecipeAdmin
from recipes_api.recipes.models import Recipe


class NoBulkDeleteMixin:
    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


for model, model_admin in [(Photo, PhotoAdmin), (Recipe, RecipeAdmin)]:
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (NoBulkDeleteMixin, model_admin), {}))
