"""Rows of the table: CSV files through the import pages, and one's own account (tokens, password).

A file refused as a whole is a 400 on the upload form's file field and keeps nothing; a file
with bad rows is imported: its report names each refused row and why, and the good rows land.
"""

from pathlib import Path

from django.urls import reverse

from leadflow.accounts.models import ApiToken
from marketing.models import Lead

from .checks import both, lead_of, nobody_promoted, script, shown_escaped
from .vocabulary import Case, form, imported, url

FIXTURES = Path(__file__).parents[1] / "marketing" / "fixtures"  # damaged excerpts: see its README.md
PEOPLE = "email,First Name,Last Name,Company,Job Title,Notes\n"
ADA = "ada@corp.example,Ada,Lovelace,Analytical,CTO,\n"


def landed(leads: int, refused: int = 0) -> dict[str, int]:
    """What an import that lands `leads` new leads and refuses `refused` rows adds."""
    return {
        "marketing.LeadImport": 1,
        "marketing.Lead": leads,
        "marketing.Touchpoint": leads,
        "marketing.LeadStageChange": leads,
        "marketing.ImportRowError": refused,
        "marketing.ScoreChange": leads,  # imported leads are scored as they land
    }


def refused_file(what: str, content: bytes, says: str, **more) -> Case:
    return Case(what, "marketer", imported(content), 400, field="file", says=says, **more)


def attributes_of(email: str, **expected):
    def check(cast, response):
        attributes = lead_of(email).attributes
        assert {name: attributes.get(name) for name in expected} == expected

    return check


def companies_are(*companies: str):
    def check(cast, response):
        imported_leads = Lead.objects.filter(touchpoints__kind="import").exclude(company="")
        assert sorted(imported_leads.values_list("company", flat=True)) == sorted(companies)

    return check


CSV = [
    Case(
        "a byte-order mark before the header",
        "marketer",
        imported("\ufeffEmail,Name\nada@corp.example,Ada Lovelace\n".encode()),
        200,
        changes=landed(1),
        then=lambda cast, response: _named("ada@corp.example", "Ada", "Lovelace"),
    ),
    Case(
        "Latin-1, `;` and a quoted line break",
        "marketer",
        imported(
            'email;Nom;Société;Notes\nzoe@cafe.example;Zoë Café;Crème SA;"line one\nline two"\n'.encode("latin-1")
        ),
        200,
        changes=landed(1),
        then=attributes_of("zoe@cafe.example", Notes="line one\nline two", Société="Crème SA"),
    ),
    Case(
        "a header left empty",
        "marketer",
        imported(b"email,,Notes\nada@corp.example,x,1\n"),
        200,
        changes=landed(1),
        then=attributes_of("ada@corp.example", **{"Column 2": "x", "Notes": "1"}),
    ),
    Case(
        "a header repeated (not a lead field)",
        "marketer",
        imported(b"email,Notes,notes\nada@corp.example,1,2\n"),
        200,
        changes=landed(1),
        then=attributes_of("ada@corp.example", **{"Notes": "1", "notes (2)": "2"}),
    ),
    refused_file(
        "a lead field named twice",
        b"email,First Name,Email\nada@corp.example,Ada,ada@home.example\n",
        "The column “email” appears 2 times (columns 1 and 3)",
    ),
    Case(
        "one field of 200 KB among good rows",
        "marketer",
        imported((PEOPLE + ADA + f"long@corp.example,Long,Notes,X,Y,{'x' * 200_000}\n").encode()),
        200,
        says="“Notes” is 200,000 characters; at most 2,000.",
        changes=landed(1, refused=1),
    ),
    Case(
        "bad addresses among good rows",
        "marketer",
        imported(
            (PEOPLE + "not-an-email,Bad,Row,X,Y,\n" + ADA + '"x@y.example\r\nBcc: z@w.example",A,B,C,D,\n').encode()
        ),
        200,
        says="Enter a valid email address.",
        changes=landed(1, refused=2),
    ),
    Case(
        "an unclosed quote among good rows",
        "marketer",
        imported((FIXTURES / "fortune1000_unclosed_quote.csv").read_bytes(), "fortune1000.csv"),
        200,
        says="on line 3 and is never closed",
        changes=landed(4, refused=1),
    ),
    Case(
        "UTF-8 and Latin-1 lines in one file",
        "marketer",
        imported((FIXTURES / "fortune1000_mixed_encoding.csv").read_bytes(), "fortune1000.csv"),
        200,
        changes=landed(5),
        then=companies_are("Estée Lauder", "M&T Bank", "MasTec", "Philip Morris International", "UPS"),
    ),
    Case(
        "<script> in every cell",
        "marketer",
        imported(
            (
                PEOPLE
                + f"ada@corp.example,{script('first')},{script('last')},{script('company')},{script('title')},x\n"
            ).encode()
        ),
        200,
        changes=landed(1),
        then=shown_escaped(
            (
                "marketer",
                lambda w: lead_of("ada@corp.example").get_absolute_url(),
                (script("first"), script("last"), script("company"), script("title")),
            ),
        ),
    ),
    refused_file("a PNG renamed .csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a PNG image"),
    refused_file(
        "an Excel workbook renamed .csv", b"PK\x03\x04\x14\x00\x06\x00workbook", "looks like an Excel workbook"
    ),
    refused_file("binary bytes renamed .csv", b"email,name\x00\x01\x02\n", "binary data"),
    refused_file("no header, only rows", b"\n\nada@corp.example,Ada\n", "should name the columns"),
    refused_file(
        "a file over the limit",
        (PEOPLE + ADA * 30_000).encode(),
        "imports take at most 1 MB",
        settings={"LEADFLOW_IMPORT_MAX_MB": 1},
    ),
    Case("an empty file", "marketer", imported(b""), 400, field="file"),
]


def _named(email: str, first: str, last: str) -> None:
    lead = lead_of(email)
    assert (lead.first_name, lead.last_name) == (first, last)


TOKENS = url("accounts:tokens")

ACCOUNT = [
    Case(
        "another user and is_staff added to the new token form, <script> in its name",
        "marketer",
        form(TOKENS, "Create token", name=script("token"), user=lambda w: str(w.admin.pk), is_staff="on"),
        201,
        changes={"accounts.ApiToken": 1},
        then=both(
            lambda cast, response: _owned_by(cast.world.marketer, script("token")),
            nobody_promoted,
            shown_escaped(("marketer", TOKENS, (script("token"),))),
        ),
    ),
    Case("a token name of 1 MB", "marketer", form(TOKENS, "Create token", name="x" * 1_000_000), 400, field="name"),
    Case(
        "a token that expires in 10^6 days",
        "marketer",
        form(TOKENS, "Create token", name="CI", expires="1000000"),
        400,
        "expires",
    ),
    Case(
        "is_staff and is_superuser added to the password form",
        "marketer",
        form(
            lambda w: reverse("password_change"),
            "Change password",
            old_password="wrong",
            new_password1="a-quite-new-passphrase-42",
            new_password2="a-quite-new-passphrase-42",
            is_staff="on",
            is_superuser="on",
        ),
        400,
        field="old_password",
        then=nobody_promoted,
    ),
]


def _owned_by(user, name: str) -> None:
    assert ApiToken.objects.get(name=name).user_id == user.pk
