"""The public side: a campaign's hosted form and its thank-you page. No login."""

from django.shortcuts import get_object_or_404, redirect, render

from .. import services
from ..forms import CaptureForm
from ..models import Campaign


def capture_form(request, utm_campaign: str):
    """The hosted public form of one campaign. Anyone may post; only form fields count."""
    campaign = get_object_or_404(Campaign, utm_campaign=utm_campaign)
    if request.method == "POST":
        form = CaptureForm(request.POST)
        if form.is_valid():
            services.capture_lead(capture=form.to_capture(campaign=campaign))
            return redirect("marketing:capture-thanks", utm_campaign=campaign.utm_campaign)
        return render(request, "marketing/capture_form.html", {"form": form, "campaign": campaign}, status=400)
    initial = {name: request.GET.get(name, "")[:200] for name in services.UTM_FIELDS}
    initial["referrer"] = request.headers.get("referer", "")[:2000]
    initial["landing_page"] = request.build_absolute_uri()[:2000]
    form = CaptureForm(initial=initial)
    return render(request, "marketing/capture_form.html", {"form": form, "campaign": campaign})


def capture_thanks(request, utm_campaign: str):
    campaign = get_object_or_404(Campaign, utm_campaign=utm_campaign)
    return render(request, "marketing/capture_thanks.html", {"campaign": campaign})
