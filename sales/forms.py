from django import forms

from .models import Stage


class VersionedForm(forms.Form):
    """Every deal edit carries the version it started from (optimistic locking)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class MoveDealForm(VersionedForm):
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), empty_label=None, label="Move to")

    def __init__(self, *args, deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(
            transitions_in__from_stage=deal.stage, kind=Stage.Kind.OPEN
        ).order_by("order")


class CloseWonForm(VersionedForm):
    amount = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, label="Final amount")


class CloseLostForm(VersionedForm):
    lost_reason = forms.CharField(max_length=200, label="Why was it lost?")
