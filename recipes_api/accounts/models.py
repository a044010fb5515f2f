from uuid import uuid4

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    # Set and cleared only by `moderation.bans` (which audits both); a banned
    # user may sign in and read their library, but neither upload nor share.
    banned_at = models.DateTimeField(null=True, blank=True, editable=False)
    ban_reason = models.TextField(blank=True, editable=False)

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None
