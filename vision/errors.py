"""The failures a vision backend reports. Each carries a stable `code` that the
worker stores on the job, so a phone app can tell them apart."""


class VisionError(Exception):
    """A recipe could not be made from the photo.

    `tries` is how many generations were run before this failure; a caller
    that retries (`worker.engine`) sets it on the error it gives up with.
    """

    code = "vision_error"
    tries = 1


class VisionTransient(VisionError):
    """A passing failure (a busy or restarting inference server, a dropped
    connection): the same request may well succeed if tried again."""

    code = "vision_unavailable"


class ModelUnavailable(VisionError):
    """The configured checkpoint cannot be found or fetched."""

    code = "model_unavailable"


class GenerationIncomplete(VisionError):
    """The model ran out of its token budget before closing the recipe."""

    code = "generation_incomplete"


class NotFood(VisionError):
    """The model found no food in the photos, or no recipe on a recipe card."""

    code = "not_food"


class RecipeInvalid(VisionError, ValueError):
    """Model output that is not a recipe; `errors` lists what is wrong."""

    code = "recipe_invalid"

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []
