"""A service's refusal said once for every client (guards/errors.py): on the form's field when
the form has it, above the form otherwise, and as the API's JSON."""

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from guards.errors import Conflict, as_json, messages_by_field, put_on_form
from handoff.errors import OfferConflict
from marketing.errors import LeadNotEditable, MergeNotAllowed, StageChangeNotAllowed
from sales.errors import DealConflict, StageMoveNotAllowed


class DealForm(forms.Form):
    amount = forms.DecimalField(required=False)
    note = forms.CharField(required=False)


def shown(error: Exception, **kwargs) -> dict[str, list[str]]:
    form = DealForm({"amount": "10", "note": "x"})
    assert form.is_valid()
    put_on_form(form, error, **kwargs)
    return {field: list(messages) for field, messages in form.errors.items()}


@pytest.mark.parametrize(
    ("error", "by_field"),
    [
        pytest.param(ValidationError("No."), {None: ["No."]}, id="plain"),
        pytest.param(ValidationError(["One.", "Two."]), {None: ["One.", "Two."]}, id="a-list"),
        pytest.param(ValidationError({"amount": "Too big."}), {"amount": ["Too big."]}, id="a-field"),
        pytest.param(
            ValidationError({"amount": ["Too big.", "Odd."], NON_FIELD_ERRORS: "Closed."}),
            {"amount": ["Too big.", "Odd."], NON_FIELD_ERRORS: ["Closed."]},
            id="fields-and-none",
        ),
    ],
)
def test_messages_by_field(error, by_field):
    assert messages_by_field(error) == by_field


def test_a_field_the_form_shows_gets_its_error():
    assert shown(ValidationError({"amount": "Too big."})) == {"amount": ["Too big."]}


def test_a_field_the_form_does_not_show_is_said_above_the_form():
    # Django's own form.add_error(None, error) raised ValueError here: a 500 instead of the words.
    assert shown(ValidationError({"pipeline": "Has no such stage."})) == {NON_FIELD_ERRORS: ["Has no such stage."]}


def test_a_plain_error_is_said_above_the_form():
    # Reading message_dict of a field-less error raised AttributeError: a 500 instead of the page.
    assert shown(ValidationError("Someone else changed it.")) == {NON_FIELD_ERRORS: ["Someone else changed it."]}


def test_a_services_name_for_a_field_is_renamed_to_the_forms():
    assert shown(ValidationError({"body": "Say why."}), renamed={"body": "note"}) == {"note": ["Say why."]}


def test_a_refusal_that_is_not_a_validation_error_is_said_in_its_own_words():
    assert shown(PermissionDenied("Only managers reopen.")) == {NON_FIELD_ERRORS: ["Only managers reopen."]}
    assert shown(PermissionDenied()) == {NON_FIELD_ERRORS: ["This change was refused."]}


@pytest.mark.parametrize(
    ("error", "body"),
    [
        pytest.param(ValidationError("No."), {"detail": ["No."]}, id="plain"),
        pytest.param(
            ValidationError({"email": "Enter a valid email address."}),
            {"email": ["Enter a valid email address."]},
            id="a-field",
        ),
        pytest.param(ValidationError({"a": "x", "b": ["y", "z"]}), {"a": ["x"], "b": ["y", "z"]}, id="fields"),
    ],
)
def test_the_apis_body_names_the_fields_or_says_detail(error, body):
    assert as_json(error) == body


@pytest.mark.parametrize(
    "conflict",
    [OfferConflict, LeadNotEditable, MergeNotAllowed, StageChangeNotAllowed, DealConflict, StageMoveNotAllowed],
)
def test_every_apps_conflict_is_one_kind_answered_409(conflict):
    assert issubclass(conflict, Conflict)
    assert conflict("taken").http_status == 409
