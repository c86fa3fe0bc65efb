"""The audit log in a browser: a manager reads who in the team changed what."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import log_in, screenshot
from tests.conftest import logged_in
from tests.sales.helpers import open_deal_for, stage

# The audit log is recorded by PostgreSQL's triggers (docs/AUDIT.md).
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_teams_changes_newest_first(open_page, rep, teammate, manager, stranger):
    deal = open_deal_for(rep, title="Initech: 40 seats")
    rep_client = logged_in(rep)
    rep_client.post(reverse("sales:board-move", args=[deal.pk]), {"stage": stage("qualification").pk, "version": 1})
    rep_client.patch(
        reverse("sales-api:deal-detail", args=[deal.pk]),
        {"amount": "48000.00", "expected_close": "2031-03-31"},
        content_type="application/json",
        headers={"If-Match": '"2"'},
    )
    back_on = timezone.localdate() + datetime.timedelta(days=6)
    logged_in(teammate).post(reverse("sales:availability-own"), {"status": "away", "away_until": back_on.isoformat()})
    logged_in(stranger).post(reverse("sales:availability-own"), {"status": "away"})

    page = open_page()
    log_in(page, manager)
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() == 3  # not the other team's rep
    assert "sara" in rows.nth(0).inner_text()
    assert "Qualification" in rows.nth(2).inner_text()
    screenshot(page, "audit-log-manager")
