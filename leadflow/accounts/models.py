from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A key an integration calls the API with, acting as its user.

    Only a SHA-256 of the secret is kept: whoever reads the database (or a backup) learns
    nothing they could authenticate with. A plain hash is enough because the secret is 256
    random bits, not a password; it also lets the lookup be one indexed equality.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # Shown in lists (and in the token itself) so that people can tell their tokens apart.
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Chosen at creation; empty for a token that never expires.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} (lf_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
