"""The admin's deal form: what it offers, each change later carried out by a deal service."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from . import services
from .models import Deal, Stage
from .services.deals import EDITABLE_FIELDS

_ORDER = ["title", "company", "contact_name", "contact_email", "contact_phone", "amount", "currency", "expected_close"]
# The deal's own fields, the ones services.update_deal edits, in the order the admin shows them.
DEAL_FIELDS = sorted(EDITABLE_FIELDS, key=lambda name: _ORDER.index(name) if name in _ORDER else len(_ORDER))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name()
        return f"{name} ({user.username})" if name else user.username


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, stage: Stage) -> str:
        return f"{stage.name} ({stage.get_kind_display().lower()}, {stage.probability} %)"


class DealAdminForm(forms.ModelForm):
    """Owner, stage and the deal's own fields, with the version the page was opened at.

    `request` is set by the admin (guards.admin.ServiceAdmin.get_form): whom the owner list
    offers depends on who asks, as on the deal page.
    """

    request = None

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(
            ["required", "invalid", "min_value"], "This page is out of date. Reload the page and try again."
        ),
    )
    owner = PersonChoiceField(
        queryset=None,
        empty_label=None,
        help_text="A new owner gets the deal's open activities, and the deal moves to their team.",
        error_messages={"invalid_choice": "Choose a salesperson of a team you manage."},
    )
    stage = StageChoiceField(
        queryset=None,
        empty_label=None,
        help_text="Moves follow the pipeline's allowed moves; Won and Lost close the deal.",
        error_messages={"invalid_choice": "Choose a stage of this deal's pipeline."},
    )
    why_lost = forms.ModelChoiceField(
        queryset=None,
        to_field_name="name",
        required=False,
        empty_label="—",
        label="Why it was lost",
        help_text="Needed when the stage is set to Lost.",
    )
    reopen = forms.BooleanField(
        required=False,
        label="Reopen this deal",
        help_text="Back to the open stage it was closed from; then it can be edited and moved again.",
    )

    class Meta:
        model = Deal
        fields = ["owner", "stage"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        deal = self.instance
        self.initial.setdefault("version", deal.version)
        if "owner" in self.fields:
            users = get_user_model().objects
            owners = services.reassignable_owners(by=self.request.user) if self.request else users.none()
            # The current owner stays a valid choice (gone away, or in a team the user does
            # not manage): saving the form untouched must not be refused for them.
            self.fields["owner"].queryset = users.filter(Q(pk__in=owners.values("pk")) | Q(pk=deal.owner_id)).order_by(
                "first_name", "username"
            )
        if "stage" in self.fields:
            self.fields["stage"].queryset = Stage.objects.filter(pipeline_id=deal.pipeline_id)
        if "why_lost" in self.fields:
            self.fields["why_lost"].queryset = services.active_lost_reasons()
