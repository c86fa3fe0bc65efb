import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from guards.dates import DateField, DateTimeField

from .models import Activity, Deal, LostReason, SalesRep, Stage

RATING_CHOICES = [("", "No rating"), *((str(n), f"{n} – {label}") for n, label in enumerate(
    ["poor lead", "weak", "fair", "good", "excellent"], start=1))]  # fmt: skip


class VersionedForm(forms.Form):
    """Every deal edit carries the version it started from (optimistic locking)."""

    # The deal page holds several forms: a prefix per form keeps their element ids unique
    # (three `id_version` inputs on one page was invalid HTML and broke label targets).
    id_prefix = "deal"
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        # A hidden field's error is not shown next to any input, so it must say what to do.
        error_messages=dict.fromkeys(
            ["required", "invalid", "min_value"], "This page is out of date. Reload the page and try again."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


def rating_field(label: str = "How good was the lead?") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int, empty_value=None, required=False, label=label)


class MoveDealForm(VersionedForm):
    id_prefix = "move"
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.none(),
        empty_label=None,
        label="Move to",
        error_messages={"invalid_choice": "Choose a stage of this deal's pipeline."},
    )

    def __init__(self, *args, deal, moves: list[Stage] = (), **kwargs):
        kwargs["initial"] = {"stage": deal.stage_id, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        # Any stage of the pipeline is well-formed input; whether the move is allowed is the
        # transition table's answer (a 409 with its reason from services.move_deal), not a
        # second copy of that table here. The list offers the current stage first, so that
        # submitting it untouched moves nothing, then the moves the table allows.
        self.fields["stage"].queryset = Stage.objects.filter(pipeline_id=deal.pipeline_id)
        self.fields["stage"].widget.choices = [
            (deal.stage_id, f"{deal.stage.name} (now)"),
            *((stage.pk, stage.name) for stage in moves),
        ]


class CloseWonForm(VersionedForm):
    id_prefix = "won"
    amount = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, label="Final amount")
    closed_on = DateField(
        required=False,
        label="Won on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today unless you say otherwise.",
    )
    rating = rating_field()

    def clean_closed_on(self):
        day = self.cleaned_data["closed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The close date cannot be in the future.")
        return day

    def closed_at(self) -> datetime.datetime | None:
        """Today means now; an earlier day means midday of that day, in the site's time zone."""
        day = self.cleaned_data.get("closed_on")
        if not day or day == timezone.localdate():
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class LostReasonField(forms.ModelChoiceField):
    """A choice from the managed list, by name (what the API takes too); blanks count as empty."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if "\x00" in value:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class CloseLostForm(VersionedForm):
    id_prefix = "lost"
    lost_reason = LostReasonField(
        queryset=LostReason.objects.none(), to_field_name="name", label="Why was it lost?", empty_label="Choose…"
    )
    lost_note = forms.CharField(
        max_length=1000, required=False, label="Details", widget=forms.Textarea(attrs={"rows": 2})
    )
    rating = rating_field()

    def __init__(self, *args, reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = (
            reasons if reasons is not None else LostReason.objects.filter(is_active=True)
        )


class ReopenDealForm(VersionedForm):
    id_prefix = "reopen"


class EditDealForm(VersionedForm):
    id_prefix = "edit"
    title = forms.CharField(max_length=200)
    amount = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2)
    currency = forms.CharField(min_length=3, max_length=3, help_text="Three letters: USD, EUR, GBP…")
    expected_close = DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    contact_name = forms.CharField(max_length=200, required=False, label="Contact")
    contact_email = forms.EmailField(max_length=254, required=False, label="Email")
    contact_phone = forms.CharField(max_length=50, required=False, label="Phone")
    company = forms.CharField(max_length=200, required=False)

    FIELDS = [
        "title",
        "amount",
        "currency",
        "expected_close",
        "contact_name",
        "contact_email",
        "contact_phone",
        "company",
    ]

    @classmethod
    def for_deal(cls, deal: Deal, **kwargs) -> "EditDealForm":
        return cls(initial={"version": deal.version, **{name: getattr(deal, name) for name in cls.FIELDS}}, **kwargs)

    def clean_currency(self):
        code = self.cleaned_data["currency"].strip().upper()
        if not code.isalpha():
            raise forms.ValidationError("Use a three-letter currency code, such as USD or EUR.")
        return code

    def changes(self, deal: Deal) -> dict:
        """Only the fields the user actually changed, so an edit never rewrites the others."""
        return {name: self.cleaned_data[name] for name in self.FIELDS if self.cleaned_data[name] != getattr(deal, name)}


class ReassignForm(VersionedForm):
    id_prefix = "reassign"
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="New owner", empty_label="Choose…")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.username


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=Activity.Kind.choices, label="Type")
    subject = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "e.g. Demo call with Ada"}))
    due_at = DateTimeField(
        required=False,
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty when you log something already done.",
    )
    details = forms.CharField(max_length=5000, required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "activity-%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    body = forms.CharField(
        max_length=5000, label="Note", widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What happened?"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)


class AvailabilityForm(forms.Form):
    status = forms.ChoiceField(choices=SalesRep.Status.choices, widget=forms.RadioSelect, label="I am")
    away_until = DateField(
        required=False,
        label="Last day away",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if you don't know yet: you stay away until you come back.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "availability-%s")
        super().__init__(*args, **kwargs)

    def clean_away_until(self):
        day = self.cleaned_data["away_until"]
        if day and day < timezone.localdate():
            raise forms.ValidationError("Pick today or a later date.")
        return day


# --- Settings managers edit: pipelines, stages, moves, lost reasons ---------------------------


class PipelineForm(forms.Form):
    name = forms.CharField(max_length=100, label="Pipeline name")
    is_default = forms.BooleanField(required=False, label="New deals open in this pipeline")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "pipeline-%s")
        super().__init__(*args, **kwargs)


class StageRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    order = forms.IntegerField(min_value=0, max_value=999, label="Position")
    name = forms.CharField(max_length=100, label="Stage")
    probability = forms.IntegerField(min_value=0, max_value=100, label="Probability %")
    # Initially open: a browser sends the blank new row's select as its first option, and
    # that row must still count as unchanged (else every save asked for a new stage's name).
    kind = forms.ChoiceField(choices=Stage.Kind.choices, initial=Stage.Kind.OPEN, label="Kind")
    remove = forms.BooleanField(required=False, label="Remove")


StageFormSet = forms.formset_factory(StageRowForm, extra=1, max_num=30, validate_max=True)


class LostReasonForm(forms.Form):
    name = forms.CharField(max_length=100, label="Reason")
    order = forms.IntegerField(min_value=0, max_value=999, required=False, label="Position")
    is_active = forms.BooleanField(required=False, label="Offered")
