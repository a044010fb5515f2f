"""`Idempotency-Key` on uploads: a retry of a request with the same key gets
the first answer again (the same job and photos, with the same status)
instead of a second job.

A key belongs to its user: bob's key never matches alice's. "The same
request" means the same meaning, not the same bytes on the wire (a retry's
multipart boundary differs): each image part's bytes in order, the mode, the
language and `reprocess`. The same key with another request is a 422.

Only an upload that was accepted (200 or 202) records its key: a refused one
stored nothing, so its retry simply runs again. A key is remembered for
`IDEMPOTENCY_KEY_TTL` seconds; after that it is ignored when looked up,
replaced when it comes back, and deleted by the job sweep
(`idempotency_keys_purge`).
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.utils import timezone

from recipes_api import errors
from recipes_api.photos.models import IdempotencyKey, Job

MAX_KEY_LENGTH = 255
# Bounds one purge, so a huge backlog is worked through over several sweeps.
PURGE_BATCH = 1000


@dataclass(frozen=True)
class IdempotentRequest:
    owner: object  # the user
    key: str
    fingerprint: str


def idempotency_key_clean(raw: str | None) -> str | None:
    """The header's key, or None without one. Raises `errors.Invalid`
    (`invalid_idempotency_key`, 400) for an empty key, one longer than
    `MAX_KEY_LENGTH`, or one with characters other than printable ASCII."""
    if raw is None:
        return None
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or not (raw.isascii() and raw.isprintable()):
        raise errors.Invalid(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            code="invalid_idempotency_key",
            details={"max_length": MAX_KEY_LENGTH},
        )
    return raw


def request_fingerprint(*, uploads: Sequence[IO[bytes]], mode: str, language: str, reprocess: bool) -> str:
    """A hash of what an upload asks for: the raw bytes of each image part in
    order, and its form fields. Leaves each upload rewound."""
    meaning = {
        "images": [_file_sha256(upload) for upload in uploads],
        "mode": str(mode),
        "language": language,
        "reprocess": bool(reprocess),
    }
    return hashlib.sha256(json.dumps(meaning, sort_keys=True).encode()).hexdigest()


def _file_sha256(upload: IO[bytes]) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def idempotent_answer(request: IdempotentRequest) -> IdempotencyKey | None:
    """The live record of the request's key, with its job, or None when the
    key is new or has expired. Raises `errors.Unprocessable`
    (`idempotency_key_reused`, 422) when the key was used for another request."""
    record = (
        IdempotencyKey.objects.select_related("job")
        .filter(owner=request.owner, key=request.key, created_at__gte=_expired_before())
        .first()
    )
    if record is not None and record.fingerprint != request.fingerprint:
        raise errors.Unprocessable(
            "This Idempotency-Key was used for a different upload; send a new upload with a new key.",
            code="idempotency_key_reused",
        )
    return record


def idempotency_key_record(request: IdempotentRequest, *, job: Job, status: int) -> None:
    """Remember the answer to the request under its key.

    Precondition: inside the transaction that made the answer, holding the
    owner's row lock, and `idempotent_answer` found no live record. An
    expired record of the same key is replaced.
    """
    IdempotencyKey.objects.filter(owner=request.owner, key=request.key, created_at__lt=_expired_before()).delete()
    IdempotencyKey.objects.create(
        owner=request.owner,
        key=request.key,
        fingerprint=request.fingerprint,
        job=job,
        status=status,
        created_at=timezone.now(),
    )


def idempotency_keys_purge() -> int:
    """Delete up to `PURGE_BATCH` expired keys; returns how many."""
    expired = IdempotencyKey.objects.filter(created_at__lt=_expired_before()).values_list("id", flat=True)
    return IdempotencyKey.objects.filter(id__in=list(expired[:PURGE_BATCH])).delete()[0]


def _expired_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL)
