"""Rows of the table: sales' deals, through the JSON API and the deal page, and its other pages."""

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sales import services as sales_services
from sales.models import Deal

from .checks import both, script, shown_escaped, unchanged
from .vocabulary import Case, Send, api, form, get, post, raw, url

DEAL = url("sales:deal-detail", "rep_deal")  # Sam's open deal, in Negotiation
DEAL_API = url("sales-api:deal-detail", "rep_deal")
MOVE_API = url("sales-api:deal-move", "rep_deal")
DEALS_API = url("sales-api:deal-list")
KEPT = ("owner_id", "team_id", "stage_id", "closed_at", "version", "lead_rating", "amount", "title")


def _tomorrow() -> str:
    return (timezone.localdate() + timezone.timedelta(days=1)).isoformat()


def stage(slug: str):
    return lambda w: str(w.pipeline.stages.get(slug=slug).pk)


def patched(what: str, body: dict, field: str) -> Case:
    """A PATCH of Sam's deal, If-Match as read: refused on the field, the row as it was."""
    return Case(what, "token", api("PATCH", DEAL_API, body, etag=True), 400, field=field)


def moved(what: str, body, status: int, field: str = "") -> Case:
    return Case(what, "token", api("POST", MOVE_API, body, etag=True), status, field=field)


def typed(what: str, button: str, field: str, value, status: int = 400, **more) -> Case:
    """A form of Sam's deal page with `value` typed into `field`."""
    return Case(what, "rep", form(DEAL, button, **{field: value, **more}), status, field=field if status == 400 else "")


def _many_deals(w) -> None:
    for n in range(201):
        sales_services.open_deal(owner_id=w.rep.pk, team_id=w.team.pk, title=f"Deal {n}")


def _capped(cast, response) -> None:
    body = response.json()
    assert (len(body["results"]), body["count"]) == (200, Deal.objects.filter(owner=cast.world.rep).count())
    assert body["next"]


def _default_order(cast, response) -> None:
    ids = [deal["id"] for deal in response.json()["results"]]
    assert ids == [deal["id"] for deal in cast.client("token").get(reverse("sales-api:deal-list")).json()["results"]]


