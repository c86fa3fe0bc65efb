from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Outgoing email kept in the database until a mail server has taken it.

    Project plumbing rather than a product app: the apps send mail with Django's
    `send_mail` as usual and never import this; the default mailer in settings is the
    outbox backend, and Celery delivers through the real one with retries.
    """

    name = "leadflow.outbox"
    label = "outbox"
    verbose_name = "Outgoing email"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check)
