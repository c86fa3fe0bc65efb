"""The client's address behind 0, 1 or 2 trusted proxies (guards/net.py): what a client writes
into X-Forwarded-For itself is never read as its address."""

import pytest
from django.test import RequestFactory

from guards.net import client_ip

REMOTE = "10.0.0.1"  # the peer the server sees: the client itself, or the nearest proxy


def address(settings, proxies: int, forwarded: str | None) -> str:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=REMOTE, **headers))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        pytest.param(0, None, REMOTE, id="no-proxy"),
        pytest.param(0, "198.51.100.7", REMOTE, id="no-proxy-a-forged-header-is-ignored"),
        pytest.param(0, "198.51.100.7, 203.0.113.5", REMOTE, id="no-proxy-a-forged-chain-is-ignored"),
        pytest.param(1, "203.0.113.5", "203.0.113.5", id="one-proxy"),
        pytest.param(1, "198.51.100.7, 203.0.113.5", "203.0.113.5", id="one-proxy-the-forged-entry-is-left-of-it"),
        pytest.param(1, " 203.0.113.5 ", "203.0.113.5", id="one-proxy-spaces"),
        pytest.param(1, None, REMOTE, id="one-proxy-no-header"),
        pytest.param(1, " , ", REMOTE, id="one-proxy-an-empty-header"),
        pytest.param(2, "203.0.113.5, 10.1.1.1", "203.0.113.5", id="two-proxies"),
        pytest.param(2, "198.51.100.7, 203.0.113.5, 10.1.1.1", "203.0.113.5", id="two-proxies-a-forged-entry"),
        pytest.param(2, "203.0.113.5", "203.0.113.5", id="two-proxies-a-shorter-chain"),
        pytest.param(2, "203.0.113.5,,10.1.1.1", "203.0.113.5", id="two-proxies-an-empty-entry"),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxies_vouch_for(settings, proxies, forwarded, client):
    assert address(settings, proxies, forwarded) == client


def test_rotating_the_header_behind_one_proxy_never_changes_the_address(settings):
    seen = {address(settings, 1, f"192.0.2.{n}, 203.0.113.5") for n in range(20)}
    assert seen == {"203.0.113.5"}
