"""Text extraction: each accepted type from real files, hostile and damaged files refused as
such, and the background task that records the outcome (audited, once, retried when the
machine and not the file is at fault). OCR is slow: four tesseract runs in all."""

import hashlib
import io
import tempfile
import time
import unicodedata
import zipfile
from datetime import timedelta
from pathlib import Path

import magic
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from documents import extract
from documents.extract import (
    DOCX,
    JPEG,
    ODS,
    ODT,
    PDF,
    PNG,
    TEXT,
    TIFF,
    XLSX,
    Extraction,
    ExtractionFailed,
    TransientExtractionError,
    extract_text,
)
from documents.models import Document, DocumentVersion, Kind, Registration, TextStatus
from documents.tasks import extract_version_text
from roles.models import Institution, User
from tests.conftest import wait_for
from tests.documents import files

# Our own wording, in the three languages of the institutions.
ALBANIAN = "Kuvendi i Komunës miratoi planin për ujësjellësin.\nÇështja e rrugëve shtyhet."
SERBIAN_CYRILLIC = "Скупштина општине усвојила је одлуку о јавној расвети."
SERBIAN_LATIN = "Opštinsko veće razmatra žalbu građana iz Đakovice."


def plain(text: str) -> str:
    """Lower case without diacritics: OCR may drop a ë or a č and still have read the word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def assert_words(text: str, *words: str) -> None:
    missing = [word for word in words if plain(word) not in plain(text)]
    assert not missing, f"{missing} not in {text!r}"


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write(bytes) → the path of a file holding them (no suffix, like stored files)."""

    def write_file(content: bytes) -> str:
        path = tmp_path / hashlib.sha256(content).hexdigest()[:16]
        path.write_bytes(content)
        return str(path)

    return write_file


# --- What libmagic makes of the factories (the intake allow-list relies on it) ------------------

MAGIC = {
    "pdf_with_text": (lambda: files.pdf_with_text(ALBANIAN), PDF),
    "pdf_with_text(password=)": (lambda: files.pdf_with_text(ALBANIAN, password="x"), PDF),
    "scanned_pdf": (lambda: files.scanned_pdf(ALBANIAN), PDF),
    "corrupt_pdf": (files.corrupt_pdf, PDF),
    "png_with_text": (lambda: files.png_with_text("Njoftim"), PNG),
    "jpeg_with_text": (lambda: files.jpeg_with_text("Njoftim"), JPEG),
    "tiff_with_text": (lambda: files.tiff_with_text("Njoftim"), TIFF),
    "docx": (lambda: files.docx(["Vendim"]), DOCX),
    "docx(macro=True)": (lambda: files.docx(["Vendim"], macro=True), DOCX),  # not told apart
    "odt": (lambda: files.odt(["Vendim"]), ODT),
    "xlsx": (lambda: files.xlsx([["Vendim"]]), XLSX),
    "ods": (lambda: files.ods([["Vendim"]]), ODS),
    "text_in(utf-8)": (lambda: files.text_in("utf-8", ALBANIAN), TEXT),
    "text_in(cp1250)": (lambda: files.text_in("cp1250", SERBIAN_LATIN), TEXT),
    "text_in(cp1251)": (lambda: files.text_in("cp1251", SERBIAN_CYRILLIC), TEXT),
    "pe_executable": (files.pe_executable, "application/vnd.microsoft.portable-executable"),
    "html_page": (files.html_page, "text/html"),
    "zip_bomb": (lambda: files.zip_bomb(2**20), "application/zip"),
    "zip_bomb(docx_like=True)": (lambda: files.zip_bomb(docx_like=True), DOCX),
}


@pytest.mark.parametrize(("factory", "detected"), MAGIC.values(), ids=MAGIC.keys())
def test_libmagic_detects_the_factories(factory, detected: str) -> None:  # type: ignore[no-untyped-def]
    assert magic.from_buffer(factory(), mime=True) == detected


# --- PDF ----------------------------------------------------------------------------------------


def test_a_pdf_text_layer_is_read_with_its_letters(write) -> None:  # type: ignore[no-untyped-def]
    result = extract_text(write(files.pdf_with_text([ALBANIAN, SERBIAN_CYRILLIC])), PDF)
    assert result.method == "pdf_text"
    assert result.pages == 2
    assert "Kuvendi i Komunës miratoi planin për ujësjellësin." in result.text
    assert "Çështja e rrugëve shtyhet." in result.text
    assert SERBIAN_CYRILLIC in result.text
    assert "\f" in result.text  # the page break is kept


