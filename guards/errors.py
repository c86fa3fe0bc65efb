"""A service's refusal, said once for every client: on the form a person sent, or as the API's JSON.

Services raise Django's ValidationError (naming fields, or not) for bad input and a
`Conflict` for a change the row's current state refuses; views and the API handler turn them into
answers here, the same way in every app.
"""

from django.core.exceptions import ValidationError


class Conflict(Exception):
    """The change does not fit the row as it now is: someone changed it first, or its state
    does not allow the move (HTTP 409, `http_status`, which the API's handler answers with)."""

    http_status = 409


def messages_by_field(error: ValidationError) -> dict[str | None, list[str]]:
    """The error's messages by the field they name; None for those that name none.

    A service may raise a plain (field-less) ValidationError, whose `message_dict` raises
    AttributeError: read that way, a refusal became a 500 instead of the page with its words.
    """
    return error.message_dict if hasattr(error, "error_dict") else {None: error.messages}


def put_on_form(form, error: Exception, renamed: dict[str, str] | None = None) -> None:
    """A service's error onto the form: on its field when the form shows one, else above the form.

    `renamed` maps a service's name for a field to the form's, where they differ. An error
    that is not a ValidationError (a refused permission) is shown above the form in its own words.
    """
    renamed = renamed or {}
    if isinstance(error, ValidationError):
        by_field = messages_by_field(error)
    else:
        by_field = {None: [str(error) or "This change was refused."]}
    for field, messages in by_field.items():
        field = renamed.get(field, field)
        form.add_error(field if field in form.fields else None, messages)


def as_json(error: ValidationError) -> dict[str, list[str]]:
    """The API's 400 body: {"field": ["message", …]}, or {"detail": [...]} when no field is named."""
    by_field = messages_by_field(error)
    return {"detail": by_field[None]} if None in by_field else by_field
