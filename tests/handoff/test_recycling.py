"""Rejections and their rules: nurture after a cool-down, disqualify, merge a duplicate or flag
it; the recycle counter; and sales' ratings on accept, reject and close."""

import pytest
from django.core.exceptions import ValidationError

from handoff import services
from handoff.models import Feedback, Handoff, RejectionRule
from marketing import services as marketing_services
from marketing.errors import StageChangeNotAllowed
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from tests import factories
from tests.handoff.factories import decided_deal, owned_by

pytestmark = pytest.mark.django_db


def reject(handoff: Handoff, **kwargs) -> Handoff:
    return services.reject_offer(handoff_id=handoff.pk, by=handoff.assignee, **kwargs)


def lead_of(handoff: Handoff) -> Lead:
    return Lead.objects.get(pk=handoff.lead_id)


def test_no_budget_sends_the_lead_to_nurture_with_a_cool_down_by_default(rep):
    handoff = reject(factories.offered(), reason="no_budget")
    lead = lead_of(handoff)
    assert (handoff.recycle_action, lead.stage, lead.recycle_count) == ("nurture", LeadStage.RECYCLED, 1)
    assert (lead.nurture_until - handoff.decided_at).days == 90
    assert "Rejected by sales — No budget" in lead.stage_changes.last().reason
    with pytest.raises(StageChangeNotAllowed):
        marketing_services.qualify_lead(lead_id=lead.pk)


def test_spam_disqualifies_the_lead(rep):
    handoff = reject(factories.offered(), reason="spam")
    lead = lead_of(handoff)
    assert (handoff.recycle_action, lead.stage, lead.recycle_count) == ("disqualified", LeadStage.DISQUALIFIED, 0)


def test_a_managers_rule_changes_what_a_reason_does(rep, manager):
    services.save_rejection_rule(reason="bad_timing", by=manager, action="nurture", cooldown_days=7)
    services.save_rejection_rule(reason="no_need", by=manager, action="disqualify", cooldown_days=30)
    timing = reject(factories.offered(email="a@a.example"), reason="bad_timing")
    need = reject(factories.offered(email="b@b.example"), reason="no_need")
    assert (lead_of(timing).nurture_until - timing.decided_at).days == 7
    assert lead_of(need).stage == LeadStage.DISQUALIFIED
    assert RejectionRule.objects.get(reason="no_need").cooldown_days == 0


def test_a_salesperson_cannot_change_the_rules(rep):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_rejection_rule(reason="spam", by=rep, action="nurture", cooldown_days=1)
    assert not RejectionRule.objects.exists()


def test_a_duplicate_without_an_original_is_flagged_for_marketing(rep):
    handoff = reject(factories.offered(), reason="duplicate", note="Same person as the webinar lead")
    lead = lead_of(handoff)
    assert (handoff.recycle_action, lead.stage, lead.nurture_until) == ("flagged", LeadStage.RECYCLED, None)
    assert "flagged as a duplicate" in lead.stage_changes.last().reason


def test_a_duplicate_with_its_original_named_is_merged_into_it(rep):
    original = owned_by(rep, "grace@navy.example")
    handoff = reject(factories.offered(email="g.hopper@navy.example"), reason="duplicate",
                     original_email=" Grace@Navy.example ")  # fmt: skip
    assert (handoff.recycle_action, handoff.duplicate_of_id) == ("merged", original.pk)
    assert lead_of(handoff).merged_into_id == original.pk


@pytest.mark.parametrize(
    ("reason", "original", "message"),
    [
        ("no_budget", "grace@navy.example", "only when rejecting a duplicate"),
        ("duplicate", "not an email", "email address"),
        ("duplicate", "nobody@nowhere.example", "None of your team's leads"),
    ],
)
def test_a_bad_original_is_refused_and_nothing_changes(rep, reason, original, message):
    owned_by(rep, "grace@navy.example")
    handoff = factories.offered(email="g.hopper@navy.example")
    with pytest.raises(ValidationError) as error:
        reject(handoff, reason=reason, original_email=original)
    assert message in " ".join(error.value.message_dict["original_email"])
    handoff.refresh_from_db()
    assert (handoff.state, lead_of(handoff).stage) == (Handoff.State.OFFERED, LeadStage.MQL)


def test_a_lead_cannot_duplicate_itself(rep):
    handoff = factories.offered(email="grace@navy.example")
    with pytest.raises(ValidationError):
        reject(handoff, reason="duplicate", original_email="grace@navy.example")
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.OFFERED


