"""Marketing is read-only on a lead once it is sales' (docs/RELIABILITY.md's matrix): from the
moment it qualifies (MQL, on offer) until sales sends it back, only sales moves its stage."""

import pytest
from pytest_django.asserts import assertContains

from handoff import services as handoff_services
from handoff.models import Handoff
from marketing import services
from marketing.errors import LeadNotEditable
from marketing.models import Lead, LeadStageChange
from marketing.models import Stage as LeadStage
from marketing.services import leads as lead_services
from tests import factories
from tests.conftest import logged_in
from tests.marketing.pages import form_with_button, read

pytestmark = pytest.mark.django_db


def accepted_by(rep, email: str = "ada@analytical.example") -> Lead:
    handoff = factories.offered(email=email)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    return Lead.objects.get(pk=handoff.lead_id)


def history(lead: Lead) -> list[str]:
    return list(LeadStageChange.objects.filter(lead=lead).order_by("entered_at", "pk").values_list("stage", flat=True))


def test_a_marketer_cannot_disqualify_a_lead_sales_accepted(rep, marketer):
    lead = accepted_by(rep)
    before = history(lead)
    with pytest.raises(LeadNotEditable, match="only sales can change its stage"):
        services.disqualify_lead(lead_id=lead.pk, reason="Competitor", by=marketer)
    lead.refresh_from_db()
    assert (lead.stage, lead.owner_id, history(lead)) == (LeadStage.SAL, rep.pk, before)


def test_a_marketer_cannot_disqualify_a_lead_on_offer_to_sales(rep, marketer):
    handoff = factories.offered()
    with pytest.raises(LeadNotEditable):
        services.disqualify_lead(lead_id=handoff.lead_id, reason="Competitor", by=marketer)
    assert Lead.objects.get(pk=handoff.lead_id).stage == LeadStage.MQL
    # …so the rep can still take it.
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    assert Handoff.objects.get(pk=handoff.pk).state == Handoff.State.ACCEPTED


def test_a_bulk_disqualify_skips_the_leads_with_sales_and_says_why(rep, marketer):
    with_sales = accepted_by(rep, "sold@example.com")
    ours = factories.capture(email="ours@example.com")
    result = lead_services.bulk_disqualify(lead_ids=[with_sales.pk, ours.pk], reason="Spam wave", by=marketer)
    assert result.done == 1
    assert [lead_id for lead_id, _why in result.skipped] == [with_sales.pk]
    assert "with sales" in result.summary("disqualified")
    assert Lead.objects.get(pk=with_sales.pk).stage == LeadStage.SAL
    assert Lead.objects.get(pk=ours.pk).stage == LeadStage.DISQUALIFIED


def test_marketing_still_disqualifies_its_own_leads_and_those_sales_sent_back(rep, marketer):
    ours = factories.capture(email="ours@example.com")
    sent_back = handoff_services.reject_offer(
        handoff_id=factories.offered(email="back@example.com").pk, by=rep, reason="no_budget"
    )
    for lead_id in (ours.pk, sent_back.lead_id):
        services.disqualify_lead(lead_id=lead_id, reason="Not our market", by=marketer)
        assert Lead.objects.get(pk=lead_id).stage == LeadStage.DISQUALIFIED


def test_the_lead_page_offers_no_disqualify_once_the_lead_is_with_sales_and_says_why(rep, marketer):
    lead = accepted_by(rep)
    page = logged_in(marketer).get(lead.get_absolute_url())
    assert not [form for form in read(page).forms if "Disqualify this lead" in form.buttons]
    assertContains(page, "marketing reads this lead, and edits it again if sales sends it back")


def test_a_disqualify_form_opened_before_the_handoff_is_refused_with_409_and_changes_nothing(rep, marketer):
    lead = factories.capture()
    client = logged_in(marketer)
    form = form_with_button(client.get(lead.get_absolute_url()), "Disqualify this lead")
    accepted = factories.offered(lead=lead)
    handoff_services.accept_offer(handoff_id=accepted.pk, by=rep)
    before = history(lead)

    response = client.post(form.action, form.data(reason="Looks like a competitor"))

    assert response.status_code == 409
    assertContains(response, "only sales can change its stage", status_code=409)
    lead.refresh_from_db()
    assert (lead.stage, history(lead)) == (LeadStage.SAL, before)
