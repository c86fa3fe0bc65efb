"""The Django admin as a client of the apps' services, not a second writer of their tables.

A ModelAdmin that derives from `ServiceAdmin` saves by calling the owning app's services
(`save_through_services`). When a service refuses (a rule, a stale version, a permission),
the admin shows the service's own words as errors on the form it rendered, and nothing of
that save is written.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from .dates import validate_date
from .errors import put_on_form

_REFUSAL = "_admin_service_refusal"


class Refused(Exception):
    """A service said no inside the admin's save; carries the service's error."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class ServiceAdmin(admin.ModelAdmin):
    """Saves through services; a refusal becomes the form's error and the save writes nothing."""

    # What a service raises to say no; anything else is a bug and stays a 500.
    refusals: tuple[type[Exception], ...] = (ValidationError, PermissionDenied)
    # A service's name for a field → the form's, where they differ.
    renamed_fields: dict[str, str] = {}
    # The changelist's inline editing would save rows without the change form's checks.
    list_editable = ()

    def save_through_services(self, request, obj: models.Model, form, change: bool) -> models.Model:
        """Call the services for what the form changed; return the saved row."""
        raise NotImplementedError

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateField) and field is not None:
            field.validators.append(validate_date)  # the range every page of the apps keeps
        return field

    def save_model(self, request, obj, form, change) -> None:
        try:
            saved = self.save_through_services(request, obj, form, change)
        except self.refusals as error:
            raise Refused(error) from error
        # Django goes on with the form's instance (its inlines, the log, the redirect).
        obj.pk, obj._state.adding = saved.pk, False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refused:
            # Django runs a POST to this view in one transaction, so the refusal rolled back
            # everything the save had written. The admin has no hook for an error found while
            # saving, so the same POST runs again with the refusal as the form's error: the
            # page comes back as for any invalid form, with what the person typed.
            setattr(request, _REFUSAL, refused.error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attributes = {"request": request}
        refusal = getattr(request, _REFUSAL, None)
        if refusal is not None:
            renamed = self.renamed_fields

            def clean(self):
                cleaned_data = form.clean(self)
                put_on_form(self, refusal, renamed)
                return cleaned_data

            attributes["clean"] = clean
        return type(form.__name__, (form,), attributes)


class ReadOnlyInline(admin.TabularInline):
    """Rows a service writes, shown under their parent: nothing added, changed or removed here."""

    extra = 0
    can_delete = False

    def get_queryset(self, request):
        # Each row links its foreign keys: joined here, the page costs the same with 5 rows or 500.
        related = [
            field.name
            for field in self.model._meta.get_fields()
            if field.name in self.readonly_fields and field.many_to_one
        ]
        queryset = super().get_queryset(request)
        return queryset.select_related(*related) if related else queryset

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecordAdmin(admin.ModelAdmin):
    """Rows the services write (history, state, rollups): readable in the admin, never edited,
    added or deleted by hand there."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
