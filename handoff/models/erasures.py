from django.conf import settings
from django.db import models


class Erasure(models.Model):
    """A person's data was erased on request (GDPR art. 17): who did it, and when.

    Ids only, nothing about the person: the record must be keepable for as long as anyone
    may ask whether the erasure happened. The ids are plain numbers, not keys, so that the
    record outlives any later deletion of the rows.
    """

    lead_id = models.BigIntegerField(unique=True, help_text="The lead the others were merged into.")
    lead_ids = models.JSONField(default=list, help_text="That lead and its merged duplicates.")
    deal_ids = models.JSONField(default=list)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as well: a user deleted later must not turn "who erased it" into nobody.
    erased_by_username = models.CharField(max_length=150, blank=True)
    erased_at = models.DateTimeField()

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Lead #{self.lead_id} erased {self.erased_at:%Y-%m-%d %H:%M} by {self.erased_by_username or '—'}"
