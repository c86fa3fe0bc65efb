"""`manage.py generate_data`: the generated rows agree with each other across the three apps,
exactly as the services would have left them, and the same seed gives the same data."""

from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from handoff.models import Feedback, Handoff, Offer
from handoff.routing import company_domain
from marketing.models import STAGE_MOVES, Campaign, Lead, LeadStageChange, Touchpoint
from sales.models import Deal, DealStageChange, SalesRep, StageTransition

pytestmark = pytest.mark.django_db

END = date(2026, 6, 30)
SIZE = {"leads": 900, "deals": 180, "touchpoints": 3600, "campaigns": 24, "reps": 9}


def generate(seed: int = 7, **sizes) -> str:
    out = StringIO()
    options = {**SIZE, **sizes}
    call_command("generate_data", seed=seed, end=END, stdout=out, no_rollups=True, **options)
    return out.getvalue()


@pytest.fixture
def generated():
    return generate()


def test_it_writes_exactly_the_sizes_asked_for(generated):
    assert Lead.objects.count() == 900
    assert Deal.objects.count() == 180
    assert Touchpoint.objects.count() == 3600
    assert Campaign.objects.count() == 24
    assert SalesRep.objects.count() == 9
    assert "rows/s" in generated


def test_every_accepted_handoff_has_its_deal_and_every_deal_one_handoff(generated):
    accepted = Handoff.objects.filter(state=Handoff.State.ACCEPTED)
    assert accepted.count() == 180
    assert not accepted.filter(deal__isnull=True).exists()
    assert not Handoff.objects.exclude(state=Handoff.State.ACCEPTED).filter(deal__isnull=False).exists()
    assert set(accepted.values_list("deal_id", flat=True)) == set(Deal.objects.values_list("pk", flat=True))


def test_every_won_deals_lead_is_a_customer_with_the_outcome_won(generated):
    won = Handoff.objects.filter(deal__stage__kind="won").select_related("lead", "deal")
    assert won.count() > 50
    for handoff in won:
        lead, deal = handoff.lead, handoff.deal
        assert (lead.stage, lead.outcome, lead.outcome_amount) == ("customer", "won", deal.amount)
        assert lead.outcome_at == deal.closed_at == handoff.outcome_closed_at
        assert lead.owner_id == deal.owner_id


def test_a_lost_deals_lead_went_back_to_nurture_with_the_outcome_lost(generated):
    lost = Handoff.objects.filter(deal__stage__kind="lost").select_related("lead", "deal")
    assert lost.count() > 20
    for handoff in lost:
        assert (handoff.lead.stage, handoff.lead.outcome, handoff.lead.owner_id) == ("recycled", "lost", None)
        assert handoff.deal.lost_reason
        assert handoff.lead.recycle_count >= 1


def test_an_open_deals_lead_mirrors_how_far_the_deal_got(generated):
    mirror = {"discovery": {"sal"}, "qualification": {"sql", "sal"}, "proposal": {"opportunity"}}
    mirror["negotiation"] = {"opportunity"}
    open_deals = Handoff.objects.filter(deal__closed_at__isnull=True, deal__isnull=False).select_related(
        "lead", "deal__stage"
    )
    assert open_deals.exists()
    for handoff in open_deals:
        assert handoff.lead.stage in mirror[handoff.deal.stage.slug]
        assert handoff.lead.outcome == ""


def test_each_lead_has_one_open_stay_that_is_its_stage_and_only_legal_moves(generated):
    stays = {}
    for change in LeadStageChange.objects.order_by("lead_id", "entered_at", "id"):
        stays.setdefault(change.lead_id, []).append(change)
    leads = dict(Lead.objects.values_list("pk", "stage"))
    assert set(stays) == set(leads)
    for lead_id, history in stays.items():
        assert [stay.exited_at is None for stay in history].count(True) == 1
        assert history[-1].exited_at is None and history[-1].stage == leads[lead_id]
        for before, after in zip(history, history[1:], strict=False):
            assert before.exited_at == after.entered_at
            assert after.stage in STAGE_MOVES[before.stage], (lead_id, before.stage, after.stage)


def test_deals_move_only_along_the_pipelines_transition_table(generated):
    allowed = set(StageTransition.objects.values_list("from_stage_id", "to_stage_id"))
    moves = {}
    for change in DealStageChange.objects.order_by("deal_id", "changed_at", "id"):
        moves.setdefault(change.deal_id, []).append(change)
    for deal in Deal.objects.all():
        history = moves[deal.pk]
        assert history[0].from_stage_id is None
        assert history[-1].to_stage_id == deal.stage_id
        for change in history[1:]:
            assert (change.from_stage_id, change.to_stage_id) in allowed
        assert (deal.closed_at is not None) == (deal.stage.kind != "open")


def test_offers_agree_with_their_handoff_and_its_sla_clock(generated):
    assert not Offer.objects.values("handoff").annotate(n=Count("pk", filter=Q(state="open"))).filter(n__gt=1)
    for handoff in Handoff.objects.prefetch_related("offers"):
        offers = list(handoff.offers.all())
        assert offers, handoff
        last = offers[-1]
        assert (handoff.assignee_id, handoff.offered_at, handoff.due_at) == (
            last.assignee_id,
            last.offered_at,
            last.due_at,
        )
        expected = {"accepted": "accepted", "rejected": "rejected", "offered": "open"}[handoff.state]
        assert last.state == expected
        assert all(offer.state == "expired" for offer in offers[:-1])
        assert handoff.decided_at == last.decided_at


