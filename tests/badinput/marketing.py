"""Rows of the table: marketing's pages (the lead list, its search and export, a lead, campaigns, spend)."""

from marketing.models import Campaign, Lead, Stage
from tests import factories

from .checks import both, script, shown_escaped, unchanged
from .vocabulary import Case, form, get, post, url

LEADS = url("marketing:lead-list")
FRESH = url("marketing:lead-detail", "fresh_lead")
NEW_CAMPAIGN = url("marketing:campaign-create")
CAMPAIGN = url("marketing:campaign-detail", "campaign")
SEARCHABLE = {
    "percent@corp.example": "Fifty% Growth",
    "under@corp.example": "Under_Score Ltd",
    "quote@corp.example": 'O\'Brien "Sons"',
    "plain@corp.example": "Fifty Underscore Growth",  # what % or _ as wildcards would also find
}


def _searchable(w) -> None:
    for email, company in SEARCHABLE.items():
        factories.capture(email, company=company)


def listed(*emails: str):
    """The list shows exactly these leads (the searched-for text taken literally)."""

    def check(cast, response):
        shown = sorted(lead.email_normalized for lead in response.context["page"].rows)
        assert shown == sorted(emails)

    return check


def searched(what: str, text: str, *emails: str) -> Case:
    return Case(what, "marketer", form(LEADS, "Apply", q=text), 200, setup=_searchable, then=listed(*emails))


def filtered(what: str, field: str, value: str) -> Case:
    return Case(what, "marketer", form(LEADS, "Apply", **{field: value}), 400, field=field)


def exported(what: str, field: str, value: str, label: str) -> Case:
    # The export is a link carrying the list's filters: the same filters, the same refusal,
    # on a page that lists each refused filter by its label.
    return Case(what, "marketer", get(url("marketing:lead-export"), {field: value}), 400, says=f"{label}: ")


def campaign_typed(what: str, field: str, value, status: int = 400) -> Case:
    send = form(NEW_CAMPAIGN, "Create campaign", **{"name": "Autumn launch", "channel": "webinar", field: value})
    return Case(what, "marketer", send, status, field=field)


def spend_typed(what: str, field: str, value) -> Case:
    return Case(what, "marketer", form(CAMPAIGN, "Log spend", **{"amount": "100", field: value}), 400, field=field)


HUGE = "1" + "0" * 30
LEAD_FIELDS_KEPT = ("email", "email_normalized", "stage", "owner_id", "score", "consent_given_at", "recycle_count")

