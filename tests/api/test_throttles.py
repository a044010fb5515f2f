"""Fair use: past its rate, each throttled endpoint answers 429 in the one
error shape with Retry-After. Register and token count per client IP, upload
per user, and the count is shared by every API process."""

import re
import time

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile

from recipes_api.accounts.models import User
from recipes_api.photos.models import Photo
from recipes_api.throttles import FairUseThrottle
from tests.live import ApiServer, free_port, live_env

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
UPLOAD = "/api/v1/photos/"


@pytest.fixture
def rates(monkeypatch):
    """rates(register="2/hour") -> those rates for this test.

    DRF binds its rates to the throttle class when it is first imported, so
    overriding the REST_FRAMEWORK setting would not reach them.
    """

    def set_rates(**scopes: str) -> None:
        monkeypatch.setattr(FairUseThrottle, "THROTTLE_RATES", {**FairUseThrottle.THROTTLE_RATES, **scopes})

    return set_rates


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def register(client, username: str, **headers):
    return client.post(REGISTER, {"username": username, "password": "tomato-basil-77"}, **headers, format="json")


def assert_throttled(r, *, within: int):
    assert r.status_code == 429
    error = r.json()["error"]
    assert error["code"] == "throttled"
    assert 0 < int(r["Retry-After"]) <= within
    assert error["details"] == {"retry_after": int(r["Retry-After"])}


def test_it_throttles_registration_past_its_rate(anon_client, db, rates):
    rates(register="2/hour")

    assert register(anon_client, "carol").status_code == 201
    assert register(anon_client, "dave").status_code == 201
    r = register(anon_client, "erin")

    assert_throttled(r, within=3600)
    assert not User.objects.filter(username="erin").exists()


def test_it_counts_registrations_per_client_ip(anon_client, db, rates):
    rates(register="1/hour")

    assert register(anon_client, "carol", REMOTE_ADDR="198.51.100.1").status_code == 201
    assert register(anon_client, "dave", REMOTE_ADDR="198.51.100.2").status_code == 201
    assert register(anon_client, "erin", REMOTE_ADDR="198.51.100.1").status_code == 429


def test_it_ignores_x_forwarded_for_when_no_proxy_is_configured(anon_client, db, rates):
    rates(register="1/hour")

    assert register(anon_client, "carol").status_code == 201
    r = register(anon_client, "dave", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert r.status_code == 429


def test_it_takes_the_client_ip_the_proxy_saw(anon_client, db, rates, behind_one_proxy):
    rates(register="1/hour")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    assert register(anon_client, "carol", HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 201
    assert register(anon_client, "dave", HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 201
    # A client cannot dodge the count by sending its own X-Forwarded-For:
    # the proxy appends the address it saw, and only that one is believed.
    r = register(anon_client, "erin", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1", **proxy)
    assert r.status_code == 429


def test_it_stops_password_guessing_even_for_the_right_password(anon_client, alice, password, rates):
    rates(token="3/minute")
    for guess in ("hunter2", "letmein", "password1"):
        assert anon_client.post(TOKEN, {"username": "alice", "password": guess}, format="json").status_code == 401

    r = anon_client.post(TOKEN, {"username": "alice", "password": password}, format="json")

    assert_throttled(r, within=60)


def test_it_counts_refreshes_with_token_requests(anon_client, alice, password, rates):
    rates(token="2/minute")
    pair = anon_client.post(TOKEN, {"username": "alice", "password": password}, format="json").json()
    assert anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 200

    r = anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")

    assert_throttled(r, within=60)


def test_it_throttles_uploads_per_user(alice_client, bob_client, picture, media_root, rates, settings):
    rates(upload="2/hour")
    settings.JOB_MAX_IN_FLIGHT = 0  # no cap: this is about the rate alone

    shades = iter(["tomato", "olive", "navy", "gold"])

    def upload(client):
        # A new picture each time: the same one again would be its job so far.
        image = SimpleUploadedFile("dish.jpg", picture("JPEG", color=next(shades)), content_type="image/jpeg")
        return client.post(UPLOAD, {"image": image}, format="multipart")

    assert upload(alice_client).status_code == 202
    assert upload(alice_client).status_code == 202
    r = upload(alice_client)

    assert_throttled(r, within=3600)
    assert Photo.objects.filter(owner__username="alice").count() == 2
    assert len([path for path in media_root.rglob("*") if path.is_file()]) == 4  # a working copy and a thumbnail each
    assert upload(bob_client).status_code == 202


def test_it_lets_requests_through_while_the_cache_is_down(anon_client, db, rates, settings):
    rates(register="1/hour")
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}

    assert register(anon_client, "carol").status_code == 201
    assert register(anon_client, "dave").status_code == 201


@pytest.mark.services
def test_it_shares_the_count_between_api_processes(transactional_db, tmp_path):
    # Each request opens a new connection, taken by whichever gunicorn
    # process accepts it first; the access log says which one did. Under
    # load the second process can still be starting when the first answers
    # (ten requests once all went to one), so requests go on, one at a time,
    # until both processes have served some. Counted per process, the two
    # would then let more than 3 registrations through.
    access_log = "--access-logfile - --access-logformat 'served-by %(p)s %(r)s %(s)s'"
    env = live_env(THROTTLE_REGISTER="3/hour", GUNICORN_CMD_ARGS=access_log)
    answers, served_by = [], []
    with ApiServer(env, workers=2, log_dir=tmp_path) as api:
        deadline = time.monotonic() + 60
        while len(answers) < 10 or (len(set(served_by)) < 2 and time.monotonic() < deadline):
            body = {"username": f"user{len(answers)}", "password": "tomato-basil-77"}
            answers.append(requests.post(f"{api.url}{REGISTER}", json=body))
            served_by = re.findall(rf"served-by <(\d+)> POST {REGISTER} ", api.log())
            if len(answers) >= 10:
                time.sleep(0.2)
    served_by = re.findall(rf"served-by <(\d+)> POST {REGISTER} ", api.log())  # complete once stopped

    assert [r.status_code for r in answers] == [201] * 3 + [429] * (len(answers) - 3)
    assert all(0 < int(r.headers["Retry-After"]) <= 3600 for r in answers[3:])
    assert User.objects.count() == 3
    assert len(served_by) == len(answers) and len(set(served_by)) == 2, "one process served every request"
