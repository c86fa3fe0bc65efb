from django.conf import settings
from django.db import models

from .leads import Lead


class LeadEmailAlias(models.Model):
    """An address that now means another lead: the duplicate's, after a merge.

    A capture or import of the old address lands on the lead it was merged into.
    """

    email_normalized = models.CharField(max_length=254, unique=True)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="email_aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.email_normalized} → lead #{self.lead_id}"


class LeadMerge(models.Model):
    """One duplicate folded into a lead: who, when, and the address it had."""

    kept = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="merges")
    duplicate = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    duplicate_email = models.CharField(max_length=254)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField()

    class Meta:
        ordering = ["merged_at", "id"]
        constraints = [models.UniqueConstraint(fields=["duplicate"], name="a_lead_is_merged_once")]

    def __str__(self) -> str:
        return f"{self.duplicate_email} merged into lead #{self.kept_id}"
