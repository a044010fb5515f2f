"""Shared fixtures: the personas alice and bob, API clients, small pictures
made on the spot, and a valid recipe."""

import io
import struct
import zlib

import pytest
from django.core.cache import cache
from PIL import ExifTags, Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken
from vision import schema

from recipes_api.accounts.models import User

PASSWORD = "plates-and-pilots-42"


@pytest.fixture(autouse=True)
def cache_cleared():
    """Each test starts with an empty cache, and so with no throttle counts:
    the cache (files under DATA_DIR, or Redis) outlives a test and a run."""
    cache.clear()


@pytest.fixture
def password() -> str:
    """The password every persona signs in with."""
    return PASSWORD


@pytest.fixture
def alice(db):
    return User.objects.create_user(username="alice", email="alice@example.org", password=PASSWORD)


@pytest.fixture
def bob(db):
    return User.objects.create_user(username="bob", email="bob@example.org", password=PASSWORD)


@pytest.fixture
def staff(db):
    return User.objects.create_superuser(username="charlie", email="charlie@example.org", password=PASSWORD)


@pytest.fixture
def api():
    """api(user) -> an APIClient carrying a real access token for `user`."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        return client

    return client_for


@pytest.fixture
def anon_client(api):
    return api()


@pytest.fixture
def alice_client(api, alice):
    return api(alice)


@pytest.fixture
def bob_client(api, bob):
    return api(bob)


@pytest.fixture
def media_root(settings, tmp_path):
    """A private media folder for the test, so leftovers can be counted."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": root, "base_url": None}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return root


@pytest.fixture
def picture():
    """picture("PNG", size=(400, 300), mode="RGBA") -> the bytes of a small
    image (400x300 unless told: uploads under PHOTO_MIN_SIDE are refused)."""

    def make(fmt: str = "JPEG", *, size=(400, 300), mode: str = "RGB", color="tomato", **save) -> bytes:
        image = Image.new(mode, size, color)
        out = io.BytesIO()
        image.save(out, fmt, **save)
        return out.getvalue()

    return make


@pytest.fixture
def phone_exif() -> bytes:
    """EXIF as a phone writes it: "rotate 90° clockwise" (orientation 6), a
    maker, and a GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PlatePhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    return exif.tobytes()


@pytest.fixture
def sideways_jpeg(phone_exif) -> bytes:
    """A 400x300 JPEG, red left half and blue right half, with `phone_exif`."""
    image = Image.new("RGB", (400, 300), "blue")
    image.paste("red", (0, 0, 200, 300))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=phone_exif)
    return out.getvalue()


@pytest.fixture
def png_header():
    """png_header(width, height) -> a PNG that declares a size but holds
    almost no pixels: a decompression bomb's calling card, made for free."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    def make(width: int, height: int) -> bytes:
        header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
        pixels = zlib.compress(b"\0\0")
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")

    return make


@pytest.fixture
def a_recipe():
    """a_recipe(title="Soup") -> a valid `vision.schema.Recipe`."""

    def make(**changes) -> schema.Recipe:
        fields = {
            "source": "dish_photo",
            "is_food": True,
            "language": "en",
            "title": "Shakshuka",
            "description": "Eggs poached in a spiced tomato and pepper sauce.",
            "cuisine": "North African",
            "course": "breakfast",
            "servings": 2,
            "prep_minutes": 10,
            "cook_minutes": 20,
            "ingredients": [
                {"name": "eggs", "quantity": 4, "unit": "piece", "note": "", "section": ""},
                {"name": "tomatoes", "quantity": 400, "unit": "g", "note": "chopped", "section": "Sauce"},
            ],
            "steps": [
                {"text": "Simmer the tomatoes with the spices.", "minutes": 15},
                {"text": "Crack in the eggs and cover until set.", "minutes": None},
            ],
            "nutrition": {
                "kcal": 320, "protein_g": 18, "fat_g": 20, "carbs_g": 16,
                "fiber_g": 4, "sugar_g": 9, "sodium_mg": None,
            },
            "diets": ["vegetarian"],
            "allergens": ["eggs"],
            "tags": ["one-pan"],
            "confidence": 0.8,
        }
        return schema.Recipe.model_validate(fields | changes)

    return make
