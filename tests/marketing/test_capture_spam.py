"""Spam on the public form (docs/RELIABILITY.md): bots are thanked and forgotten, floods get 429."""

import time

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django.asserts import assertContains

from guards import ratelimit
from marketing import spam
from marketing.models import Lead, Touchpoint
from tests.marketing.visitors import form_url, submit, token_for, token_in

pytestmark = pytest.mark.django_db


def thanked(response, campaign) -> bool:
    return response.status_code == 302 and response["Location"].endswith(f"/forms/{campaign.utm_campaign}/thanks/")


def test_a_person_who_took_their_time_is_captured(campaign):
    assert thanked(submit(campaign), campaign)
    assert Lead.objects.count() == 1


def test_the_page_carries_a_token_for_this_campaign(campaign):
    token = token_in(Client().get(form_url(campaign)))
    assert spam.check_token(token, campaign.pk, now=time.time() + 5).verdict is spam.Verdict.OK
    assert spam.check_token(token, campaign.pk + 1, now=time.time() + 5).verdict is spam.Verdict.INVALID


def test_a_filled_honeypot_looks_accepted_and_stores_nothing(campaign):
    response = submit(campaign, website="http://cheap-pills.example")
    assert thanked(response, campaign)
    assert not Lead.objects.exists()


def test_a_post_faster_than_a_person_looks_accepted_and_stores_nothing(campaign):
    response = submit(campaign, token=token_for(campaign, seconds_ago=0.2))
    assert thanked(response, campaign)
    assert not Lead.objects.exists()


def test_a_replayed_token_looks_accepted_and_adds_no_touchpoint(campaign):
    token = token_for(campaign)
    assert thanked(submit(campaign, token=token), campaign)
    assert thanked(submit(campaign, token=token, first_name="Mallory", email="other@corp.example"), campaign)
    assert list(Lead.objects.values_list("email_normalized", flat=True)) == ["ada@analytical.example"]
    assert Touchpoint.objects.count() == 1


def test_a_double_click_makes_one_lead_and_one_touchpoint(campaign):
    token = token_for(campaign)
    first, second = submit(campaign, token=token), submit(campaign, token=token)
    assert thanked(first, campaign) and thanked(second, campaign)
    assert (Lead.objects.count(), Touchpoint.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="missing"),
        pytest.param("forged:value", id="forged"),
        pytest.param(None, id="another-campaign"),
    ],
)
def test_a_bad_token_is_a_400_that_keeps_what_was_typed_and_stores_nothing(campaign, token):
    if token is None:
        token = spam.make_token(campaign.pk + 1, now=time.time() - 10)
    response = submit(campaign, token=token, company="Analytical Engines")
    assertContains(response, "open too long or was changed", status_code=400)
    assertContains(response, 'value="Analytical Engines"', status_code=400)
    assert not Lead.objects.exists()
    assert spam.check_token(token_in(response), campaign.pk, now=time.time() + 5).verdict is spam.Verdict.OK


def test_a_page_left_open_for_days_asks_to_send_again(campaign):
    response = submit(campaign, token=token_for(campaign, seconds_ago=3 * 86400))
    assertContains(response, "open too long", status_code=400)
    assert not Lead.objects.exists()


def test_over_the_per_ip_rate_is_a_429_with_retry_after(settings, campaign):
    settings.LEADFLOW_FORM_IP_RATE = "3/minute"
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        assert thanked(submit(campaign, visitor, email=f"p{n}@corp.example"), campaign)
    refused = submit(campaign, visitor, email="p4@corp.example")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 2 * 60  # the next window still weighs this one
    assertContains(refused, f"try again in {max(1, round(int(refused['Retry-After']) / 60))} minute", status_code=429)
    assert Lead.objects.count() == 3
    assert thanked(submit(campaign, Client(REMOTE_ADDR="203.0.113.8"), email="p5@corp.example"), campaign)


def test_a_forwarded_for_header_does_not_buy_a_fresh_address_without_trusted_proxies(settings, campaign):
    settings.LEADFLOW_FORM_IP_RATE = "2/minute"
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        submit(campaign, visitor, email=f"x{n}@corp.example", forwarded_for=f"198.51.100.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 429, 429]


def test_behind_one_trusted_proxy_the_real_client_address_is_limited(settings, campaign):
    settings.LEADFLOW_FORM_IP_RATE = "2/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    first = [submit(campaign, proxy, email=f"a{n}@corp.example", forwarded_for="198.51.100.1") for n in range(3)]
    other = submit(campaign, proxy, email="b@corp.example", forwarded_for="198.51.100.2")
    assert [response.status_code for response in first] == [302, 302, 429]
    assert other.status_code == 302


def test_over_the_per_email_rate_is_a_429_whatever_the_address(settings, campaign):
    settings.LEADFLOW_FORM_EMAIL_RATE = "2/hour"
    for n in range(2):
        assert thanked(submit(campaign, Client(REMOTE_ADDR=f"203.0.113.{20 + n}")), campaign)
    refused = submit(campaign, Client(REMOTE_ADDR="203.0.113.30"), email=" ADA@Analytical.example")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 60
    assert Touchpoint.objects.count() == 2


def test_the_form_still_captures_when_the_cache_is_down(settings, campaign):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    cache.close()
    response = submit(campaign)
    assert thanked(response, campaign)
    assert Lead.objects.count() == 1


@pytest.mark.parametrize(
    ("rate", "offsets"),
    [
        pytest.param("2/hour", [3590, 3595, 3599], id="hourly-refused-seconds-before-the-window-ends"),
        pytest.param("3/minute", [10, 11, 12, 13], id="a-burst-mid-window"),
        pytest.param("3/minute", [50, 55, 58, 61, 62], id="a-burst-across-the-window-edge"),
        pytest.param("3/hour", [3000, 3100, 3200, 3700], id="previous-window-still-weighing"),
    ],
)
def test_a_client_told_to_retry_after_n_seconds_is_let_through_then_and_not_a_second_before(rate, offsets):
    """Retry-After used to be the end of the current window, where the next one still
    weighed this one's count: told 5 seconds, refused again for most of an hour."""
    start = 1_000_000 * 3600  # a window boundary for every period

    def replay(ident: str) -> ratelimit.Decision:
        for offset in offsets:
            decision = ratelimit.hit("test", ident, rate, now=start + offset)
        return decision

    refused = replay("a")
    assert not refused.allowed
    last = start + offsets[-1]
    replay("b"), replay("c")
    assert ratelimit.hit("test", "b", rate, now=last + refused.retry_after).allowed
    assert not ratelimit.hit("test", "c", rate, now=last + refused.retry_after - 1).allowed
