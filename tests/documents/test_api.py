"""Documents through the API: intake refusals with real files, registration, versions, access."""

import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEntry
from documents import services
from documents.models import Document, DocumentVersion, Registration, TextStatus
from roles.models import Institution, User
from tests.documents import files

YEAR = timezone.localdate().year


def upload(client, content: bytes, name: str, **fields):  # type: ignore[no-untyped-def]
    data = {
        "title": "Vendim për buxhetin komunal",
        "kind": "decision",
        **fields,
        "file": SimpleUploadedFile(name, content),
    }
    return client.post("/api/documents/", data, format="multipart")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def pdf() -> bytes:
    return files.pdf_with_text("Vendimi i Kuvendit Komunal për buxhetin e vitit")


def test_an_official_registers_a_document_in_their_institutions_book(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    response = upload(api_as("kllokot.assembly"), pdf, "vendimi.pdf", language="sq")
    assert response.status_code == 201, response.content
    document = response.json()
    assert document["registration_number"] == f"KLLOKOT-{YEAR}-000001"
    assert document["institution"] == "KLLOKOT"
    assert document["created_by"] == "kllokot.assembly"
    assert document["text_status"] == "pending"
    version = document["current_version"]
    assert version["number"] == 1 and version["filename"] == "vendimi.pdf"
    assert version["mime_type"] == "application/pdf" and version["size"] == len(pdf)
    import hashlib

    assert version["sha256"] == hashlib.sha256(pdf).hexdigest()
    second = upload(
        api_as("kllokot.info"),
        files.png_with_text("Njoftim"),
        "njoftim.png",
        kind="press_statement",
    )
    assert second.json()["registration_number"] == f"KLLOKOT-{YEAR}-000002"
    other = upload(api_as("prishtine.info"), pdf, "vendimi.pdf")
    assert other.json()["registration_number"] == f"PRISHTINE-{YEAR}-000001"
    entry = AuditEntry.objects.get(action="document.registered", object_id=str(document["id"]))
    assert entry.actor == "kllokot.assembly"
    assert entry.data["new"]["registration_number"] == document["registration_number"]


REFUSALS = [
    ("executable named .pdf", files.pe_executable, "raport.pdf", 415, "type_not_allowed"),
    ("HTML named .txt", files.html_page, "shenime.txt", 415, "type_not_allowed"),
    ("PNG named .pdf", lambda: files.png_with_text("Kllokot"), "skanim.pdf", 415, "type_mismatch"),
    (
        "DOCX with macros",
        lambda: files.docx(["Vendim"], macro=True),
        "vendim.docx",
        415,
        "macros_not_allowed",
    ),
    ("empty file", lambda: b"", "bosh.pdf", 400, "empty_file"),
    ("zip bomb", lambda: files.zip_bomb(docx_like=True), "vendim.docx", 413, "archive_too_large"),
    ("plain zip", lambda: files.zip_bomb(2**20), "arkiv.zip", 415, "type_not_allowed"),
]


@pytest.mark.parametrize(
    ("label", "make", "name", "status", "code"), REFUSALS, ids=[refusal[0] for refusal in REFUSALS]
)
def test_intake_refuses_and_leaves_nothing_behind(api_as, label, make, name, status, code) -> None:  # type: ignore[no-untyped-def]
    before = stored_files()
    response = upload(api_as("kllokot.assembly"), make(), name)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert not Document.objects.exists() and not Registration.objects.exists()
    assert stored_files() == before
    # The refused upload took no number: the next document still gets the first one.
    accepted = upload(api_as("kllokot.assembly"), files.pdf_with_text("Vendim"), "vendim.pdf")
    assert accepted.json()["registration_number"] == f"KLLOKOT-{YEAR}-000001"


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_does_not_fail_a_committed_upload(api_as, pdf: bytes, caplog) -> None:  # type: ignore[no-untyped-def]
    """The document is registered and kept; the extraction message that could not be sent is
    logged, and the version waits as pending for the sweep that queues it again."""
    from unittest import mock

    from kombu.exceptions import OperationalError

    from documents.tasks import extract_version_text

    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(extract_version_text, "delay", side_effect=down) as delay:
        response = upload(api_as("kllokot.assembly"), pdf, "vendimi.pdf")
    assert delay.called  # the send was tried, after the commit
    assert response.status_code == 201, response.content
    assert response.json()["text_status"] == "pending"
    assert DocumentVersion.objects.get(document_id=response.json()["id"]).text_status == "pending"
    assert "Connection refused" in caplog.text


def test_a_file_over_the_size_limit_is_refused_with_413(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    with override_settings(DOCUMENT_MAX_UPLOAD_SIZE=len(pdf) - 1):
        response = upload(api_as("kllokot.assembly"), pdf, "vendim.pdf")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert not Document.objects.exists()


def test_file_names_lose_paths_controls_and_direction_overrides(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    response = upload(api_as("kllokot.assembly"), pdf, "..\\..\\tmp/vendim\u202egnp\x07.pdf")
    assert response.status_code == 201, response.content
    assert response.json()["current_version"]["filename"] == "vendimgnp.pdf"
    stored = str(Document.objects.get().versions.get().file.name)
    assert "vendim" not in stored and stored.startswith("documents/")


def test_identical_content_in_the_same_institution_is_flagged(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    first = upload(api_as("kllokot.assembly"), pdf, "a.pdf").json()
    again = upload(api_as("kllokot.info"), pdf, "b.pdf").json()
    elsewhere = upload(api_as("prishtine.assembly"), pdf, "c.pdf").json()
    assert first["current_version"]["duplicate_of"] is None
    assert again["current_version"]["duplicate_of"] == first["id"]
    assert again["registration_number"] != first["registration_number"]
    assert elsewhere["current_version"]["duplicate_of"] is None


def test_content_download_versions_and_headers(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.assembly")
    document = upload(client, pdf, "vendimi.pdf").json()
    newer = files.pdf_with_text("Vendimi i ndryshuar")
    added = client.post(
        f"/api/documents/{document['id']}/versions/",
        {"file": SimpleUploadedFile("vendimi-2.pdf", newer)},
        format="multipart",
    )
    assert added.status_code == 201 and added.json()["number"] == 2
    current = client.get(f"/api/documents/{document['id']}/content/")
    assert current.status_code == 200
    assert b"".join(current.streaming_content) == newer
    assert current["Content-Type"] == "application/pdf"
    assert current["Content-Disposition"].startswith("attachment;")
    assert "vendimi-2.pdf" in current["Content-Disposition"]
    assert current["X-Content-Type-Options"] == "nosniff"
    first = client.get(f"/api/documents/{document['id']}/content/?version=1")
    assert b"".join(first.streaming_content) == pdf
    assert client.get(f"/api/documents/{document['id']}/content/?version=7").status_code == 404
    assert client.get(f"/api/documents/{document['id']}/content/?version=x").status_code == 400
    listed = client.get(f"/api/documents/{document['id']}/versions/").json()
    assert [version["number"] for version in listed["results"]] == [1, 2]
    detail = client.get(f"/api/documents/{document['id']}/").json()
    assert detail["current_version"]["number"] == 2
    assert AuditEntry.objects.filter(action="document.version_added").count() == 1


def test_sharing_lets_another_institution_read_and_nobody_else(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    owner = api_as("kllokot.assembly")
    document = upload(owner, pdf, "vendimi.pdf").json()
    path = f"/api/documents/{document['id']}/"
    assert api_as("mapl.legal").get(path).status_code == 404
    shared = owner.post(f"{path}share/", {"institution": "MAPL"}, format="json")
    assert shared.status_code == 200
    assert api_as("mapl.legal").get(path).status_code == 200
    assert api_as("mapl.legal").get(f"{path}content/").status_code == 200
    assert api_as("prishtine.mayor").get(path).status_code == 404
    refused = api_as("mapl.legal").post(
        f"{path}versions/", {"file": SimpleUploadedFile("x.pdf", pdf)}, format="multipart"
    )
    assert refused.status_code == 403
    assert owner.post(f"{path}share/", {"institution": "NOWHERE"}, format="json").status_code == 400
    own = owner.post(f"{path}share/", {"institution": "KLLOKOT"}, format="json")
    assert own.status_code == 400
    assert set(own.json()["error"]["details"]) == {"institution"}
    # Sharing again changes nothing, so the log records nothing more.
    assert owner.post(f"{path}share/", {"institution": "mapl"}, format="json").status_code == 200
    entry = AuditEntry.objects.get(action="document.shared")
    assert entry.data["institution"] == "MAPL"
    granted = AuditEntry.objects.filter(action="permission.granted", object_id=str(document["id"]))
    assert sum("MAPL" in grant.data["group"] for grant in granted) == 1


def test_a_title_with_control_characters_is_refused_before_anything_is_registered(  # type: ignore[no-untyped-def]
    api_as, pdf: bytes
) -> None:
    client = api_as("kllokot.assembly")
    registered = Document.objects.count()
    # C0 and C1 controls, a line break, a byte-order mark, a right-to-left override.
    for title in (
        "Vendimi\x07",
        "Vendi\x85mi",
        "Vendimi\nnr. 2",
        "\ufeffVendimi",
        "Vendimi \u202e2",
    ):
        refused = upload(client, pdf, "v.pdf", title=title)
        assert refused.status_code == 400, refused.content
        assert set(refused.json()["error"]["details"]) == {"title"}
    assert Document.objects.count() == registered


def test_annulment_keeps_the_number_and_needs_a_reason(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.assembly")
    document = upload(client, pdf, "vendimi.pdf").json()
    path = f"/api/documents/{document['id']}/annul/"
    assert client.post(path, {"reason": "  "}, format="json").status_code == 400
    annulled = client.post(path, {"reason": "Regjistruar gabimisht"}, format="json")
    assert annulled.status_code == 200
    body = annulled.json()
    assert body["annulled"] is True and body["annulment_reason"] == "Regjistruar gabimisht"
    assert body["registration_number"] == document["registration_number"]
    again = client.post(path, {"reason": "again"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "annulled"
    version = client.post(
        f"{path[: -len('annul/')]}versions/",
        {"file": SimpleUploadedFile("v2.pdf", pdf)},
        format="multipart",
    )
    assert version.status_code == 409 and version.json()["error"]["code"] == "annulled"
    nxt = upload(client, files.pdf_with_text("Tjetër"), "tjeter.pdf").json()
    assert nxt["registration_number"] == f"KLLOKOT-{YEAR}-000002"
    assert AuditEntry.objects.filter(action="document.annulled").count() == 1


def test_uploading_into_another_institutions_book_is_refused(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    response = upload(api_as("kllokot.assembly"), pdf, "v.pdf", institution="MAPL")
    assert response.status_code == 403
    assert upload(api_as("kllokot.assembly"), pdf, "v.pdf", institution="XX").status_code == 400
    ok = upload(api_as("kllokot.assembly"), pdf, "v.pdf", institution="kllokot")
    assert ok.status_code == 201


CALLERS = [
    None,
    "kllokot.assembly",
    "kllokot.mayor",
    "mapl.legal",
    "prishtine.info",
    "auditor",
    "admin",
]


@pytest.mark.parametrize(
    ("method", "suffix", "body", "expected"),
    [
        ("get", "", None, [401, 200, 200, 200, 404, 200, 200]),
        ("get", "content/", None, [401, 200, 200, 200, 404, 200, 200]),
        ("get", "versions/", None, [401, 200, 200, 200, 404, 200, 200]),
        ("post", "versions/", "file", [401, 201, 201, 403, 404, 403, 201]),
        ("post", "share/", {"institution": "AIP"}, [401, 200, 200, 403, 404, 403, 200]),
        ("post", "annul/", {"reason": "gabim"}, [401, 200, 200, 403, 404, 403, 200]),
    ],
)
def test_document_permission_matrix(api_as, pdf, method, suffix, body, expected) -> None:  # type: ignore[no-untyped-def]
    """Owner institution (KLLOKOT) writes, MAPL was sent the document and reads, PRISHTINE
    sees nothing, the auditor reads everything; the superuser may do anything."""
    for caller, status in zip(CALLERS, expected, strict=True):
        document = upload(api_as("kllokot.assembly"), pdf, "v.pdf").json()
        owner = Document.objects.get(pk=document["id"])
        services.document_share(
            actor=owner.created_by, document=owner, institution=Institution.objects.get(code="MAPL")
        )
        client = api_as(caller)
        path = f"/api/documents/{document['id']}/{suffix}"
        if body == "file":
            response = client.post(
                path, {"file": SimpleUploadedFile("v2.pdf", pdf)}, format="multipart"
            )
        else:
            response = getattr(client, method)(path, body, format="json")
        assert response.status_code == status, (caller, path, response.content[:300])


def test_document_list_shows_only_what_the_caller_may_read(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    upload(api_as("kllokot.assembly"), pdf, "a.pdf")
    upload(api_as("prishtine.assembly"), files.pdf_with_text("Prishtina"), "b.pdf")
    assert api_as("kllokot.mayor").get("/api/documents/").json()["count"] == 1
    assert api_as("prishtine.mayor").get("/api/documents/").json()["count"] == 1
    assert api_as("mapl.legal").get("/api/documents/").json()["count"] == 0
    assert api_as("auditor").get("/api/documents/").json()["count"] == 2
    assert api_as(None).get("/api/documents/").status_code == 401
    assert api_as("kllokot.mayor").get("/api/documents/99999999999999999999/").status_code == 404


@pytest.mark.parametrize("threads", [8])
def test_concurrent_registrations_get_gap_free_unique_numbers(
    transactional_db: None, demo: dict[str, User], threads: int
) -> None:
    # The work each commit sends on (text extraction, search indexing) runs inline in these
    # threads, beside the other threads' uploads of the same content (each new version refers
    # to the first as its duplicate).
    institution = Institution.objects.get(code="KLLOKOT")
    actor = demo["kllokot.assembly"]
    content = files.pdf_with_text("Vendim")
    errors: list[BaseException] = []

    def register(index: int) -> None:
        try:
            for round_number in range(3):
                services.document_create(
                    actor=actor,
                    institution=institution,
                    upload=SimpleUploadedFile(f"v{index}-{round_number}.pdf", content),
                    filename=f"v{index}-{round_number}.pdf",
                    size=len(content),
                    title=f"Vendim {index}/{round_number}",
                    kind="decision",
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=register, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    numbers = sorted(
        Registration.objects.filter(institution=institution).values_list("number", flat=True)
    )
    assert numbers == list(range(1, threads * 3 + 1))
    # The inline extraction lost no race: a deadlock there would leave a version failed.
    statuses = DocumentVersion.objects.filter(document__institution=institution).values_list(
        "text_status", flat=True
    )
    assert set(statuses) == {TextStatus.DONE}


def test_a_failed_registration_gives_its_number_back_and_its_file_away(
    demo: dict[str, User], pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    institution = Institution.objects.get(code="KLLOKOT")
    actor = demo["kllokot.assembly"]
    before = stored_files()

    def broken_grant(**kwargs: object) -> None:
        raise RuntimeError("the permission store is down")

    monkeypatch.setattr(services.permissions, "grant", broken_grant)
    with pytest.raises(RuntimeError):
        services.document_create(
            actor=actor,
            institution=institution,
            upload=SimpleUploadedFile("v.pdf", pdf),
            filename="v.pdf",
            size=len(pdf),
            title="Vendim",
            kind="decision",
        )
    assert stored_files() == before
    assert not Registration.objects.exists()
    monkeypatch.undo()
    document = services.document_create(
        actor=actor,
        institution=institution,
        upload=SimpleUploadedFile("v.pdf", pdf),
        filename="v.pdf",
        size=len(pdf),
        title="Vendim",
        kind="decision",
    )
    assert document.registration_number == f"KLLOKOT-{YEAR}-000001"


def test_language_versions_of_one_text_are_linked(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.assembly")
    albanian = upload(client, pdf, "vendimi.pdf", language="sq").json()
    serbian = upload(
        client,
        files.pdf_with_text("Одлука о буџету"),
        "odluka.pdf",
        language="sr",
        translation_of=albanian["id"],
    )
    assert serbian.status_code == 201, serbian.content
    assert serbian.json()["translations"] == [{"id": albanian["id"], "language": "sq"}]
    original = client.get(f"/api/documents/{albanian['id']}/").json()
    assert original["translations"] == [{"id": serbian.json()["id"], "language": "sr"}]
    same_language = upload(client, pdf, "v.pdf", language="sq", translation_of=albanian["id"])
    assert same_language.status_code == 400
    foreign = upload(
        api_as("prishtine.assembly"), pdf, "v.pdf", language="sr", translation_of=albanian["id"]
    )
    assert foreign.status_code == 400  # not visible to Prishtina: no such document


def test_an_auditor_reads_but_changes_nothing_even_in_their_own_institution(
    api_as, pdf: bytes
) -> None:  # type: ignore[no-untyped-def]
    """The auditor belongs to ZKM, whose officials write to its book; the auditor may not."""
    auditor = api_as("auditor")
    assert upload(auditor, pdf, "v.pdf").status_code == 403
    document = upload(api_as("sq.secretary"), pdf, "v.pdf").json()
    assert document["registration_number"] == f"ZKM-{YEAR}-000001"  # no number was taken
    path = f"/api/documents/{document['id']}/"
    assert auditor.get(path).status_code == 200
    version = {"file": SimpleUploadedFile("v2.pdf", files.pdf_with_text("Tjetër"))}
    assert auditor.post(f"{path}versions/", version, format="multipart").status_code == 403
    share = {"institution": "KLLOKOT"}
    assert auditor.post(f"{path}share/", share, format="json").status_code == 403
    annul = {"reason": "gabim"}
    assert auditor.post(f"{path}annul/", annul, format="json").status_code == 403
    assert not AuditEntry.objects.filter(actor="auditor", action__startswith="document.").exists()


def test_an_optional_upload_field_sent_empty_is_refused_not_defaulted(api_as, pdf: bytes) -> None:  # type: ignore[no-untyped-def]
    """An empty institution or language in the form is a 400 naming it, as in JSON: not read
    as absent, which would register the document in the default book or language."""
    client = api_as("kllokot.assembly")
    refused = upload(client, pdf, "a.pdf", institution="", language="")
    assert refused.status_code == 400, refused.content
    assert set(refused.json()["error"]["details"]) == {"institution", "language"}
    assert not Document.objects.exists() and not Registration.objects.exists()
    assert upload(client, pdf, "a.pdf").status_code == 201  # left out, the defaults apply
