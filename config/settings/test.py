"""Tests: the base settings with a test database a separate worker process can open too."""

import os

from celery.signals import task_prerun

from .base import *

# One name per test run, inherited by the worker process the run starts, so two runs on one
# machine never share a database file or a queue. pytest-xdist's workers inherit the run's name
# and each adds its own ("gw0", "gw1"), which the Celery worker each of them starts inherits too.
TEST_RUN_ID = os.environ.setdefault("TEST_RUN_ID", str(os.getpid())) + os.environ.get(
    "PYTEST_XDIST_WORKER", ""
)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "token": "1000/min",
    "login": "1000/min",
    "public_read": "1000/min",
    "public_submit": "1000/min",
}
# Sign-in limits and the cache (base.py's block "Sign-in limits"): off unless a test turns them on
# (django-axes refuses Client.login, which passes no request); the cache is the run's own.
AXES_ENABLED = False
CACHES["default"]["KEY_PREFIX"] = f"test-{TEST_RUN_ID}"
if CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
    CACHES["default"]["LOCATION"] = str(VAR_DIR / "test-cache" / TEST_RUN_ID)
elif CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # One Redis database for every worker: clearing empties this run's keys, not the others'.
    CACHES["default"]["BACKEND"] = "tests.cache.WorkerRedisCache"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = VAR_DIR / "test-media" / TEST_RUN_ID
# The demo organisation without its work in progress: a test starts the processes it needs
# (tests/workflows/test_seed_demo_work.py seeds the demo's own).
DEMO_WORK_IN_PROGRESS = False

# Anchors outlive the test database, which every test empties: a test that wants them points
# this at a file of its own.
AUDIT_ANCHOR_PATH = ""

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # On a file, not in memory, so the Celery worker the test run starts shares it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{TEST_RUN_ID}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{TEST_RUN_ID}"}


@task_prerun.connect(weak=False)
def _content_types_fresh(**kwargs: object) -> None:
    """The run flushes the database between transactional tests and the flush re-creates the
    content types under new ids; the worker, a separate process, must not keep the old ones
    (guardian's object permissions are looked up by them)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


# The run's worker consumes only the run's own queue (a worker without -Q takes the default).
CELERY_TASK_DEFAULT_QUEUE = f"test-{TEST_RUN_ID}"

if CELERY_BROKER_URL.startswith("filesystem"):
    # Apart from `make run`'s queue, so a running app's worker never takes the tests' tasks.
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(
        VAR_DIR / "test-broker" / TEST_RUN_ID
    )
