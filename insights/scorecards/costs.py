"""What a campaign cost: the spend marketing logged, or its budget while nothing is logged."""

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from marketing.models import Campaign, CampaignSpend

SPEND = "spend"
BUDGET = "budget"


def campaign_costs(campaign_ids) -> dict[int, tuple[Decimal, str]]:
    """campaign id → (cost, "spend" or "budget"); a campaign that has not started has cost nothing."""
    spent = _logged_spend(campaign_ids)
    today = timezone.localdate()
    costs = {}
    campaigns = Campaign.objects.filter(pk__in=list(campaign_ids)).values_list("pk", "budget", "starts_on")
    for pk, budget, starts_on in campaigns:
        if pk in spent:
            costs[pk] = (spent[pk], SPEND)
        else:
            costs[pk] = ((budget or Decimal(0)) if starts_on <= today else Decimal(0), BUDGET)
    return costs


def _logged_spend(campaign_ids) -> dict[int, Decimal]:
    """Campaigns with at least one spend entry → their total (a logged 0 is a real 0)."""
    return dict(
        CampaignSpend.objects.filter(campaign_id__in=list(campaign_ids))
        .values_list("campaign_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
