"""Handoff's listeners to marketing's and sales' facts (insights listens too, for its numbers).
Each receiver enqueues, after commit."""

from django.dispatch import receiver

from marketing.signals import lead_qualified
from sales.signals import deal_closed, deal_stage_changed

from . import tasks


@receiver(lead_qualified)
def on_lead_qualified(sender, *, lead_id: int, cycle: int, **kwargs) -> None:
    tasks.route_lead.delay_on_commit(lead_id, cycle)


@receiver(deal_stage_changed)
def on_deal_stage_changed(sender, *, deal_id: int, **kwargs) -> None:
    tasks.sync_lead_stage.delay_on_commit(deal_id)


@receiver(deal_closed)
def on_deal_closed(sender, *, deal_id: int, **kwargs) -> None:
    tasks.record_deal_outcome.delay_on_commit(deal_id)
