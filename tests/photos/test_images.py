import hashlib
import io

import pytest
from PIL import Image

from recipes_api import errors
from recipes_api.photos.images import image_normalize

LIMITS = {"max_bytes": 1_000_000, "max_pixels": 1_000_000}


def normalize(content: bytes, **limits):
    return image_normalize(io.BytesIO(content), **(LIMITS | limits))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_it_turns_each_accepted_format_into_jpeg(picture, fmt):
    result = normalize(picture(fmt))

    assert result.content.startswith(b"\xff\xd8\xff")
    assert (result.width, result.height) == (64, 48)


def test_it_turns_greyscale_and_palette_images_into_rgb(picture):
    for content in (picture("PNG", mode="L", color=128), picture("PNG", mode="P", color=3)):
        assert Image.open(io.BytesIO(normalize(content).content)).mode == "RGB"


def test_it_hashes_what_it_stores(picture):
    result = normalize(picture("PNG"))

    assert result.sha256 == hashlib.sha256(result.content).hexdigest()


def test_it_drops_the_gps_position(sideways_jpeg):
    assert b"GPS" not in normalize(sideways_jpeg).content
    assert b"PlatePhone" not in normalize(sideways_jpeg).content


def test_it_counts_bytes_before_decoding(picture):
    content = picture("JPEG")

    with pytest.raises(errors.PayloadTooLarge) as raised:
        normalize(content, max_bytes=len(content) - 1)

    assert raised.value.code == "photo_too_large"
    assert normalize(content, max_bytes=len(content)).width == 64


def test_it_counts_pixels_before_decoding(png_header):
    with pytest.raises(errors.PayloadTooLarge) as raised:
        normalize(png_header(1001, 1000))

    assert raised.value.code == "image_too_large"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_it_refuses_other_formats(picture, fmt):
    with pytest.raises(errors.UnsupportedMediaType):
        normalize(picture(fmt))


def test_it_refuses_a_jpeg_that_does_not_decode(picture):
    with pytest.raises(errors.Invalid) as raised:
        normalize(b"\xff\xd8\xff\xe0" + b"garbage" * 100)

    assert raised.value.code == "invalid_image"
