import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse

from .campaigns import Campaign
from .choices import Channel


class ImportStorage(FileSystemStorage):
    """Uploaded CSV files live on disk under LEADFLOW_DATA_DIR/imports (the worker reads them there).

    The folder is looked up on every use, not once at start-up, so that it follows the setting.
    """

    @property
    def base_location(self) -> str:
        return str(settings.DATA_DIR / "imports")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def import_storage() -> FileSystemStorage:
    return ImportStorage()


class LeadImport(models.Model):
    """One CSV file on its way in: uploaded → mapped (and previewed) → run by a task → reported."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(storage=import_storage, upload_to="%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=2)
    headers = models.JSONField(default=list)
    sample = models.JSONField(default=list)  # the first rows, to map columns by their values
    total_rows = models.PositiveIntegerField(default=0)
    # column name → target (see marketing/imports.py TARGETS)
    mapping = models.JSONField(default=dict)
    empty_values = models.CharField(
        "values that mean empty",
        max_length=500,
        default="Select, N/A, NA, null, none, -",
        help_text="Cells equal to one of these (comma separated, any case) are treated as empty.",
    )
    id_namespace = models.SlugField(
        "ID namespace",
        max_length=60,
        help_text="Rows without an email are known by their ID under this name, so importing the same "
        "file again finds them again.",
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=20, choices=Channel.choices, default=Channel.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    checkpoint = models.PositiveIntegerField(default=1)  # the last row number done (the header is row 1)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    blank_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("marketing:import-detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, round(100 * self.processed_rows / self.total_rows)) if self.total_rows else 0

    @property
    def took(self) -> str:
        """ "3.2 s" or "1 min 20 s": how long the run took."""
        if not (self.started_at and self.finished_at):
            return "—"
        seconds = (self.finished_at - self.started_at).total_seconds()
        return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {int(seconds % 60)} s"

    @property
    def rows_per_second(self) -> int | None:
        if not (self.started_at and self.finished_at):
            return None
        seconds = (self.finished_at - self.started_at).total_seconds()
        return round(self.processed_rows / seconds) if seconds else None

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImportRowError(models.Model):
    """A row the import refused, with why, and its cells (for the error CSV to fix and re-import)."""

    lead_import = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)
    cells = models.JSONField(default=list)

    class Meta:
        ordering = ["row_number", "id"]
        constraints = [models.UniqueConstraint(fields=["lead_import", "row_number"], name="one_error_per_import_row")]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.reason}"
