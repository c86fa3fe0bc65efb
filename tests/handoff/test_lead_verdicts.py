"""What sales said of a lead, as marketing's lead page shows it (the handoff fragment)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from handoff import services
from handoff.models import Feedback, RejectionReason
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def verdicts_url(lead) -> str:
    return reverse("handoff:lead-verdicts", args=[lead.pk])


def test_a_rejection_shows_its_reason_note_rating_and_who_gave_it(marketer, rep):
    handoff = factories.offered()
    services.reject_offer(
        handoff_id=handoff.pk, by=rep, reason=RejectionReason.NO_BUDGET, note="Frozen until Q3", rating=2
    )

    response = logged_in(marketer).get(verdicts_url(handoff.lead))

    assertContains(response, "Rejected")
    assertContains(response, "No budget: “Frozen until Q3”")
    assertContains(response, '<b aria-label="Rated 2 out of 5">2/5</b>', html=True)
    assertContains(response, rep.get_full_name() or rep.username)


def test_an_accepted_lead_lists_every_rating_sales_gave_it(marketer, rep):
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=rep, rating=5, comment="Ready to buy")

    response = logged_in(marketer).get(verdicts_url(handoff.lead))

    assertContains(response, "Accepted")
    assertContains(response, "5/5")
    assertContains(response, "“Ready to buy”")
    assertNotContains(response, "Not handed to sales yet")


def test_a_lead_marketing_still_has_says_what_will_appear(marketer):
    response = logged_in(marketer).get(verdicts_url(factories.capture()))
    assert response.status_code == 200
    assertContains(response, "Not handed to sales yet")


def test_notes_are_shown_escaped(marketer, rep):
    handoff = factories.offered()
    services.reject_offer(handoff_id=handoff.pk, by=rep, reason=RejectionReason.OTHER, note="<script>x()</script>")
    response = logged_in(marketer).get(verdicts_url(handoff.lead))
    assertContains(response, "&lt;script&gt;x()&lt;/script&gt;")
    assertNotContains(response, "<script>x()</script>")


def test_the_lead_page_has_the_slot_that_loads_it(marketer):
    lead = factories.capture()
    assertContains(logged_in(marketer).get(lead.get_absolute_url()), f'hx-get="{verdicts_url(lead)}"')


def test_sales_reads_the_verdicts_only_of_leads_in_its_scope(rep, teammate):
    handoff = factories.offered()
    services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee, rating=4)
    other = teammate if handoff.assignee == rep else rep
    assert logged_in(handoff.assignee).get(verdicts_url(handoff.lead)).status_code == 200
    assert logged_in(other).get(verdicts_url(handoff.lead)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in():
    lead = factories.capture()
    response = Client().get(verdicts_url(lead))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_runs_the_same_queries_however_many_ratings(marketer, rep, teammate):
    client = logged_in(marketer)
    few = factories.offered(email="few@acme.example")
    services.accept_offer(handoff_id=few.pk, by=few.assignee, rating=3)
    many = factories.offered(email="many@globex.example")
    services.accept_offer(handoff_id=many.pk, by=many.assignee, rating=4, comment="Keen")
    Feedback.objects.create(handoff=many, author=teammate, moment=Feedback.Moment.CLOSE, rating=5, comment="Won")
    few_url, many_url = verdicts_url(few.lead), verdicts_url(many.lead)
    client.get(few_url)  # warm per-process caches
    with CaptureQueriesContext(connection) as one:
        client.get(few_url)
    with CaptureQueriesContext(connection) as more:
        assertContains(client.get(many_url), "“Won”")
    assert len(more) == len(one)


def test_a_missing_lead_is_a_404_and_the_fragment_is_read_only(marketer):
    client = logged_in(marketer)
    assert client.get(reverse("handoff:lead-verdicts", args=[987654])).status_code == 404
    assert client.post(verdicts_url(factories.capture()), {}).status_code == 405


def test_a_marketer_sees_every_leads_verdicts_but_a_user_without_a_role_gets_403(marketer, django_user_model):
    lead = factories.capture()
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert logged_in(marketer).get(verdicts_url(lead)).status_code == 200
    assert logged_in(nobody).get(verdicts_url(lead)).status_code == 403
