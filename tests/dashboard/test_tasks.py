"""The rollups follow events: a debounced refresh is queued after deals move and close, and
the tasks beat runs fold changes in (the first run builds everything)."""

from decimal import Decimal

import pytest

from insights import receivers
from insights.dashboard import tasks
from insights.dashboard.models import DealCell, RollupState
from tests.dashboard.factories import accept, capture, close, hand_over, move

pytestmark = pytest.mark.django_db


def queued_refreshes(callbacks) -> int:
    names = [getattr(getattr(callback, "func", None), "__self__", None) for callback in callbacks]
    return sum(1 for task in names if getattr(task, "name", "") == "insights.dashboard.tasks.refresh_rollups")


def test_closing_deals_queues_one_refresh_per_burst(django_capture_on_commit_callbacks, rep, teammate):
    deals = [accept(hand_over(capture(f"buyer{i}@co{i}.example", company=f"Co {i}"))) for i in range(2)]
    receivers._dashboard_queued_at = 0.0  # the qualifications above already queued theirs
    with django_capture_on_commit_callbacks() as callbacks:
        for deal in deals:
            deal = move(deal, "qualification", deal.owner)
            close(deal, won=False, by=deal.owner)
    assert queued_refreshes(callbacks) == 1  # four events, one refresh: it reads everything new


def test_the_first_refresh_builds_everything_and_later_ones_fold_changes_in(rep, teammate):
    assert tasks.refresh_rollups()["full"] is True
    deal = accept(hand_over(capture("late@buyer.example", company="Late")))
    for slug in ("qualification", "proposal", "negotiation"):
        deal = move(deal, slug, deal.owner)
    close(deal, won=True, by=deal.owner, amount=Decimal("250.00"))
    before = RollupState.objects.get().version
    report = tasks.refresh_rollups()
    assert report["full"] is False and report["version"] == before + 1
    assert DealCell.objects.get(grain=DealCell.FINE).won_amount == Decimal("250.00")
    assert DealCell.objects.get(grain=DealCell.COARSE).won_amount == Decimal("250.00")


def test_the_nightly_rebuild_agrees_with_what_the_refreshes_built(rep, teammate):
    deal = accept(hand_over(capture("night@owl.example", company="Owl")))
    tasks.refresh_rollups()
    close(move(deal, "qualification", deal.owner), won=False, by=deal.owner)
    tasks.refresh_rollups()
    refreshed = list(DealCell.objects.values_list("day", "team", "rep", "won", "lost", "lost_amount"))
    tasks.rebuild_rollups()
    assert list(DealCell.objects.values_list("day", "team", "rep", "won", "lost", "lost_amount")) == refreshed
