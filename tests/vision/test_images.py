from PIL import Image

from vision.images import image_fit_budget


def test_it_leaves_small_images_alone():
    image = Image.new("RGB", (280, 280))
    assert image_fit_budget(image, max_tokens=100, pixels_per_token=28 * 28).size == (280, 280)


def test_it_shrinks_large_photos_to_the_token_budget_keeping_the_aspect():
    image = Image.new("RGB", (4000, 3000))
    fitted = image_fit_budget(image, max_tokens=1024, pixels_per_token=28 * 28)
    assert fitted.width * fitted.height <= 1024 * 28 * 28
    assert abs(fitted.width / fitted.height - 4 / 3) < 0.01


def test_it_converts_to_rgb():
    image = Image.new("RGBA", (10, 10))
    assert image_fit_budget(image, max_tokens=10, pixels_per_token=1).mode == "RGB"
