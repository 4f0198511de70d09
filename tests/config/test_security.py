"""Signing in is limited per client address and per account on every login path (the API's
token, the sign-in page, the admin's), counted where every process sees it; a refusal is 429
with Retry-After in the caller's language. Pages carry a Content-Security-Policy."""

import html
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from config.security import LoginRateThrottle
from roles.models import User
from tests.conftest import ROOT

TOKEN = "/api/auth/token/"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
REFUSAL = {
    "sq": "Shumë përpjekje për t'u identifikuar",
    "sr-latn": "Previše pokušaja prijave",
    "sr": "Превише покушаја пријаве",
    "en": "Too many sign-in attempts",
}


def rates(login: str) -> Any:
    """The test settings' rates are high; a test of the limit names its own."""
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"token": "1000/min", "login": login},
        }
    )


def new_address() -> str:
    """A client address of the test's own: the cache outlives each test's database."""
    value = uuid.uuid4().int
    return f"10.{value % 250}.{value // 250 % 250}.{value // 62500 % 250 + 1}"


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user(username=f"u{uuid.uuid4().hex[:10]}", password="right-one")


@pytest.fixture
def locking() -> Iterator[None]:
    """django-axes on (the test settings turn it off), three failures to a lockout."""
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3):
        yield


def token(username: str, password: str, address: str, **headers: Any) -> Any:
    return APIClient().post(
        TOKEN,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def page_login(path: str, username: str, password: str, address: str, **headers: Any) -> Any:
    client = Client()
    response: Any = client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )
    response.signed_in = "_auth_user_id" in client.session
    return response


def assert_refused(response: Any, language: str = "sq") -> None:
    assert response.status_code == 429, response.content[:300]
    assert int(response["Retry-After"]) >= 1
    if response["Content-Type"] == "application/json":
        text = response.json()["error"]["message"]
    else:
        text = html.unescape(response.content.decode())
    assert REFUSAL[language] in text


# --- The client's address -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "203.0.113.9"),  # no proxy of ours: the header is the client's own
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # what our proxy saw, not what was sent
        (2, "6.6.6.6, 198.51.100.7, 192.0.2.1", "198.51.100.7"),
        (1, "", "203.0.113.9"),
        (1, "not-an-address", "203.0.113.9"),
    ],
)
def test_the_client_address_is_taken_from_the_trusted_proxies_only(
    proxies: int, forwarded: str, expected: str
) -> None:
    from django.test import RequestFactory

    from config.security import client_address

    request = RequestFactory().post(
        TOKEN, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forwarded
    )
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == expected


# --- Requests per address, in the shared cache ---------------------------------------------


def test_token_requests_per_address_are_limited_whatever_x_forwarded_for_says(
    user: User,
) -> None:
    address = new_address()
    with rates("3/min"):
        for attempt in range(3):
            response = token(
                user.username, "wrong", address, HTTP_X_FORWARDED_FOR=f"1.1.1.{attempt}"
            )
            assert response.status_code == 400
        response = token(user.username, "right-one", address, HTTP_X_FORWARDED_FOR="9.9.9.9")
    assert_refused(response)
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) <= 60
    # Another address is not held back.
    with rates("3/min"):
        assert token(user.username, "right-one", new_address()).status_code == 200


def test_behind_a_trusted_proxy_each_client_is_counted_apart(user: User) -> None:
    proxy = new_address()
    with rates("2/min"), override_settings(TRUSTED_PROXY_COUNT=1):
        first, second = new_address(), new_address()
        for _ in range(2):
            assert (
                token(user.username, "wrong", proxy, HTTP_X_FORWARDED_FOR=first).status_code == 400
            )
        assert_refused(token(user.username, "wrong", proxy, HTTP_X_FORWARDED_FOR=first))
        assert token(user.username, "wrong", proxy, HTTP_X_FORWARDED_FOR=second).status_code == 400


