"""The rollups equal a plain recomputation exactly: on generated data, for every widget and
several filters, and after incremental refreshes as after a full rebuild."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from insights.dashboard import services
from insights.dashboard.filters import Filters
from insights.dashboard.models import AttributionCell, DealCell, DurationCell, FunnelCell, OfferCell, RejectionCell
from insights.dashboard.rollups.attribution import MODEL_KEYS, Touch, credits, split
from insights.dashboard.scope import ALL, Scope
from insights.dashboard.widgets import WIDGETS
from sales.models import Deal
from tests.dashboard import plain

pytestmark = pytest.mark.django_db

END = date(2026, 6, 30)
YEAR = {"start": date(2025, 7, 1), "end": END, "period": "custom"}


@pytest.fixture
def generated(admin_user):
    call_command("generate_data", leads=600, deals=140, touchpoints=2400, campaigns=14, reps=5, seed=11, end=END,
                 stdout=StringIO())  # fmt: skip
    return Scope(ALL, admin_user.pk)


def widget(name, scope, **filters):
    return WIDGETS[name](Filters(**{**YEAR, **filters}), scope)


PARTIAL_MONTHS = {"start": date(2025, 8, 17), "end": date(2026, 5, 9)}  # whole months between partial ones


@pytest.mark.parametrize("filters", [{}, {"channel": "paid_search"}, {"start": date(2026, 4, 1)}, PARTIAL_MONTHS])
def test_the_funnel_from_rollups_equals_the_plain_recomputation(generated, filters):
    funnel = widget("funnel", generated, **filters)
    period = {**YEAR, **filters}
    keep = (lambda d: d["channel"] == filters["channel"]) if "channel" in filters else (lambda d: True)
    expected = plain.funnel(period["start"], period["end"], keep)
    assert [stage["count"] for stage in funnel["stages"]] == [expected["counts"][s] for s in plain.STEPS]
    assert [stage["median_days"] for stage in funnel["stages"][1:]] == [expected["medians"][s] for s in plain.STEPS[1:]]
    assert funnel["leads"] > 0


@pytest.mark.parametrize("period", [YEAR, {**YEAR, **PARTIAL_MONTHS}])
def test_revenue_sla_rejections_and_lead_time_equal_the_plain_recomputation(generated, period):
    """The same checks over whole months, and over partial months at both ends."""
    revenue = widget("revenue", generated, **period)
    expected = plain.revenue(period["start"], period["end"])
    assert (revenue["won"], revenue["lost"], revenue["amount"]) == (
        expected["won"],
        expected["lost"],
        expected["amount"],
    )
    by_month = {bucket["month"]: bucket["amount"] for bucket in revenue["months"] if bucket["amount"]}
    assert by_month == plain.revenue_by_month(period["start"], period["end"])
    sla = widget("sla", generated, **period)
    counted = plain.sla(period["start"], period["end"])
    assert (sla["offers"], sla["within"], sla["late"], sla["expired"], sla["open"]) == tuple(
        counted.get(key, 0) for key in ("offers", "within", "late", "expired", "open")
    )
    reasons = {row["reason"]: row["count"] for row in widget("rejections", generated, **period)["reasons"]}
    assert reasons == plain.rejections(period["start"], period["end"])
    medians = {row["channel"]: row["median"] for row in widget("lead_time", generated, **period)["sources"]}
    assert medians == plain.lead_time(period["start"], period["end"])


@pytest.mark.parametrize("model", MODEL_KEYS)
def test_attributed_revenue_equals_the_plain_recomputation_and_sums_to_the_won_revenue(generated, model):
    for period in (YEAR, {**YEAR, **PARTIAL_MONTHS}):
        channels = widget("channels", generated, model=model, **period)
        credited = {row["key"]: row["revenue"] for row in channels["rows"] if row["revenue"]}
        assert credited == plain.attributed(model, period["start"], period["end"])
        assert channels["totals"]["revenue"] == plain.revenue(period["start"], period["end"])["amount"]
        campaigns = WIDGETS["campaigns"](Filters(**{**period, "model": model}), generated, limit=None)
        by_campaign = {row["key"]: row["revenue"] for row in campaigns["rows"] if row["revenue"]}
        assert by_campaign == plain.attributed(model, period["start"], period["end"], by="campaign")


@pytest.mark.parametrize("model", ["linear", "time_decay"])
def test_a_reps_and_a_teams_attribution_computed_on_the_spot_equals_the_plain_recomputation(generated, model):
    from sales.models import SalesRep

    for rep in SalesRep.objects.all()[:3]:
        rows = widget("channels", generated, model=model, rep=rep.user_id)["rows"]
        mine = plain.attributed(model, YEAR["start"], YEAR["end"], keep=lambda d, r=rep: d["rep"] == r.user_id)
        assert {row["key"]: row["revenue"] for row in rows if row["revenue"]} == mine
    team = SalesRep.objects.first().team_id
    rows = WIDGETS["campaigns"](Filters(**YEAR, model=model, team=team), generated, limit=None)["rows"]
    theirs = plain.attributed(model, YEAR["start"], YEAR["end"], by="campaign", keep=lambda d: d["team"] == team)
    assert {row["key"]: row["revenue"] for row in rows if row["revenue"]} == theirs


def test_every_won_deals_credits_sum_exactly_to_its_amount_in_every_model(generated):
    won = Deal.objects.filter(stage__kind="won")
    assert won.count() > 20
    for model in MODEL_KEYS:
        cells = AttributionCell.objects.filter(model=model, grain=AttributionCell.DAILY)
        assert sum(cell.revenue for cell in cells) == sum(deal.amount for deal in won)
        assert sum(cell.deals for cell in cells) == won.count()


def cell_rows():
    """Every cell of every rollup, comparable across rebuilds (ids left out)."""
    rows = {}
    for model in (FunnelCell, DurationCell, DealCell, AttributionCell, OfferCell, RejectionCell):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows[model.__name__] = sorted(model.objects.values_list(*fields), key=repr)
    return rows


def test_refreshing_after_new_events_gives_the_same_cells_as_a_full_rebuild(generated, rep, teammate, manager):
    from tests.dashboard.factories import accept, capture, close, hand_over, move

    services.rebuild_rollups()
    deal = accept(hand_over(capture("fresh@new.example", company="New")))
    services.refresh_rollups()
    deal = move(deal, "qualification", deal.owner)
    deal = move(deal, "proposal", deal.owner)
    deal = move(deal, "negotiation", deal.owner)
    close(deal, won=True, by=deal.owner, amount=Decimal("123.45"))
    older = Deal.objects.filter(closed_at__isnull=True).exclude(pk=deal.pk).first()
    close(older, won=False, by=manager if older.team_id == manager.managed_teams.first().pk else older.owner)
    services.refresh_rollups()
    incremental = cell_rows()
    services.rebuild_rollups()
    assert cell_rows() == incremental


def test_a_refresh_with_nothing_new_keeps_the_version(generated):
    first = services.refresh_rollups()
    assert services.refresh_rollups().version == first.version


def test_split_gives_the_rounding_remainder_to_the_last_touch():
    assert split(Decimal("100.00"), [1 / 3] * 3) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert split(Decimal("0.01"), [0.5, 0.5]) == [Decimal("0.00"), Decimal("0.01")]
    assert sum(split(Decimal("999.99"), [0.4, 0.1, 0.1, 0.4])) == Decimal("999.99")


@pytest.mark.parametrize("model", MODEL_KEYS)
@pytest.mark.parametrize("amount", ["0.01", "100.00", "1234.57", "99999.99"])
def test_every_model_shares_out_exactly_the_deal_amount_and_one_whole_deal(model, amount):
    from datetime import UTC, datetime, timedelta

    opened = datetime(2026, 5, 1, tzinfo=UTC)
    touches = [Touch(opened - timedelta(days=days, hours=3), "email", None) for days in (40, 9, 7, 3, 1, 0)]
    parts = credits(model, Decimal(amount), touches, opened)
    assert sum(revenue for revenue, _share in parts) == Decimal(amount)
    assert sum(share for _revenue, share in parts) == Decimal(1)
    assert all(revenue >= 0 for revenue, _share in parts)
