"""Brute force on the login page: a username, then an address, is paused after too many failures."""

import re
import socket
import time

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
WRONG = "not the password"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LEADFLOW_LOGIN_MAX_FAILURES = 5
    settings.LEADFLOW_LOGIN_IP_MAX_FAILURES = 20
    settings.LEADFLOW_LOGIN_LOCKOUT_SECONDS = 900


def log_in(username: str, password: str, *, ip: str = "203.0.113.7", forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": password}, headers=headers)


def fail(username: str, times: int, **kwargs) -> list[int]:
    return [log_in(username, WRONG, **kwargs).status_code for _ in range(times)]


def alert(response) -> str:
    return re.search(r'role="alert">(.*?)</div>', response.content.decode(), re.S).group(1)


def is_logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_the_right_password_logs_in(marketer):
    assert is_logged_in(log_in("maria", PASSWORD))


def test_after_five_failures_even_the_right_password_is_refused_with_429(marketer):
    assert fail("maria", 4) == [200] * 4
    fifth = log_in("maria", WRONG)
    assert fifth.status_code == 429  # the failure that locks says so at once
    response = log_in("maria", PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(response)
    assert 890 <= int(response["Retry-After"]) <= 900
    page = response.content.decode()
    assert "Too many failed log-in attempts" in page
    assert "try again in 15 minutes" in page
    assert 'class="message message-error" role="alert"' in page


def test_the_lockout_ignores_the_usernames_case_and_width(marketer):
    fail("Maria", 3)
    fail("MARIA", 1)
    fail("ｍａｒｉａ", 1)  # full-width letters: the same name once NFKC-normalised
    assert log_in("maria", PASSWORD).status_code == 429


def test_an_unknown_username_gets_the_same_answer_as_a_real_one(marketer):
    fail("maria", 5)
    fail("nobody-by-this-name", 5)
    real, unknown = log_in("maria", PASSWORD), log_in("nobody-by-this-name", WRONG)
    assert real.status_code == unknown.status_code == 429
    assert alert(real) == alert(unknown)
    assert abs(int(real["Retry-After"]) - int(unknown["Retry-After"])) <= 1


def test_a_successful_login_starts_the_count_again(marketer):
    fail("maria", 4)
    assert is_logged_in(log_in("maria", PASSWORD))
    assert fail("maria", 4) == [200] * 4
    assert is_logged_in(log_in("maria", PASSWORD))


def test_one_users_lockout_does_not_lock_another(marketer, rep):
    fail("maria", 5)
    assert is_logged_in(log_in("sam", PASSWORD))


def test_the_lockout_ends_when_its_window_has_passed(settings, marketer):
    settings.LEADFLOW_LOGIN_LOCKOUT_SECONDS = 2
    started = time.time()
    fail("maria", 5)
    locked = log_in("maria", PASSWORD)
    assert time.time() - started < 2, "too slow to fail five times inside the window"
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) in (1, 2)
    time.sleep(max(0, started + 2.05 - time.time()))
    assert is_logged_in(log_in("maria", PASSWORD))


def test_one_address_cannot_spray_many_usernames(marketer):
    for n in range(20):  # 20 names, once each: no username reaches its own limit
        assert log_in(f"guess{n}", WRONG).status_code == (429 if n == 19 else 200)
    response = log_in("maria", PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(response)
    assert is_logged_in(log_in("maria", PASSWORD, ip="198.51.100.9"))  # from elsewhere she still can


def test_a_successful_login_does_not_reset_the_address_counter(marketer, rep):
    for n in range(19):
        log_in(f"guess{n}", WRONG)
    assert is_logged_in(log_in("sam", PASSWORD))  # the attacker's own account
    log_in("guess-after", WRONG)
    assert log_in("maria", PASSWORD).status_code == 429


def test_a_forged_x_forwarded_for_does_not_make_a_new_address_without_proxies(settings, marketer):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    for n in range(20):
        log_in(f"guess{n}", WRONG, forwarded=f"192.0.2.{n}")
    assert log_in("maria", PASSWORD, forwarded="192.0.2.200").status_code == 429


def test_behind_one_proxy_the_forwarded_address_is_the_client(settings, marketer):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(20):  # one attacker behind the proxy, rotating what it claims before it
        log_in(f"guess{n}", WRONG, ip="10.0.0.1", forwarded=f"192.0.2.{n}, 203.0.113.50")
    assert log_in("maria", PASSWORD, ip="10.0.0.1", forwarded="203.0.113.50").status_code == 429
    assert is_logged_in(log_in("maria", PASSWORD, ip="10.0.0.1", forwarded="203.0.113.51"))


def admin_log_in(username: str, password: str, *, ip: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=ip).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}
    )


def test_the_admin_login_page_is_behind_the_same_lockout_and_answers_429(admin_user):
    fail("root", 5)
    response = admin_log_in("root", PASSWORD)
    assert response.status_code == 429
    assert 890 <= int(response["Retry-After"]) <= 900
    assert "_auth_user_id" not in response.client.session
    assert "Too many failed log-in attempts" in response.content.decode()


def test_the_admin_login_answers_429_for_a_locked_address_too(admin_user):
    for n in range(20):
        log_in(f"guess{n}", WRONG)
    response = admin_log_in("root", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session
    assert admin_log_in("root", PASSWORD, ip="198.51.100.9").status_code == 302  # from elsewhere the admin still can


def test_failures_on_the_admin_login_count_too(admin_user):
    assert [admin_log_in("root", WRONG).status_code for _ in range(5)] == [200] * 4 + [429]
    assert log_in("root", PASSWORD).status_code == 429


def test_the_admin_login_still_logs_an_admin_in(admin_user):
    response = admin_log_in("root", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert "_auth_user_id" in response.client.session


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when we return: nothing listens


def test_a_cache_outage_does_not_lock_everybody_out(settings, marketer):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert fail("maria", 6) == [200] * 6
    assert is_logged_in(log_in("maria", PASSWORD))
