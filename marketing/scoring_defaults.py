"""The rules a LeadFlow starts with (migration 0008 seeds the same), for a database that has
none saved yet: a fresh or flushed one scores exactly like a freshly migrated one."""

from .models import EngagementRule, FitRule, ScoringSettings

FREE_MAIL = (
    "gmail.com, googlemail.com, yahoo.com, hotmail.com, outlook.com, live.com, aol.com, icloud.com, me.com, "
    "gmx.com, gmx.de, web.de, mail.com, proton.me, protonmail.com, yandex.ru"
)
SENIOR = "chief, ceo, cto, cfo, cmo, coo, founder, owner, president, vp, vice president, head, director"
MANAGER = "manager, lead, principal"

FIT = (
    # label, field, operator, value, points, group
    ("Business email domain", "email_domain", "not_in_list", FREE_MAIL, 10, ""),
    ("Company given", "company", "is_set", "", 10, ""),
    ("Senior title", "title", "has_word", SENIOR, 20, "title"),
    ("Manager title", "title", "has_word", MANAGER, 10, "title"),
    ("Phone given", "phone", "is_set", "", 5, ""),
)
ENGAGEMENT = (
    # kind, points each, counted at most
    ("meeting_request", 30, 1),
    ("webinar", 15, 2),
    ("event", 15, 2),
    ("form_submit", 10, 3),
    ("api", 10, 3),
    ("content_download", 8, 3),
    ("email_click", 4, 5),
    ("page_view", 1, 10),
)


def fit_rules() -> list[FitRule]:
    return [
        FitRule(label=label, field=field, operator=operator, value=value, points=points, group=group, position=n)
        for n, (label, field, operator, value, points, group) in enumerate(FIT, start=1)
    ]


def engagement_rules() -> list[EngagementRule]:
    return [EngagementRule(kind=kind, points=points, max_count=cap) for kind, points, cap in ENGAGEMENT]


def save_defaults_if_none() -> ScoringSettings:
    """The settings row, creating it (with the default rules, when there are none) if missing."""
    row = ScoringSettings.objects.select_for_update().filter(pk=1).first()
    if row is not None:
        return row
    if not FitRule.objects.exists():
        FitRule.objects.bulk_create(fit_rules())
    if not EngagementRule.objects.exists():
        EngagementRule.objects.bulk_create(engagement_rules())
    row, _ = ScoringSettings.objects.get_or_create(pk=1)
    return row
