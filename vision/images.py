"""Fitting photos to the model's visual-token budget."""

from __future__ import annotations

import math

from PIL import Image


def image_fit_budget(image: Image.Image, *, max_tokens: int, pixels_per_token: int) -> Image.Image:
    """Downscale `image` (keeping its aspect) so it costs at most `max_tokens`
    visual tokens, where one token covers `pixels_per_token` pixels.

    Qwen-VL models pay one token per merged patch, so the token count grows
    with the area: an untouched 12-megapixel phone photo would cost thousands.
    """
    image = image.convert("RGB")
    budget = max_tokens * pixels_per_token
    area = image.width * image.height
    if area <= budget:
        return image
    scale = math.sqrt(budget / area)
    size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC)
