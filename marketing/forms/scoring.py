"""Forms of the scoring page: a fit rule, one engagement rule, the MQL bar, where a lead's source comes from."""

from django import forms

from ..models import EngagementRule, FitRule, SourceFrom
from ..scoring import parse_number

Op = FitRule.Operator
NEEDS_NO_VALUE = {Op.IS_SET, Op.IS_BLANK}
NUMERIC = {Op.GREATER, Op.LESS}


class FitRuleForm(forms.ModelForm):
    class Meta:
        model = FitRule
        fields = ["label", "field", "attribute_key", "operator", "value", "points", "group", "is_active"]
        widgets = {"value": forms.Textarea(attrs={"rows": 2})}
        labels = {"label": "Reason shown on the lead", "group": "Exclusive group"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].widget.attrs.update(min="-1000", max="1000")
        self.fields["points"].min_value, self.fields["points"].max_value = -1000, 1000
        self.fields["points"].validators += [
            forms.IntegerField(min_value=-1000, max_value=1000).validators[0],
            forms.IntegerField(min_value=-1000, max_value=1000).validators[1],
        ]

    def clean(self):
        data = super().clean()
        operator, value = data.get("operator"), (data.get("value") or "").strip()
        if data.get("field") == FitRule.Field.ATTRIBUTE and not (data.get("attribute_key") or "").strip():
            self.add_error("attribute_key", "Name the custom attribute this rule reads.")
        if data.get("field") != FitRule.Field.ATTRIBUTE:
            data["attribute_key"] = ""
        if operator in NEEDS_NO_VALUE:
            data["value"] = ""
        elif operator and not value:
            self.add_error("value", "Give the value to compare with.")
        elif operator in NUMERIC and parse_number(value) is None:
            self.add_error("value", "Give a number to compare with.")
        return data

    def rule_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EngagementRuleForm(forms.ModelForm):
    class Meta:
        model = EngagementRule
        fields = ["points", "max_count", "half_life_days", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The inputs sit in a table row; they belong to the row's form through form="…".
        for field in self.fields.values():
            field.widget.attrs["form"] = f"engagement-{self.prefix}"
        bounds = {"points": (-1000, 1000), "max_count": (1, 1000), "half_life_days": (1, 3650)}
        for name, (low, high) in bounds.items():
            field = self.fields[name]
            field.widget.attrs.update(min=str(low), max=str(high))
            field.validators += [
                forms.IntegerField(min_value=low).validators[0],
                forms.IntegerField(max_value=high).validators[0],
            ]


class ThresholdForm(forms.Form):
    mql_threshold = forms.IntegerField(
        label="MQL threshold",
        required=False,
        min_value=1,
        max_value=10_000,
        help_text="A lead with marketing becomes an MQL, and goes to sales, when its score reaches this. "
        "Empty: the default from the server's settings.",
    )


class SourceFromForm(forms.Form):
    source_from = forms.ChoiceField(
        label="Lead source comes from",
        choices=SourceFrom.choices,
        widget=forms.RadioSelect,
        help_text="It matters when a campaign's form is reached with a UTM medium that names another channel. "
        "Leads already captured keep their source.",
    )
