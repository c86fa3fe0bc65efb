"""The whole journey over HTTP, with the background work done by a real Celery worker."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from handoff.models import Handoff
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from tests.conftest import logged_in
from tests.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_form_post_travels_to_a_won_deal_and_back_to_marketing(celery_worker, campaign, rep, manager, settings):
    settings.LEADFLOW_FORM_MIN_SECONDS = 0  # this visitor types instantly
    form_url = reverse("marketing:capture-form", args=[campaign.utm_campaign])
    visitor = Client()
    token = re.search(r'name="form_token" value="([^"]+)"', visitor.get(form_url).text)[1]
    response = visitor.post(
        form_url,
        {
            "form_token": token,
            "email": "Grace.Hopper@Navy.example",
            "first_name": "Grace",
            "last_name": "Hopper",
            "company": "US Navy",
            "title": "Director of Engineering",
            "utm_source": "newsletter",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get(email_normalized="grace.hopper@navy.example")

    # The worker scores the lead (business email + company + senior title + form = 50),
    # which qualifies it, and routes it to the only rep.
    handoff = wait_until(
        lambda: Handoff.objects.filter(lead=lead, state=Handoff.State.OFFERED).first(),
        what=f"the lead to be offered\n{celery_worker.log_tail()}",
    )
    lead.refresh_from_db()
    assert (lead.score, lead.stage, handoff.assignee) == (50, LeadStage.MQL, rep)

    sales = logged_in(rep)
    response = sales.post(reverse("handoff:offer-accept", args=[handoff.pk]))
    assert response.status_code == 303
    handoff.refresh_from_db()
    deal = handoff.deal
    for slug in ("qualification", "proposal", "negotiation"):
        stage = deal.pipeline.stages.get(slug=slug)
        deal.refresh_from_db()
        response = sales.post(reverse("sales:deal-move", args=[deal.pk]), {"stage": stage.pk, "version": deal.version})
        assert response.status_code == 303
    wait_until(
        lambda: Lead.objects.filter(pk=lead.pk, stage=LeadStage.OPPORTUNITY).exists(),
        what="the lead to follow the deal to opportunity",
    )
    deal.refresh_from_db()
    response = sales.post(reverse("sales:deal-won", args=[deal.pk]), {"amount": "48000", "version": deal.version})
    assert response.status_code == 303

    lead = wait_until(
        lambda: Lead.objects.filter(pk=lead.pk, outcome="won").first(),
        what=f"the outcome to reach marketing\n{celery_worker.log_tail()}",
    )
    assert (lead.stage, lead.outcome_amount, lead.owner) == (LeadStage.CUSTOMER, Decimal("48000.00"), rep)