MARKETING = [
    # --- the lead list: search and filters --------------------------------------------------------
    searched("a search for %", "%", "percent@corp.example"),
    searched("a search for _", "_", "under@corp.example"),
    searched("a search for a single quote", "O'Brien", "quote@corp.example"),
    searched("a search for a double quote", '"Sons"', "quote@corp.example"),
    searched("a search for a backslash", "\\", *()),
    searched("a search with a NUL byte", "Fifty%\x00", "percent@corp.example"),
    filtered("a search of 201 characters", "q", "x" * 201),
    filtered("captured until 31 December 9999", "created_to", "9999-12-31"),
    filtered("captured from 1 January of year 1", "created_from", "0001-01-01"),
    filtered("captured until 30 February", "created_to", "2026-02-30"),
    filtered("ordered by a column that is not offered", "sort", "email_normalized"),
    filtered("ordered by the password", "sort", "owner__password"),
    filtered("an unknown stage", "stage", "won"),
    filtered("a score of NaN", "score_min", "NaN"),
    filtered("a score of 10^400", "score_max", "1" + "0" * 400),
    filtered("an owner who does not exist", "owner", "2000000000"),
    Case("a page link made up by hand", "marketer", get(LEADS, {"after": "not-a-cursor"}), 400),
    Case("a page link of another sort order", "marketer", get(LEADS, {"after": "WzEsMiwzXQ"}), 400),
    exported("the export until 31 December 9999", "created_to", "9999-12-31", "Captured to"),
    exported("the export ordered by the password", "sort", "owner__password", "Sort"),
    # --- one lead: editing, and stages moved by hand -------------------------------------------
    Case(
        "a 1 MB first name",
        "marketer",
        form(FRESH, "Save profile", first_name="x" * 1_000_000),
        400,
        field="first_name",
    ),
    Case(
        "a NUL byte in the company", "marketer", form(FRESH, "Save profile", company="AC\x00ME"), 400, field="company"
    ),
    Case(
        "an unknown company size",
        "marketer",
        form(FRESH, "Save profile", company_size="galactic"),
        400,
        field="company_size",
    ),
    Case(
        "email, stage, owner, score, consent time and is_staff added to the profile form",
        "marketer",
        form(
            FRESH,
            "Save profile",
            company="Ignatia GmbH",
            email="mallory@evil.example",
            email_normalized="mallory@evil.example",
            stage=Stage.CUSTOMER,
            owner=lambda w: str(w.rep.pk),
            score="999",
            consent_given_at="2020-01-01T00:00",
            recycle_count="7",
            is_staff="on",
        ),
        303,
        changes={"marketing.Lead": 0},
        then=both(
            unchanged(Lead, "fresh_lead", *LEAD_FIELDS_KEPT),
            lambda cast, response: _company_is("fresh_lead", "Ignatia GmbH")(cast),
        ),
    ),
    Case(
        "<script> in every field of the profile",
        "marketer",
        form(FRESH, "Save profile", **{name: script(name) for name in ("first_name", "last_name", "company", "title")}),
        303,
        changes={"marketing.Lead": 0},
        then=shown_escaped(
            ("marketer", FRESH, tuple(script(name) for name in ("first_name", "last_name", "company", "title"))),
            ("marketer", LEADS, tuple(script(name) for name in ("first_name", "last_name", "company", "title"))),
            ("admin", url("admin:marketing_lead_change", "fresh_lead"), (script("company"),)),
        ),
    ),
    Case(
        "disqualifying without a reason",
        "marketer",
        form(FRESH, "Disqualify this lead", reason=""),
        400,
        field="reason",
    ),
    Case(
        "disqualifying a lead sales accepted",
        "marketer",
        post(url("marketing:lead-disqualify", "rep_lead"), {"reason": "Spam"}),
        409,
    ),
    Case("handing to sales a lead sales has", "marketer", post(url("marketing:lead-qualify", "rep_lead")), 409),
    Case(
        "back to nurture, a lead that was never recycled",
        "marketer",
        post(url("marketing:lead-renurture", "fresh_lead")),
        409,
    ),
    Case(
        "editing a lead sales accepted", "marketer", post(url("marketing:lead-edit", "rep_lead"), {"company": "X"}), 409
    ),
    # --- ids out of every integer column's range ------------------------------------------------
    Case("a lead id of 10^30", "marketer", get(lambda w: f"/marketing/leads/{HUGE}/"), 404),
    filtered("a campaign id of 10^30", "campaign", HUGE),
    Case(
        "a merge keeping lead 10^30",
        "marketer",
        post(url("marketing:lead-merge"), {"keep": HUGE, "duplicate": lambda w: w.fresh_lead.pk}),
        404,
    ),
    Case(
        "a bulk action on lead 10^30",
        "marketer",
        post(url("marketing:lead-bulk"), {"action": "disqualify", "reason": "Spam", "ids": [HUGE]}),
        303,
    ),
    Case(
        "a bulk action on 1,001 leads",
        "marketer",
        post(
            url("marketing:lead-bulk"),
            {"action": "disqualify", "reason": "Spam", "ids": [str(n) for n in range(1, 1002)]},
        ),
        400,
    ),
    # --- campaigns and spend -------------------------------------------------------------------
    campaign_typed("starting in year 1", "starts_on", "0001-01-01"),
    campaign_typed("ending on 31 December 9999", "ends_on", "9999-12-31"),
    campaign_typed("starting on 30 February", "starts_on", "2026-02-30"),
    campaign_typed("ending before it starts", "ends_on", "2000-01-02"),
    campaign_typed("an unknown channel", "channel", "carrier_pigeon"),
    campaign_typed("an unknown status", "status", "cancelled-ish"),
    campaign_typed("a budget of NaN", "budget", "NaN"),
    campaign_typed("a budget of Infinity", "budget", "Infinity"),
    campaign_typed("a negative budget", "budget", "-1"),
    campaign_typed("a budget of 10^20", "budget", "1" + "0" * 20),
    campaign_typed("a 1 MB name", "name", "x" * 1_000_000),
    campaign_typed("a salesperson as its owner", "owner", "2000000000"),
    Case(
        "<script> in the name and description",
        "marketer",
        form(
            NEW_CAMPAIGN, "Create campaign", name=script("name"), channel="webinar", description=script("description")
        ),
        303,
        changes={"marketing.Campaign": 1},
        then=shown_escaped(
            ("marketer", url("marketing:campaign-list"), (script("name"),)),
            (
                "marketer",
                lambda w: Campaign.objects.get(name=script("name")).get_absolute_url(),
                (script("name"), script("description")),
            ),
            ("marketer", url("marketing:campaign-calendar"), (script("name"),)),
        ),
    ),
    spend_typed("spent in year 1", "spent_on", "0001-01-01"),
    spend_typed("spent on 30 February", "spent_on", "2026-02-30"),
    spend_typed("a negative amount", "amount", "-5"),
    spend_typed("an amount of NaN", "amount", "NaN"),
    spend_typed("an amount of 10^20", "amount", "1" + "0" * 20),
    Case("the calendar of year 99999", "marketer", get(url("marketing:campaign-calendar"), {"year": "99999"}), 400),
    Case("the calendar of quarter 9", "marketer", get(url("marketing:campaign-calendar"), {"quarter": "9"}), 400),
    Case("the calendar of year NaN", "marketer", get(url("marketing:campaign-calendar"), {"year": "NaN"}), 400),
    Case(
        "the campaign list running until 31 December 9999",
        "marketer",
        get(url("marketing:campaign-list"), {"running_to": "9999-12-31"}),
        400,
        field="running_to",
    ),
]


def _company_is(name: str, company: str):
    def check(cast):
        assert Lead.objects.get(pk=getattr(cast.world, name).pk).company == company

    return check
