"""One lead: profile, timeline, score reasons; editing and actions while marketing has it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from .. import scoring, services, sources
from ..errors import LeadNotEditable, StageChangeNotAllowed
from ..forms.leads import DisqualifyForm, LeadEditForm
from ..models import Lead, Stage, Touchpoint
from ..services import leads as lead_services
from ..timeline import lead_timeline, possible_duplicates


def _lead(request, pk: int) -> Lead:
    queryset = Lead.objects.visible_to(request.user).select_related(
        "first_touch_campaign", "last_touch_campaign", "owner", "merged_into"
    )
    return get_object_or_404(queryset, pk=pk)


def _render(request, lead: Lead, *, status: int = 200, **overrides):
    user = request.user
    editable = lead.is_editable_by_marketing and not lead.merged_into_id and not lead.erased_at
    sees_all = user.has_perm("marketing.view_all_leads")
    context = {
        "lead": lead,
        "timeline": lead_timeline(lead),
        "source_note": sources.note_for(lead),
        # Likely duplicates may be anyone's leads: only for those who see every lead.
        "duplicates": possible_duplicates(lead) if sees_all and not lead.merged_into_id else [],
        "can_qualify": user.has_perm("marketing.qualify_lead")
        and lead.is_marketings
        and not lead.merged_into_id
        and not lead.erased_at,
        "can_edit": user.has_perm("marketing.change_lead") and editable,
        "can_change": user.has_perm("marketing.change_lead") and not lead.merged_into_id and not lead.erased_at,
        # Once the lead is sales' its stage is sales' to change (services/stages.py).
        "can_disqualify": user.has_perm("marketing.change_lead") and editable and lead.stage != Stage.DISQUALIFIED,
        # A person's export and erasure (handoff's pages: they span both teams) are for
        # those who see every lead; a merged duplicate is exported with its lead.
        "can_export": sees_all and not lead.merged_into_id,
        "can_erase": sees_all and user.has_perm("marketing.change_lead") and not lead.merged_into_id,
        "edit_form": LeadEditForm(instance=lead),
        "disqualify_form": DisqualifyForm(),
        "touch_kinds": Touchpoint.Kind.choices,
        "mql_threshold": scoring.mql_threshold(),
        "attributes": sorted(lead.attributes.items()) if isinstance(lead.attributes, dict) else [],
    }
    context.update(overrides)
    return render(request, "marketing/lead_detail.html", context, status=status)


@login_required
@permission_required("marketing.view_lead", raise_exception=True)
def lead_detail(request, pk: int):
    return _render(request, _lead(request, pk))


@login_required
@permission_required("marketing.change_lead", raise_exception=True)
@require_POST
def lead_edit(request, pk: int):
    lead = _lead(request, pk)
    form = LeadEditForm(request.POST, instance=Lead.objects.get(pk=lead.pk))
    if not form.is_valid():
        return _render(request, lead, status=400, edit_form=form, editing=True)
    try:
        lead_services.update_lead_profile(
            lead_id=lead.pk, by=request.user, **{name: form.cleaned_data[name] for name in LeadEditForm.Meta.fields}
        )
    except LeadNotEditable as refusal:
        messages.error(request, str(refusal))
        return _render(request, lead, status=refusal.http_status)
    messages.success(request, "Profile saved; the score follows shortly.")
    return HttpResponseRedirect(lead.get_absolute_url(), status=303)


@login_required
@permission_required("marketing.qualify_lead", raise_exception=True)
@require_POST
def lead_qualify(request, pk: int):
    lead = _lead(request, pk)
    try:
        services.qualify_lead(lead_id=lead.pk, by=request.user)
    except StageChangeNotAllowed as error:
        messages.error(request, str(error))
        return _render(request, _lead(request, pk), status=error.http_status)
    messages.success(request, f"{lead.display_name} is on the way to sales.")
    return HttpResponseRedirect(lead.get_absolute_url(), status=303)


@login_required
@permission_required("marketing.change_lead", raise_exception=True)
@require_POST
def lead_disqualify(request, pk: int):
    lead = _lead(request, pk)
    form = DisqualifyForm(request.POST)
    if not form.is_valid():
        return _render(request, lead, status=400, disqualify_form=form)
    try:
        services.disqualify_lead(lead_id=lead.pk, reason=form.cleaned_data["reason"], by=request.user)
    except (StageChangeNotAllowed, LeadNotEditable) as error:
        messages.error(request, str(error))
        return _render(request, lead, status=error.http_status)
    messages.success(request, f"{lead.display_name} is disqualified.")
    return HttpResponseRedirect(lead.get_absolute_url(), status=303)


@login_required
@permission_required("marketing.change_lead", raise_exception=True)
@require_POST
def lead_renurture(request, pk: int):
    lead = _lead(request, pk)
    try:
        lead_services.renurture_lead(lead_id=lead.pk, by=request.user)
    except StageChangeNotAllowed as error:
        messages.error(request, str(error))
        return _render(request, lead, status=error.http_status)
    messages.success(request, f"{lead.display_name} is back in nurture.")
    return HttpResponseRedirect(lead.get_absolute_url(), status=303)
