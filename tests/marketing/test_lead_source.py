"""A lead's source: its campaign's channel or its UTM medium, as the marketer chose; the lead page shows both."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from marketing import services
from marketing.models import Channel, Lead, ScoringSettings
from marketing.sources import channel_for_utm
from tests.conftest import logged_in
from tests.marketing import pages
from tests.marketing.visitors import form_url

pytestmark = pytest.mark.django_db

LINKEDIN_AD = {"utm_source": "linkedin", "utm_medium": "paid_social", "utm_campaign": "q3"}


@pytest.fixture(autouse=True)
def _people_type_fast(settings):
    settings.LEADFLOW_FORM_MIN_SECONDS = 0  # the test client submits at once


def arrive_and_submit(campaign, email: str, **utm) -> Lead:
    """A visitor follows an ad to the hosted form and submits it as rendered, with their email typed in."""
    visitor = Client()
    page = visitor.get(form_url(campaign), utm)
    form = pages.form_with_button(page, "Send")
    response = visitor.post(form.action or form_url(campaign), form.data(email=email, first_name="Kate"))
    assert response.status_code == 302, response.content[:300]
    return Lead.objects.get(email_normalized=email)


def choose_source_from(marketer, choice: str):
    client = logged_in(marketer)
    form = pages.form_with_button(client.get(reverse("marketing:scoring")), "Save lead source")
    return client.post(form.action, form.data(source_from=choice))


@pytest.mark.parametrize(
    ("medium", "source", "channel"),
    [
        ("paid_social", "linkedin", Channel.PAID_SOCIAL),
        ("Paid-Social", "", Channel.PAID_SOCIAL),
        ("cpc", "google", Channel.PAID_SEARCH),
        ("PPC", "bing", Channel.PAID_SEARCH),
        ("cpc", "linkedin", Channel.PAID_SOCIAL),  # a paid click on a social network
        ("email", "newsletter", Channel.EMAIL),
        ("organic", "google", Channel.ORGANIC_SEARCH),
        ("referral", "partner.example", Channel.REFERRAL),
        ("banner", "ads.example", None),
        ("", "linkedin", None),
    ],
)
def test_common_utm_media_name_their_channel(medium, source, channel):
    assert channel_for_utm(medium=medium, source=source) == channel


def test_a_lead_from_a_linkedin_ad_shows_its_utm_beside_the_campaigns_channel(marketer, campaign):
    lead = arrive_and_submit(campaign, "kate@nasa.example", **LINKEDIN_AD)
    assert (lead.source, lead.utm_source, lead.utm_medium) == (Channel.WEBINAR, "linkedin", "paid_social")

    page = logged_in(marketer).get(lead.get_absolute_url())
    assertContains(page, '<dt>Campaign\'s channel</dt><dd>Webinar <span class="badge badge-used">used</span></dd>')
    assertContains(page, "linkedin / paid_social")
    assertContains(page, "reads as Paid social")
    assertContains(page, "Choose which wins for new leads")


def test_a_marketer_who_lets_the_utm_medium_win_gets_paid_social_for_the_next_lead(marketer, campaign):
    before = arrive_and_submit(campaign, "earlier@nasa.example", **LINKEDIN_AD)
    response = choose_source_from(marketer, "utm")
    assert response.status_code == 303
    assert ScoringSettings.objects.get().source_from == "utm"

    lead = arrive_and_submit(campaign, "kate@nasa.example", **LINKEDIN_AD)
    assert (lead.source, lead.last_touch_channel) == (Channel.PAID_SOCIAL, Channel.PAID_SOCIAL)
    assert lead.touchpoints.get().channel == Channel.PAID_SOCIAL
    assert Lead.objects.get(pk=before.pk).source == Channel.WEBINAR  # captured before: keeps its source
    page = logged_in(marketer).get(lead.get_absolute_url())
    assertContains(page, 'linkedin / paid_social <span class="badge badge-used">used</span>')
    assertContains(page, "<dt>Campaign's channel</dt><dd>Webinar</dd>")


def test_with_the_utm_medium_chosen_a_medium_that_names_no_channel_leaves_the_campaigns(marketer, campaign):
    choose_source_from(marketer, "utm")
    lead = arrive_and_submit(campaign, "kate@nasa.example", utm_source="ads.example", utm_medium="banner")
    assert lead.source == Channel.WEBINAR


def test_by_default_the_campaigns_channel_wins(campaign):
    assert arrive_and_submit(campaign, "kate@nasa.example", **LINKEDIN_AD).source == Channel.WEBINAR


def test_a_capture_without_a_campaign_takes_its_source_from_a_known_utm_medium():
    capture = services.Capture(email="kate@nasa.example", utm={"utm_source": "google", "utm_medium": "cpc"})
    assert services.capture_lead(capture=capture).lead.source == Channel.PAID_SEARCH


def test_a_source_the_api_caller_gives_wins_over_both(marketer, campaign):
    choose_source_from(marketer, "utm")
    capture = services.Capture(email="kate@nasa.example", source=Channel.EVENT, campaign=campaign, utm=LINKEDIN_AD)
    assert services.capture_lead(capture=capture).lead.source == Channel.EVENT


def test_an_unknown_choice_is_a_400_and_changes_nothing(marketer):
    response = choose_source_from(marketer, "whatever-the-ad-says")
    assertContains(response, "Select a valid choice", status_code=400)
    assert not ScoringSettings.objects.filter(source_from="whatever-the-ad-says").exists()
    assert (ScoringSettings.objects.first() or ScoringSettings()).source_from == "campaign"


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_sales_may_not_choose_where_the_source_comes_from(request, persona):
    client = logged_in(request.getfixturevalue(persona))
    response = client.post(reverse("marketing:source-from-save"), {"source_from": "utm"})
    assert response.status_code == 403
    assert not ScoringSettings.objects.filter(source_from="utm").exists()


def test_capture_reads_the_setting_only_when_the_campaign_and_the_utm_disagree(campaign):
    with CaptureQueriesContext(connection) as agreeing:
        services.capture_lead(capture=services.Capture(email="a@nasa.example", campaign=campaign, utm={}))
    with CaptureQueriesContext(connection) as disagreeing:
        services.capture_lead(capture=services.Capture(email="b@nasa.example", campaign=campaign, utm=LINKEDIN_AD))
    assert len(disagreeing) == len(agreeing) + 1
