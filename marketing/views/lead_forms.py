"""Setting up a campaign's public form: fields, questions, consent, thank-you; the embed snippet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from guards.errors import put_on_form

from ..forms.lead_forms import LeadFormSettingsForm, QuestionForm
from ..models import Campaign
from ..services import lead_forms as form_services


def _page(request, campaign, *, settings_form=None, question_form=None, status=200):
    lead_form = form_services.form_of(campaign)
    hosted = request.build_absolute_uri(reverse("marketing:capture-form", args=[campaign.utm_campaign]))
    context = {
        "campaign": campaign,
        "lead_form": lead_form,
        "questions": list(lead_form.questions.all()) if lead_form.pk else [],
        "settings_form": settings_form or LeadFormSettingsForm(instance=lead_form),
        "question_form": question_form or QuestionForm(),
        "hosted_url": hosted,
        "embed_url": hosted + "?embed=1",
    }
    return render(request, "marketing/lead_form_settings.html", context, status=status)


@login_required
@permission_required("marketing.change_campaign", raise_exception=True)
def form_settings(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("lead_form"), pk=pk)
    if request.method != "POST":
        return _page(request, campaign)
    form = LeadFormSettingsForm(request.POST, instance=form_services.form_of(campaign))
    if form.is_valid():
        try:
            form_services.save_form_settings(campaign_id=campaign.pk, **form.settings_data())
        except ValidationError as error:
            put_on_form(form, error)
        else:
            messages.success(request, "Form saved. It is live at the link below.")
            return HttpResponseRedirect(reverse("marketing:form-settings", args=[campaign.pk]), status=303)
    return _page(request, campaign, settings_form=form, status=400)


@login_required
@permission_required("marketing.change_campaign", raise_exception=True)
@require_POST
def question_add(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            form_services.add_question(campaign_id=campaign.pk, **form.cleaned_data)
        except ValidationError as error:
            put_on_form(form, error)
        else:
            messages.success(request, f"Added “{form.cleaned_data['label']}”.")
            return HttpResponseRedirect(
                reverse("marketing:form-settings", args=[campaign.pk]) + "#questions", status=303
            )
    return _page(request, campaign, question_form=form, status=400)


@login_required
@permission_required("marketing.change_campaign", raise_exception=True)
@require_POST
def question_delete(request, pk: int, question_pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    if not form_services.remove_question(campaign_id=campaign.pk, question_id=question_pk):
        raise Http404("No such question on this form.")
    messages.success(request, "Question removed. Answers already given stay on the leads.")
    return HttpResponseRedirect(reverse("marketing:form-settings", args=[campaign.pk]) + "#questions", status=303)
