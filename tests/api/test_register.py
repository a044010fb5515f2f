from recipes_api.accounts.models import User

URL = "/api/v1/auth/register/"


def test_it_creates_an_account(anon_client, db):
    fields = {"username": "carol", "password": "tomato-basil-77", "email": "carol@example.org"}

    r = anon_client.post(URL, fields, format="json")

    assert r.status_code == 201
    carol = User.objects.get(username="carol")
    assert r.json() == {
        "id": str(carol.id), "username": "carol", "email": "carol@example.org",
        "date_joined": carol.date_joined.isoformat().replace("+00:00", "Z"),
    }  # fmt: skip
    assert carol.check_password("tomato-basil-77")


def test_it_makes_email_optional(anon_client, db):
    r = anon_client.post(URL, {"username": "carol", "password": "tomato-basil-77"}, format="json")

    assert r.status_code == 201
    assert r.json()["email"] == ""


def test_it_never_echoes_the_password(anon_client, db):
    r = anon_client.post(URL, {"username": "carol", "password": "tomato-basil-77"}, format="json")

    assert "password" not in r.json()
    assert "tomato-basil-77" not in r.content.decode()


def test_it_rejects_a_weak_password(anon_client, db):
    r = anon_client.post(URL, {"username": "carol", "password": "12345678"}, format="json")

    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["password"]
    assert not User.objects.filter(username="carol").exists()


def test_it_rejects_a_password_like_the_username(anon_client, db):
    r = anon_client.post(URL, {"username": "carolinesmith", "password": "carolinesmith"}, format="json")

    assert r.status_code == 400
    assert "password" in r.json()["error"]["details"]


def test_it_answers_409_for_a_taken_username(anon_client, alice):
    r = anon_client.post(URL, {"username": "alice", "password": "tomato-basil-77"}, format="json")

    assert r.status_code == 409
    assert r.json()["error"]["code"] == "username_taken"


def test_it_treats_usernames_case_insensitively(anon_client, alice):
    r = anon_client.post(URL, {"username": "Alice", "password": "tomato-basil-77"}, format="json")

    assert r.status_code == 409
    assert User.objects.count() == 1


def test_it_requires_username_and_password(anon_client, db):
    r = anon_client.post(URL, {}, format="json")

    assert r.status_code == 400
    assert set(r.json()["error"]["details"]) == {"username", "password"}


def test_it_rejects_a_username_with_spaces(anon_client, db):
    r = anon_client.post(URL, {"username": "carol smith", "password": "tomato-basil-77"}, format="json")

    assert r.status_code == 400
    assert "username" in r.json()["error"]["details"]
