"""Checking and normalising uploaded photos.

What the client says a file is (content type, filename) is ignored: the
format is read from the bytes, and only that format's decoder sees them.
The checks run cheapest first: bytes, then the header (type, pixel count,
shape), and only then are pixels decoded, and no larger than the working copy
needs. Everything stored is re-encoded from pixels alone, so no metadata
(EXIF, GPS position, XMP, ICC) and nothing appended to the file survives.
"""

import hashlib
import io
from dataclasses import dataclass
from typing import IO

import blurhash
import pillow_heif
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from PIL import ExifTags, Image

from recipes_api import errors

JPEG_QUALITY = 90
WEBP_QUALITY = 80
# libwebp's effort, 0-6: 2 encodes a 384 px thumbnail in 2 ms instead of
# 5.6 ms (the default, 4) for a file about 5% larger.
WEBP_METHOD = 2
# Resizing first shrinks by a whole factor (a cheap box filter) while the
# result stays at least this multiple of the target, then finishes over less
# than a factor of 2. At 1 a 12 MP HEIC or PNG is halved first, as JPEG is by
# its draft decoding.
REDUCING_GAP = 1.0
# The finishing filter: a box, which over a factor under 2 averages the area
# each new pixel covers (OpenCV's INTER_AREA, the usual choice for shrinking
# photos). From 2016x1512 to 1600x1200, the largest step after decoding, it
# took 19 ms against bilinear's 28 ms and bicubic's 41 ms; their sharper
# edges are detail the model, which reads about 1 MP, cannot use.
RESAMPLE = Image.Resampling.BOX
# BlurHash keeps a few low frequencies only: 32 px holds all of them.
BLURHASH_SIDE = 32

# The formats we accept, by the name we store, and the Pillow plugin that
# reads them. MPO (the multi-picture JPEG many phones write) opens as JPEG.
PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF", "avif": "AVIF"}
ACCEPTED = "Send a JPEG, PNG, WebP, HEIC or AVIF photo."
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}

# Embedded thumbnails off: the plugin could decode one instead of the image,
# and the model must see the picture every viewer shows. Depth and auxiliary
# images (portrait mode) are never used.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# EXIF orientation -> the transpose that turns the picture upright (as
# ImageOps.exif_transpose, but applied to the small copy, not the original).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class ImageRules:
    """What an upload may be, and the sizes of what is made from it."""

    max_bytes: int
    max_pixels: int
    min_side: int = 256
    max_aspect: float = 6.0
    max_side: int = 1600
    thumbnail_side: int = 384

    @classmethod
    def from_settings(cls) -> "ImageRules":
        return cls(
            max_bytes=settings.PHOTO_MAX_BYTES,
            max_pixels=settings.PHOTO_MAX_PIXELS,
            min_side=settings.PHOTO_MIN_SIDE,
            max_aspect=settings.PHOTO_MAX_ASPECT,
            max_side=settings.PHOTO_MAX_SIDE,
            thumbnail_side=settings.PHOTO_THUMBNAIL_SIDE,
        )


@dataclass(frozen=True)
class NormalizedImage:
    content: bytes  # the working copy: upright RGB JPEG, at most max_side
    width: int
    height: int
    sha256: str  # of content
    thumbnail: bytes  # WebP, at most thumbnail_side
    blurhash: str
    source_format: str  # a key of PIL_FORMATS
    original: bytes  # the upload as it came


