"""A photo of a cat is not a recipe: through a real worker, the job fails
with `not_food` and a friendly message, no recipe enters the library, and
the photo stays for the user to delete or to try in another mode."""

from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.failures import job_error_message
from recipes_api.photos.models import Photo
from recipes_api.photos.services import photo_accept
from recipes_api.recipes.models import Recipe
from tests.faults.conftest import PHOTO, all_finished, fault_env, job_state, recipes_of, script, wait_until  # noqa: F401
from tests.live import WorkerProcess


def test_it_fails_photos_without_food_or_recipe_and_keeps_the_photos(fault_env, script, alice, tmp_path):
    script("not_food", "no_recipe", "ok")

    def upload(mode: str):
        return photo_accept(owner=alice, upload=SimpleUploadedFile("cat.jpg", PHOTO.read_bytes()), mode=mode)

    with WorkerProcess(fault_env(), log_dir=tmp_path) as worker:
        worker.wait_ready()
        jobs = []
        for mode in ("dish_photo", "recipe_card", "recipe_card"):  # one at a time, in script order
            jobs.append(upload(mode))
            wait_until(lambda: all_finished(jobs), why="the job to finish", processes=[worker])
    cat, blank_card, card = (job_state(job) for job in jobs)

    for failed in (cat, blank_card):
        assert (failed.status, failed.error_code, failed.attempts) == ("failed", "not_food", 1)
        assert failed.error_message == job_error_message("not_food")
        assert recipes_of(failed) == 0
        assert Photo.objects.filter(id=failed.photo_id).exists()
    assert (card.status, recipes_of(card)) == ("succeeded", 1), card.error_code  # a card with a recipe
    assert Recipe.objects.filter(owner=alice).count() == 1
