"""A woken worker claims up to its backend's batch size of queued jobs and
reads them as one batch; each job still ends on its own. In-process, as
tests/worker/test_tasks.py: a backend double whose recipe names the photo it
saw, beside a batch of two through the real tiny model."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.photos.models import Job
from recipes_api.photos.services import photo_accept
from recipes_api.recipes.models import Recipe
from vision import RecipeInvalid, generate_each
from vision.backend import batch_size_resolve
from worker import engine
from worker.guard import worker_stopping
from worker.tasks import recipe_generate

pytestmark = pytest.mark.usefixtures("media_root", "no_heartbeat")


class NamesWhatItSaw:
    """A backend double: the recipe it writes for a photo is titled with the
    photo's size, so a recipe can be traced to the photo it came from. Photos
    whose width is in `broken` get an invalid answer, every time."""

    model_id = "double"

    def __init__(self, a_recipe, *, batch_size: int, broken=(), on_token=None):
        self.a_recipe, self.batch_size, self.broken = a_recipe, batch_size, set(broken)
        self.batches = []
        self.on_token = on_token

    def generate(self, images, options):
        width, height = images[0].size
        if self.on_token is not None:
            self.on_token(options)
        if width in self.broken:
            raise RecipeInvalid("not a recipe")
        return self.a_recipe(title=f"{width}x{height}")

    def generate_batch(self, requests):
        self.batches.append(len(requests))
        return generate_each(self, requests)


@pytest.fixture
def upload(picture, monkeypatch):
    """upload(owner, width) -> a queued job on a photo `width` pixels wide."""
    monkeypatch.setattr("recipes_api.photos.services.job_dispatch", lambda job_id, countdown=None: True)

    def make(owner, width: int = 400) -> Job:
        image = SimpleUploadedFile("dish.jpg", picture("JPEG", size=(width, 300)), content_type="image/jpeg")
        return photo_accept(owner=owner, upload=image, mode="dish_photo", language="bn")

    return make


@pytest.fixture
def backend(monkeypatch, a_recipe):
    def use(**kwargs) -> NamesWhatItSaw:
        double = NamesWhatItSaw(a_recipe, **kwargs)
        monkeypatch.setattr(engine, "_backend", double)
        return double

    return use


def ring_every_bell(jobs) -> None:
    """What the broker does: one delivery per job, in order."""
    for job in jobs:
        recipe_generate(str(job.id))


def test_it_serves_five_jobs_in_two_batches_each_with_its_own_recipe(alice, bob, upload, backend):
    double = backend(batch_size=4)
    owners = [alice, bob, alice, bob, alice]
    jobs = [upload(owner, width=400 + 10 * n) for n, owner in enumerate(owners)]

    ring_every_bell(jobs)

    assert double.batches == [4, 1]
    for n, (job, owner) in enumerate(zip(jobs, owners, strict=True)):
        job.refresh_from_db()
        assert (job.status, job.attempts, job.tries) == ("succeeded", 1, 1)
        assert job.recipe.title == f"{400 + 10 * n}x300"
        assert job.recipe.owner == owner
    assert Recipe.objects.filter(owner=bob).count() == 2


def test_it_fails_only_the_job_whose_answer_was_invalid(alice, bob, upload, backend):
    double = backend(batch_size=3, broken={410})
    jobs = [upload(alice, width=400), upload(bob, width=410), upload(alice, width=420)]

    ring_every_bell(jobs)

    assert double.batches == [3, 1]  # the invalid answer is tried once more, alone
    good, broken, other = (Job.objects.get(id=job.id) for job in jobs)
    assert (broken.status, broken.error_code, broken.tries, broken.recipe) == ("failed", "recipe_invalid", 2, None)
    assert (good.status, good.recipe.title, good.tries) == ("succeeded", "400x300", 1)
    assert (other.status, other.recipe.title, other.tries) == ("succeeded", "420x300", 1)
    assert not Recipe.objects.filter(owner=bob).exists()


def test_it_gives_every_job_of_the_batch_back_when_the_worker_stops(alice, bob, upload, backend):
    def stop_the_worker(options):
        worker_stopping.set()  # what SIGTERM does (worker.signals), mid-generation
        options.on_token(1)

    backend(batch_size=3, on_token=stop_the_worker)
    jobs = [upload(alice, width=400), upload(bob, width=410), upload(alice, width=420)]
    try:
        recipe_generate(str(jobs[0].id))
    finally:
        worker_stopping.clear()

    for job in jobs:
        job.refresh_from_db()
        assert (job.status, job.claim, job.attempts, job.dispatched_at) == ("queued", None, 1, None)
    assert not Recipe.objects.exists()


def test_the_batch_is_one_job_on_a_cpu_unless_set():
    assert batch_size_resolve(None, "cpu") == 1
    assert batch_size_resolve(None, "cuda") == 8
    assert batch_size_resolve(3, "cpu") == 3


def test_the_tiny_model_on_this_cpu_reads_one_job_at_a_time(alice, upload):
    first, second = upload(alice, width=400), upload(alice, width=410)

    recipe_generate(str(first.id))

    assert engine.batch_size() == 1
    assert Job.objects.get(id=first.id).status == "succeeded"
    assert Job.objects.get(id=second.id).status == "queued"  # its own bell will take it, as before


def test_the_tiny_model_reads_a_batch_of_two_owners_photos(alice, bob, upload, monkeypatch):
    real = engine.backend_get()
    calls = []
    monkeypatch.setattr(real, "batch_size", 2)
    batched = real.generate_batch  # the real batched decode, watched

    def generate_batch(requests):
        calls.append(len(requests))
        return batched(requests)

    monkeypatch.setattr(real, "generate_batch", generate_batch)
    jobs = [upload(alice), upload(bob)]

    ring_every_bell(jobs)

    assert calls == [2]
    for job, owner in zip(jobs, (alice, bob), strict=True):
        job.refresh_from_db()
        assert (job.status, job.recipe.owner, job.recipe.model_id) == ("succeeded", owner, "tiny")
        assert job.recipe.photo.owner == owner
