from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from recipes_api.health import healthz, readyz
from recipes_api.not_found import ObjectIdConverter

# Before the apps' URL modules load: their routes take `<id:...>` ids.
register_converter(ObjectIdConverter, "id")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include("recipes_api.accounts.urls")),
    path("api/v1/", include("recipes_api.photos.urls")),
    path("api/v1/", include("recipes_api.recipes.urls")),
    path("api/v1/", include("recipes_api.sharing.urls")),
    path("api/v1/", include("recipes_api.moderation.urls")),
    # Public share pages: see recipes_api/sharing/views.py.
    path("", include("recipes_api.sharing.page_urls")),
]

# Media is deliberately not served: photos have no public URL.

handler400 = "recipes_api.errors.bad_request"
handler404 = "recipes_api.not_found.page_not_found"  # a malformed id answers as an unknown one
handler500 = "recipes_api.errors.server_error"
