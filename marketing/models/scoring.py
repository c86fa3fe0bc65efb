from django.db import models

from .leads import Lead


class ScoreChange(models.Model):
    """A lead's score moved: from what, to what, with the rules that fired and why it was rescored."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="score_changes")
    changed_at = models.DateTimeField()
    old_score = models.IntegerField()
    new_score = models.IntegerField()
    reasons = models.JSONField(default=list, blank=True)
    cause = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["lead", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.old_score} → {self.new_score}"

    @property
    def delta(self) -> int:
        return self.new_score - self.old_score
