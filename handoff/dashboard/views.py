from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Sum
from django.shortcuts import render

from handoff.models import Handoff
from marketing.models import Lead
from marketing.models import Stage as LeadStage
from sales.models import Deal


@login_required
@permission_required("handoff.view_dashboard", raise_exception=True)
def overview(request):
    lead_counts = dict(Lead.objects.values_list("stage").annotate(n=Count("*")).order_by())
    handoffs = Handoff.objects.visible_to(request.user)
    handoff_counts = dict(handoffs.values_list("state").annotate(n=Count("*")).order_by())
    deals = Deal.objects.visible_to(request.user)
    pipeline = (
        deals.open()
        .values("stage__name", "stage__order", "stage__probability")
        .annotate(n=Count("*"), amount=Sum("amount"))
        .order_by("stage__order")
    )
    closed = {
        row["stage__kind"]: row
        for row in deals.filter(closed_at__isnull=False)
        .values("stage__kind")
        .annotate(n=Count("*"), amount=Sum("amount"))
        .order_by()
    }
    biggest = max(lead_counts.values(), default=0) or 1
    context = {
        "lead_stages": [
            (label, lead_counts.get(value, 0), round(100 * lead_counts.get(value, 0) / biggest, 1))
            for value, label in LeadStage.choices
        ],
        "handoff_states": [(label, handoff_counts.get(value, 0)) for value, label in Handoff.State.choices],
        "pipeline": [{**row, "weighted": (row["amount"] or 0) * row["stage__probability"] / 100} for row in pipeline],
        "won": closed.get("won", {"n": 0, "amount": 0}),
        "lost": closed.get("lost", {"n": 0, "amount": 0}),
    }
    return render(request, "dashboard/overview.html", context)
