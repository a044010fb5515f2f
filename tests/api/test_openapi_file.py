"""The committed `openapi.yaml` is the contract the phone team builds
against: it must be exactly what the code serves."""

from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.yaml"


def test_it_keeps_the_committed_schema_up_to_date(db, tmp_path):
    fresh = tmp_path / "openapi.yaml"

    # --fail-on-warn: a schema drf-spectacular has to guess at is a bug.
    call_command("spectacular", file=str(fresh), validate=True, fail_on_warn=True)

    assert COMMITTED.exists(), "openapi.yaml is missing: run `make openapi` and commit it"
    assert fresh.read_text() == COMMITTED.read_text(), "openapi.yaml is out of date: run `make openapi` and commit it"
