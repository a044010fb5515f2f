"""`manage.py recipe_from_photo PATH [PATH ...]`: the quickest way for an
operator to try a model on a photo, through the worker's own path."""

import re
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from vision import ModelUnavailable, VisionError, backend_create
from vision.schema import LANGUAGE_TAG_PATTERN
from worker import engine

from recipes_api.errors import DomainError
from recipes_api.photos.images import ImageRules, image_normalize
from recipes_api.photos.models import Job


class Command(BaseCommand):
    help = (
        "Read a recipe from photos (several PATHs: the pages or angles of one recipe) and print it as JSON on "
        "stdout; the time taken goes to stderr, so stdout stays parseable JSON. Each photo is normalised as an "
        "upload is, and read as a worker reads a job (with its one retry), by the model the settings name."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="a photo file (JPEG, PNG, WebP, HEIC, AVIF)")
        parser.add_argument("--mode", choices=Job.Mode.values, default=Job.Mode.AUTO, help="default: auto")
        parser.add_argument("--language", default="", help="BCP 47 tag the recipe is written in; default: the photo's")
        parser.add_argument("--model", help="hub id, checkpoint folder or 'tiny'; default: VISION_MODEL")
        parser.add_argument("--device", help="auto, cpu, cuda, cuda:1...; default: VISION_DEVICE")

    def handle(self, *args, paths, mode, language, model, device, **options):
        if language and not re.fullmatch(LANGUAGE_TAG_PATTERN, language):
            raise CommandError(f"--language {language!r} is not a BCP 47 language tag (e.g. en, my, pt-BR)")
        photos = [_photo_normalized(Path(path)) for path in paths]
        overrides = {key: value for key, value in {"model": model, "device": device}.items() if value}
        config = engine.vision_config(**overrides)

        started = time.monotonic()
        backend = _backend_loaded(config)
        loaded = time.monotonic()
        try:
            read = engine.recipe_from_photos(photos, mode=mode, language=language, backend=backend)
        except VisionError as error:
            raise CommandError(f"no recipe ({error.code}, {_tries(error.tries)}): {_first_line(error)}") from None
        done = time.monotonic()

        self.stdout.write(read.recipe.model_dump_json(indent=2))
        self.stderr.write(
            f"{read.model_id}: recipe read in {done - loaded:.1f} s ({_tries(read.tries)}), "
            f"model loaded in {loaded - started:.1f} s"
        )


def _photo_normalized(path: Path) -> bytes:
    """The working copy an upload of `path` would get, as the worker reads it."""
    try:
        with path.open("rb") as file:
            return image_normalize(file, ImageRules.from_settings()).content
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: a folder, not a photo") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot read ({error.strerror or error})") from None
    except DomainError as error:
        raise CommandError(f"{path}: {error.message} ({error.code})") from None


def _backend_loaded(config):
    try:
        return backend_create(config)
    except ModelUnavailable as error:
        raise CommandError(_first_line(error)) from None
    except Exception as error:  # a GPU out of memory, a corrupt checkpoint, a bad device name...
        raise CommandError(f"cannot load vision model {config.model!r} on {config.device}: {_first_line(error)}") from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _tries(tries: int) -> str:
    return "1 try" if tries == 1 else f"{tries} tries"
