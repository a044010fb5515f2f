"""A photo's files as the app reaches them: the one rule for their URLs, the
check the local route makes, and their removal once a deletion commits.

The app shows a photo with `<img src>`, which sends no Authorization header,
so a URL is its own capability: signed, naming one photo and one variant
(`image` or `thumbnail`; the kept original is never served), and expiring
after PHOTO_URL_TTL. On the local filesystem the URL is this API's own route,
signed with Django's TimestampSigner; on S3 it is the bucket's presigned URL,
with the same lifetime. Nothing else builds a photo URL.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from recipes_api import errors
from recipes_api.photos.models import Photo

logger = logging.getLogger(__name__)

# What the app may be served, and as which type.
VARIANTS = {"image": "image/jpeg", "thumbnail": "image/webp"}
# Keeps these signatures apart from every other use of SECRET_KEY.
_SALT = "platepilot.photos.file-url"
# Stands for a photo's id in the route reversed once per answer.
_ANY_ID = UUID(int=0)


def photo_file_urls(*, photo: Photo, request=None) -> dict:
    """The photo's `image` and `thumbnail` URLs (absolute when `request` is
    given; `thumbnail` None for a photo stored without one) and `expires_at`,
    the moment both stop working."""
    signer = PhotoUrlSigner(request)
    urls = {
        variant: signer.url(photo_id=photo.id, variant=variant, name=getattr(photo, variant).name)
        for variant in VARIANTS
    }
    return {**urls, "expires_at": signer.expires_at}


def photo_file_url(*, photo: Photo, variant: str, request=None) -> str | None:
    """The signed, expiring URL of one of the photo's served files."""
    name = getattr(photo, variant).name if variant in VARIANTS else ""
    return PhotoUrlSigner(request).url(photo_id=photo.id, variant=variant, name=name)


class PhotoUrlSigner:
    """Signs the photo URLs of one answer (absolute when `request` is
    given). `expires_at` is when they stop working at the earliest: taken
    before the first signature, and rounded down to the second as the
    signatures' own timestamps are. A list of 20 covers signs 20 URLs, so
    what they share (the origin, the route) is worked out once per answer:
    reverse() alone was a third of a URL's cost."""

    def __init__(self, request=None):
        self.expires_at = timezone.now().replace(microsecond=0) + timedelta(seconds=settings.PHOTO_URL_TTL)
        self._request = request
        self._signer = _signer()
        self._routes: dict[str, str] = {}

    def url(self, *, photo_id: UUID, variant: str, name: str) -> str | None:
        """The URL of the photo's `variant` stored as `name`; None when
        `name` is empty (a photo stored without that variant)."""
        if variant not in VARIANTS:
            raise ValueError(f"{variant!r} is not served")
        if not name:
            return None
        storage = Photo._meta.get_field(variant).storage
        if not isinstance(storage, FileSystemStorage):
            # S3Storage presigns; `expire` keeps its lifetime this setting's.
            return storage.url(name, expire=settings.PHOTO_URL_TTL)
        value = _signed_value(photo_id, variant)
        signature = self._signer.sign(value).removeprefix(f"{value}:")
        # A signature is base 62 and URL-safe base 64 around one colon.
        return f"{self._route(variant).format(photo_id)}?sig={signature.replace(':', '%3A')}"

    def _route(self, variant: str) -> str:
        """The variant's URL with `{}` for the photo's id."""
        if variant not in self._routes:
            route = reverse("photo-file", args=[_ANY_ID, variant])
            if self._request is not None:
                route = self._request.build_absolute_uri(route)
            self._routes[variant] = route.replace(str(_ANY_ID), "{}")
        return self._routes[variant]


@dataclass
class ServedFile:
    file: File
    content_type: str
    seconds_left: int


def photo_file_open(*, photo_id: UUID, variant: str, signature: str) -> ServedFile:
    """Open the file a signed URL names, for the local route.

    A URL without a signature, with one made for another photo or variant,
    or tampered with, is `errors.NotFound`, as is a photo that is gone; an
    expired one is a 403 `url_expired` (fetch the photo again for fresh URLs).
    """
    if variant not in VARIANTS or not signature:
        raise errors.NotFound("No such file.")
    try:
        _signer().unsign(f"{_signed_value(photo_id, variant)}:{signature}", max_age=settings.PHOTO_URL_TTL)
    except signing.SignatureExpired:
        raise errors.DomainError(
            "This link has expired. Fetch the photo again for a fresh one.", code="url_expired", status=403
        ) from None
    except signing.BadSignature:
        raise errors.NotFound("No such file.") from None
    photo = Photo.objects.filter(id=photo_id).first()
    file = getattr(photo, variant, None)
    if not file:
        raise errors.NotFound("No such file.")
    try:
        opened = file.storage.open(file.name, "rb")
    except FileNotFoundError:
        raise errors.NotFound("No such file.") from None
    return ServedFile(opened, VARIANTS[variant], _seconds_left(signature))


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def _signed_value(photo_id, variant: str) -> str:
    return f"{photo_id}/{variant}"


def _seconds_left(signature: str) -> int:
    """Precondition: `signature` has been checked."""
    signed_at = signing.b62_decode(signature.split(":", 1)[0])
    return max(0, signed_at + settings.PHOTO_URL_TTL - int(time.time()))


def photo_files_remove_on_commit(photo: Photo) -> None:
    """Remove the photo's stored files once the current transaction commits
    (at once outside one); a rollback keeps them, as it keeps the row."""
    names = [file.name for file in (photo.image, photo.thumbnail, photo.original) if file.name]
    storage = photo.image.storage
    transaction.on_commit(lambda: _remove(storage, names), robust=True)


def _remove(storage: Storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the row is gone already; a leftover file must not fail the request
            logger.exception("could not remove the photo file %s; it is left behind", name)
