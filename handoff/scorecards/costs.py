"""What a campaign cost: the spend marketing logged, or its budget while nothing is logged."""

from decimal import Decimal

from marketing.models import Campaign

SPEND = "spend"
BUDGET = "budget"


def campaign_costs(campaign_ids) -> dict[int, tuple[Decimal, str]]:
    """campaign id → (cost, "spend" or "budget")."""
    spent = _logged_spend(campaign_ids)
    costs = {}
    for pk, budget in Campaign.objects.filter(pk__in=list(campaign_ids)).values_list("pk", "budget"):
        if pk in spent:
            costs[pk] = (spent[pk], SPEND)
        else:
            costs[pk] = (budget or Decimal(0), BUDGET)
    return costs


def _logged_spend(campaign_ids) -> dict[int, Decimal]:
    return {}
