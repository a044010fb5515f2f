"""Photo in, recipe out: over HTTP, through a real broker and a real worker
running the tiny Qwen-VL checkpoint. `make test` runs this twice: on the
embedded defaults (SQLite, folder broker) and on PostgreSQL + Redis."""

import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.services

# The tiny model's answers are random but fixed for a given checkpoint, and a
# random `is_food` is a coin toss: it reads a recipe in this card, while the
# dish photo's toss came up "no food" (the job then fails with not_food). If
# a change to the tiny model or the grammar flips this one too, pick another.
PHOTO = Path(__file__).resolve().parents[2] / "fixtures" / "photos" / "recipe_card.png"
TERMINAL = {"succeeded", "failed"}


class Phone:
    """What the app does over HTTP, as the README's curl walk-through does."""

    def __init__(self, base_url: str, username: str):
        self.base_url = base_url
        password = "correct horse battery staple"
        registered = requests.post(f"{base_url}/api/v1/auth/register/", json={"username": username, "password": password})
        assert registered.status_code == 201, registered.text
        tokens = requests.post(f"{base_url}/api/v1/auth/token/", json={"username": username, "password": password})
        assert tokens.status_code == 200, tokens.text
        self.headers = {"Authorization": f"Bearer {tokens.json()['access']}"}

    def get(self, path_or_url: str) -> requests.Response:
        url = path_or_url if path_or_url.startswith("http") else f"{self.base_url}{path_or_url}"
        return requests.get(url, headers=self.headers, timeout=30)

    def upload(self, path: Path) -> requests.Response:
        with path.open("rb") as image:
            return requests.post(
                f"{self.base_url}/api/v1/photos/", headers=self.headers, files={"image": image}, timeout=30
            )

    def wait_for(self, job_url: str, seconds: float = 180) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            job = self.get(job_url).json()
            if job["status"] in TERMINAL:
                return job
            time.sleep(0.5)
        raise AssertionError(f"job still {job['status']} after {seconds}s")


def test_it_turns_an_uploaded_photo_into_a_recipe_in_the_uploaders_library(live_server, celery_worker_process):
    alice, bob = Phone(live_server.url, "alice"), Phone(live_server.url, "bob")

    accepted = alice.upload(PHOTO)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["status"] == "queued"
    try:
        job = alice.wait_for(accepted.headers["Location"])
    except AssertionError:
        print(celery_worker_process.log())
        raise
    assert job["status"] == "succeeded", (job, celery_worker_process.log())
    assert job["error"] is None

    recipe = alice.get(f"/api/v1/recipes/{job['recipe']}/")
    assert recipe.status_code == 200
    assert recipe.json()["model_id"] == "tiny"
    assert recipe.json()["title"]
    library = alice.get("/api/v1/recipes/").json()["results"]
    assert [item["id"] for item in library] == [job["recipe"]]

    assert bob.get(f"/api/v1/recipes/{job['recipe']}/").status_code == 404
    assert bob.get(accepted.headers["Location"]).status_code == 404
    assert bob.get("/api/v1/recipes/").json()["results"] == []

