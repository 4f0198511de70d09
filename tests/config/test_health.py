"""GET /healthz: each part `ok` or a short reason, 200 only when all are ok; no sign-in, no
data."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from audit.services import audit_record
from audit.tasks import verify_audit_chain
from config.models import Heartbeat
from config.tasks import worker_heartbeat

PARTS = {"database", "broker", "worker", "beat", "search", "audit"}


def health(client: Client) -> tuple[int, dict[str, str]]:
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response.status_code, response.json()


def beat_and_worker_alive() -> None:
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})
    worker_heartbeat()


@pytest.mark.django_db
def test_all_parts_working_answer_200_to_anyone(client: Client) -> None:
    beat_and_worker_alive()
    verify_audit_chain()
    status, report = health(client)
    assert (status, report) == (200, dict.fromkeys(PARTS, "ok"))


@pytest.mark.django_db
def test_background_work_never_seen_answers_503(client: Client) -> None:
    status, report = health(client)
    assert status == 503
    assert report == {
        "database": "ok",
        "broker": "ok",
        "worker": "never seen",
        "beat": "never seen",
        "search": "ok",
        "audit": "ok",  # a new chain: its first verification is not due yet
    }


@pytest.mark.django_db
def test_a_worker_whose_heartbeat_stopped_is_reported(client: Client) -> None:
    beat_and_worker_alive()
    verify_audit_chain()
    Heartbeat.objects.filter(name="worker").update(at=timezone.now() - timedelta(minutes=10))
    status, report = health(client)
    assert status == 503
    assert report["worker"].startswith("stopped: no heartbeat for 6")
    assert report["beat"] == "ok"


@pytest.mark.django_db
def test_a_broken_missing_or_old_audit_verification_is_reported(client: Client) -> None:
    beat_and_worker_alive()
    audit_record(actor=None, action="test.event")
    later = timezone.now() + timedelta(hours=8)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        Heartbeat.objects.all().update(at=later)
        assert health(client)[1]["audit"] == "never verified"
    audit_record(actor=None, action="audit.verified", extra={"ok": False, "entries": 3})
    assert health(client) == (503, {**dict.fromkeys(PARTS, "ok"), "audit": "chain broken"})
    verify_audit_chain()
    later = timezone.now() + timedelta(hours=8)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        Heartbeat.objects.all().update(at=later)
        status, report = health(client)
    assert (status, report["audit"]) == (503, "last verification too old")


@pytest.mark.django_db
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("filesystem"), reason="the embedded broker's folder"
)
def test_an_unusable_broker_folder_is_reported(client: Client, tmp_path: Path) -> None:
    beat_and_worker_alive()
    verify_audit_chain()
    missing = str(tmp_path / "gone")
    with override_settings(
        CELERY_BROKER_TRANSPORT_OPTIONS={"data_folder_in": missing, "data_folder_out": missing}
    ):
        status, report = health(client)
    assert status == 503
    assert report["broker"] == "queue folder missing or not writable"


@pytest.mark.django_db
def test_the_beat_scheduler_records_its_heartbeat() -> None:
    from config.beat import LockedScheduler
    from config.celery import app

    scheduler = LockedScheduler(app, lazy=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("celery.beat.PersistentScheduler.tick", lambda self, *a, **k: 300.0)
        # It would end the test's transaction; beat runs outside any.
        patch.setattr("config.beat.close_old_connections", lambda: None)
        assert scheduler.tick() == 30.0
    assert Heartbeat.objects.filter(name="beat").exists()
