"""Fragment for marketing's lead page: what sales said of this lead, cycle by cycle.

Marketing's page leaves an hx-get slot for it (marketing never reads handoff's tables):
who it was offered to, accepted or rejected with which reason and note, and the 1–5
ratings with their comments given on accept, reject and close.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from marketing.models import Lead

from ..models import Feedback, Handoff


@login_required
@permission_required("marketing.view_lead", raise_exception=True)
@require_GET
def lead_verdicts(request, pk: int):
    lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
    handoffs = (
        Handoff.objects.filter(lead=lead)
        .select_related("assignee", "team")
        .prefetch_related(Prefetch("feedback", queryset=Feedback.objects.select_related("author")))
        .order_by("-cycle")
    )
    return render(request, "handoff/_lead_verdicts.html", {"lead": lead, "handoffs": handoffs})
