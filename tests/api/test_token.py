TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"


def test_it_issues_a_token_pair(anon_client, alice, password):
    r = anon_client.post(TOKEN, {"username": "alice", "password": password}, format="json")

    assert r.status_code == 200
    assert set(r.json()) == {"access", "refresh"}


def test_it_lets_the_access_token_in(api, anon_client, alice, password):
    access = anon_client.post(TOKEN, {"username": "alice", "password": password}, format="json").json()["access"]

    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get("/api/v1/jobs/").status_code == 200


def test_it_answers_401_for_a_wrong_password(anon_client, alice):
    r = anon_client.post(TOKEN, {"username": "alice", "password": "not-her-password"}, format="json")

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "no_active_account"


def test_it_rotates_the_refresh_token(anon_client, alice, password):
    pair = anon_client.post(TOKEN, {"username": "alice", "password": password}, format="json").json()

    r = anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")

    assert r.status_code == 200
    assert set(r.json()) == {"access", "refresh"}
    assert r.json()["refresh"] != pair["refresh"]


def test_it_rejects_a_refresh_token_used_twice(anon_client, alice, password):
    pair = anon_client.post(TOKEN, {"username": "alice", "password": password}, format="json").json()
    rotated = anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json").json()

    r = anon_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_not_valid"
    assert anon_client.post(REFRESH, {"refresh": rotated["refresh"]}, format="json").status_code == 200


def test_it_rejects_a_garbage_refresh_token(anon_client, db):
    r = anon_client.post(REFRESH, {"refresh": "not-a-token"}, format="json")

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_not_valid"


def test_it_rejects_a_refresh_token_as_access_token(api, anon_client, alice, password):
    refresh = anon_client.post(TOKEN, {"username": "alice", "password": password}, format="json").json()["refresh"]

    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh}")
    r = client.get("/api/v1/jobs/")

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "token_not_valid"
