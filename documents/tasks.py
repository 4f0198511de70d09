"""Background work on documents: the text of each new version, for search and readers; the
clean-up of stored files that crashed uploads left behind."""

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from audit.services import audit_record
from config.celery import Task

from .events import document_changed
from .extract import Extraction, ExtractionFailed, TransientExtractionError, extract_text
from .models import Document, DocumentVersion, TextStatus

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@contextmanager
def _local_path(file: FieldFile) -> Iterator[str]:
    """A path on this machine to the stored file: the storage's own when it has one, otherwise
    a temporary copy written in chunks (object storages have no path; Django's InMemoryStorage
    gives one where no file is)."""
    try:
        path: str | None = file.path
    except NotImplementedError:
        path = None
    if path is not None and os.path.isfile(path):
        yield path
        return
    with file.open("rb") as source, tempfile.NamedTemporaryFile(prefix="extract-") as copy:
        for chunk in source.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name


def _extract(version: DocumentVersion) -> Extraction:
    try:
        if not version.file.name or not version.file.storage.exists(version.file.name):
            # Perhaps a storage that is away for a moment: retried, then failed.
            raise TransientExtractionError("the stored file is missing")
        with _local_path(version.file) as path:
            return extract_text(path, version.mime_type)
    except OSError as error:  # the storage's, not the document's: extract_text classifies its own
        raise TransientExtractionError(f"the stored file cannot be read ({error})") from error


def _record(version_id: int, extraction: Extraction | None = None, *, reason: str = "") -> str:
    """Save the outcome and its audit entry together, once. The row is locked and checked
    again: of two runs of the same version (a redelivered message, a reprocess while one was
    running) only the first to get here writes; the other finds it no longer pending."""
    with transaction.atomic():
        # FOR NO KEY UPDATE, not FOR UPDATE: an upload of the same content refers to this
        # version as its duplicate, and its foreign-key check (at its commit, after its audit
        # entry took the chain's head) must not wait for this lock while this transaction
        # waits for the head - that deadlocked on PostgreSQL.
        version = (
            DocumentVersion.objects.select_for_update(no_key=True).filter(pk=version_id).first()
        )
        if version is None or version.text_status != TextStatus.PENDING:
            return "skipped"
        extra: dict[str, Any] = {"version": version.number}
        if extraction is not None:
            # As extracted, less NUL characters, which PostgreSQL refuses in text.
            version.text = extraction.text.replace("\x00", "")
            version.text_method = extraction.method
            version.text_status, version.text_error = TextStatus.DONE, ""
            extra |= {"method": extraction.method, "pages": extraction.pages}
            action = "document.text_extracted"
        else:
            version.text, version.text_method = "", ""
            version.text_status = TextStatus.FAILED
            version.text_error = reason[:500]
            extra["reason"] = reason
            action = "document.text_failed"
        version.save(update_fields=["text", "text_method", "text_status", "text_error"])
        audit_record(actor=None, action=action, obj=version.document, extra=extra)
        document_changed.send(sender=Document, documents=[version.document])
    return str(version.text_status)