def test_the_count_is_in_the_cache_every_process_shares(user: User) -> None:
    """A count kept in one gunicorn process's memory is no limit: another process sees it."""
    assert not settings.CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
    address = new_address()
    with rates("5/min"):
        token(user.username, "wrong", address)
        token(user.username, "wrong", address)
        key = LoginRateThrottle().cache_format % {"scope": "login", "ident": address}
    assert len(cache.get(key)) == 2
    probe = (
        "import django; django.setup(); from django.core.cache import cache; "
        f"print(len(cache.get({key!r}) or []))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "2", result.stderr


@pytest.mark.parametrize("path", [LOGIN, ADMIN_LOGIN])
def test_sign_in_page_posts_per_address_are_limited(user: User, path: str) -> None:
    address = new_address()
    with rates("2/min"):
        for _ in range(2):
            assert page_login(path, user.username, "wrong", address).status_code == 200
        response = page_login(path, user.username, "right-one", address)
    assert_refused(response)
    assert not response.signed_in
    assert 'name="username"' in response.content.decode()  # the form, to try again later


# --- Failures per account and per address (django-axes) ----------------------------------


def test_an_account_is_locked_after_failures_from_any_addresses(user: User, locking: None) -> None:
    for _ in range(2):
        assert token(user.username, "wrong", new_address()).status_code == 400
    # The third failure reaches the limit: refused as such, not as a wrong password.
    assert_refused(token(user.username, "wrong", new_address()))
    # The right password, from yet another address, during the lockout: refused.
    response = token(user.username, "right-one", new_address())
    assert_refused(response)
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert response.json()["error"]["code"] == "throttled"
    # The sign-in page and the admin's refuse the same account.
    response = page_login(LOGIN, user.username, "right-one", new_address())
    assert_refused(response)
    assert not response.signed_in
    assert_refused(page_login(ADMIN_LOGIN, user.username, "right-one", new_address()))


def test_an_address_is_locked_after_failures_for_any_accounts(user: User, locking: None) -> None:
    address = new_address()
    for attempt in range(3):
        response = page_login(LOGIN, f"nobody-{attempt}", "wrong", address)
        assert response.status_code in {200, 429}
    response = token(user.username, "right-one", address)
    assert_refused(response)
    # Elsewhere the account signs in.
    assert token(user.username, "right-one", new_address()).status_code == 200


@pytest.mark.parametrize("language", ["sq", "sr-latn", "sr", "en"])
def test_the_refusal_speaks_the_callers_language(user: User, locking: None, language: str) -> None:
    for _ in range(3):
        token(user.username, "wrong", new_address())
    assert_refused(
        token(user.username, "right-one", new_address(), HTTP_ACCEPT_LANGUAGE=language), language
    )
    assert_refused(
        page_login(LOGIN, user.username, "right-one", new_address(), HTTP_ACCEPT_LANGUAGE=language),
        language,
    )


def test_failures_under_the_limit_do_not_stop_the_right_password(user: User, locking: None) -> None:
    address = new_address()
    for _ in range(2):
        token(user.username, "wrong", address)
    assert token(user.username, "right-one", address).status_code == 200
    response = page_login(LOGIN, user.username, "right-one", new_address())
    assert response.status_code == 302 and response.signed_in


# --- Content-Security-Policy ----------------------------------------------------------------


@pytest.mark.parametrize("path", [LOGIN, "/home/", "/api/docs/", "/admin/login/"])
def test_pages_carry_the_content_security_policy(user: User, path: str) -> None:
    client = Client()
    client.force_login(user)
    response = client.get(path, follow=True)
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]


def test_the_nonce_in_the_policy_is_the_pages_own(user: User) -> None:
    client = Client()
    client.force_login(user)
    first, second = client.get("/home/"), client.get("/home/")
    nonces = []
    for response in (first, second):
        script_sources = next(
            part.split()[1:]
            for part in response["Content-Security-Policy"].split(";")
            if part.split()[0] == "script-src"
        )
        nonce = next(source for source in script_sources if source.startswith("'nonce-"))
        assert f'content="{nonce[7:-1]}"' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


# --- Production: a cache every process shares ------------------------------------------------


def test_production_takes_the_cache_from_cache_url_or_the_redis_broker() -> None:
    from tests.config.test_settings import SAFE_PRODUCTION

    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CACHES['default']))"
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "TEST_RUN_ID"}
    }

    def run(**overrides: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={
                **environment,
                **SAFE_PRODUCTION,
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                **overrides,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )

    on_broker = run(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert on_broker.returncode == 0, on_broker.stderr
    assert json.loads(on_broker.stdout.splitlines()[-1])["LOCATION"] == "redis://127.0.0.1:6379/1"
    own = run(CACHE_URL="redis://cache.internal:6379/4")
    assert json.loads(own.stdout.splitlines()[-1]) == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/4",
    }
    unshared = run(CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//")
    assert unshared.returncode != 0
    assert "CACHE_URL" in unshared.stderr
