"""A person asks to be forgotten: the marketer downloads their data, then erases them."""

import json
import re

import pytest
from playwright.sync_api import expect

from marketing import services as marketing_services
from marketing.models import Lead, Touchpoint
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_marketer_exports_then_erases_a_person(open_page, marketer, campaign):
    lead = factories.capture(
        "ada@analytical.example",
        company="Analytical Engines",
        title="Countess",
        phone="+44 20 7946 0958",
        campaign=campaign,
        consent_text="Yes, send me news.",
        attributes={"favourite number": "Bernoulli"},
    )
    marketing_services.add_touchpoint(lead_id=lead.pk, kind=Touchpoint.Kind.WEBINAR, note="Asked about engines")
    page = open_page()
    log_in(page, marketer)
    page.goto(lead.get_absolute_url())
    expect(page.get_by_role("heading", name="Personal data")).to_be_visible()
    screenshot(page, "subject-rights-lead-page")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export personal data").click()
    assert download.value.suggested_filename == f"lead-{lead.pk}-personal-data.json"
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert document["marketing"]["lead"]["title"] == "Countess"

    page.get_by_role("link", name="Erase this person").click()
    expect(page.get_by_role("heading", name="Erase this person")).to_be_visible()
    screenshot(page, "subject-rights-erase-page")
    page.get_by_label("Type the person's email address to confirm").fill("ada@wrong.example")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text("That does not match this person: nothing was erased.")).to_be_visible()
    screenshot(page, "subject-rights-erase-mismatch")
    page.get_by_label("Type the person's email address to confirm").fill("ADA@analytical.example")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_text(re.compile("The person's data is erased"))).to_be_visible()
    expect(page.get_by_role("heading", name=f"Erased person (lead #{lead.pk})")).to_be_visible()
    screenshot(page, "subject-rights-erased-lead")
    assert Lead.objects.get(pk=lead.pk).company == ""