def test_leads_handed_to_sales_reached_mql_and_are_scored_above_the_bar(generated, settings):
    handed = Lead.objects.filter(pk__in=Handoff.objects.values("lead_id"))
    assert not handed.filter(score__lt=settings.LEADFLOW_MQL_THRESHOLD).exists()
    assert not Lead.objects.filter(stage__in=["lead", "subscriber"], score__gte=settings.LEADFLOW_MQL_THRESHOLD)
    assert not Lead.objects.filter(scored_at__isnull=True).exists()  # the scoring sweep has nothing to redo
    reached_mql = set(LeadStageChange.objects.filter(stage="mql").values_list("lead_id", flat=True))
    assert set(handed.values_list("pk", flat=True)) == reached_mql


def test_a_recycled_lead_qualifies_again_with_a_handoff_of_the_next_cycle(generated):
    again = Handoff.objects.filter(cycle=1)
    assert again.exists()
    for handoff in again.select_related("lead"):
        first = Handoff.objects.get(lead=handoff.lead, cycle=0)
        assert first.state == "rejected" and first.decided_at < handoff.created_at


def test_nothing_happens_after_the_end_of_the_period(generated):
    end = datetime.combine(END, time(), tzinfo=timezone.get_current_timezone())
    assert not Lead.objects.filter(Q(created_at__gt=end) | Q(stage_changed_at__gt=end)).exists()
    assert not Touchpoint.objects.filter(occurred_at__gt=end).exists()
    assert not Deal.objects.filter(closed_at__gt=end).exists()
    assert not Offer.objects.filter(decided_at__gt=end).exists()
    assert Lead.objects.filter(created_at__gt=end - timedelta(days=30)).exists()


def test_touchpoints_start_with_the_capture_and_carry_the_campaigns_channel(generated):
    first = Touchpoint.objects.filter(lead=F("lead")).order_by("lead_id", "occurred_at", "id")
    seen = set()
    for touch in first.select_related("lead", "campaign"):
        if touch.lead_id not in seen:
            seen.add(touch.lead_id)
            assert touch.occurred_at == touch.lead.created_at
            assert touch.campaign_id == touch.lead.first_touch_campaign_id
        if touch.campaign_id:
            assert touch.channel == touch.campaign.channel
    assert len(seen) == Lead.objects.count()


def test_feedback_ratings_belong_to_decided_handoffs(generated):
    assert Feedback.objects.exists()
    assert not Feedback.objects.filter(Q(rating__lt=1) | Q(rating__gt=5)).exists()
    moments = Counter(Feedback.objects.values_list("moment", "handoff__state"))
    assert set(moments) <= {("accept", "accepted"), ("close", "accepted"), ("reject", "rejected")}


def test_handoffs_carry_their_leads_company_domain_for_routings_dedupe(generated):
    pairs = list(Handoff.objects.values_list("domain", "lead__email_normalized"))
    assert pairs and all(domain == company_domain(email) for domain, email in pairs)
    assert all(domain for domain, _ in pairs)  # generated people work at companies, not at gmail


def test_the_same_seed_gives_the_same_data():
    def fingerprint():
        return (
            list(Lead.objects.order_by("pk").values_list("email", "stage", "source", "created_at", "outcome_amount")),
            list(Deal.objects.order_by("pk").values_list("amount", "stage__slug", "closed_at", "owner__username")),
            list(Touchpoint.objects.order_by("pk").values_list("lead__email", "kind", "campaign__name", "occurred_at")),
            list(Campaign.objects.order_by("pk").values_list("name", "budget", "starts_on")),
        )

    generate(seed=3, leads=300, deals=60, touchpoints=900, campaigns=12, reps=4)
    once = fingerprint()
    for model in (Lead, Deal, Campaign):
        model.objects.all().delete()
    generate(seed=3, leads=300, deals=60, touchpoints=900, campaigns=12, reps=4)
    assert fingerprint() == once
    Lead.objects.all().delete()
    generate(seed=4, leads=300, deals=60, touchpoints=900, campaigns=12, reps=4, append=True)
    assert fingerprint()[0] != once[0]


def test_it_refuses_a_database_that_already_has_leads(generated):
    with pytest.raises(CommandError, match="already has leads"):
        generate()
    assert Lead.objects.count() == 900


def test_it_refuses_more_deals_than_leads_and_fewer_touchpoints_than_leads():
    with pytest.raises(CommandError, match="deals"):
        generate(leads=10, deals=50, touchpoints=20)
    with pytest.raises(CommandError, match="touchpoints"):
        generate(leads=10, deals=2, touchpoints=5)
    assert not Lead.objects.exists()


def test_it_runs_without_the_shared_data_folder(tmp_path):
    out = StringIO()
    call_command("generate_data", leads=200, deals=40, touchpoints=500, campaigns=12, reps=3, shapes=tmp_path / "none",
                 end=END, stdout=out)  # fmt: skip
    assert "built-in fallback" in out.getvalue()
    assert Deal.objects.count() == 40


def test_generated_users_get_their_roles_and_can_log_in_with_the_given_password():
    generate(leads=100, deals=10, touchpoints=200, campaigns=12, reps=3, password="bench-pass-123")
    users = get_user_model().objects.filter(username__in=SalesRep.objects.values("user__username"))
    assert users.count() == 3
    assert all(user.check_password("bench-pass-123") for user in users)
    assert all(user.has_perm("handoff.decide_offer") for user in users)
