from django import forms

from .models import Stage


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


class MoveDealForm(VersionedForm):
    id_prefix = "move"
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), empty_label=None, label="Move to")

    def __init__(self, *args, deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(
            transitions_in__from_stage=deal.stage, kind=Stage.Kind.OPEN
        ).order_by("order")


class CloseWonForm(VersionedForm):
    id_prefix = "won"
    amount = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, label="Final amount")


class CloseLostForm(VersionedForm):
    id_prefix = "lost"
    lost_reason = forms.CharField(max_length=200, label="Why was it lost?")


class ReopenDealForm(VersionedForm):
    id_prefix = "reopen"
