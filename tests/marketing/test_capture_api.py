"""POST /api/v1/capture/: JSON in, JSON out; bad input is a 4xx naming the field and stores nothing.

Anonymous callers learn nothing about who is in the CRM and change no one who is; a key of
someone who may edit every lead gets the lead's id and may fill its blanks (README, "The
capture API").
"""

import json
import secrets

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from leadflow.accounts import services as accounts
from marketing.models import Lead, LeadStageChange, Stage, Touchpoint
from tests import factories
from tests.conftest import logged_in
from tests.marketing.visitors import submit

pytestmark = pytest.mark.django_db

URL = reverse("marketing-api:capture")
ADA = {"email": "ada@analytical.example", "first_name": "Ada", "last_name": "Lovelace"}
ACCEPTED = {"accepted": True}


@pytest.fixture
def fresh_ip():
    """A client address of its own (the marketing tests' cache is their own, too)."""
    return lambda: f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@pytest.fixture
def visitor(fresh_ip) -> Client:
    """An anonymous caller with an address of its own."""
    return Client(REMOTE_ADDR=fresh_ip())


def post_json(visitor: Client, payload, **extra):
    return visitor.post(URL, json.dumps(payload), content_type="application/json", **extra)


def post_raw(visitor: Client, body, content_type: str = "application/json"):
    return visitor.post(URL, body, content_type=content_type)


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def assert_nothing_stored() -> None:
    assert not Lead.objects.exists()
    assert not Touchpoint.objects.exists()
    assert not LeadStageChange.objects.exists()


def with_key(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {accounts.create_api_token(user=user, name='Integration').secret}"}


def lead_row() -> dict:
    return Lead.objects.values().get()


def test_a_new_address_is_created_with_an_api_touchpoint(visitor, campaign):
    response = post_json(visitor, {**ADA, "campaign": campaign.utm_campaign, "consent_text": "Yes, news."})
    assert response.status_code == 202
    lead = Lead.objects.get()
    assert (lead.email_normalized, lead.first_name, lead.first_touch_campaign) == (ADA["email"], "Ada", campaign)
    assert (lead.consent_text, lead.consent_source) == ("Yes, news.", "API")
    assert lead.touchpoints.get().kind == Touchpoint.Kind.API


def test_the_same_address_in_other_case_is_the_existing_lead(visitor):
    post_json(visitor, ADA)
    response = post_json(visitor, {"email": "  ADA@Analytical.Example "})
    assert response.status_code == 202
    assert Lead.objects.count() == 1
    assert Touchpoint.objects.count() == 2


def test_an_anonymous_caller_gets_the_same_answer_for_a_new_and_a_known_person(visitor):
    """Else the endpoint tells anyone who is in the CRM, and their internal id."""
    factories.capture("known@corp.example")
    known = post_json(visitor, {"email": "known@corp.example"})
    new = post_json(visitor, {"email": "new@corp.example"})
    assert (known.status_code, known.json()) == (new.status_code, new.json()) == (202, ACCEPTED)
    assert Lead.objects.count() == 2


def test_an_anonymous_capture_of_a_known_person_records_the_visit_but_changes_no_consent_or_profile(visitor):
    factories.capture(ADA["email"], first_name="Ada", last_name="")
    before = lead_row()
    payload = {**ADA, "last_name": "King", "phone": "+44 20 7946 0000", "consent_text": "Yes, everything."}
    assert post_json(visitor, payload).status_code == 202
    after = lead_row()
    assert (after["last_name"], after["phone"], after["consent_given_at"], after["consent_text"]) == ("", "", None, "")
    assert after["last_touch_at"] > before["last_touch_at"]
    assert list(Touchpoint.objects.values_list("kind", flat=True)) == [Touchpoint.Kind.FORM_SUBMIT, Touchpoint.Kind.API]


def test_a_marketers_key_gets_the_id_and_whether_the_lead_was_created(visitor, marketer):
    key = with_key(marketer)
    first = post_json(visitor, ADA, **key)
    lead = Lead.objects.get()
    assert (first.status_code, first.json()) == (201, {"id": lead.pk, "created": True})
    again = post_json(visitor, ADA, **key)
    assert (again.status_code, again.json()) == (200, {"id": lead.pk, "created": False})


def test_a_marketers_key_fills_a_known_persons_blanks_and_consent_but_overwrites_nothing(visitor, marketer):
    factories.capture(ADA["email"], first_name="Ada", last_name="")
    payload = {**ADA, "first_name": "Mallory", "last_name": "King", "consent_text": "Yes, news."}
    assert post_json(visitor, payload, **with_key(marketer)).status_code == 200
    after = lead_row()
    assert (after["first_name"], after["last_name"], after["consent_text"]) == ("Ada", "King", "Yes, news.")
    assert after["consent_given_at"] is not None


def test_a_salespersons_key_gets_the_anonymous_answer_and_changes_no_one(visitor, rep):
    factories.capture(ADA["email"], last_name="")
    response = post_json(visitor, {**ADA, "last_name": "King", "consent_text": "Yes"}, **with_key(rep))
    assert (response.status_code, response.json()) == (202, ACCEPTED)
    assert (lead_row()["last_name"], lead_row()["consent_given_at"]) == ("", None)


def test_a_logged_in_browser_captures_anonymously_without_a_csrf_token(marketer, fresh_ip):
    """A website's script run in a marketer's browser: the session cookie is ignored, not refused."""
    browser = logged_in(marketer)
    browser.defaults["REMOTE_ADDR"] = fresh_ip()
    browser.handler.enforce_csrf_checks = True
    response = post_json(browser, ADA)
    assert (response.status_code, response.json()) == (202, ACCEPTED)


@pytest.mark.parametrize("header", ["Bearer lf_00000000_not-a-real-secret", "Bearer", "Bearer a b"])
def test_a_bad_key_is_a_401_and_stores_nothing(visitor, header):
    assert "detail" in assert_json_error(post_json(visitor, ADA, HTTP_AUTHORIZATION=header), 401)
    assert_nothing_stored()


def test_a_revoked_key_is_a_401_and_stores_nothing(visitor, marketer):
    issued = accounts.create_api_token(user=marketer, name="Old")
    accounts.revoke_api_token(user=marketer, token_id=issued.token.pk)
    assert_json_error(post_json(visitor, ADA, HTTP_AUTHORIZATION=f"Bearer {issued.secret}"), 401)
    assert_nothing_stored()


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("4711@x-education-leads.import.invalid", id="import-placeholder"),
        pytest.param("4711@X-Education-Leads.Import.Invalid", id="import-placeholder-other-case"),
        pytest.param("lead-1@merged.invalid", id="merged-duplicate"),
    ],
)
def test_an_address_only_an_import_makes_is_a_400_on_the_email_field_and_changes_nothing(visitor, marketer, email):
    factories.capture("4711@x-education-leads.import.invalid", touch_kind=Touchpoint.Kind.IMPORT, last_name="")
    before = (lead_row(), Touchpoint.objects.count())
    for extra in ({}, with_key(marketer)):
        errors = assert_json_error(post_json(visitor, {"email": email, "last_name": "X"}, **extra), 400)
        assert "never receive email" in errors["email"][0]
    assert (lead_row(), Touchpoint.objects.count()) == before