def test_a_scanned_pdf_is_ocrd(write) -> None:  # type: ignore[no-untyped-def]
    result = extract_text(write(files.scanned_pdf(ALBANIAN)), PDF)
    assert result.method == "ocr"
    assert result.pages == 1
    assert_words(result.text, "Kuvendi", "Komunës", "ujësjellësin", "rrugëve")


def test_a_damaged_pdf_fails_for_good(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExtractionFailed, match="damaged or unreadable PDF"):
        extract_text(write(files.corrupt_pdf()), PDF)


def test_a_password_protected_pdf_fails_for_good(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExtractionFailed, match="password-protected"):
        extract_text(write(files.pdf_with_text(ALBANIAN, password="sekret")), PDF)


def test_a_file_of_another_type_than_declared_fails_for_good(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExtractionFailed):
        extract_text(write(files.png_with_text("x")), PDF)
    with pytest.raises(ExtractionFailed, match="XLSX"):
        extract_text(write(files.docx(["Vendim"])), XLSX)
    with pytest.raises(ExtractionFailed, match="not a valid zip"):
        extract_text(write(files.pdf_with_text("Vendim")), DOCX)


# --- Images -------------------------------------------------------------------------------------


def test_albanian_in_a_png_is_ocrd(write) -> None:  # type: ignore[no-untyped-def]
    result = extract_text(write(files.png_with_text(ALBANIAN)), PNG)
    assert (result.method, result.pages) == ("ocr", 1)
    assert_words(result.text, "Kuvendi", "Komunës", "miratoi", "Çështja")


def test_serbian_cyrillic_in_a_jpeg_is_ocrd(write) -> None:  # type: ignore[no-untyped-def]
    result = extract_text(write(files.jpeg_with_text(SERBIAN_CYRILLIC)), JPEG)
    assert_words(result.text, "Скупштина", "општине", "одлуку", "расвети")


def test_each_page_of_a_tiff_is_ocrd(write) -> None:  # type: ignore[no-untyped-def]
    english = "The municipal assembly adopted the budget."
    result = extract_text(write(files.tiff_with_text([SERBIAN_LATIN, english])), TIFF)
    assert result.pages == 2
    assert_words(result.text, "Opštinsko", "žalbu", "građana", "municipal", "assembly")


# --- Office documents ---------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells(write) -> None:  # type: ignore[no-untyped-def]
    content = files.docx(
        ["Vendimi për ndriçimin publik", SERBIAN_CYRILLIC],
        table=[["Komuna", "Shuma"], ["Graçanicë", "12 500 €"]],
    )
    result = extract_text(write(content), DOCX)
    assert result.method == "docx"
    assert result.text.splitlines() == [
        "Vendimi për ndriçimin publik",
        SERBIAN_CYRILLIC,
        "Komuna",
        "Shuma",
        "Graçanicë",
        "12 500 €",
    ]


def test_odt_paragraphs_and_table_cells(write) -> None:  # type: ignore[no-untyped-def]
    result = extract_text(write(files.odt([SERBIAN_LATIN], table=[["Opština", "Štrpce"]])), ODT)
    assert (result.method, result.text) == ("odt", f"{SERBIAN_LATIN}\nOpština\nŠtrpce")


def test_xlsx_rows(write) -> None:  # type: ignore[no-untyped-def]
    rows: list[list[object]] = [
        ["Komuna", "Buxheti"],
        ["Graçanicë", 12500.0],
        ["Штрпце", 3.5],
        [None, None],
    ]
    result = extract_text(write(files.xlsx(rows)), XLSX)
    assert (result.method, result.pages) == ("xlsx", 1)
    assert result.text == "Komuna\tBuxheti\nGraçanicë\t12500\nШтрпце\t3.5"


def test_ods_rows(write) -> None:  # type: ignore[no-untyped-def]
    result = extract_text(write(files.ods([["Komuna", "Buxheti"], ["Graçanicë", 12500]])), ODS)
    assert (result.method, result.pages) == ("ods", 1)
    assert result.text == "Komuna\tBuxheti\nGraçanicë\t12500"


def test_a_docx_zip_bomb_is_refused_without_inflating_it(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExtractionFailed, match="too large"):
        extract_text(write(files.zip_bomb(docx_like=True)), DOCX)


