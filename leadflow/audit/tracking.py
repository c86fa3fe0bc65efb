"""What the audit log tracks: which models (settings.LEADFLOW_AUDITED_MODELS) and which of
their columns. Read by models.py, which builds one pghistory event model per audited model,
and by the page, which names the fields.

Nothing here imports an app: the models come from the app registry by label.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

# Fields that move along with a change rather than being one: the event itself says who and
# when, `version` counts writes, scores are the scoring engine's, a lead's "last touch" is
# the touchpoint's copy (its table keeps every touch), and match keys are derived.
# auto_now timestamps and other non-editable columns are left out too.
BOOKKEEPING_FIELDS = frozenset(
    {
        "version",
        "created_by",
        "updated_by",
        "last_login",
        "last_activity_at",
        "stage_changed_at",
        "score",
        "score_reasons",
        "scored_at",
        "last_touch_at",
        "last_touch_campaign",
        "last_touch_channel",
        "last_utm_source",
        "last_utm_medium",
        "last_utm_campaign",
        "email_normalized",
    }
)
# Never copied into the history, not even hashed: a password, an API token's hash, a secret.
SECRET_WORDS = ("password", "secret", "token", "hash")


def audited_models() -> list[type[models.Model]]:
    # require_ready=False: models.py calls this while the app registry is still importing
    # models (after auth, marketing, sales and handoff, which INSTALLED_APPS lists first).
    try:
        return [apps.get_model(label, require_ready=False) for label in settings.LEADFLOW_AUDITED_MODELS]
    except (LookupError, ValueError) as error:
        raise ImproperlyConfigured(f"LEADFLOW_AUDITED_MODELS: {error}") from None


def is_secret(name: str) -> bool:
    return any(word in name for word in SECRET_WORDS)


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns whose values the history keeps, in the model's order."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and field.name not in BOOKKEEPING_FIELDS
        and not is_secret(field.name)
    ]


def event_model_name(model: type[models.Model]) -> str:
    """ "MarketingLeadEvent" for marketing.Lead: unique across apps."""
    return f"{model._meta.app_label.capitalize()}{model._meta.object_name}Event"


def records() -> bool:
    """True where the database records history: the triggers are PostgreSQL's (docs/AUDIT.md)."""
    return connection.vendor == "postgresql"
