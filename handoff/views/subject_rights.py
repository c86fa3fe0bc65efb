"""A person's data on request (GDPR art. 15 and 17): download all of it, or erase it.

Here rather than on marketing's lead page because only handoff sees both sides; the lead
page links to these by URL name. Marketers and admins only: salespeople and managers see
their own leads, not everything stored about a person.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from marketing import services as marketing
from marketing.models import Lead

from .. import services
from ..forms import EraseForm
from ..models import Erasure

SEE_ALL = "marketing.view_all_leads"


def person_lead(pk: int) -> Lead:
    """The lead a person's duplicates were merged into: exports and erasures act on all of them."""
    get_object_or_404(Lead, pk=pk)
    return Lead.objects.get(pk=marketing.person_lead_ids(lead_id=pk)[0])


@login_required
@permission_required(SEE_ALL, raise_exception=True)
@require_GET
def export_lead(request, pk: int):
    lead = person_lead(pk)
    document = services.export_subject(lead_id=lead.pk)
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="lead-{lead.pk}-personal-data.json"'
    response["Cache-Control"] = "no-store"  # personal data: no copy in a shared cache or the browser's
    return response


@login_required
@permission_required([SEE_ALL, "marketing.change_lead"], raise_exception=True)
@require_http_methods(["GET", "POST"])
def erase_lead(request, pk: int):
    lead = person_lead(pk)
    if lead.pk != pk:
        return HttpResponseRedirect(reverse("handoff:lead-erase", args=[lead.pk]), status=303)
    form = EraseForm(request.POST if request.method == "POST" else None, lead=lead)
    # An erased lead has nothing left to confirm against: a second erasure only says so.
    if request.method == "POST" and (lead.erased_at or form.is_valid()):
        result = services.erase_subject(lead_id=lead.pk, by=request.user)
        if result.already_erased:
            messages.info(request, "This person's data was already erased: nothing to do.")
        else:
            messages.success(request, f"The person's data is erased; lead #{lead.pk} stays in the numbers.")
        return HttpResponseRedirect(lead.get_absolute_url(), status=303)
    context = {
        "lead": lead,
        "form": form,
        "summary": None if lead.erased_at else _summary(services.export_subject(lead_id=lead.pk)),
        "erasure": Erasure.objects.filter(lead_id=lead.pk).first(),
    }
    return render(request, "handoff/erase_lead.html", context, status=400 if form.errors else 200)


def _summary(document: dict) -> dict:
    """How many of each thing the erasure will blank, for the confirmation page."""
    people = [document["marketing"], *document["marketing"]["merged_duplicates"]]
    deals = document["sales"]["deals"]
    return {
        "leads": len(people),
        "touchpoints": sum(len(part["touchpoints"]) for part in people),
        "import_rows": len(document["marketing"]["import_rows"]),
        "handoffs": len(document["handoff"]["handoffs"]),
        "deals": len(deals),
        "activities": sum(len(deal["activities"]) for deal in deals),
        "notes": sum(len(deal["notes"]) for deal in deals),
    }