def test_xml_entities_are_refused(write) -> None:  # type: ignore[no-untyped-def]
    """A billion-laughs document.xml: defusedxml stops at the entity declaration."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>',
        )
    with pytest.raises(ExtractionFailed, match="EntitiesForbidden"):
        extract_text(write(buffer.getvalue()), DOCX)


def test_a_malformed_document_xml_fails_for_good(write) -> None:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>")
    with pytest.raises(ExtractionFailed, match="damaged or unreadable DOCX"):
        extract_text(write(buffer.getvalue()), DOCX)


def test_the_text_kept_is_capped(write, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 100)
    result = extract_text(write(files.docx(["Paragraf i gjatë"] * 1000)), DOCX)
    assert 90 <= len(result.text) <= 100
    assert len(extract_text(write(files.text_in("utf-8", "ë" * 1000)), TEXT).text) == 100


# --- Plain text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", ALBANIAN),
        ("utf-8-sig", SERBIAN_CYRILLIC),
        ("utf-16", SERBIAN_LATIN),
        ("cp1250", ALBANIAN),
        ("cp1250", SERBIAN_LATIN),
        ("cp1250", "Žalba građana"),  # short: charset-normalizer read this one as cp1252
        ("cp1251", SERBIAN_CYRILLIC),
        ("cp1251", "Ђаковица"),  # one word: charset-normalizer read this as cp1250
        ("cp1252", "Çmimi: 5 € – “oferta” e Komunës"),
    ],
)
def test_plain_text_in_each_encoding(write, encoding: str, text: str) -> None:  # type: ignore[no-untyped-def]
    result = extract_text(write(files.text_in(encoding, text)), TEXT)
    assert result.text == text
    assert result.method.startswith("text:")


def test_utf8_cut_inside_a_character_stays_utf8(write, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 5)  # reads 10 bytes: ë is 2, so 5 and a half
    result = extract_text(write(files.text_in("utf-8", "ë" * 20)), TEXT)
    assert (result.method, result.text) == ("text:utf-8", "ëëëëë")


# --- Refusals and the machine's failures --------------------------------------------------------


def test_an_unsupported_type_fails_for_good(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExtractionFailed, match="no text extraction for text/html"):
        extract_text(write(files.html_page()), "text/html")
    with pytest.raises(ExtractionFailed):
        extract_text(write(files.pe_executable()), "application/vnd.microsoft.portable-executable")


def test_a_missing_file_is_transient(tmp_path: Path) -> None:
    with pytest.raises(TransientExtractionError):
        extract_text(str(tmp_path / "gone"), PDF)


def test_a_missing_temporary_directory_is_transient(write, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = write(files.pdf_with_text(ALBANIAN))
    monkeypatch.setattr(tempfile, "tempdir", "/nonexistent/tmp")
    with pytest.raises(TransientExtractionError, match="No such file or directory"):
        extract_text(path, PDF)


def test_a_tool_not_installed_is_transient(write, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path = write(files.pdf_with_text(ALBANIAN))
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(TransientExtractionError, match="cannot run pdftotext"):
        extract_text(path, PDF)


def test_a_tool_over_its_time_is_stopped_and_transient() -> None:
    # A tool that surely outlasts its time: a fast tool under a tiny limit could finish before
    # the timer's thread ran on a busy machine (it did, once, in CI).
    started = time.monotonic()
    with pytest.raises(TransientExtractionError, match="sleep took longer than"):
        extract._run(["sleep", "30"], timeout=0.2)
    assert time.monotonic() - started < 10  # stopped, not waited for


# --- The task -----------------------------------------------------------------------------------


def make_version(content: bytes, mime_type: str, filename: str) -> DocumentVersion:
    """The least the task needs: a registered document with one stored version."""
    user = User.objects.order_by("pk").first()
    institution = Institution.objects.order_by("pk").first()
    assert user is not None and institution is not None
    number = Registration.objects.count() + 1
    registration = Registration.objects.create(
        institution=institution,
        year=2026,
        number=number,
        registration_number=f"{institution.code}-TEST-{number:06d}",
        registered_by=user,
    )
    document = Document.objects.create(
        title="Vendim",
        kind=Kind.DECISION,
        institution=institution,
        registration=registration,
        created_by=user,
    )
    version = DocumentVersion(
        document=document,
        number=1,
        filename=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type=mime_type,
        created_by=user,
    )
    version.file.save(filename, ContentFile(content), save=False)
    version.save()
    return version


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pdf_version(demo, media) -> DocumentVersion:  # type: ignore[no-untyped-def]
    return make_version(files.pdf_with_text(ALBANIAN), PDF, "vendimi.pdf")


def test_the_task_records_the_text_and_audits_it(pdf_version: DocumentVersion) -> None:
    assert extract_version_text.apply(args=(pdf_version.pk,)).get() == "done"
    pdf_version.refresh_from_db()
    assert pdf_version.text_status == TextStatus.DONE
    assert pdf_version.text_method == "pdf_text"
    assert "Kuvendi i Komunës miratoi" in pdf_version.text
    assert pdf_version.text_error == ""
    [entry] = entries("document.text_extracted")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        "system",
        "documents.document",
        str(pdf_version.document_id),
    )
    assert entry.data == {"version": 1, "method": "pdf_text", "pages": 1}


def test_nul_characters_are_removed(
    pdf_version: DocumentVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "documents.tasks.extract_text", lambda path, mime: Extraction("a\x00b\x00", "text", 1)
    )
    extract_version_text.apply(args=(pdf_version.pk,))
    pdf_version.refresh_from_db()
    assert pdf_version.text == "ab"


def test_the_task_uses_a_copy_when_the_storage_has_no_path(demo, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    version = make_version(files.odt(["Njoftim për mbledhjen"]), ODT, "njoftim.odt")
    extract_version_text.apply(args=(version.pk,))
    version.refresh_from_db()
    assert (version.text_status, version.text) == (TextStatus.DONE, "Njoftim për mbledhjen")


def test_a_damaged_file_is_marked_failed_with_the_reason(demo, media) -> None:  # type: ignore[no-untyped-def]
    version = make_version(files.corrupt_pdf(), PDF, "prishur.pdf")
    assert extract_version_text.apply(args=(version.pk,)).get() == "failed"
    version.refresh_from_db()
    assert version.text_status == TextStatus.FAILED
    assert version.text_error.startswith("damaged or unreadable PDF")
    [entry] = entries("document.text_failed")
    assert entry.data == {"version": 1, "reason": version.text_error}


def test_a_deleted_version_is_left_alone(db) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    assert extract_version_text.apply(args=(987654,)).get() == "missing"
    assert AuditEntry.objects.count() == before


def test_a_second_run_does_nothing(pdf_version: DocumentVersion) -> None:
    extract_version_text.apply(args=(pdf_version.pk,))
    assert extract_version_text.apply(args=(pdf_version.pk,)).get() == "done"
    assert len(entries("document.text_extracted")) == 1


def test_a_run_that_finishes_second_writes_nothing(
    pdf_version: DocumentVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs at once (a redelivered message): the other one finishes while this one is
    extracting; this one then finds the row no longer pending under its lock."""

    def other_run_finishes_first(path: str, mime_type: str) -> Extraction:
        DocumentVersion.objects.filter(pk=pdf_version.pk).update(
            text_status=TextStatus.DONE, text="from the other run"
        )
        return Extraction("from this run", "pdf_text", 1)

    monkeypatch.setattr("documents.tasks.extract_text", other_run_finishes_first)
    assert extract_version_text.apply(args=(pdf_version.pk,)).get() == "skipped"
    pdf_version.refresh_from_db()
    assert pdf_version.text == "from the other run"
    assert not entries("document.text_extracted")


