"""Production refuses an unsafe environment; the embedded default is safe to share a database."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import ROOT

SAFE_PRODUCTION = {
    "SECRET_KEY": "k" * 30 + "-production-secret-" + "z" * 20,
    "AUDIT_HMAC_KEY": "a" * 20 + "-audit-key-" + "b" * 20,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/coordination",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "koordinimi.rks-gov.net",
}
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'TIME_ZONE', "
    "'USE_TZ', 'ALLOWED_HOSTS', 'DEMO_DATA_ALLOWED', 'SECURE_CONTENT_TYPE_NOSNIFF', "
    "'CELERY_TASK_ACKS_LATE', 'CELERY_TASK_SERIALIZER', 'CELERY_ACCEPT_CONTENT']}))"
)


def start_production(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "AUDIT_HMAC_KEY", "DEBUG"}
    }
    env.update(SAFE_PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings.production")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_starts_with_a_safe_environment_and_hardens_cookies_and_headers() -> None:
    result = start_production()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["ALLOWED_HOSTS"] == ["koordinimi.rks-gov.net"]
    assert values["DEMO_DATA_ALLOWED"] is False
    assert (values["TIME_ZONE"], values["USE_TZ"]) == ("Europe/Belgrade", True)
    assert values["CELERY_TASK_ACKS_LATE"] is True
    assert (values["CELERY_TASK_SERIALIZER"], values["CELERY_ACCEPT_CONTENT"]) == ("json", ["json"])


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "embedded-default-insecure-secret-key-change-me"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"AUDIT_HMAC_KEY": None}, "AUDIT_HMAC_KEY"),
        ({"AUDIT_HMAC_KEY": "short"}, "AUDIT_HMAC_KEY"),
        ({"AUDIT_HMAC_KEY": SAFE_PRODUCTION["SECRET_KEY"]}, "AUDIT_HMAC_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": None}, "CELERY_BROKER_URL"),
    ],
    ids=[
        "no-secret",
        "default-secret",
        "short-secret",
        "no-audit-key",
        "short-audit-key",
        "audit-key-is-the-secret",
        "debug",
        "any-host",
        "sqlite",
        "no-broker",
    ],
)
def test_production_refuses_an_unsafe_environment(
    overrides: dict[str, str | None], complaint: str
) -> None:
    result = start_production(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


def test_seed_demo_refuses_production_settings() -> None:
    env = {**os.environ, **SAFE_PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "never loaded with production settings" in result.stderr


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the embedded default's database",
)
def test_embedded_sqlite_uses_wal_a_busy_timeout_and_immediate_transactions(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert getattr(connection, "transaction_mode", None) == "IMMEDIATE"


def test_times_are_aware_and_local_to_kosovo() -> None:
    from django.utils import timezone

    assert settings.USE_TZ and timezone.is_aware(timezone.now())
    assert str(timezone.get_current_timezone()) == "Europe/Belgrade"
