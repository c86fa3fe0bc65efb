"""Rows of the table: offers, accepted or rejected in the inbox and through the JSON API."""

from django.urls import reverse

from handoff.models import Handoff

from .checks import script, shown_escaped, unchanged
from .vocabulary import Case, api, form, get, post, raw, url

INBOX = url("handoff:inbox")  # Sam's: one open offer, the world's rep_offer
ACCEPT_API = url("handoff-api:offer-accept", "rep_offer")
REJECT_API = url("handoff-api:offer-reject", "rep_offer")
OTHER_TEAMS_LEAD = "wendeline@wendeline-deal.example"  # accepted by Stan, of Field Sales
NOT_FOUND = "None of your team's leads that you can see has this address."
OFFER_KEPT = ("state", "assignee_id", "decided_at", "rejection_reason", "deal_id", "recycle_action", "duplicate_of_id")
still_offered = unchanged(Handoff, "rep_offer", *OFFER_KEPT)


def rejected(what: str, field: str, **typed) -> Case:
    return Case(what, "rep", form(INBOX, "Reject lead", **typed), 400, field=field, then=still_offered)


def accepted(what: str, rating: str) -> Case:
    return Case(what, "rep", form(INBOX, "Accept lead", rating=rating), 400, field="rating", then=still_offered)


def rejected_api(what: str, body: dict, field: str) -> Case:
    return Case(what, "token", api("POST", REJECT_API, body), 400, field=field, then=still_offered)


def accepted_api(what: str, body: dict, field: str) -> Case:
    return Case(what, "token", api("POST", ACCEPT_API, body), 400, field=field, then=still_offered)


PAGES = [
    rejected("a rejection without a reason", "reason", reason=""),
    rejected("a rejection for a reason not on the list", "reason", reason="too_pretty"),
    rejected("a rejection for Other without a note", "note", reason="other", note="  "),
    rejected("a rejection rated 6", "rating", reason="bad_fit", rating="6"),
    rejected("a rejection with a 501-character note", "note", reason="bad_fit", note="x" * 501),
    rejected(
        "a duplicate of another team's lead",
        "original_email",
        reason="duplicate",
        original_email=OTHER_TEAMS_LEAD,
    ),
    rejected(
        "a duplicate of an address nobody has", "original_email", reason="duplicate", original_email="no@one.example"
    ),
    rejected(
        "a duplicate of a CRLF-injected address", "original_email", reason="duplicate", original_email="a@b.c\r\nX: y"
    ),
    rejected(
        "an original named for a reason other than duplicate",
        "original_email",
        reason="spam",
        original_email="a@b.example",
    ),
    accepted("an acceptance rated 0", "0"),
    accepted("an acceptance rated 6", "6"),
    accepted("an acceptance rated five", "five"),
    Case("accepting another team's offer", "rep", post(url("handoff:offer-accept", "other_offer")), 404),
    Case(
        "accepting a teammate's offer",
        "teammate",
        post(url("handoff:offer-accept", "rep_offer")),
        404,
        then=still_offered,
    ),
    Case("accepting an offer already accepted", "rep", post(url("handoff:offer-accept", "rep_handoff")), 409),
    Case(
        "rejecting an offer already accepted",
        "rep",
        post(url("handoff:offer-reject", "rep_handoff"), {"reason": "bad_fit"}),
        409,
        then=unchanged(Handoff, "rep_handoff", *OFFER_KEPT),
    ),
    Case(
        "offers due within 10^6 hours", "rep", get(url("handoff:offers-due"), {"hours": "1000000"}), 400, says="hours: "
    ),
]

