"""Schemathesis against the live API (gunicorn, as `make run` serves it):
generated requests to every operation in the committed `openapi.yaml`, with
a real bearer token, must get no 5xx and no answer the schema does not
describe (status, body, content type, headers)."""

import subprocess

import requests

from tests.live import BIN, ROOT, ApiServer, live_env

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
    "response_headers_conformance",
]


def bearer_token(base_url: str) -> str:
    account = {"username": "fuzzer", "password": "generated requests only"}
    assert requests.post(f"{base_url}/api/v1/auth/register/", json=account, timeout=10).status_code == 201
    return requests.post(f"{base_url}/api/v1/auth/token/", json=account, timeout=10).json()["access"]


def test_it_answers_generated_requests_as_its_schema_says(transactional_db, tmp_path):
    with ApiServer(live_env(), workers=2, log_dir=tmp_path) as api:
        run = subprocess.run(
            [
                str(BIN / "schemathesis"), "run", str(ROOT / "openapi.yaml"), "--url", api.url,
                "--header", f"Authorization: Bearer {bearer_token(api.url)}",
                "--checks", ",".join(CHECKS), "--continue-on-failure",
                "--max-examples", "5", "--max-time", "30", "--seed", "7",
                "--request-timeout", "10", "--no-color", "--warnings", "off",
            ],
            capture_output=True, text=True, timeout=90, cwd=tmp_path,
        )  # fmt: skip

        assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:] + api.log()[-3000:]
    assert "passed" in run.stdout