def test_the_punycode_spelling_of_a_known_domain_is_the_known_lead(visitor):
    post_json(visitor, {"email": "user@bücher.example"})
    post_json(visitor, {"email": "USER@xn--bcher-kva.example"})
    assert (Lead.objects.get().email_normalized, Touchpoint.objects.count()) == ("user@bücher.example", 2)


def test_broken_punycode_is_a_400_on_the_email_field(visitor):
    errors = assert_json_error(post_json(visitor, {"email": "user@xn--zzzzzz.example"}), 400)
    assert errors["email"] == ["Enter a valid email address."]
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({**ADA, "first_name": "x" * 1_000_000}, "first_name", id="1mb-first-name"),
        pytest.param({"email": "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".com"}, "email", id="long-email"),
        pytest.param({"email": "x" * 300_000 + "@b.com"}, "email", id="huge-email"),
        pytest.param({"email": "not-an-email"}, "email", id="invalid-email"),
        pytest.param({"email": "a@b.com\r\nBcc: x@y.com"}, "email", id="crlf-email"),
        pytest.param({"first_name": "Ada"}, "email", id="missing-email"),
        pytest.param({"email": ["ada@analytical.example"]}, "email", id="email-as-list"),
        pytest.param({"email": {"$ne": ""}}, "email", id="email-as-object"),
        pytest.param({**ADA, "source": "carrier_pigeon"}, "source", id="unknown-source"),
        pytest.param({**ADA, "campaign": "no-such-campaign"}, "campaign", id="unknown-campaign"),
        pytest.param({**ADA, "campaign": ["forecasting-webinar"]}, "campaign", id="campaign-as-list"),
        pytest.param({**ADA, "campaign": {"utm_campaign": "x"}}, "campaign", id="campaign-as-object"),
        pytest.param({**ADA, "utm_source": "x" * 201}, "utm_source", id="long-utm"),
        pytest.param({**ADA, "company": [[[["deep"]]]]}, "company", id="company-as-nested-list"),
    ],
)
def test_a_bad_field_is_a_400_naming_it_and_stores_nothing(visitor, campaign, payload, field):
    errors = assert_json_error(post_json(visitor, payload), 400)
    assert field in errors, errors
    assert_nothing_stored()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"a":' * 5000 + "1" + "}" * 5000, id="nested-5000-objects"),
        pytest.param(
            '{"email": "ada@analytical.example", "x": ' + "[" * 5000 + "]" * 5000 + "}", id="nested-5000-lists"
        ),
        pytest.param('{"email": "ada@analytical.example"', id="truncated"),
        pytest.param("{'email': 'ada@analytical.example'}", id="single-quotes"),
        pytest.param('{"email": "ada@analytical.example",}', id="trailing-comma"),
        pytest.param(json.dumps([ADA]), id="top-level-array"),
        pytest.param('"ada@analytical.example"', id="top-level-string"),
        pytest.param("null", id="top-level-null"),
        pytest.param('{"email": "ada@analytical.example", "score": NaN}', id="nan"),
        pytest.param('{"email": "ada@analytical.example", "score": Infinity}', id="infinity"),
        pytest.param('{"email": "ada@analytical.example", "score": -Infinity}', id="minus-infinity"),
        pytest.param('{"email": "ada@analytical.example", "score": 1e400}', id="number-overflowing-to-infinity"),
        pytest.param('{"email": "ada@analytical.example", "score": 1' + "0" * 5000 + "}", id="5000-digit-integer"),
        pytest.param('{"email": "ada@analytical.example", "first_name": "A\\u0000da"}', id="nul-escaped"),
        pytest.param('{"email": "ada@analytical.example", "x\\u0000": 1}', id="nul-in-a-key"),
        pytest.param('{"email": "ada@analytical.example", "first_name": "\\ud800"}', id="lone-surrogate"),
        pytest.param('{"email": "ada@analytical.example", "x": ["\\udfff"]}', id="lone-surrogate-in-list"),
        pytest.param(b'{"email": "ada@analytical.example", "first_name": "\xff\xfe"}', id="not-utf8"),
    ],
)
def test_an_unreadable_document_is_a_400_json_and_stores_nothing(visitor, body):
    assert "detail" in assert_json_error(post_raw(visitor, body), 400)
    assert_nothing_stored()


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=BoUnDaRy", "application/xml"],
)
def test_a_body_that_is_not_json_is_a_415(visitor, content_type):
    assert "detail" in assert_json_error(post_raw(visitor, "email=ada%40analytical.example", content_type), 415)
    assert_nothing_stored()


