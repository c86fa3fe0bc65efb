"""The public side: a campaign's hosted form, embeddable in any website, and its thank-you page.

Anonymous and framable. CSRF protection is off for these two views on purpose: there is
no session whose authority a forged post could borrow, and SameSite cookies are not sent
inside a cross-site iframe, so a CSRF check would refuse every embedded submit. The signed,
single-use form token (marketing/spam.py) guards against replays and bots instead.
"""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt

from guards import ratelimit
from guards.net import client_ip

from .. import services, spam
from ..emails import normalize_email
from ..forms.capture import CaptureForm, honeypot_filled
from ..models import Campaign
from ..ratelimit import hit_email
from ..services.lead_forms import form_of

EMBEDDABLE = csp_override({**settings.SECURE_CSP, "frame-ancestors": settings.LEADFLOW_FORM_FRAME_ANCESTORS})


def _campaign(utm_campaign: str) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("lead_form"), utm_campaign=utm_campaign)


@csrf_exempt
@xframe_options_exempt
@EMBEDDABLE
def capture_form(request, utm_campaign: str):
    """Anyone may post; only the fields the form asks for count."""
    campaign = _campaign(utm_campaign)
    lead_form = form_of(campaign)
    questions = list(lead_form.questions.all()) if lead_form.pk else []
    page = _Page(request, campaign, lead_form)
    if not lead_form.is_open:
        return page.render(None, status=410 if request.method == "POST" else 200)
    if request.method != "POST":
        return page.render(CaptureForm(initial=_visit(request, page.embed), lead_form=lead_form, questions=questions))

    limited = ratelimit.hit("form-ip", client_ip(request), settings.LEADFLOW_FORM_IP_RATE)
    if not limited.allowed:
        return page.too_many(limited.retry_after)
    form = CaptureForm(request.POST, lead_form=lead_form, questions=questions)
    check = spam.check_token(request.POST.get("form_token", ""), campaign.pk)
    if check.verdict in (spam.Verdict.INVALID, spam.Verdict.EXPIRED):
        form.is_valid()  # keep what they typed, with its own errors
        return page.render(form, status=400, notice=_STALE)
    # A bot or a replayed token is told "thanks" and nothing is stored, so it learns nothing.
    if honeypot_filled(request.POST) or check.verdict is spam.Verdict.TOO_FAST or not spam.claim(check.nonce):
        return page.thanks()
    if not form.is_valid():
        return page.render(form, status=400)
    email = normalize_email(form.cleaned_data["email"])
    limited = hit_email(email)
    if not limited.allowed:
        return page.too_many(limited.retry_after)
    services.capture_lead(capture=form.to_capture(campaign=campaign))
    return page.thanks()


_STALE = "This page was open too long or was changed. Please check your details and send them again."


class _Page:
    """Renders the form page (hosted or embedded) and its outcomes."""

    def __init__(self, request, campaign, lead_form):
        self.request = request
        self.campaign = campaign
        self.lead_form = lead_form
        self.embed = request.GET.get("embed") == "1"

    def render(self, form, *, status: int = 200, notice: str = ""):
        context = {
            "campaign": self.campaign,
            "lead_form": self.lead_form,
            "form": form,
            "notice": notice,
            "embed": self.embed,
            "base_template": "marketing/embed_base.html" if self.embed else "public_base.html",
            "form_token": spam.make_token(self.campaign.pk),
            "honeypot": spam.HONEYPOT,
        }
        return render(self.request, "marketing/capture_form.html", context, status=status)

    def thanks(self):
        url = reverse("marketing:capture-thanks", args=[self.campaign.utm_campaign])
        return redirect(url + ("?embed=1" if self.embed else ""))

    def too_many(self, retry_after: int):
        context = {
            "campaign": self.campaign,
            "retry_after": retry_after,
            "minutes": max(1, round(retry_after / 60)),
            "base_template": "marketing/embed_base.html" if self.embed else "public_base.html",
        }
        response = render(self.request, "marketing/capture_limited.html", context, status=429)
        response["Retry-After"] = str(retry_after)
        return response


def _visit(request, embed: bool) -> dict:
    """UTM tags, referrer and landing page of this visit, for the hidden fields.

    Embedded, the page the visitor is on is the iframe's parent: the browser names it in
    the Referer header (the snippet asks for the full URL), and its UTM tags are there too.
    """
    utm = {name: request.GET.get(name, "")[:200] for name in services.UTM_FIELDS}
    referrer = request.headers.get("referer", "")[:2000]
    if embed:
        parent = parse_qs(urlsplit(referrer).query)
        for name in services.UTM_FIELDS:
            utm[name] = utm[name] or parent.get(name, [""])[0][:200]
        return {**utm, "referrer": "", "landing_page": referrer}
    return {**utm, "referrer": referrer, "landing_page": request.build_absolute_uri()[:2000]}


@xframe_options_exempt
@EMBEDDABLE
def capture_thanks(request, utm_campaign: str):
    campaign = _campaign(utm_campaign)
    lead_form = form_of(campaign)
    embed = request.GET.get("embed") == "1"
    context = {
        "campaign": campaign,
        "lead_form": lead_form,
        "base_template": "marketing/embed_base.html" if embed else "public_base.html",
    }
    return render(request, "marketing/capture_thanks.html", context)
