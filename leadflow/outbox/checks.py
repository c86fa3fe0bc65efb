from django.conf import settings
from django.core.checks import Error, Tags, register

DEVELOPMENT_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@register(Tags.mail, deploy=True)
def check_delivery_mailer(app_configs, **kwargs):
    """Django checks the default mailer; ours is the outbox, so check where it delivers."""
    backend = settings.MAILERS.get("delivery", {}).get("BACKEND", "")
    if backend in DEVELOPMENT_BACKENDS:
        return [
            Error(
                f"Email is delivered with a development-only backend ({backend}).",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
                id="outbox.E001",
            )
        ]
    return []