API = [
    rejected_api("a rejection without a reason", {}, "reason"),
    rejected_api("a rejection for a reason not on the list", {"reason": "too_pretty"}, "reason"),
    rejected_api("a rejection for a reason as a list", {"reason": ["spam"]}, "reason"),
    rejected_api("a rejection for Other without a note", {"reason": "other"}, "note"),
    rejected_api("a rejection rated 0", {"reason": "bad_fit", "rating": 0}, "rating"),
    rejected_api("a rejection rated 6", {"reason": "bad_fit", "rating": 6}, "rating"),
    rejected_api("a rejection rated 2.5", {"reason": "bad_fit", "rating": 2.5}, "rating"),
    rejected_api("a rejection with a 501-character note", {"reason": "bad_fit", "note": "x" * 501}, "note"),
    rejected_api(
        "a duplicate of another team's lead",
        {"reason": "duplicate", "original_email": OTHER_TEAMS_LEAD},
        "original_email",
    ),
    Case("a rejection as a top-level array", "token", raw(REJECT_API, '[{"reason": "spam"}]'), 400, field="detail"),
    Case(
        "<script> in a rejection's note",
        "token",
        api("POST", REJECT_API, {"reason": "other", "note": script("note")}),
        200,
        changes={
            "handoff.Handoff": 0,
            "handoff.Offer": 0,
            "handoff.Feedback": 1,
            "marketing.Lead": 0,
            "marketing.LeadStageChange": 1,
        },
        then=shown_escaped(
            ("marketer", lambda w: reverse("handoff:lead-verdicts", args=[w.rep_offer.lead_id]), (script("note"),)),
            ("marketer", lambda w: reverse("marketing:lead-detail", args=[w.rep_offer.lead_id]), (script("note"),)),
        ),
    ),
    accepted_api("an acceptance rated 6", {"rating": 6}, "rating"),
    accepted_api("an acceptance rated five", {"rating": "five"}, "rating"),
    accepted_api("an acceptance with a 1 MB comment", {"comment": "x" * 1_000_000}, "comment"),
    Case(
        "an acceptance rated NaN",
        "token",
        raw(ACCEPT_API, '{"rating": NaN}'),
        400,
        field="detail",
        then=still_offered,
    ),
    Case(
        "accepting another team's offer",
        "token",
        api("POST", url("handoff-api:offer-accept", "other_offer")),
        404,
        field="detail",
        then=unchanged(Handoff, "other_offer", *OFFER_KEPT),
    ),
    Case(
        "rejecting an offer that does not exist, naming another team's lead",
        "token",
        api(
            "POST",
            url("handoff-api:offer-reject", 999_999),
            {"reason": "duplicate", "original_email": OTHER_TEAMS_LEAD},
        ),
        404,
        field="detail",
    ),
    Case(
        "rejecting another team's offer without a reason",
        "token",
        api("POST", url("handoff-api:offer-reject", "other_offer"), {}),
        404,
        field="detail",
    ),
    Case(
        "accepting an offer already accepted",
        "token",
        api("POST", url("handoff-api:offer-accept", "rep_handoff")),
        409,
        "detail",
    ),
    Case("the offer list's page_size=10^6", "token", get(url("handoff-api:offer-list"), {"page_size": "1000000"}), 200),
    Case(
        "the offer list's page NaN", "token", get(url("handoff-api:offer-list"), {"page": "NaN"}), 404, field="detail"
    ),
    Case(
        "erasing a lead as a salesperson",
        "token",
        api("POST", url("handoff-api:lead-erase", "rep_lead"), {"confirm": "x"}),
        403,
        "detail",
    ),
]

DASHBOARD = url("dashboard:overview")
REPORTS = [
    Case(
        "the dashboard from year 1",
        "manager",
        get(DASHBOARD, {"period": "custom", "start": "0001-01-01"}),
        400,
        "start",
    ),
    Case("the dashboard until 9999", "manager", get(DASHBOARD, {"period": "custom", "end": "9999-12-31"}), 400, "end"),
    Case("the dashboard until 30 February", "manager", get(DASHBOARD, {"end": "2026-02-30"}), 400, field="end"),
    Case(
        "the dashboard ending before it starts",
        "manager",
        get(DASHBOARD, {"period": "custom", "start": "2026-01-02", "end": "2026-01-01"}),
        400,
        field="end",
    ),
    Case("the dashboard of an unknown period", "manager", get(DASHBOARD, {"period": "forever"}), 400, field="period"),
    Case("the dashboard of an unknown model", "manager", get(DASHBOARD, {"model": "vibes"}), 400, field="model"),
    Case(
        "the dashboard of another team",
        "manager",
        get(DASHBOARD, {"team": lambda w: str(w.other_team.pk)}),
        400,
        field="team",
    ),
    Case(
        "the open deals of stage 10^30",
        "manager",
        get(url("dashboard:deals"), {"outcome": "open", "stage": "1" + "0" * 30}),
        200,
    ),
    Case("the deals of an unknown outcome", "manager", get(url("dashboard:deals"), {"outcome": "maybe"}), 400),
    Case("the leads that reached an unknown stage", "manager", get(url("dashboard:leads"), {"reached": "mars"}), 400),
    Case(
        "the export of a widget that does not exist",
        "manager",
        get(lambda w: reverse("dashboard:export", args=["nope"])),
        404,
    ),
    Case("the SLA report of NaN days", "manager", get(url("insights:sla"), {"days": "NaN"}), 400, says="(days)"),
    Case(
        "scorecards by an unknown grouping",
        "marketer",
        get(url("insights:scorecards"), {"by": "zodiac"}),
        400,
        says="(by)",
    ),
    Case(
        "scorecards ordered by the password",
        "marketer",
        get(url("insights:scorecards"), {"sort": "password"}),
        400,
        says="(sort)",
    ),
    Case(
        "scorecards ordered sideways",
        "marketer",
        get(url("insights:scorecards"), {"dir": "sideways"}),
        400,
        says="(dir)",
    ),
    Case("the audit log's page 10^6", "manager", get(url("audit:entries"), {"page": "1000000"}), 200),
]
