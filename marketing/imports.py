"""Reading lead rows out of a CSV: which column means what, and what one row says.

Pure functions (no database): services/imports.py runs them over a file and writes leads.

Rows without an email (the X Education and UCI bank files have none) still need one
identity, the same on every import of the file, that can never be mistaken for a real
address: `<their ID>@<namespace>.import.invalid` — `.invalid` is reserved (RFC 2606) and
never delivers. The ID is the column mapped as "ID"; a file with no ID column at all uses
a fingerprint of the row's cells, so only a byte-identical row is taken for the same person.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .csvio import listed, repeated_headers
from .emails import PLACEHOLDER_DOMAIN, normalize_email
from .models import CompanySize, Lead

TARGETS = (
    ("email", "Email"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("full_name", "Full name (split into first and last)"),
    ("company", "Company"),
    ("title", "Job title"),
    ("phone", "Phone"),
    ("country", "Country"),
    ("industry", "Industry"),
    ("company_size", "Company size"),
    ("external_id", "ID (who a row without an email is)"),
    ("attribute", "Keep as a custom attribute"),
    ("ignore", "Ignore"),
)
TARGET_VALUES = {value for value, _ in TARGETS}
SINGLE = TARGET_VALUES - {"attribute", "ignore"}  # at most one column may map to each of these
PROFILE = ("first_name", "last_name", "company", "title", "phone", "country", "industry", "company_size")
MAX_ATTRIBUTE_CHARS = 2000
MAX_COLUMNS = 300

_SYNONYMS = {
    "email": {"email", "emailaddress", "mail", "workemail", "businessemail"},
    "first_name": {"firstname", "first", "givenname", "forename", "vorname", "prenom"},
    "last_name": {"lastname", "last", "surname", "familyname", "nachname", "nom"},
    "full_name": {"name", "fullname", "contactname", "personname"},
    "company": {"company", "companyname", "organization", "organisation", "account", "accountname", "employer"},
    "title": {"title", "jobtitle", "position", "role", "jobrole"},
    "phone": {"phone", "phonenumber", "mobile", "mobilephone", "telephone", "tel"},
    "country": {"country", "countryname"},
    "industry": {"industry", "sector", "vertical"},
    "company_size": {"companysize", "employees", "numberofemployees", "headcount", "size"},
    "external_id": {"id", "prospectid", "leadid", "externalid", "contactid", "customerid", "recordid", "uuid"},
}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def repeated_field_headers(cells: list[str]) -> list[str]:
    """What is wrong, in words, with a header that names a lead field twice ("email", "Email").

    Nobody can tell which of the two is the email (the mapping would take the first and keep
    the other as a custom attribute, so the addresses of the second were silently not used):
    the file is refused before anything is kept. Other repeated names ("Notes", "notes") are
    harmless: both columns are kept, the second as "notes (2)".
    """
    fields = set().union(*_SYNONYMS.values())

    def field_key(cell: str) -> str:
        key = _key(cell)
        return key if key in fields else ""

    return [
        f"The column “{header}” appears {len(where)} times (columns {listed(where)}): LeadFlow cannot tell which "
        "one to use. Rename or delete the extra ones, then upload the file again."
        for header, where in repeated_headers(cells, key=field_key)
    ]


def guess_mapping(headers: list[str], sample: list[list[str]]) -> dict[str, str]:
    """A target for every column from its name; unknown names are kept as attributes, and
    columns that are empty in every sampled row are ignored."""
    mapping, taken = {}, set()
    for index, header in enumerate(headers):
        key = _key(header)
        target = next((name for name, words in _SYNONYMS.items() if key in words and name not in taken), "")
        if not target:
            values = [row[index].strip() for row in sample if index < len(row)]
            target = "ignore" if not any(values) else "attribute"
        if target in SINGLE:
            taken.add(target)
        mapping[header] = target
    return mapping


def mapping_problems(mapping: dict[str, str], headers: list[str]) -> list[str]:
    """What is wrong with a mapping, in words (empty when it can be used)."""
    problems = []
    unknown = sorted({target for target in mapping.values() if target not in TARGET_VALUES})
    if unknown or set(mapping) != set(headers):
        problems.append("Every column needs one of the offered choices.")
    for target in SINGLE:
        columns = [header for header, chosen in mapping.items() if chosen == target]
        if len(columns) > 1:
            label = dict(TARGETS)[target]
            problems.append(f"Only one column can be “{label}” (now: {', '.join(columns)}).")
    if "full_name" in mapping.values() and {"first_name", "last_name"} & set(mapping.values()):
        problems.append("Use either a full-name column or first/last name columns, not both.")
    return problems


@dataclass(frozen=True)
class Options:
    headers: list[str]
    mapping: dict[str, str]
    empty_values: frozenset[str]
    namespace: str


def options_of(lead_import) -> Options:
    empties = frozenset(value.strip().casefold() for value in lead_import.empty_values.split(",") if value.strip())
    return Options(lead_import.headers, lead_import.mapping, empties, lead_import.id_namespace)


@dataclass
class Row:
    number: int
    email: str
    email_normalized: str
    fields: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    number: int
    reason: str
    cells: list[str] = field(default_factory=list)  # as read, for the error CSV


_LIMITS = {name: Lead._meta.get_field(name).max_length for name in PROFILE}


def parse_row(number: int, cells: list[str], options: Options) -> Row | Refused | None:
    """What one data row says, a refusal naming the column at fault, or None for a blank row."""
    width = len(options.headers)
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        return Refused(number, f"The row has {len(cells)} values; the header has {width} columns.", cells)
    if not any(cell.strip() for cell in cells):
        return None
    values: dict[str, str] = {}
    for header, raw in zip(options.headers, cells, strict=False):
        if "\x00" in raw:
            return Refused(number, f"“{header}” contains a NUL character.", [c.replace("\x00", "") for c in cells])
        value = raw.strip()
        values[header] = "" if value.casefold() in options.empty_values else value
    row = Row(number, "", "")
    ids = []
    for header, target in options.mapping.items():
        value = values.get(header, "")
        if target == "ignore":
            continue
        if target == "attribute":
            if len(value) > MAX_ATTRIBUTE_CHARS:
                return Refused(
                    number, f"“{header}” is {len(value):,} characters; at most {MAX_ATTRIBUTE_CHARS:,}.", cells
                )
            if value:
                row.attributes[header] = value
        elif target == "email":
            row.email = value
        elif target == "external_id":
            ids.append(value)
        elif target == "full_name":
            first, _, last = value.partition(" ")
            row.fields["first_name"], row.fields["last_name"] = first, last.strip()
        else:
            row.fields[target] = value
    checked = _checked(row, ids, cells, options)
    return Refused(number, checked.reason, cells) if isinstance(checked, Refused) else checked


def _checked(row: Row, ids: list[str], cells: list[str], options: Options) -> Row | Refused:
    for name, value in row.fields.items():
        limit = _LIMITS[name]
        if len(value) > limit:
            column = next(h for h, t in options.mapping.items() if t in (name, "full_name"))
            return Refused(
                row.number, f"“{column}” is {len(value):,} characters; {name.replace('_', ' ')} takes {limit}."
            )
    if row.fields.get("company_size"):
        band = company_band(row.fields["company_size"])
        if band is None:
            choices = ", ".join(CompanySize.values)
            return Refused(
                row.number, f"Company size “{row.fields['company_size'][:40]}” is not a number or one of {choices}."
            )
        row.fields["company_size"] = band
    if row.email:
        try:
            row.email_normalized = normalize_email(row.email)
        except ValidationError as error:
            return Refused(row.number, f"Email “{row.email[:80]}”: {error.messages[0]}")
        return row
    if "external_id" in options.mapping.values():
        identity = _slug(ids[0] if ids else "")
        if not identity:
            return Refused(row.number, "No email and no ID: nothing says who this is.")
    else:
        identity = "row-" + hashlib.sha256("\x1f".join(cells).encode()).hexdigest()[:24]
    row.email = row.email_normalized = f"{identity}@{options.namespace}.{PLACEHOLDER_DOMAIN}"
    return row


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", value.casefold()).strip("-.")[:64]


def company_band(value: str) -> str | None:
    """ "250", "1,200" or "51-200" → the CompanySize band; None when it is neither."""
    if value in CompanySize.values:
        return value
    for band, label in CompanySize.choices:
        if value.replace(" ", "") == label.replace(" ", ""):
            return band
    digits = value.replace(",", "").replace(" ", "")
    if not digits.isdigit():
        return None
    count = int(digits)
    for band, low in (("5001+", 5001), ("1001-5000", 1001), ("201-1000", 201), ("51-200", 51), ("11-50", 11)):
        if count >= low:
            return band
    return "1-10"


def namespace_for(file_name: str) -> str:
    """ "X Education Leads (2).csv" → "x-education-leads": the default ID namespace of a file."""
    stem = re.sub(r"\(\d+\)$", "", file_name.rsplit(".", 1)[0]).strip()
    return _slug(stem).replace(".", "-").replace("_", "-")[:60].strip("-") or "import"
