from django.apps import AppConfig
from django.db.models.signals import post_delete


class PhotosConfig(AppConfig):
    name = "recipes_api.photos"
    label = "photos"
    verbose_name = "Photos and jobs"

    def ready(self):
        from recipes_api.photos.models import Photo

        # A receiver, against the rule that logic lives in services: a photo is
        # also deleted by cascades (its owner deleted, from the admin or by
        # `user.delete()`), and cascades call no service. Every path that
        # deletes the row thus removes the files, and only once it commits.
        post_delete.connect(_photo_deleted, sender=Photo, dispatch_uid="photo-files-remove")


def _photo_deleted(sender, instance, **kwargs):
    from recipes_api.photos.files import photo_files_remove_on_commit

    photo_files_remove_on_commit(instance)
