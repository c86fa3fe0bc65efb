from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from .tracking import audited_models


class EntryFilterForm(forms.Form):
    """The audit page's filters (GET): who, and what kind of object."""

    actor = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False, empty_label="Anyone")
    object_type = forms.ChoiceField(required=False, label="Object type")

    def __init__(self, *args, actors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = actors
        self.fields["actor"].label_from_instance = lambda user: user.get_full_name() or user.username
        # Content types come from Django's cache: no query after the first page of the process.
        types = ContentType.objects.get_for_models(*audited_models())
        self.fields["object_type"].choices = [("", "Any object")] + sorted(
            ((str(ct.pk), str(model._meta.verbose_name).capitalize()) for model, ct in types.items()),
            key=lambda choice: choice[1],
        )

    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def narrow(self, actor_ids: list[int] | None) -> dict:
        """The History arguments for these filters within the reader's scope `actor_ids`."""
        data = self.cleaned_data
        return {
            "actor_ids": [data["actor"].pk] if data["actor"] else actor_ids,
            "content_type_id": int(data["object_type"]) if data["object_type"] else None,
        }
