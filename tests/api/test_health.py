def test_it_says_ok_without_a_token_or_a_database(client):
    # No `db` fixture: pytest-django fails any test that touches the database.
    r = client.get("/healthz")

    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_it_only_answers_reads(client):
    assert client.post("/healthz").status_code == 405