def test_a_transient_error_is_retried_then_marked_failed(
    pdf_version: DocumentVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def overloaded(path: str, mime_type: str) -> Extraction:
        calls.append(path)
        raise TransientExtractionError("tesseract took longer than 120 s")

    monkeypatch.setattr("documents.tasks.extract_text", overloaded)
    extract_version_text.apply(args=(pdf_version.pk,))
    assert len(calls) == 4  # the first try and three retries
    pdf_version.refresh_from_db()
    assert pdf_version.text_status == TextStatus.FAILED
    assert pdf_version.text_error == "tesseract took longer than 120 s"
    assert [entry.data["reason"] for entry in entries("document.text_failed")] == [
        "tesseract took longer than 120 s"
    ]


def test_a_retry_that_succeeds_records_the_text(
    pdf_version: DocumentVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: list[Exception | Extraction] = [
        TransientExtractionError("Resource temporarily unavailable"),
        Extraction("Kuvendi", "pdf_text", 1),
    ]

    def flaky(path: str, mime_type: str) -> Extraction:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr("documents.tasks.extract_text", flaky)
    extract_version_text.apply(args=(pdf_version.pk,))
    pdf_version.refresh_from_db()
    assert (pdf_version.text_status, pdf_version.text) == (TextStatus.DONE, "Kuvendi")


def test_a_stored_file_gone_missing_ends_failed(pdf_version: DocumentVersion) -> None:
    assert pdf_version.file.name
    pdf_version.file.storage.delete(pdf_version.file.name)
    extract_version_text.apply(args=(pdf_version.pk,))
    pdf_version.refresh_from_db()
    assert (pdf_version.text_status, pdf_version.text_error) == (
        TextStatus.FAILED,
        "the stored file is missing",
    )


# --- reprocess_documents ------------------------------------------------------------------------


def test_reprocess_resets_failed_versions_and_queues_them(
    pdf_version: DocumentVersion, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    DocumentVersion.objects.filter(pk=pdf_version.pk).update(
        text_status=TextStatus.FAILED, text_error="tesseract took longer than 120 s"
    )
    done = make_version(files.text_in("utf-8", "Vendim"), TEXT, "vendim.txt")
    DocumentVersion.objects.filter(pk=done.pk).update(text_status=TextStatus.DONE)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("reprocess_documents", stdout=out)
    assert len(callbacks) == 1  # the failed version only
    assert "1 version(s) queued" in out.getvalue()
    pdf_version.refresh_from_db()
    assert (pdf_version.text_status, pdf_version.text_error) == (TextStatus.PENDING, "")
    [entry] = entries("document.text_reprocess_requested")
    assert entry.data == {"version": 1, "previous_status": "failed"}


def test_reprocess_sync_of_one_document(pdf_version: DocumentVersion) -> None:
    other = make_version(files.text_in("utf-8", "Vendim"), TEXT, "vendim.txt")
    DocumentVersion.objects.filter(pk__in=[pdf_version.pk, other.pk]).update(
        text_status=TextStatus.FAILED
    )
    out = io.StringIO()
    call_command(
        "reprocess_documents", "--document", str(pdf_version.document_id), "--sync", stdout=out
    )
    assert out.getvalue() == f"1/1 version {pdf_version.pk}: done\n"
    pdf_version.refresh_from_db()
    other.refresh_from_db()
    assert (pdf_version.text_status, other.text_status) == (TextStatus.DONE, TextStatus.FAILED)


# --- A lost message ----------------------------------------------------------------------------


def test_stale_pending_versions_are_queued_again(pdf_version: DocumentVersion) -> None:
    """The sweep re-sends the extraction of versions pending for over an hour (a message lost
    with the broker), not of fresh or finished ones, and the run that follows records the
    text as usual."""
    from unittest import mock

    from documents.tasks import STALE_EXTRACTION, requeue_stale_extractions

    fresh = make_version(files.text_in("utf-8", "Vendim"), TEXT, "vendim.txt")
    done = make_version(files.text_in("utf-8", "Vendim"), TEXT, "raport.txt")
    long_ago = timezone.now() - STALE_EXTRACTION - timedelta(minutes=1)
    DocumentVersion.objects.filter(pk__in=[pdf_version.pk, done.pk]).update(created_at=long_ago)
    DocumentVersion.objects.filter(pk=done.pk).update(text_status=TextStatus.DONE)
    with mock.patch.object(extract_version_text, "delay") as delay:
        assert requeue_stale_extractions() == 1
    delay.assert_called_once_with(pdf_version.pk)
    assert extract_version_text.apply(args=(pdf_version.pk,)).get() == "done"
    assert requeue_stale_extractions() == 0
    fresh.refresh_from_db()
    assert fresh.text_status == TextStatus.PENDING  # its own message is still on its way


# --- In the real worker -------------------------------------------------------------------------


@pytest.mark.worker
def test_the_worker_extracts_a_version_after_commit(worker, demo) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        version = make_version(files.docx([SERBIAN_CYRILLIC]), DOCX, "odluka.docx")
        extract_version_text.delay_on_commit(version.pk)
    try:
        wait_for(
            lambda: (
                DocumentVersion.objects.filter(pk=version.pk, text_status=TextStatus.DONE)
                .values_list("text", flat=True)
                .first()
                == SERBIAN_CYRILLIC
            )
        )
        assert len(entries("document.text_extracted")) == 1
    finally:
        version.file.delete(save=False)
