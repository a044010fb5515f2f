"""What staff review: one item per recipe (shared, reported or auto-flagged)
or per photo whose job failed with a flag, its flags, the reports against
it, and the audit of every decision and ban."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q


class ModerationItem(models.Model):
    """A recipe and its photos in the queue, and the decision on them.

    The state covers the recipe and every photo it shows: `hidden` and
    `rejected` stop its share page and its photo route at once; `pending`
    and `approved` are served. Private recipes get an item only when
    auto-flagged or reported. An item without a recipe is a photo whose job
    failed with a flag (`not_food`, `invalid_output`): nothing public, but
    staff see what was sent.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        HIDDEN = "hidden"
        REJECTED = "rejected"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipe = models.OneToOneField(
        "recipes.Recipe", null=True, blank=True, on_delete=models.CASCADE, related_name="moderation"
    )
    photo = models.ForeignKey("photos.Photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey("photos.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    reason = models.TextField(blank=True, help_text="Why the last decision was taken.")
    shared = models.BooleanField(default=False, help_text="Its owner has made a public link.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)

    class Meta:
        permissions = [("moderate", "Can approve, hide and reject content, ban users and retry jobs")]
        constraints = [
            models.UniqueConstraint(fields=["job"], condition=Q(recipe__isnull=True), name="moderation_item_one_per_failed_job"),
        ]

    def __str__(self) -> str:
        return self.recipe.title if self.recipe_id else f"photo {self.photo_id}"

    @property
    def is_public(self) -> bool:
        return self.state in (self.State.PENDING, self.State.APPROVED)


class Flag(models.Model):
    """Why an item entered the queue on its own (see `moderation.flags`)."""

    class Kind(models.TextChoices):
        NOT_FOOD = "not_food", "no food in the photo"
        LOW_CONFIDENCE = "low_confidence", "low model confidence"
        RETRIED = "retried", "output needed a retry"
        INVALID_OUTPUT = "invalid_output", "output failed validation"
        WORD_LIST = "word_list", "matches the word list"

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "kind"], name="flag_once_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Report(models.Model):
    """Someone's complaint about a shared recipe. One per reporter and item:
    a repeat updates it (`reporter_key` is the user's id, or for an anonymous
    visitor of the share page a hash of their IP)."""

    class Reason(models.TextChoices):
        SPAM = "spam"
        OFFENSIVE = "offensive"
        NOT_FOOD = "not_food", "not food"
        COPYRIGHT = "copyright"
        OTHER = "other"

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_key = models.CharField(max_length=64)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "reporter_key"], name="report_once_per_reporter")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} report on {self.item}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only.")


class AuditEntry(models.Model):
    """One moderation decision, ban, unban or job retry: who, when, what, why.

    Append-only: saving an existing entry, deleting one, and bulk updates or
    deletes through the manager all raise PermissionDenied, for everyone.
    It names actor and target by id and label, with no foreign key, so that
    deleting either leaves the record whole.
    """

    class Action(models.TextChoices):
        APPROVE = "approve"
        HIDE = "hide"
        REJECT = "reject"
        BAN = "ban"
        UNBAN = "unban"
        RETRY_JOB = "retry_job", "retry job"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.CharField(max_length=64)
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action.choices)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64, db_index=True)
    target_label = models.CharField(max_length=200)
    reason = models.TextField()

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_type} {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionDenied("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only.")