def image_normalize(upload: IO[bytes], rules: ImageRules) -> NormalizedImage:
    """Check an uploaded photo and make its working copy, thumbnail and BlurHash.

    Raises, before any pixel is decoded: `errors.PayloadTooLarge`
    (`photo_too_large` over `max_bytes`, `image_too_large` over `max_pixels`),
    `errors.UnsupportedMediaType` for anything but JPEG, PNG, WebP, HEIC and
    AVIF, and `errors.Unprocessable` for an image under `min_side`
    (`image_too_small`) or longer than `max_aspect` to 1
    (`extreme_aspect_ratio`); then `errors.Unprocessable` (`invalid_image`)
    for pixels that do not decode.
    """
    data = _read_capped(upload, rules.max_bytes)
    source_format = _sniff(data)
    if source_format is None:
        raise errors.UnsupportedMediaType(ACCEPTED)
    image = _open(data, source_format, rules)
    try:
        working = _decode_upright(image, _fit(image.size, rules.max_side))
    except Exception as error:  # Pillow and libheif raise a zoo of types on broken files
        raise _invalid() from error
    thumbnail = _resized(working, _fit(working.size, rules.thumbnail_side))
    # No optimize=True: it more than doubles the encode time (19 against 7 ms
    # at 1600 px) for a slightly smaller file.
    content = _encode(working, "JPEG", quality=JPEG_QUALITY)
    return NormalizedImage(
        content=content,
        width=working.width,
        height=working.height,
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=_encode(thumbnail, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD),
        blurhash=image_blurhash(thumbnail),
        source_format=source_format,
        original=data,
    )


def image_blurhash(image: Image.Image) -> str:
    """The BlurHash of an RGB image: 4x3 components, or 3x4 when portrait."""
    small = _resized(image, _fit(image.size, BLURHASH_SIDE))
    if small is image:
        small = image.copy()  # the encoder closes what it is given
    x, y = (4, 3) if small.width >= small.height else (3, 4)
    return blurhash.encode(small, x, y)


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
        # Content-Length can be understated.
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


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":  # ISO media: the brands say which kind
        box_end = min(int.from_bytes(data[:4], "big"), 256)
        brands = {data[8:12]} | {data[i : i + 4] for i in range(16, box_end - 3, 4)}
        if brands & AVIF_BRANDS:
            return "avif"
        if brands & HEIF_BRANDS:
            return "heic"
    return None


def _open(data: bytes, source_format: str, rules: ImageRules) -> Image.Image:
    """Open the header only and check it; no pixel is decoded before the size is known."""
    try:
        image = Image.open(io.BytesIO(data), formats=[PIL_FORMATS[source_format]])
    except Image.DecompressionBombError as error:
        raise _image_too_large(rules.max_pixels) from error
    except Exception as error:
        raise _invalid() from error
    width, height = image.size
    if width * height > rules.max_pixels:
        raise _image_too_large(rules.max_pixels)
    if min(width, height) < rules.min_side:
        raise errors.Unprocessable(
            f"The image is smaller than {rules.min_side} pixels on a side.",
            code="image_too_small",
            details={"min_side": rules.min_side, "width": width, "height": height},
        )
    if max(width, height) > rules.max_aspect * min(width, height):
        raise errors.Unprocessable(
            f"The image is more than {rules.max_aspect:g} times as long as it is wide.",
            code="extreme_aspect_ratio",
            details={"max_aspect": rules.max_aspect, "width": width, "height": height},
        )
    return image


def _decode_upright(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Decode `image` at `size` (in its stored orientation), upright and RGB."""
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    # JPEG scales by 1/2, 1/4 or 1/8 inside the decoder, never below `size`;
    # the other formats ignore this and decode whole.
    image.draft("RGB", size)
    image.load()
    image = _resized(_resizable(image), size)
    if orientation in UPRIGHT:
        image = image.transpose(UPRIGHT[orientation])
    return _flatten_to_rgb(image)


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    """`size` scaled down (never up) so that its long edge is at most `side`."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resized(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    return image.resize(size, RESAMPLE, reducing_gap=REDUCING_GAP)


def _resizable(image: Image.Image) -> Image.Image:
    """A mode that resizes smoothly: a palette would be resized pixel by pixel."""
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA" if _has_alpha(image) else "RGB")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """RGB on a white background: a transparent PNG must not turn black."""
    if image.mode == "RGB":
        return image
    if _has_alpha(image):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    image.info = {}  # nothing from the upload rides along (EXIF, ICC, XMP)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _image_too_large(max_pixels: int) -> errors.PayloadTooLarge:
    return errors.PayloadTooLarge(
        f"The image has more than {max_pixels} pixels.",
        code="image_too_large",
        details={"max_pixels": max_pixels},
    )


def _invalid() -> errors.Unprocessable:
    return errors.Unprocessable("The file is not a readable image.", code="invalid_image")