# base=Task is what the app gives every task anyway (config.celery); named here so type
# checkers know the task's delay_on_commit.
@shared_task(
    bind=True,
    base=Task,
    autoretry_for=(TransientExtractionError,),
    # Waits of up to 30, 60, 120 s (random below each: retries of a burst spread out), time
    # for the load that made a tool time out to pass.
    retry_backoff=30,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def extract_version_text(self: Task[[int], str], version_id: int) -> str:
    """Extract a version's text and record it: done, or failed with the reason. Idempotent: a
    version no longer pending (or no longer there) is left alone."""
    version = DocumentVersion.objects.filter(pk=version_id).first()
    if version is None:
        logger.info("Document version %s no longer exists: no text to extract", version_id)
        return "missing"
    if version.text_status != TextStatus.PENDING:
        return str(version.text_status)
    try:
        extraction = _extract(version)
    except ExtractionFailed as error:
        return _record(version_id, reason=error.reason)
    except TransientExtractionError as error:
        if self.request.retries < MAX_RETRIES:
            logger.warning("Text of version %s: %s; retrying", version_id, error.reason)
            raise  # autoretry_for schedules the next try
        return _record(version_id, reason=error.reason)
    return _record(version_id, extraction)


# A version still pending this long after it was stored lost its message (a broker that could
# not be reached at the upload) or waits behind a long queue; re-sending is harmless in the
# second case, as a run finds a version no longer pending and leaves it alone.
STALE_EXTRACTION = timedelta(hours=1)
REQUEUE_BATCH = 500


@shared_task(base=Task)
def requeue_stale_extractions() -> int:
    """Queue again the text extraction of versions pending for over STALE_EXTRACTION (the
    oldest first, REQUEUE_BATCH per run); returns how many."""
    ids = list(
        DocumentVersion.objects.filter(
            text_status=TextStatus.PENDING, created_at__lt=timezone.now() - STALE_EXTRACTION
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    for version_id in ids:
        extract_version_text.delay(version_id)
    if ids:
        logger.warning("Text extraction queued again for %d stale pending versions", len(ids))
    return len(ids)


# A stored file that no version names, this old, was left by an upload that died between
# writing its file and committing its row (a killed worker, a machine that went down: the
# upload's own clean-up never ran). An upload writes its file and commits within seconds, so
# a file younger than this may belong to an upload still running and is never touched.
ORPHAN_FILE_AGE = timedelta(hours=1)
STORED_FILES_FOLDER = "documents"  # where stored_file_name puts every version's file
ORPHAN_BATCH = 500


def _stored_names(storage: Storage, folder: str) -> Iterator[str]:
    """Every file under `folder`, through the storage API (a file system or an object store)."""
    directories, names = storage.listdir(folder)
    for name in names:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _stored_names(storage, f"{folder}/{directory}")


def _batches(names: Iterator[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == ORPHAN_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def orphan_files_delete(
    *, older_than: timedelta = ORPHAN_FILE_AGE, dry_run: bool = False
) -> list[str]:
    """Delete the stored files that no version names and that are older than `older_than`;
    each batch deleted is audited (`document.orphan_files_deleted`). Returns their names (with
    `dry_run`, those it would delete, deleting and recording nothing)."""
    storage = DocumentVersion._meta.get_field("file").storage
    if not storage.exists(STORED_FILES_FOLDER):
        return []
    cutoff = timezone.now() - older_than
    found: list[str] = []
    for batch in _batches(_stored_names(storage, STORED_FILES_FOLDER)):
        named = set(DocumentVersion.objects.filter(file__in=batch).values_list("file", flat=True))
        orphans = []
        for name in batch:
            if name in named:
                continue
            try:
                modified = storage.get_modified_time(name)
            except (NotImplementedError, OSError):  # no age to judge by, or gone meanwhile
                continue
            if modified < cutoff:
                orphans.append(name)
        # Asked again just before deleting: a row committed since the batch was read keeps
        # its file (an upload that ran for longer than ORPHAN_FILE_AGE).
        named = set(DocumentVersion.objects.filter(file__in=orphans).values_list("file", flat=True))
        orphans = [name for name in orphans if name not in named]
        if not orphans or dry_run:
            found += orphans
            continue
        for name in orphans:
            storage.delete(name)
        with transaction.atomic():
            audit_record(
                actor=None,
                action="document.orphan_files_deleted",
                object_type="storage",
                object_id=STORED_FILES_FOLDER,
                extra={"files": orphans, "older_than_seconds": int(older_than.total_seconds())},
            )
        found += orphans
    if found and not dry_run:
        logger.warning("Deleted %d stored files that no document version names", len(found))
    return found


@shared_task(base=Task)
def delete_orphan_files() -> int:
    """The periodic clean-up (beat, hourly) of files that crashed uploads left behind."""
    return len(orphan_files_delete())
