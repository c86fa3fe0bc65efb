"""Lead scoring: fit (who they are) plus engagement (what they did).

The rules are plain data for now; marketers will edit them in the workspace. A score is
always stored with the reasons that produced it, so every lead can say why.
"""

import re
from collections import Counter
from dataclasses import dataclass

from .models import Lead, Touchpoint

FREE_MAIL_DOMAINS = frozenset(
    "gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com aol.com icloud.com me.com gmx.com "
    "gmx.de web.de mail.com proton.me protonmail.com yandex.ru".split()
)
SENIOR_TITLE_WORDS = (
    "chief",
    "ceo",
    "cto",
    "cfo",
    "cmo",
    "coo",
    "founder",
    "owner",
    "president",
    "vp",
    "vice president",
    "head",
    "director",
)
MANAGER_TITLE_WORDS = ("manager", "lead", "principal")


def _words_pattern(words: tuple[str, ...]) -> re.Pattern:
    # Whole words only: as substrings "coo" made a Coordinator and "cto" a Doctor senior.
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in words) + r")s?\b")


_SENIOR_TITLE = _words_pattern(SENIOR_TITLE_WORDS)
_MANAGER_TITLE = _words_pattern(MANAGER_TITLE_WORDS)

# (touchpoint kind, points each, at most this many counted)
ENGAGEMENT_RULES: tuple[tuple[str, int, int], ...] = (
    (Touchpoint.Kind.MEETING_REQUEST, 30, 1),
    (Touchpoint.Kind.WEBINAR, 15, 2),
    (Touchpoint.Kind.EVENT, 15, 2),
    (Touchpoint.Kind.FORM_SUBMIT, 10, 3),
    (Touchpoint.Kind.API, 10, 3),
    (Touchpoint.Kind.CONTENT_DOWNLOAD, 8, 3),
    (Touchpoint.Kind.EMAIL_CLICK, 4, 5),
    (Touchpoint.Kind.PAGE_VIEW, 1, 10),
)


@dataclass(frozen=True)
class ScoreReason:
    rule: str
    points: int

    def as_dict(self) -> dict:
        return {"rule": self.rule, "points": self.points}


def fit_reasons(lead: Lead) -> list[ScoreReason]:
    reasons = []
    domain = lead.email_normalized.rpartition("@")[2]
    if domain and domain not in FREE_MAIL_DOMAINS:
        reasons.append(ScoreReason("Business email domain", 10))
    if lead.company:
        reasons.append(ScoreReason("Company given", 10))
    title = lead.title.casefold()
    if _SENIOR_TITLE.search(title):
        reasons.append(ScoreReason("Senior title", 20))
    elif _MANAGER_TITLE.search(title):
        reasons.append(ScoreReason("Manager title", 10))
    if lead.phone:
        reasons.append(ScoreReason("Phone given", 5))
    return reasons


def engagement_reasons(kind_counts: Counter) -> list[ScoreReason]:
    reasons = []
    for kind, points, cap in ENGAGEMENT_RULES:
        counted = min(kind_counts.get(kind, 0), cap)
        if counted:
            label = Touchpoint.Kind(kind).label
            reasons.append(ScoreReason(f"{label} ×{counted}", points * counted))
    return reasons


def compute_score(lead: Lead) -> tuple[int, list[ScoreReason]]:
    kind_counts = Counter(lead.touchpoints.values_list("kind", flat=True))
    reasons = fit_reasons(lead) + engagement_reasons(kind_counts)
    return sum(reason.points for reason in reasons), reasons


def mql_threshold() -> int:
    """The score at which a lead becomes marketing qualified."""
    from django.conf import settings

    return settings.LEADFLOW_MQL_THRESHOLD
