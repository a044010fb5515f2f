from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "recipes_api.photos"
    label = "photos"
    verbose_name = "Photos and jobs"
