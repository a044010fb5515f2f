"""Checking and normalising uploaded photos.

What the client says a file is (content type, filename) is ignored: the
format is read from the bytes. Every accepted photo is decoded and re-encoded
as an upright RGB JPEG, which drops all metadata (EXIF, GPS position, XMP,
ICC) and leaves the worker one predictable input.
"""

import hashlib
import io
from dataclasses import dataclass
from typing import IO

from django.core.files.uploadhandler import FileUploadHandler
from PIL import Image, ImageOps

from recipes_api import errors

JPEG_QUALITY = 90

# MPO is how Pillow names the multi-picture JPEGs that many phones write.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}


@dataclass(frozen=True)
class NormalizedImage:
    content: bytes
    width: int
    height: int
    sha256: str


def image_normalize(upload: IO[bytes], *, max_bytes: int, max_pixels: int) -> NormalizedImage:
    """Check an uploaded photo and return it as an upright, metadata-free JPEG.

    Raises `errors.PayloadTooLarge` (`photo_too_large` over `max_bytes`,
    `image_too_large` over `max_pixels`), `errors.UnsupportedMediaType` for
    anything but JPEG, PNG and WebP, and `errors.Invalid` (`invalid_image`)
    for a file that claims a format but does not decode.
    """
    data = _read_capped(upload, max_bytes)
    image = _open(data, max_pixels)
    try:
        image = ImageOps.exif_transpose(image)
        image = _flatten_to_rgb(image)
    except Exception as error:  # Pillow raises a zoo of types on broken files
        raise _invalid() from error
    content = _encode_jpeg(image)
    return NormalizedImage(
        content=content,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def photo_too_large(max_bytes: int) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(
        f"The photo is larger than {max_bytes} bytes.",
        code="photo_too_large",
        details={"max_bytes": max_bytes},
    )


class UploadSizeLimit(FileUploadHandler):
    """Refuses a multipart body past a byte limit while it streams in, so an
    oversized upload is stopped before it lands on disk, not after."""

    # Room for the boundaries and the small form fields around the file.
    FORM_ALLOWANCE = 64 * 1024

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.max_bytes + self.FORM_ALLOWANCE:
            raise photo_too_large(self.max_bytes)

    def receive_data_chunk(self, raw_data, start):
        # Content-Length can be absent or understated (chunked bodies).
        if start + len(raw_data) > self.max_bytes:
            raise photo_too_large(self.max_bytes)
        return raw_data

    def file_complete(self, file_size):
        return None


def _read_capped(upload: IO[bytes], max_bytes: int) -> bytes:
    if getattr(upload, "size", None) is not None and upload.size > max_bytes:
        raise photo_too_large(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise photo_too_large(max_bytes)
    return data


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open the header only and check it; no pixel is decoded before the size is known."""
    sniffed = _sniff(data)
    if sniffed is None:
        raise errors.UnsupportedMediaType("Send a JPEG, PNG or WebP photo.")
    try:
        # Only the sniffed format's decoder ever sees client bytes.
        image = Image.open(io.BytesIO(data), formats=[sniffed])
    except Image.DecompressionBombError as error:
        raise _image_too_large(max_pixels) from error
    except Exception as error:
        raise _invalid() from error
    if image.format not in ACCEPTED_FORMATS:
        raise errors.UnsupportedMediaType("Send a JPEG, PNG or WebP photo.")
    if image.width * image.height > max_pixels:
        raise _image_too_large(max_pixels)
    try:
        image.load()
    except Exception as error:
        raise _invalid() from error
    return image


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """RGB on a white background: a transparent PNG must not turn black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode_jpeg(image: Image.Image) -> bytes:
    image.info = {}  # belt and braces: nothing from the upload rides along
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _image_too_large(max_pixels: int) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(
        f"The image has more than {max_pixels} pixels.",
        code="image_too_large",
        details={"max_pixels": max_pixels},
    )


def _invalid() -> errors.Invalid:
    return errors.Invalid("The file is not a readable image.", code="invalid_image")