def test_each_recycling_adds_to_the_counter(rep, manager):
    services.save_rejection_rule(reason="wrong_contact", by=manager, action="nurture", cooldown_days=0)
    lead = factories.capture()
    for cycle in range(3):
        handoff = factories.offered(lead=Lead.objects.get(pk=lead.pk))
        assert handoff.cycle == cycle
        reject(handoff, reason="wrong_contact")
    assert Lead.objects.get(pk=lead.pk).recycle_count == 3


# --- ratings -------------------------------------------------------------------------------


def test_ratings_on_accept_and_reject_are_kept_with_their_moment(rep):
    accepted = factories.offered(email="a@a.example")
    services.accept_offer(handoff_id=accepted.pk, by=rep, rating=4)
    rejected = factories.offered(email="b@b.example")
    reject(rejected, reason="no_need", rating=2)
    assert set(Feedback.objects.values_list("handoff_id", "moment", "rating")) == {
        (accepted.pk, "accept", 4),
        (rejected.pk, "reject", 2),
    }


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(rep, rating):
    handoff = factories.offered()
    with pytest.raises(ValidationError):
        services.accept_offer(handoff_id=handoff.pk, by=rep, rating=rating)
    assert (Handoff.objects.get(pk=handoff.pk).state, Feedback.objects.count()) == (Handoff.State.OFFERED, 0)


def test_the_rating_given_on_close_is_copied_once_with_the_outcome(rep):
    deal = decided_deal(rep, won=True, amount=900, rating=5)
    handoff = Handoff.objects.get(deal=deal)
    assert list(Feedback.objects.filter(handoff=handoff).values_list("moment", "rating", "author")) == [
        ("close", 5, rep.pk)
    ]
    assert services.record_deal_outcome(deal_id=deal.pk) is False  # delivered twice: nothing new
    assert Feedback.objects.filter(handoff=handoff, moment="close").count() == 1


def test_a_close_without_a_rating_records_the_outcome_but_no_verdict(rep):
    deal = decided_deal(rep, won=False)
    assert lead_of(Handoff.objects.get(deal=deal)).outcome == "lost"
    assert not Feedback.objects.filter(moment="close").exists()


def test_a_merged_duplicate_leaves_its_journey_with_the_original_and_shows_in_its_brief(rep, manager):
    # The original is still on offer to the team: in its manager's scope, so they may name it.
    again = factories.offered(email="grace@navy.example")
    duplicate = factories.offered(email="g.hopper@navy.example")
    services.reject_offer(handoff_id=duplicate.pk, by=manager, reason="duplicate", original_email="grace@navy.example")
    assert lead_of(duplicate).stage == LeadStage.DISQUALIFIED
    services.accept_offer(handoff_id=again.pk, by=rep)
    brief = Handoff.objects.get(pk=again.pk).deal.brief
    assert [dup["email"] for dup in brief["merged_duplicates"]] == ["g.hopper@navy.example"]
    assert brief["touchpoints"] == 2  # the duplicate's form submission moved over


def test_naming_an_address_that_was_merged_away_means_the_lead_it_joined(rep):
    original = owned_by(rep, "grace@navy.example")
    reject(factories.offered(email="g.hopper@navy.example"), reason="duplicate", original_email="grace@navy.example")
    third = reject(factories.offered(email="amazing.grace@navy.example"), reason="duplicate",
                   original_email="g.hopper@navy.example")  # fmt: skip
    assert third.duplicate_of_id == original.pk


def test_the_api_rejects_a_duplicate_into_its_original_and_refuses_an_unknown_one(rep):
    from rest_framework.test import APIClient

    original = owned_by(rep, "grace@navy.example")
    client = APIClient()
    client.force_authenticate(rep)
    unknown = factories.offered(email="x@navy.example")
    response = client.post(f"/api/v1/offers/{unknown.pk}/reject/",
                           {"reason": "duplicate", "original_email": "nobody@navy.example"}, format="json")  # fmt: skip
    assert response.status_code == 400 and "original_email" in response.json()
    assert Handoff.objects.get(pk=unknown.pk).state == Handoff.State.OFFERED
    handoff = factories.offered(email="g.hopper@navy.example")
    response = client.post(f"/api/v1/offers/{handoff.pk}/reject/",
                           {"reason": "duplicate", "original_email": "grace@navy.example"}, format="json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["recycle_action"] == "merged"
    assert lead_of(handoff).merged_into_id == original.pk
