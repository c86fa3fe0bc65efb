"""CSV import pages: upload → map columns → preview → run (progress bar) → report."""

from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from guards.csvsafe import csv_lines

from ..csvio import encoding_label
from ..forms.imports import MappingForm, UploadForm
from ..models import LeadImport
from ..services import imports as import_services

REFUSALS_SHOWN = 50


def _imports_of(request):
    """Marketers see every import (an admin too); the permission gates the pages."""
    if not request.user.has_perm("marketing.import_leads"):
        raise PermissionDenied("Only marketers import leads.")
    return LeadImport.objects.select_related("uploaded_by", "campaign")


@login_required
@permission_required("marketing.import_leads", raise_exception=True)
def import_list(request):
    context = {"imports": list(_imports_of(request)[:50]), "form": UploadForm()}
    return render(request, "marketing/import_list.html", context)


@login_required
@permission_required("marketing.import_leads", raise_exception=True)
@require_POST
def import_create(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {"imports": list(_imports_of(request)[:50]), "form": form}
        return render(request, "marketing/import_list.html", context, status=400)
    data = form.cleaned_data
    try:
        lead_import = import_services.create_import(
            upload=data["file"],
            by=request.user,
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            source=data["source"],
        )
    except import_services.ImportRefused as refusal:
        form.add_error("file", str(refusal))
        context = {"imports": list(_imports_of(request)[:50]), "form": form}
        return render(request, "marketing/import_list.html", context, status=400)
    return HttpResponseRedirect(lead_import.get_absolute_url(), status=303)


def _detail(request, lead_import, *, form=None, preview=None, status=200):
    context = {
        "lead_import": lead_import,
        "form": form,
        "preview": preview,
        "encoding": encoding_label(lead_import.encoding),
        "mixed_encoding": import_services.is_mixed(lead_import),
    }
    if lead_import.status == LeadImport.Status.UPLOADED and form is None:
        context["form"] = MappingForm(instance=lead_import)
    if lead_import.status in (LeadImport.Status.DONE, LeadImport.Status.FAILED):
        context["refusals"] = list(lead_import.row_errors.all()[:REFUSALS_SHOWN])
    return render(request, "marketing/import_detail.html", context, status=status)


@login_required
@permission_required("marketing.import_leads", raise_exception=True)
def import_detail(request, pk: int):
    return _detail(request, get_object_or_404(_imports_of(request), pk=pk))


@login_required
@permission_required("marketing.import_leads", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview(request, pk: int):
    """The dry run of the saved mapping over the first rows (writes no lead).

    POST saves the mapping, then redirects here (Post/Redirect/Get): the dry run is a page
    one can reload and bookmark, computed from the mapping stored on the import.
    """
    lead_import = get_object_or_404(_imports_of(request), pk=pk)
    if request.method != "POST":
        if lead_import.status != LeadImport.Status.UPLOADED:
            return HttpResponseRedirect(lead_import.get_absolute_url())  # started: its progress or report
        return _detail(request, lead_import, preview=import_services.preview(lead_import))
    form = MappingForm(request.POST, instance=lead_import)
    if lead_import.status != LeadImport.Status.UPLOADED:
        messages.error(request, "This import has already started; its mapping can no longer change.")
        return _detail(request, lead_import, status=409)
    if not form.is_valid():
        return _detail(request, LeadImport.objects.get(pk=pk), form=form, status=400)
    data = form.cleaned_data
    try:
        import_services.save_mapping(
            import_id=lead_import.pk,
            mapping=form.mapping(),
            empty_values=data["empty_values"],
            id_namespace=data["id_namespace"],
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            source=data["source"],
        )
    except import_services.ImportRefused as refusal:
        form.add_error(None, str(refusal))
        return _detail(request, LeadImport.objects.get(pk=pk), form=form, status=400)
    return HttpResponseRedirect(reverse("marketing:import-preview", args=[lead_import.pk]), status=303)


@login_required
@permission_required("marketing.import_leads", raise_exception=True)
@require_POST
def import_start(request, pk: int):
    lead_import = get_object_or_404(_imports_of(request), pk=pk)
    try:
        import_services.start_import(import_id=lead_import.pk)
    except import_services.ImportRefused as refusal:
        messages.error(request, str(refusal))
        return _detail(request, lead_import, status=400)
    return HttpResponseRedirect(lead_import.get_absolute_url(), status=303)


@login_required
@permission_required("marketing.import_leads", raise_exception=True)
def import_progress(request, pk: int):
    """The progress panel; htmx polls it while the import runs and swaps in the report after."""
    lead_import = get_object_or_404(_imports_of(request), pk=pk)
    if not lead_import.is_active:
        if request.htmx:  # finished: the whole page becomes the report
            return HttpResponseClientRedirect(lead_import.get_absolute_url())
        return HttpResponseRedirect(lead_import.get_absolute_url())
    return render(request, "marketing/import_detail.html#progress", {"lead_import": lead_import})


@login_required
@permission_required("marketing.import_leads", raise_exception=True)
def import_errors_csv(request, pk: int):
    """The refused rows as a CSV to fix and import again: why, the row number, then the row."""
    lead_import = get_object_or_404(_imports_of(request), pk=pk)

    def rows():
        yield ["error", "row", *lead_import.headers]
        for error in lead_import.row_errors.order_by("row_number").iterator(chunk_size=500):
            yield [error.reason, error.row_number, *error.cells]

    response = StreamingHttpResponse(chain(["\ufeff"], csv_lines(rows())), content_type="text/csv; charset=utf-8")
    stem = lead_import.original_name.rsplit(".", 1)[0][:80].replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{stem}-refused-rows.csv"'
    return response
