"""Every widget's numbers on a hand-built story, against the values worked out by hand and
against a plain recomputation from the raw rows (tests/dashboard/plain.py)."""

from datetime import date
from decimal import Decimal

import pytest

from insights.dashboard.filters import Filters
from insights.dashboard.scope import ALL, Scope
from insights.dashboard.widgets import WIDGETS
from tests.dashboard import plain
from tests.dashboard.factories import START, Clock, build_story

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 6, 30), "period": "custom"}  # > 120 days: by month


@pytest.fixture
def story(monkeypatch, rep, teammate, admin_user):
    return build_story(Clock(monkeypatch, START), rep)


def widget(name: str, user, **filters):
    return WIDGETS[name](Filters(**{**MARCH, **filters}), Scope(ALL, user.pk))


def test_the_funnel_counts_the_cohort_at_every_stage_with_median_days_between(story, admin_user):
    funnel = widget("funnel", admin_user)
    counts = [stage["count"] for stage in funnel["stages"]]
    assert counts == [4, 3, 2, 1, 1, 1]
    assert [stage["median_days"] for stage in funnel["stages"][1:]] == [3, 0, 1, 3, 12]
    assert [stage["of_previous"] for stage in funnel["stages"][1:]] == [75.0, 66.7, 50.0, 100.0, 100.0]
    expected = plain.funnel(MARCH["start"], MARCH["end"])
    assert counts == [expected["counts"][stage] for stage in plain.STEPS]
    assert [stage["median_days"] for stage in funnel["stages"][1:]] == [expected["medians"][s] for s in plain.STEPS[1:]]


def test_the_biggest_leak_is_the_step_fewest_leads_survive(story, admin_user):
    leak = widget("funnel", admin_user)["leak"]
    assert (leak["key"], leak["of_previous"], leak["lost"]) == ("sql", 50.0, 1)


def test_a_lead_that_skipped_a_stage_counts_as_having_reached_it(story, admin_user, rep):
    from marketing import services as marketing_services

    skipper = plain.Lead.objects.get(email_normalized="nurtured@d.example")
    marketing_services.qualify_lead(lead_id=skipper.pk)  # lead → MQL
    marketing_services.accept_lead(lead_id=skipper.pk, owner_id=rep.pk)  # MQL → SAL
    marketing_services.advance_lead(lead_id=skipper.pk, stage="opportunity", reason="skips SQL")
    from insights.dashboard import services

    services.refresh_rollups()
    counts = [stage["count"] for stage in widget("funnel", admin_user)["stages"]]
    assert counts == [4, 4, 3, 2, 2, 1]  # SQL counts the skipper, who went straight to opportunity
    assert counts == [plain.funnel(MARCH["start"], MARCH["end"])["counts"][s] for s in plain.STEPS]


def test_revenue_won_by_month_has_the_won_deal_in_the_month_it_closed(story, admin_user):
    revenue = widget("revenue", admin_user)
    assert (revenue["won"], revenue["lost"], revenue["amount"], revenue["win_rate"]) == (1, 1, Decimal("1000.00"), 50.0)
    by_month = {bucket["month"]: bucket["amount"] for bucket in revenue["months"] if bucket["amount"]}
    assert by_month == {date(2026, 3, 1): Decimal("1000.00")}
    assert by_month == plain.revenue_by_month(MARCH["start"], MARCH["end"])


@pytest.mark.parametrize(
    ("model", "search", "email"),
    [
        ("first", "1000.00", None),
        ("last", None, "1000.00"),
        ("linear", "500.00", "500.00"),
        ("u_shaped", "500.00", "500.00"),
    ],
)
def test_each_attribution_model_credits_the_deals_touches_as_it_says(story, admin_user, model, search, email):
    channels = widget("channels", admin_user, model=model)
    credited = {row["key"]: row["revenue"] for row in channels["rows"] if row["revenue"]}
    expected = {key: Decimal(value) for key, value in (("paid_search", search), ("email", email)) if value}
    assert credited == expected == plain.attributed(model, MARCH["start"], MARCH["end"])
    assert sum(credited.values()) == Decimal("1000.00")


def test_time_decay_halves_a_touchs_weight_every_seven_days(story, admin_user):
    credited = {row["key"]: row["revenue"] for row in widget("channels", admin_user, model="time_decay")["rows"]}
    # Touches 3 days 1 hour and 1 day 1 hour before the deal opened.
    older, newer = 2 ** (-(3 + 1 / 24) / 7), 2 ** (-(1 + 1 / 24) / 7)
    search = (Decimal(1000) * Decimal(older / (older + newer))).quantize(Decimal("0.01"))
    assert credited["paid_search"] == search
    assert credited["email"] == Decimal("1000.00") - search
    assert credited == plain.attributed("time_decay", MARCH["start"], MARCH["end"])


