"""Stored files that no version names (an upload that died after writing its file) are
deleted by the periodic clean-up once old enough, audited; a live upload's file never is."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings

from audit.models import AuditEntry
from audit.services import SYSTEM_ACTOR
from documents import services, tasks
from documents.models import DocumentVersion
from roles.models import Institution, User
from tests.documents import files

HOURS = 3600


def aged(name: str, seconds: int) -> None:
    """Make a stored file look last written `seconds` ago."""
    path = DocumentVersion._meta.get_field("file").storage.path(name)
    then = time.time() - seconds
    os.utime(path, (then, then))


def stored(name: str) -> bool:
    return DocumentVersion._meta.get_field("file").storage.exists(name)


@contextmanager
def killed_before_its_clean_up() -> Iterator[list[str]]:
    """The upload's clean-up as a killed process runs it: not at all."""
    yield []


def all_stored() -> set[str]:
    storage = DocumentVersion._meta.get_field("file").storage
    if not storage.exists(tasks.STORED_FILES_FOLDER):
        return set()
    return set(tasks._stored_names(storage, tasks.STORED_FILES_FOLDER))


def crashed_upload(actor: User) -> str:
    """An upload that dies after its file is written, before its row commits (the process is
    killed: SystemExit, and its clean-up never runs); the name of the file it leaves."""
    before = all_stored()
    with (
        mock.patch.object(services, "_stored_files_removed_on_failure", killed_before_its_clean_up),
        mock.patch.object(services, "audit_record", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        pdf = files.pdf_with_text("Vendim")
        services.document_create(
            actor=actor,
            institution=Institution.objects.get(code="KLLOKOT"),
            upload=ContentFile(pdf),
            filename="vendim.pdf",
            size=len(pdf),
            title="Vendim",
            kind="decision",
        )
    (name,) = all_stored() - before
    return name


def test_a_crashed_uploads_file_is_deleted_once_old_and_audited(demo: dict[str, User]) -> None:
    actor = demo["kllokot.assembly"]
    left = crashed_upload(actor)
    assert stored(left) and not DocumentVersion.objects.exists()
    pdf = files.pdf_with_text("Vendimi tjetër")
    kept = services.document_create(
        actor=actor,
        institution=Institution.objects.get(code="KLLOKOT"),
        upload=ContentFile(pdf),
        filename="vendim.pdf",
        size=len(pdf),
        title="Vendim",
        kind="decision",
    )
    kept_name = str(kept.versions.get().file.name)

    # Young: perhaps an upload still writing or committing. Left alone.
    assert tasks.delete_orphan_files() == 0
    assert stored(left)

    aged(left, 2 * HOURS)
    aged(kept_name, 2 * HOURS)
    assert tasks.delete_orphan_files() == 1
    assert not stored(left) and stored(kept_name)
    entry = AuditEntry.objects.get(action="document.orphan_files_deleted")
    assert entry.actor == SYSTEM_ACTOR
    assert entry.data["files"] == [left]
    assert tasks.delete_orphan_files() == 0  # nothing more to do


def test_the_command_lists_before_it_deletes(demo: dict[str, User], capsys) -> None:  # type: ignore[no-untyped-def]
    storage = DocumentVersion._meta.get_field("file").storage
    name = storage.save("documents/ab/" + "0" * 32, ContentFile(b"%PDF-1.7 ..."))
    aged(name, 2 * HOURS)
    call_command("delete_orphan_files", "--dry-run")
    assert name in capsys.readouterr().out and stored(name)
    assert not AuditEntry.objects.filter(action="document.orphan_files_deleted").exists()
    call_command("delete_orphan_files", "--older-than-minutes", "180")
    assert stored(name)  # two hours is younger than three
    call_command("delete_orphan_files")
    assert not stored(name)


def test_storages_without_a_path_are_cleaned_too(demo: dict[str, User]) -> None:
    """Only the storage API is used: an object store (here Django's in-memory storage)."""
    memory = {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    with override_settings(STORAGES=memory):
        storage = DocumentVersion._meta.get_field("file").storage
        name = storage.save("documents/cd/" + "1" * 32, ContentFile(b"x"))
        with mock.patch.object(
            tasks.timezone, "now", return_value=tasks.timezone.now() + timedelta(hours=2)
        ):
            assert tasks.orphan_files_delete() == [name]
        assert not storage.exists(name)


def test_the_clean_up_runs_hourly_from_beat() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["delete-orphan-files"]
    assert entry["task"] == "documents.tasks.delete_orphan_files"