API = [
    # --- fields a client may not change: refused by name, the row unchanged ---------------------
    *[
        patched(f"{name} in a PATCH", {"title": "Renamed", name: value}, name)
        for name, value in [
            ("owner", 1),
            ("owner_id", 1),
            ("stage", 1),
            ("closed_at", "2020-01-01T00:00:00Z"),
            ("version", 99),
            ("lead_rating", 5),
            ("team", "Field Sales"),
            ("is_staff", True),
        ]
    ],
    # --- values -----------------------------------------------------------------------------------
    patched("expected close in year 1", {"expected_close": "0001-01-01"}, "expected_close"),
    patched("expected close on 31 December 9999", {"expected_close": "9999-12-31"}, "expected_close"),
    patched("expected close on 30 February", {"expected_close": "2026-02-30"}, "expected_close"),
    patched("an amount of NaN (as text)", {"amount": "NaN"}, "amount"),
    patched("an amount of Infinity (as text)", {"amount": "Infinity"}, "amount"),
    patched("a negative amount", {"amount": "-1.00"}, "amount"),
    patched("an amount of 10^20", {"amount": 10**20}, "amount"),
    patched("a 1 MB title", {"title": "x" * 1_000_000}, "title"),
    patched("a null title", {"title": None}, "title"),
    patched("a title as an object", {"title": {"$set": "x"}}, "title"),
    patched("a CRLF-injected contact email", {"contact_email": "ada@corp.example\r\nBcc: x@y.z"}, "contact_email"),
    patched("a currency of three symbols", {"currency": "€€€"}, "currency"),
    Case(
        "a PATCH body over the 1 MB limit",
        "token",
        api("PATCH", DEAL_API, {"title": "x" * (1024 * 1024)}, etag=True),
        413,
        field="detail",
    ),
    Case(
        "a PATCH sent as a form",
        "token",
        Send(
            "PATCH form",
            lambda client, w: client.patch(
                DEAL_API(w), "title=X", "application/x-www-form-urlencoded", headers={"If-Match": "*"}
            ),
        ),
        415,
        field="detail",
    ),
    Case(
        "a move nested 5,000 deep",
        "token",
        raw(MOVE_API, '{"stage":' * 5000 + "1" + "}" * 5000, If_Match="*"),
        400,
        "detail",
    ),
    Case("a PATCH without If-Match", "token", api("PATCH", DEAL_API, {"title": "Renamed"}), 428, field="detail"),
    Case(
        "a PATCH with a stale If-Match", "token", api("PATCH", DEAL_API, {"title": "X"}, If_Match='"1"'), 412, "detail"
    ),
    Case(
        "<script> in the deal's text fields",
        "token",
        api(
            "PATCH",
            DEAL_API,
            {"title": script("title"), "company": script("company"), "contact_name": script("contact")},
            etag=True,
        ),
        200,
        changes={"sales.Deal": 0},
        then=shown_escaped(
            ("rep", DEAL, (script("title"), script("company"), script("contact"))),
            ("rep", url("sales:deal-list"), (script("title"),)),
            ("rep", url("sales:board"), (script("title"),)),
            ("admin", url("admin:sales_deal_change", "rep_deal"), (script("title"), script("company"))),
        ),
    ),
    # --- moves the transition table does not have -------------------------------------------------
    moved("a move from Negotiation to Won (closing is not a move)", {"stage": stage("won")}, 409),
    moved("a move from Negotiation back to Discovery (three steps)", {"stage": stage("discovery")}, 409),
    moved("a move to a stage that does not exist", {"stage": 2_000_000_000}, 400, "stage"),
    moved("a move to stage 2^63", {"stage": 2**63}, 400, "stage"),
    Case("a move to stage NaN", "token", raw(MOVE_API, '{"stage": NaN}', If_Match="*"), 400, field="detail"),
    moved("a move to a stage named by its slug", {"stage": "won"}, 400, "stage"),
    Case(
        "a move of a closed deal",
        "token",
        api("POST", url("sales-api:deal-move", "rep_closed_deal"), {"stage": stage("negotiation")}, etag=True),
        409,
        field="detail",
    ),
    Case(
        "a move of another team's deal",
        "token",
        api("POST", url("sales-api:deal-move", "other_deal"), {"stage": stage("qualification")}),
        404,
        field="detail",
    ),
    Case("deal 10^30", "token", get(lambda w: f"/api/v1/deals/{'1' + '0' * 30}/"), 404, field="detail"),
    # --- lists ------------------------------------------------------------------------------------
    Case(
        "page_size=10^6",
        "token",
        get(DEALS_API, {"page_size": "1000000"}),
        200,
        setup=_many_deals,
        then=_capped,
    ),
    Case(
        "ordering by a field that is not offered",
        "token",
        get(DEALS_API, {"ordering": "owner__password"}),
        200,
        then=_default_order,
    ),
    Case("page 0", "token", get(DEALS_API, {"page": "0"}), 404, field="detail"),
    Case("page NaN", "token", get(DEALS_API, {"page": "NaN"}), 404, field="detail"),
]


SUBJECT = script("subject") + "\r\nBcc: everyone@corp.example"


def _ten_minutes_ago() -> str:
    # Overdue, so My day lists it at any hour (due in ten minutes is tomorrow after 23:50).
    return f"{timezone.localtime() - timezone.timedelta(minutes=10):%Y-%m-%dT%H:%M}"


def _reminded_in_plain_text(cast, response) -> None:
    """The reminder email is plain text (no HTML part to run a script in), its subject one line."""
    assert sales_services.send_due_reminders() == 1
    (message,) = mail.outbox
    assert (message.content_subtype, message.alternatives, message.bcc) == ("plain", [], [])
    assert script("subject") in message.subject and "\n" not in message.subject and "\r" not in message.subject
    assert script("subject") in message.body


