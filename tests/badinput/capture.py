"""Rows of the table: the ways in for anyone, the capture API and a campaign's public form."""

import json

from django.conf import settings
from django.urls import reverse

from marketing.models import Lead, Stage
from marketing.services import lead_forms
from tests import factories
from tests.marketing.visitors import token_for

from .checks import both, exported_as_text, lead_of, nobody_promoted, one_lead, script, shown_escaped, unchanged
from .vocabulary import DROP, Case, api, at, form, raw

CAPTURE = at(reverse("marketing-api:capture"))
KNOWN = "ignatia@ignatia-fresh.example"  # the world's fresh lead (tests/permissions/world.py)
ADA = {"email": "ada@analytical.example", "first_name": "Ada", "last_name": "Lovelace"}
OVER_THE_LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
LEAD_TEXT_FIELDS = ("first_name", "last_name", "company", "title", "phone", "country", "industry")
API_TEXT_FIELDS = (*LEAD_TEXT_FIELDS, "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# A capture that lands: its lead (or not), its touchpoint and the lead's first stay.
LANDS_NEW = {"marketing.Lead": 1, "marketing.Touchpoint": 1, "marketing.LeadStageChange": 1}
LANDS_KNOWN = {"marketing.Lead": 0, "marketing.Touchpoint": 1}


def capture(body, by: str = "visitor", **expect) -> dict:
    return {"by": by, "send": api("POST", CAPTURE, body), **expect}


def unreadable(what: str, body, content_type: str = "application/json", status: int = 400) -> Case:
    return Case(what, "visitor", raw(CAPTURE, body, content_type), status, field="detail")


def bad_field(what: str, body: dict, field: str) -> Case:
    return Case(what, **capture(body, status=400, field=field))


def same_person(what: str, email: str) -> Case:
    """Another spelling of the world's fresh lead: its visit is recorded on that lead."""
    return Case(what, **capture({"email": email}, status=202, changes=LANDS_KNOWN, then=one_lead(KNOWN)))


def lead_page_as(persona: str, email: str):
    return persona, lambda w: reverse("marketing:lead-detail", args=[lead_of(email).pk])


def admin_page_of(email: str):
    return "admin", lambda w: reverse("admin:marketing_lead_change", args=[lead_of(email).pk])


LISTED_FIELDS = ("first_name", "last_name", "company", "title")  # the lead list's columns
SCRIPTED = {"email": "mallory@scripted.example", **{name: script(name) for name in API_TEXT_FIELDS}}


def rendered_as_text(email: str):
    """Each field's script tag is text on the lead page, the lead list, the admin and the export."""
    return both(
        shown_escaped(
            (*lead_page_as("marketer", email), tuple(script(name) for name in LEAD_TEXT_FIELDS)),
            ("marketer", lambda w: reverse("marketing:lead-list"), tuple(script(name) for name in LISTED_FIELDS)),
            (*admin_page_of(email), tuple(script(name) for name in LEAD_TEXT_FIELDS)),
        ),
        exported_as_text("marketer", email, {name: script(name) for name in LEAD_TEXT_FIELDS}),
    )


# Spreadsheets run these; the export must hand them over as text (a leading apostrophe).
FORMULAS = {"first_name": "=1+1", "last_name": "+SUM(A1:A9)", "company": "-2+3", "title": "@cmd|' /C calc'!A0"}

API = [
    # --- oversized, over the limit -------------------------------------------------------------
    bad_field("a 1 MB first name", {**ADA, "first_name": "x" * 1_000_000}, "first_name"),
    Case(
        "a body over the 1 MB limit",
        "visitor",
        raw(CAPTURE, json.dumps({**ADA, "first_name": "x" * OVER_THE_LIMIT})),
        413,
        field="detail",
        says="1 MB",
    ),
    # --- documents no parser should trust ------------------------------------------------------
    unreadable("JSON objects nested 5,000 deep", '{"a":' * 5000 + "1" + "}" * 5000),
    unreadable("JSON lists nested 5,000 deep", '{"email": "a@b.example", "x": ' + "[" * 5000 + "]" * 5000 + "}"),
    unreadable("malformed JSON (cut short)", '{"email": "ada@analytical.example"'),
    unreadable("malformed JSON (single quotes)", "{'email': 'ada@analytical.example'}"),
    unreadable("a top-level array", json.dumps([ADA])),
    unreadable("NaN", '{"email": "ada@analytical.example", "score": NaN}'),
    unreadable("Infinity", '{"email": "ada@analytical.example", "score": Infinity}'),
    unreadable("a number overflowing to infinity", '{"email": "ada@analytical.example", "score": 1e400}'),
    unreadable("a NUL byte in a value", '{"email": "ada@analytical.example", "first_name": "A\\u0000da"}'),
    unreadable("a NUL byte in a key", '{"email": "ada@analytical.example", "x\\u0000": 1}'),
    unreadable("a lone surrogate", '{"email": "ada@analytical.example", "first_name": "\\ud800"}'),
    unreadable("bytes that are not UTF-8", b'{"email": "ada@analytical.example", "first_name": "\xff\xfe"}'),
    unreadable(
        "a form post instead of JSON", "email=ada%40analytical.example", "application/x-www-form-urlencoded", 415
    ),
    unreadable("plain text instead of JSON", '{"email": "ada@analytical.example"}', "text/plain", 415),
    # --- addresses -----------------------------------------------------------------------------
    bad_field("an invalid email", {"email": "not-an-email"}, "email"),
    bad_field("a CRLF-injected email", {"email": "ada@analytical.example\r\nBcc: all@corp.example"}, "email"),
    bad_field("a 255-character email", {"email": "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".com"}, "email"),
    bad_field("an email as a list", {"email": [KNOWN]}, "email"),
    bad_field("an import's stand-in address", {"email": "4711@people.import.invalid"}, "email"),
    same_person("the known address in capitals", "IGNATIA@Ignatia-Fresh.EXAMPLE"),
    same_person("the known address in spaces", "   ignatia@ignatia-fresh.example \t"),
    same_person("the known address in full-width letters", "ｉｇｎａｔｉａ@ｉｇｎａｔｉａ-ｆｒｅｓｈ.example"),
    Case(
        "the known address decomposed (NFD) after a composed (NFC) capture",
        **capture(
            {"email": "zoe\u0308@cafe\u0301.example"},
            status=202,
            setup=lambda w: factories.capture("zo\u00eb@caf\u00e9.example"),
            changes=LANDS_KNOWN,
            then=one_lead("zoë@café.example"),
        ),
    ),
    Case(
        "a look-alike of the known domain (Cyrillic і)",
        **capture(
            {"email": "ignatia@\u0456gnatia-fresh.example"},
            status=202,
            changes=LANDS_NEW,
            then=both(
                one_lead("ignatia@\u0456gnatia-fresh.example", merged_into=None),
                lambda cast, response: _flagged("ignatia@\u0456gnatia-fresh.example"),
                unchanged(Lead, "fresh_lead", "email", "stage", "review_reason", "merged_into_id"),
            ),
        ),
    ),
    # --- enums and mass assignment -------------------------------------------------------------
    bad_field("an unknown source", {**ADA, "source": "carrier_pigeon"}, "source"),
    bad_field("an unknown company size", {**ADA, "company_size": "galactic"}, "company_size"),
    Case(
        "owner, stage, score, consent time and is_staff in the body of a known person",
        **capture(
            lambda w: {
                "email": KNOWN,
                "first_name": "Mallory",
                "stage": Stage.CUSTOMER,
                "score": 999,
                "owner": w.rep.pk,
                "consent_given_at": "2020-01-01T00:00:00Z",
                "is_staff": True,
                "is_superuser": True,
            },
            status=202,
            changes=LANDS_KNOWN,
            then=both(
                unchanged(Lead, "fresh_lead", "first_name", "stage", "score", "owner_id", "consent_given_at"),
                nobody_promoted,
            ),
        ),
    ),
    Case(
        "formulas in the text fields (= + - @)",
        **capture(
            {"email": "formula@corp.example", **FORMULAS},
            status=202,
            changes=LANDS_NEW,
            then=exported_as_text(
                "marketer",
                "formula@corp.example",
                {**{name: "'" + value for name, value in FORMULAS.items()}, "score": "0"},
            ),
        ),
    ),
    # --- markup --------------------------------------------------------------------------------
    Case(
        "<script> in every text field",
        **capture(
            SCRIPTED,
            status=202,
            changes=LANDS_NEW,
            then=both(
                one_lead(SCRIPTED["email"], **{name: SCRIPTED[name] for name in API_TEXT_FIELDS}),
                rendered_as_text(SCRIPTED["email"]),
            ),
        ),
    ),
]


def _flagged(email: str) -> None:
    assert "mixes alphabets" in lead_of(email).review_reason


# --- the public form ---------------------------------------------------------------------------
def _form_page(w) -> str:
    return reverse("marketing:capture-form", args=[w.campaign.utm_campaign])


def _every_field(w) -> None:
    """The campaign's form asks for every field a form may ask for."""
    lead_forms.save_form_settings(
        campaign_id=w.campaign.pk,
        fields=[*LEAD_TEXT_FIELDS, "company_size"],
        required_fields=[],
        is_open=True,
    )


def typed(what: str, expect: dict, **changes) -> Case:
    """The public form as a visitor's browser renders it, with `changes` typed in (and a token
    from 10 seconds ago: a person, not a bot)."""
    send = form(_form_page, "Send", form_token=lambda w: token_for(w.campaign), **changes)
    return Case(what, "visitor", send, setup=_every_field, **expect)


FORM = [
    typed("a 1 MB first name", {"status": 400, "field": "first_name"}, email=ADA["email"], first_name="x" * 1_000_000),
    typed("a body over the 1 MB limit", {"status": 400}, email=ADA["email"], first_name="x" * OVER_THE_LIMIT),
    typed("an invalid email", {"status": 400, "field": "email"}, email="ada@"),
    typed("a CRLF-injected email", {"status": 400, "field": "email"}, email="ada@analytical.example\r\nBcc: x@y.z"),
    typed("a 255-character email", {"status": 400, "field": "email"}, email="a" * 243 + "@corp.example"),
    typed("a NUL byte in the company", {"status": 400, "field": "company"}, email=ADA["email"], company="AC\x00ME"),
    typed("an unknown company size", {"status": 400, "field": "company_size"}, email=ADA["email"], company_size="xl"),
    typed("no email at all", {"status": 400, "field": "email"}, email=DROP),
    typed(
        "a NUL byte in a hidden UTM field",
        {"status": 400, "says": "utm_source: "},
        email=ADA["email"],
        utm_source="a\x00",
    ),
    Case(
        # Bytes that are not UTF-8 reach the form as U+FFFD: no lone surrogate is ever stored.
        "a lone surrogate's bytes (ED A0 80) in the first name",
        "visitor",
        raw(
            _form_page,
            lambda w: f"email=ada%40analytical.example&form_token={token_for(w.campaign)}&first_name=%ED%A0%80",
            "application/x-www-form-urlencoded",
        ),
        302,
        setup=_every_field,
        changes=LANDS_NEW,
        then=one_lead(ADA["email"], first_name="\ufffd" * 3),
    ),
    typed(
        "the known address in capitals and spaces",
        {"status": 302, "changes": LANDS_KNOWN, "then": one_lead(KNOWN)},
        email="  IGNATIA@ignatia-fresh.example ",
    ),
    typed(
        "the known address in full-width letters",
        {"status": 302, "changes": LANDS_KNOWN, "then": one_lead(KNOWN)},
        email="ｉｇｎａｔｉａ@ignatia-fresh.example",
    ),
    typed(
        "a look-alike of the known domain (Cyrillic і)",
        {
            "status": 302,
            "changes": LANDS_NEW,
            "then": lambda cast, response: _flagged("ignatia@\u0456gnatia-fresh.example"),
        },
        email="ignatia@\u0456gnatia-fresh.example",
    ),
    typed(
        "stage, score, owner and consent time added to the form",
        {
            "status": 302,
            "changes": LANDS_NEW,
            "then": one_lead(ADA["email"], stage=Stage.LEAD, score=0, owner=None, consent_given_at=None),
        },
        email=ADA["email"],
        stage=Stage.CUSTOMER,
        score="999",
        owner=lambda w: str(w.rep.pk),
        consent_given_at="2020-01-01T00:00",
    ),
    typed(
        "<script> in every text field",
        {
            "status": 302,
            "changes": LANDS_NEW,
            "then": rendered_as_text(ADA["email"]),
        },
        email=ADA["email"],
        **{name: script(name) for name in LEAD_TEXT_FIELDS},
    ),
]
