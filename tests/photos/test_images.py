import hashlib
import io
from dataclasses import replace

import blurhash
import pytest
from PIL import Image, JpegImagePlugin

from recipes_api import errors
from recipes_api.photos.images import ImageRules, image_normalize

RULES = ImageRules(max_bytes=1_000_000, max_pixels=4_000_000)


def normalize(content: bytes, **rules):
    return image_normalize(io.BytesIO(content), replace(RULES, **rules))


def opened(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


@pytest.mark.parametrize(
    "fmt, source_format",
    [("JPEG", "jpeg"), ("MPO", "jpeg"), ("PNG", "png"), ("WEBP", "webp"), ("HEIF", "heic"), ("AVIF", "avif")],
)
def test_it_turns_each_accepted_format_into_jpeg(picture, fmt, source_format):
    save = {"save_all": True, "append_images": [Image.new("RGB", (400, 300))]} if fmt == "MPO" else {}

    result = normalize(picture(fmt, **save))

    assert result.content.startswith(b"\xff\xd8\xff")
    assert (result.width, result.height) == (400, 300)
    assert result.source_format == source_format


def test_it_turns_greyscale_and_palette_images_into_rgb(picture):
    for content in (picture("PNG", mode="L", color=128), picture("PNG", mode="P", color=3)):
        assert opened(normalize(content).content).mode == "RGB"


def test_it_hashes_what_it_stores(picture):
    result = normalize(picture("PNG"))

    assert result.sha256 == hashlib.sha256(result.content).hexdigest()


def test_it_keeps_the_original_bytes_for_the_caller(picture):
    content = picture("WEBP")

    assert normalize(content).original == content


def test_it_drops_the_gps_position_from_everything_it_makes(sideways_jpeg):
    result = normalize(sideways_jpeg)

    for made in (result.content, result.thumbnail):
        assert b"GPS" not in made and b"PlatePhone" not in made
        assert not opened(made).getexif()


@pytest.mark.parametrize("size, expected", [((2000, 1500), (1600, 1200)), ((1000, 3000), (533, 1600))])
def test_it_caps_the_working_copy_on_its_long_edge(picture, size, expected):
    result = normalize(picture("JPEG", size=size))

    assert (result.width, result.height) == expected
    assert opened(result.content).size == expected


def test_it_decodes_a_big_jpeg_at_a_reduced_scale(picture, monkeypatch):
    decoded = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", load)
    result = normalize(picture("JPEG", size=(2000, 1500)), max_side=400)

    assert (result.width, result.height) == (400, 300)
    assert set(decoded) == {(500, 375)}  # 1/4 scale, inside the JPEG decoder


def test_it_makes_a_webp_thumbnail(picture):
    result = normalize(picture("JPEG", size=(1200, 900)))

    thumbnail = opened(result.thumbnail)
    assert thumbnail.format == "WEBP"
    assert thumbnail.size == (384, 288)


def test_it_never_enlarges_a_small_photo_for_its_thumbnail(picture):
    assert opened(normalize(picture("JPEG", size=(300, 260))).thumbnail).size == (300, 260)


def test_it_makes_a_blurhash_of_the_photos_colours(picture):
    result = normalize(picture("PNG", size=(400, 300), color=(200, 40, 40)))

    assert blurhash.is_valid_blurhash(result.blurhash)
    painted = blurhash.decode(result.blurhash, 8, 6)
    red, green, blue = painted.getpixel((4, 3))
    assert red > 150 and green < 90 and blue < 90


def test_it_counts_bytes_before_decoding(picture):
    content = picture("JPEG")

    with pytest.raises(errors.PayloadTooLarge) as raised:
        normalize(content, max_bytes=len(content) - 1)

    assert raised.value.code == "photo_too_large"
    assert normalize(content, max_bytes=len(content)).width == 400


def test_it_counts_pixels_before_decoding(png_header):
    with pytest.raises(errors.PayloadTooLarge) as raised:
        normalize(png_header(2001, 2000))

    assert raised.value.code == "image_too_large"


@pytest.mark.parametrize("size", [(255, 400), (400, 255), (1, 1)])
def test_it_refuses_an_image_under_the_minimum_side(png_header, size):
    with pytest.raises(errors.Unprocessable) as raised:
        normalize(png_header(*size))

    assert raised.value.code == "image_too_small"


@pytest.mark.parametrize("size", [(1801, 300), (300, 1801)])
def test_it_refuses_an_extreme_aspect_ratio(png_header, size):
    with pytest.raises(errors.Unprocessable) as raised:
        normalize(png_header(*size))

    assert raised.value.code == "extreme_aspect_ratio"


def test_it_accepts_an_aspect_ratio_of_exactly_the_limit(picture):
    assert normalize(picture("PNG", size=(1800, 300))).width == 1600


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_it_refuses_other_formats(picture, fmt):
    with pytest.raises(errors.UnsupportedMediaType):
        normalize(picture(fmt))


def test_it_refuses_a_jpeg_that_does_not_decode():
    with pytest.raises(errors.Unprocessable) as raised:
        normalize(b"\xff\xd8\xff\xe0" + b"garbage" * 100)

    assert raised.value.code == "invalid_image"