PAGES = [
    # --- closing: ratings, dates, amounts, reasons ------------------------------------------------
    typed("a rating of 0", "Mark won", "rating", "0"),
    typed("a rating of 6", "Mark won", "rating", "6"),
    typed("a rating of five", "Mark won", "rating", "five"),
    typed("won in year 1", "Mark won", "closed_on", "0001-01-01"),
    typed("won tomorrow", "Mark won", "closed_on", lambda w: _tomorrow()),
    typed("won on 30 February", "Mark won", "closed_on", "2026-02-30"),
    typed("a negative final amount", "Mark won", "amount", "-1"),
    typed("a final amount of NaN", "Mark won", "amount", "NaN"),
    typed("a final amount of 10^20", "Mark won", "amount", "1" + "0" * 20),
    typed("lost without a reason", "Mark lost", "lost_reason", ""),
    typed("lost for a reason not on the list", "Mark lost", "lost_reason", "Aliens"),
    typed("lost with a NUL byte in the reason", "Mark lost", "lost_reason", "Other\x00"),
    typed("lost, rated 9", "Mark lost", "rating", "9", lost_reason="Other"),
    # --- transitions the table does not have, or the role may not make ---------------------------
    typed("a move back to Discovery (three steps)", "Move", "stage", stage("discovery"), 409),
    typed("a move to Won (closing is not a move)", "Move", "stage", stage("won"), 409),
    typed("a move to a stage that does not exist", "Move", "stage", "2000000000"),
    typed("a move to stage 10^30", "Move", "stage", "1" + "0" * 30),
    typed(
        "a move from a page read 10^30 versions ahead", "Move", "version", "1" + "0" * 30, 409, stage=stage("proposal")
    ),
    typed("a move from a page read before the last change", "Move", "version", "1", 409, stage=stage("proposal")),
    Case(
        "Discovery to Won by its salesperson",
        "stranger",
        post(url("sales:deal-won", "other_deal"), {"version": lambda w: w.other_deal.version, "amount": "10"}),
        409,
    ),
    Case(
        "Lost to Won by the salesperson",
        "rep",
        post(url("sales:deal-won", "rep_closed_deal"), {"version": lambda w: w.rep_closed_deal.version, "amount": "1"}),
        409,
        then=unchanged(Deal, "rep_closed_deal", *KEPT),
    ),
    Case(
        "reopening a lost deal as a salesperson",
        "rep",
        post(url("sales:deal-reopen", "rep_closed_deal"), {"version": lambda w: w.rep_closed_deal.version}),
        403,
    ),
    Case(
        "handing a deal to a teammate as a salesperson",
        "rep",
        post(
            url("sales:deal-reassign", "rep_deal"),
            {"version": lambda w: w.rep_deal.version, "owner": lambda w: w.teammate.pk},
        ),
        403,
    ),
    # --- editing ---------------------------------------------------------------------------------
    Case(
        "owner, stage, team, closed time and rating added to the edit form",
        "rep",
        form(
            DEAL,
            "Save changes",
            title="Renamed deal",
            owner=lambda w: str(w.teammate.pk),
            stage=stage("won"),
            team=lambda w: str(w.other_team.pk),
            closed_at="2020-01-01T00:00",
            lead_rating="5",
        ),
        303,
        changes={"sales.Deal": 0},
        then=unchanged(Deal, "rep_deal", "owner_id", "team_id", "stage_id", "closed_at", "lead_rating"),
    ),
    typed("expected to close on 31 December 9999", "Save changes", "expected_close", "9999-12-31"),
    typed("expected to close in year 1", "Save changes", "expected_close", "0001-01-01"),
    typed("a CRLF-injected contact email", "Save changes", "contact_email", "ada@corp.example\r\nBcc: x@y.z"),
    typed("a currency of three symbols", "Save changes", "currency", "€€€"),
    typed("a 1 MB title", "Save changes", "title", "x" * 1_000_000),
    typed("an empty title", "Save changes", "title", "   "),
    # --- activities and notes ----------------------------------------------------------------------
    typed("an activity due in year 1", "Schedule", "due_at", "0001-01-01T09:00", subject="Call"),
    typed("an activity due in 9999", "Schedule", "due_at", "9999-12-31T09:00", subject="Call"),
    typed("an activity of an unknown kind", "Schedule", "kind", "seance", subject="Call"),
    typed("an activity without a subject", "Schedule", "subject", ""),
    Case(
        "<script> and a line break in an activity's subject",
        "rep",
        form(DEAL, "Schedule", kind="call", subject=SUBJECT, due_at=lambda w: _ten_minutes_ago()),
        303,
        changes={"sales.Activity": 1, "sales.Deal": 0},
        then=both(
            shown_escaped(("rep", DEAL, (script("subject"),)), ("rep", url("sales:my-day"), (script("subject"),))),
            _reminded_in_plain_text,
        ),
    ),
    typed("an empty note", "Add note", "body", "  "),
    typed("a note with a NUL byte", "Add note", "body", "Call\x00back"),
    # --- availability and lists --------------------------------------------------------------------
    Case(
        "away until 31 December 9999",
        "rep",
        form(url("sales:availability"), "Save", status="away", away_until="9999-12-31"),
        400,
        field="away_until",
    ),
    Case(
        "an unknown availability", "rep", form(url("sales:availability"), "Save", status="on_the_moon"), 400, "status"
    ),
    Case("the deal list's page 10^6", "rep", get(url("sales:deal-list"), {"page": "1000000"}), 200),
    Case("the deal list's stage 10^30", "rep", get(url("sales:deal-list"), {"stage": "1" + "0" * 30}), 200),
    Case("the board's month 9999-12", "rep", get(url("sales:board"), {"month": "9999-12"}), 400, field="month"),
    Case(
        "the deal list's month 10000-01",
        "rep",
        get(url("sales:deal-list"), {"month": "10000-01"}),
        400,
        says="Expected close: ",  # the list has no filter form: it names the filter by its label
    ),
]