def test_a_body_over_one_megabyte_is_a_413_json_and_stores_nothing(visitor):
    body = json.dumps({**ADA, "first_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert "1 MB" in assert_json_error(post_raw(visitor, body), 413)["detail"]
    assert_nothing_stored()


def test_get_is_a_405_json(visitor):
    assert_json_error(visitor.get(URL), 405)


def test_keys_outside_the_contract_are_ignored(visitor, rep):
    payload = {
        **ADA,
        "stage": "customer",
        "score": 999,
        "owner": rep.pk,
        "owner_id": rep.pk,
        "is_staff": True,
        "is_superuser": True,
        "recycle_count": 5,
        "consent_given_at": "2020-01-01T00:00:00Z",
        "email_normalized": "someone-else@example.com",
        "review_reason": "",
    }
    assert post_json(visitor, payload).status_code == 202
    lead = Lead.objects.get()
    assert (lead.stage, lead.score, lead.owner, lead.recycle_count) == (Stage.LEAD, 0, None, 0)
    assert (lead.consent_given_at, lead.email_normalized) == (None, ADA["email"])
    rep.refresh_from_db()
    assert (rep.is_staff, rep.is_superuser) == (False, False)


def test_keys_outside_the_contract_do_not_change_an_existing_lead(visitor, rep):
    factories.capture(ADA["email"], first_name="Ada")
    response = post_json(visitor, {**ADA, "first_name": "Mallory", "stage": "customer", "owner": rep.pk, "score": 9})
    assert response.status_code == 202
    lead = Lead.objects.get()
    assert (lead.first_name, lead.stage, lead.owner, lead.score) == ("Ada", Stage.LEAD, None, 0)


def _rate_limit() -> int:
    limit, _, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["capture"].partition("/")
    assert period.startswith("min"), "these tests spend a minute's budget; keep the rate per minute"
    return int(limit)


def test_over_the_rate_one_address_gets_a_429_with_retry_after_and_others_do_not(fresh_ip):
    # DRF reads the rate into the throttle class at import, so the test spends the real
    # budget (LEADFLOW_CAPTURE_RATE, 20/minute by default) with cheap refused requests.
    visitor = Client(REMOTE_ADDR=fresh_ip())
    for _ in range(_rate_limit()):
        assert post_json(visitor, {}).status_code == 400
    response = post_json(visitor, ADA)
    assert "detail" in assert_json_error(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60  # until the window that opened with the first request ends
    assert_nothing_stored()
    assert post_json(Client(REMOTE_ADDR=fresh_ip()), ADA).status_code == 202


def test_a_rotating_x_forwarded_for_does_not_get_past_the_rate(fresh_ip):
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0, "with a proxy in front the client IP is read differently"
    visitor = Client(REMOTE_ADDR=fresh_ip())
    for n in range(_rate_limit()):
        assert post_json(visitor, {}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n % 250}").status_code == 400
    response = post_json(visitor, ADA, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert_json_error(response, 429)
    assert_nothing_stored()


def test_with_the_throttle_cache_down_a_capture_still_lands(settings):
    # Nothing listens on port 1: every cache call fails at once (connection refused).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # No fresh_ip here: its cleanup would run while the cache is still the dead one.
    response = post_json(Client(REMOTE_ADDR="192.0.2.1"), ADA)
    assert response.status_code == 202
    assert Lead.objects.get().email_normalized == ADA["email"]


def test_over_the_per_email_rate_is_a_429_json_with_retry_after_from_any_address(settings, fresh_ip):
    settings.LEADFLOW_FORM_EMAIL_RATE = "2/hour"
    for _ in range(2):
        assert post_json(Client(REMOTE_ADDR=fresh_ip()), ADA).status_code == 202
    before = (lead_row(), Touchpoint.objects.count())
    refused = post_json(Client(REMOTE_ADDR=fresh_ip()), {**ADA, "email": " ADA@Analytical.example", "phone": "1"})
    assert "detail" in assert_json_error(refused, 429)
    assert 60 < int(refused["Retry-After"]) <= 2 * 3600
    assert (lead_row(), Touchpoint.objects.count()) == before
    assert post_json(Client(REMOTE_ADDR=fresh_ip()), {"email": "other@corp.example"}).status_code == 202


def test_the_hosted_form_and_the_api_share_one_budget_per_email(settings, campaign, fresh_ip):
    settings.LEADFLOW_FORM_EMAIL_RATE = "2/hour"
    assert submit(campaign, Client(REMOTE_ADDR=fresh_ip())).status_code == 302
    assert post_json(Client(REMOTE_ADDR=fresh_ip()), ADA).status_code == 202
    assert_json_error(post_json(Client(REMOTE_ADDR=fresh_ip()), ADA), 429)
    assert submit(campaign, Client(REMOTE_ADDR=fresh_ip())).status_code == 429
    assert Touchpoint.objects.count() == 2


def test_a_key_has_a_rate_of_its_own_instead_of_its_address(settings, marketer, fresh_ip):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "capture-key": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ip = fresh_ip()
    key, other_key = with_key(marketer), with_key(marketer)
    for n in range(3):
        assert post_json(Client(REMOTE_ADDR=ip), {"email": f"p{n}@corp.example"}, **key).status_code == 201
    refused = post_json(Client(REMOTE_ADDR=fresh_ip()), {"email": "p9@corp.example"}, **key)
    assert "detail" in assert_json_error(refused, 429)
    assert 0 < int(refused["Retry-After"]) <= 2 * 60
    assert not Lead.objects.filter(email_normalized="p9@corp.example").exists()
    # Neither the key's address nor another key spent that budget.
    assert post_json(Client(REMOTE_ADDR=ip), {"email": "anon@corp.example"}).status_code == 202
    assert post_json(Client(REMOTE_ADDR=ip), {"email": "p8@corp.example"}, **other_key).status_code == 201
