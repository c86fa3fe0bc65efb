"""Row ids as they arrive from outside (a form field, a query parameter): a whole number an
id column can hold. SQLite cannot even be asked about a larger one (OverflowError, a 500),
and on PostgreSQL it names no row anyway: such an id is refused as what it is, bad input.
"""

from django import forms

MAX_ID = 2**63 - 1  # a 64-bit id column's largest value


def parse_id(text: str) -> int | None:
    """The id `text` spells, or None when it spells no possible id."""
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


class IdField(forms.IntegerField):
    """A form field for the id of a row: a whole number from 1 to MAX_ID."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)