def test_channels_show_spend_roi_revenue_per_dollar_and_cost_per_deal(story, admin_user):
    rows = {row["key"]: row for row in widget("channels", admin_user, model="first")["rows"]}
    search, email = rows["paid_search"], rows["email"]
    assert (search["revenue"], search["spend"], search["deals"]) == (Decimal("1000.00"), Decimal("800.00"), 1)
    assert (search["roi"], search["per_dollar"], search["cpa"]) == (25.0, Decimal("1.25"), Decimal("800.00"))
    assert (email["revenue"], email["spend"], email["roi"]) == (Decimal("0.00"), Decimal("200.00"), -100.0)
    assert email["cpa"] is None  # no deal to divide by
    best = widget("channels", admin_user, model="first")["best"]
    assert best["key"] == "paid_search"


def test_campaigns_carry_their_credited_revenue_and_spend(story, admin_user):
    rows = {row["label"]: row for row in widget("campaigns", admin_user, model="linear")["rows"]}
    assert rows["Search: forecasting"]["revenue"] == Decimal("500.00")
    assert rows["March newsletter"]["revenue"] == Decimal("500.00")
    assert rows["March newsletter"]["spend"] == Decimal("200.00")
    by_campaign = plain.attributed("linear", MARCH["start"], MARCH["end"], by="campaign")
    assert {story.search.pk: Decimal("500.00"), story.email.pk: Decimal("500.00")} == by_campaign


def test_sla_counts_answers_in_time_and_the_expired_offer(story, admin_user):
    sla = widget("sla", admin_user)
    assert (sla["offers"], sla["within"], sla["late"], sla["expired"], sla["open"]) == (4, 3, 0, 1, 0)
    assert sla["percent"] == 75.0
    assert plain.sla(MARCH["start"], MARCH["end"]) == {"offers": 4, "within": 3, "expired": 1}


def test_rejection_reasons_count_each_rejected_handoff(story, admin_user):
    reasons = widget("rejections", admin_user)["reasons"]
    assert [(row["reason"], row["count"]) for row in reasons] == [("no_budget", 1)]
    assert plain.rejections(MARCH["start"], MARCH["end"]) == {"no_budget": 1}


def test_lead_time_is_the_median_days_from_first_mql_to_won_by_source(story, admin_user):
    sources = widget("lead_time", admin_user)["sources"]
    assert [(row["channel"], row["median"], row["deals"]) for row in sources] == [("paid_search", 17, 1)]
    assert plain.lead_time(MARCH["start"], MARCH["end"]) == {"paid_search": 17}


def test_the_leaderboard_ranks_reps_by_revenue_with_win_rate_and_sla(story, admin_user, rep, teammate):
    board = widget("leaderboard", admin_user)["reps"]
    reps = {row["rep_id"]: row for row in board}
    assert set(reps) == {rep.pk, teammate.pk}
    for user in (rep, teammate):
        owned = plain.Deal.objects.filter(owner=user, closed_at__isnull=False).select_related("stage")
        won = [deal for deal in owned if deal.stage.kind == "won"]
        assert reps[user.pk]["amount"] == sum((deal.amount for deal in won), Decimal("0.00"))
        assert reps[user.pk]["win_rate"] == (round(100 * len(won) / len(owned), 1) if owned else None)
        answered = plain.Offer.objects.filter(assignee=user).exclude(state="open")
        within = [offer for offer in answered if offer.state != "expired" and offer.decided_at <= offer.due_at]
        assert reps[user.pk]["sla"] == round(100 * len(within) / len(answered), 1)
    assert board[0]["rep_id"] == story.deals["won"].owner_id  # the 1,000 deal ranks first


def test_the_pipeline_weighs_open_deals_by_their_stage(story, admin_user, rep):
    from tests.dashboard.factories import accept, capture, hand_over, move

    deal = move(accept(hand_over(capture("open@e.example", story.search, company="Elm"))), "qualification", rep)
    from sales import services as sales_services

    deal = sales_services.update_deal(deal_id=deal.pk, by=rep, expected_version=deal.version, amount=Decimal("200"))
    pipeline = widget("pipeline", admin_user)
    assert [(s["name"], s["deals"], s["amount"], s["weighted"]) for s in pipeline["stages"]] == [
        ("Qualification", 1, Decimal("200.00"), Decimal("50.00"))
    ]
    assert plain.pipeline() == {"Qualification": (1, Decimal("200"))}


def test_filters_narrow_every_widget_to_the_channel_of_the_lead(story, admin_user):
    funnel = widget("funnel", admin_user, channel="email")
    assert [stage["count"] for stage in funnel["stages"]] == [2, 2, 1, 0, 0, 0]
    expected = plain.funnel(MARCH["start"], MARCH["end"], keep=lambda dims: dims["channel"] == "email")
    assert [stage["count"] for stage in funnel["stages"]] == [expected["counts"][s] for s in plain.STEPS]
    assert widget("revenue", admin_user, channel="email")["won"] == 0
    assert widget("revenue", admin_user, channel="paid_search")["won"] == 1


def test_a_period_without_the_story_shows_nothing(story, admin_user):
    quiet = {"start": date(2025, 1, 1), "end": date(2025, 1, 31)}
    assert widget("funnel", admin_user, **quiet)["leads"] == 0
    assert widget("revenue", admin_user, **quiet)["won"] == 0
    assert widget("channels", admin_user, **quiet)["rows"] == []
