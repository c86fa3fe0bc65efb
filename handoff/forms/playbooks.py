from django import forms

MAX_TEXT = 5000


class PlaybookForm(forms.Form):
    buyer_guidance = forms.CharField(
        max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 4}),
        label="What the buyer needs to know", help_text="Shown to sales on every deal at this stage.",
    )  # fmt: skip
    exit_criteria = forms.CharField(
        max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        label="Exit criteria", help_text="When is a deal ready for the next stage?",
    )  # fmt: skip


class AssetForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    url = forms.URLField(max_length=500, required=False, assume_scheme="https", label="Link")

    def clean(self):
        data = super().clean()
        if data.get("url") and not data.get("title", "").strip():
            self.add_error("title", "Give the asset a title.")
        if data.get("title", "").strip() and not data.get("url"):
            self.add_error("url", "Give the link to send.")
        return data


AssetFormSet = forms.formset_factory(AssetForm, extra=2, max_num=50, absolute_max=50, validate_max=True)
