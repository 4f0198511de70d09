"""Shared fixtures: the demo organisation, API clients, and the real Celery worker process."""

import importlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from deadlines.models import DeadlineRule
from roles.models import User

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# Under pytest-xdist (`make test` runs `--dist loadgroup`) the tests that share a costly
# session resource run on one worker, so the run starts it once: the Elasticsearch node (each
# worker would start its own JVM) and axe-core, which the accessibility test installs from npm.
SHARED_RESOURCE_GROUPS = {
    "elasticsearch": ("elasticsearch", "live_cluster"),
    "axe-core": ("test_accessibility_browser",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for group, words in SHARED_RESOURCE_GROUPS.items():
            if any(word in item.nodeid for word in words):
                item.add_marker(pytest.mark.xdist_group(group))
                break


def unavailable(reason: str) -> None:
    """In CI a missing service is a failure; on a developer's machine it skips."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _run_files_removed() -> Iterator[None]:
    """Uploaded files and queued messages of this run go when it ends."""
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if folder:
        shutil.rmtree(Path(str(folder)).parent, ignore_errors=True)


# The rows the migrations write as data (the role catalogue, every process's deadline rules, the
# consultations' minimum period), in migration order. A transactional test (pages in a real
# browser) empties the database when it ends, so the tests after it would run without them.
MIGRATION_DATA = [
    ("roles.migrations.0002_role_catalogue", "create_roles"),
    ("deadlines.migrations.0002_default_rules", "create"),
    ("deadlines.migrations.0003_rule_names", "name"),
    ("deadlines.migrations.0004_canceled_clocks_and_round_rules", "create"),
    ("deadlines.migrations.0005_press_statement_original_rule", "create"),
    ("access_requests.migrations.0002_deadline_rules", "create"),
    ("complaints.migrations.0002_roles_topics_and_answer_clocks", "forward"),
    ("consultations.migrations.0002_rules", "create"),
    ("coordination.migrations.0002_response_deadline_rule", "add_rule"),
    ("deadlines.migrations.0007_rule_legal_basis_translations", "translate"),
]


def migration_data_present() -> None:
    """Writes the migrations' data again after a flush (each step is idempotent)."""
    if DeadlineRule.objects.exists():
        return
    for module, function in MIGRATION_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


# `seed_demo` writes the organisation in one transaction: one of its users present, all is.
DEMO_USER = "kllokot.mayor"


def demo_present() -> None:
    """The migrations' data and the demo organisation, written again if a flush removed them."""
    migration_data_present()
    if not User.objects.filter(username=DEMO_USER).exists():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """Each worker's test database holds the demo organisation from the start, committed, so a
    test's rollback keeps it: written once per run instead of once per test (half a second
    each, a few minutes of the suite)."""
    with django_db_blocker.unblock():
        demo_present()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    """A transactional test (pages in a real browser, the worker) empties the database when it
    ends; the organisation is written again for the tests after it."""
    result = yield
    if nextitem is None:  # the last test: the test database is gone with the session
        return result
    marker = item.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())) or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        with item.config.stash[blocking_manager_key].unblock():
            demo_present()
    return result


@pytest.fixture
def audit_chain_empty(request: pytest.FixtureRequest) -> None:
    """The audit chain without the demo organisation's entries (`tampering.chain_emptied`)."""
    from tests.audit.tampering import chain_emptied

    transactional = "transactional_db" in request.fixturenames
    request.getfixturevalue("transactional_db" if transactional else "db")
    chain_emptied()


@pytest.fixture
def empty_database(transactional_db: None) -> None:
    """The database of a fresh installation: the migrations' data, no demo organisation (written
    again for the tests after this one). A transactional test: a flush inside the test's
    transaction would leave Django's content-type cache holding the ids it rolls back."""
    call_command("flush", interactive=False, verbosity=0)
    migration_data_present()


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    """The demo organisation of API.md, by username."""
    demo_present()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def api_as(demo: dict[str, User]):  # type: ignore[no-untyped-def]
    """api_as("kllokot.mayor") → an API client authenticated with that user's token."""

    def client_for(username: str | None) -> APIClient:
        client = APIClient()
        if username is not None:
            response = client.post(
                "/api/auth/token/", {"username": username, "password": "demo"}, format="json"
            )
            assert response.status_code == 200, response.content
            client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        return client

    return client_for


def _test_database_url() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    user = quote(database.get("USER") or "")
    password = quote(database.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return (
        f"postgres://{credentials}{database.get('HOST') or '127.0.0.1'}:"
        f"{database.get('PORT') or 5432}/{database['NAME']}"
    )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None, django_db_blocker) -> Iterator[subprocess.Popen]:  # type: ignore[no-untyped-def]
    """A real `celery worker` on the run's broker (Redis, or the embedded filesystem queue),
    working on the test database. Started once, stopped before the database is dropped."""
    from config.celery import app

    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=3)
        except Exception as error:
            unavailable(f"Celery broker {settings.CELERY_BROKER_URL} unreachable: {error}")
    log_path = Path(settings.VAR_DIR) / f"test-worker-{settings.TEST_RUN_ID}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
    }
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--purge",
                "--pool=threads",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            unavailable(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(autouse=True)
def _background_work_inline(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that do not ask for the real worker run the tasks their commits send in their own
    process. Sent to the session's worker instead, those tasks would run while a later test,
    or the flush after this one, works on the same database."""
    from config.celery import app

    if "celery_worker_process" in request.fixturenames:
        yield
        return
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def worker(celery_worker_process: subprocess.Popen, transactional_db: None) -> subprocess.Popen:
    """For tests whose background work must run in the real worker: their writes are committed
    so the worker sees them."""
    return celery_worker_process


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll until `condition()` is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
