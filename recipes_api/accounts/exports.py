"""Everything the service holds about one user, as a zip they can take away:
JSON for the account, photos, jobs and recipes, plus the photo files."""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO

from django.core.serializers.json import DjangoJSONEncoder

from recipes_api.accounts.models import User
from recipes_api.photos.models import Job, Photo
from recipes_api.recipes.models import Recipe

# Spooled: a small library stays in memory, a large one goes to disk.
IN_MEMORY_BYTES = 16 * 1024 * 1024


def account_export(*, user: User) -> IO[bytes]:
    """A zip (an open file, at its start) of `user`'s data: `account.json`,
    `photos.json`, `jobs.json`, `recipes.json` (each recipe's full data), and
    each photo's stored files under `photos/`. Nothing of another user's."""
    archive = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        _write_json(zipped, "account.json", {
            "id": user.id, "username": user.username, "email": user.email, "date_joined": user.date_joined,
        })  # fmt: skip
        photos = list(Photo.objects.filter(owner=user).order_by("created_at"))
        _write_json(zipped, "photos.json", [_photo_row(photo) for photo in photos])
        jobs = Job.objects.filter(owner=user).order_by("created_at")
        _write_json(zipped, "jobs.json", list(jobs.values(
            "id", "photo_id", "status", "mode", "language", "error_code", "recipe_id", "created_at", "finished_at",
        )))  # fmt: skip
        recipes = Recipe.objects.filter(owner=user).order_by("created_at")
        _write_json(zipped, "recipes.json", list(recipes.values(
            "id", "photo_id", "model_id", "created_at", "updated_at", "data",
        )))  # fmt: skip
        for photo in photos:
            for file in (photo.image, photo.thumbnail, photo.original):
                if file.name:
                    _write_file(zipped, f"photos/{file.name.rsplit('/', 1)[-1]}", file)
    archive.seek(0)
    return archive


def _photo_row(photo: Photo) -> dict:
    files = {kind: getattr(photo, kind).name.rsplit("/", 1)[-1] or None for kind in ("image", "thumbnail", "original")}
    return {
        "id": photo.id, "width": photo.width, "height": photo.height, "bytes": photo.bytes,
        "sha256": photo.sha256, "source_format": photo.source_format, "created_at": photo.created_at,
        "files": files,
    }  # fmt: skip


def _write_json(zipped: zipfile.ZipFile, name: str, value) -> None:
    zipped.writestr(name, json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))


def _write_file(zipped: zipfile.ZipFile, name: str, file) -> None:
    try:
        source = file.storage.open(file.name, "rb")
    except FileNotFoundError:  # deleted under us: the JSON still lists it
        return
    with source, zipped.open(name, "w") as target:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            target.write(chunk)
