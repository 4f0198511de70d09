"""A document stays with its institution unless its owner lets it go: a process carries only its
own institution's documents (or another's with the owner's recorded consent), sending never
re-shares a third party's document, only `public` documents are ever published, and a process
or a version names only the documents the caller may read."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from documents.models import Document
from workflows.models import CoordinationProcess

from .steps import complete, completed, inbox

MEETING = timezone.localdate() + timedelta(days=10)
PLAN = {
    "key_messages": ["Buxheti 2027 rrit investimet kapitale."],
    "audiences": ["qytetarët"],
    "channels": ["rrjetet sociale"],
    "spokesperson": "Ministri i Financave",
    "timing": "pas mbledhjes",
    "languages": ["sq", "sr"],
}
DOCUMENT_TYPE = "documents.document"
REFUSED_ATTACHING = {
    "sq": "Këto dokumente i përkasin një institucioni tjetër",
    "sr-latn": "Ovi dokumenti pripadaju drugoj instituciji",
    "sr": "Ови документи припадају другој институцији",
    "en": "These documents are another institution's",
}


def upload(client, title: str, classification: str = "internal") -> int:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/documents/",
        {
            "title": title,
            "kind": "other",
            "classification": classification,
            "file": SimpleUploadedFile("dokumenti.txt", f"{title}\n".encode()),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def share(client, document: int, institution: str, **fields: Any):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/documents/{document}/share/", {"institution": institution, **fields}, format="json"
    )


def start_material(client, documents: list[int], **headers: str):  # type: ignore[no-untyped-def]
    body = {
        "title": "Projektligji për buxhetin 2027",
        "meeting_date": str(MEETING),
        "communication_plan": PLAN,
        "documents": documents,
        # Each holds both official languages: published only so (issue 27).
        "bilingual_documents": documents,
    }
    return client.post("/api/processes/meeting-material/", body, format="json", **headers)


def entries(action: str, document: int) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, object_type=DOCUMENT_TYPE, object_id=str(document)
        ).order_by("seq")
    )


@pytest.fixture
def confidential(api_as) -> int:  # type: ignore[no-untyped-def]
    """A municipality's confidential document, shared with the Ministry of Finance only."""
    kllokot = api_as("kllokot.mayor")
    document = upload(kllokot, "Raporti konfidencial i komunës", "confidential")
    assert share(kllokot, document, "MF").status_code == 200
    return document


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(REFUSED_ATTACHING))
def test_a_document_shared_with_an_institution_is_not_attached_to_its_process(
    api_as, confidential: int, language: str
) -> None:  # type: ignore[no-untyped-def]
    comms = api_as("mf.comms")
    assert comms.get(f"/api/documents/{confidential}/").status_code == 200  # it was shared
    processes = CoordinationProcess.objects.count()

    refused = start_material(comms, [confidential], HTTP_ACCEPT_LANGUAGE=language)

    assert refused.status_code == 403, refused.content
    message = refused.json()["error"]["message"]
    assert message.startswith(REFUSED_ATTACHING[language]) and str(confidential) in message
    assert CoordinationProcess.objects.count() == processes  # nothing started
    [entry] = entries("document.attach_refused", confidential)
    assert (entry.actor, entry.data["institution"]) == ("mf.comms", "MF")
    assert "process" not in entry.data  # the refused process never existed
    for reader in ("zkp.coordinator", "sq.secretary"):
        assert api_as(reader).get(f"/api/documents/{confidential}/").status_code == 404


@pytest.mark.django_db
def test_a_revision_cannot_attach_another_institutions_document_either(
    api_as, confidential: int
) -> None:  # type: ignore[no-untyped-def]
    comms, minister = api_as("mf.comms"), api_as("mf.minister")
    own = upload(comms, "Projektligji")
    process = start_material(comms, [own]).json()
    completed(minister, inbox(minister)[0]["id"], "return", "Shtoni aneksin.")
    [revision] = inbox(comms)

    refused = complete(comms, revision["id"], "submit", documents=[own, confidential])

    assert refused.status_code == 403, refused.content
    assert str(confidential) in refused.json()["error"]["message"]
    [entry] = entries("document.attach_refused", confidential)
    assert entry.data == {"institution": "MF", "process": process["id"]}
    # The task is still open and the process carries what it carried.
    assert [task["id"] for task in inbox(comms)] == [revision["id"]]
    assert comms.get(f"/api/processes/{process['id']}/").json()["documents"] == [own]


@pytest.mark.django_db
def test_sending_never_reshares_a_third_partys_document(api_as, confidential: int) -> None:  # type: ignore[no-untyped-def]
    """A process that carries another institution's document from before these checks: the
    ministry's own document goes with it, the third party's is withheld and recorded."""
    comms, minister, zkp = api_as("mf.comms"), api_as("mf.minister"), api_as("zkp.coordinator")
    own = upload(comms, "Projektligji")
    process = start_material(comms, [own]).json()
    CoordinationProcess.objects.get(pk=process["id"]).documents.add(confidential)

    approved = completed(minister, inbox(minister)[0]["id"], "approve")

    assert zkp.get(f"/api/documents/{own}/").status_code == 200
    assert zkp.get(f"/api/documents/{confidential}/").status_code == 404
    assert zkp.get(f"/api/documents/{confidential}/content/").status_code == 404
    assert approved["data"]["shared_documents"] == [own]
    [withheld] = entries("document.withheld", confidential)
    assert withheld.data == {"institution": "ZKM", "forwarded_by": "MF", "process": process["id"]}
    [completion] = AuditEntry.objects.filter(action="task.completed", data__action="approve")
    assert completion.data["withheld_documents"] == [confidential]
    # Its one share is the owner's own, to the ministry.
    assert [e.data for e in entries("document.shared", confidential)] == [{"institution": "MF"}]


@pytest.mark.django_db
def test_with_the_owners_recorded_consent_a_document_goes_on_with_the_process(api_as) -> None:  # type: ignore[no-untyped-def]
    kllokot, comms = api_as("kllokot.mayor"), api_as("mf.comms")
    minister, zkp = api_as("mf.minister"), api_as("zkp.coordinator")
    document = upload(kllokot, "Të dhënat e komunës për buxhetin")
    assert share(kllokot, document, "MF", may_forward=True).status_code == 200
    [consent] = entries("document.forwarding_consented", document)
    assert (consent.actor, consent.data["institution"]) == ("kllokot.mayor", "MF")
    # Only the owner gives consent: the institution it was shared with cannot give itself more.
    assert share(comms, document, "ZKM", may_forward=True).status_code == 403

    process = start_material(comms, [document])
    assert process.status_code == 201, process.content
    completed(minister, inbox(minister)[0]["id"], "approve")

    assert zkp.get(f"/api/documents/{document}/").status_code == 200
    forwarded = [e.data for e in entries("document.shared", document)]
    assert forwarded == [
        {"institution": "MF"},
        {"institution": "ZKM", "forwarded_by": "MF"},
    ]
    for outsider in ("prishtine.mayor", "mapl.legal"):
        assert api_as(outsider).get(f"/api/documents/{document}/").status_code == 404

    # Withdrawn, the consent lets nothing more be attached; what was sent stays sent.
    assert share(kllokot, document, "MF", may_forward=False).status_code == 200
    assert len(entries("document.forwarding_withdrawn", document)) == 1
    assert start_material(comms, [document]).status_code == 403
    assert zkp.get(f"/api/documents/{document}/").status_code == 200


@pytest.mark.django_db
def test_a_confidential_document_takes_no_consent_to_be_sent_on(api_as) -> None:  # type: ignore[no-untyped-def]
    kllokot = api_as("kllokot.mayor")
    document = upload(kllokot, "Raporti konfidencial", "confidential")

    refused = share(kllokot, document, "MF", may_forward=True)

    assert refused.status_code == 400, refused.content
    assert set(refused.json()["error"]["details"]) == {"may_forward"}
    assert refused.json()["error"]["message"].startswith("may_forward: Një dokument konfidencial")
    serbian = kllokot.post(
        f"/api/documents/{document}/share/",
        {"institution": "MF", "may_forward": True},
        format="json",
        HTTP_ACCEPT_LANGUAGE="sr-latn",
    )
    assert serbian.status_code == 400 and "Poverljiv dokument" in serbian.json()["error"]["message"]
    assert api_as("mf.comms").get(f"/api/documents/{document}/").status_code == 404  # not shared
    refusals = entries("document.forwarding_refused", document)
    assert [(e.actor, e.data["institution"]) for e in refusals] == [("kllokot.mayor", "MF")] * 2


def material_approved(api_as, documents: list[int]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    comms, minister = api_as("mf.comms"), api_as("mf.minister")
    zkp, secretary = api_as("zkp.coordinator"), api_as("sq.secretary")
    response = start_material(comms, documents)
    assert response.status_code == 201, response.content
    completed(minister, inbox(minister)[0]["id"], "approve")
    completed(zkp, inbox(zkp)[0]["id"], "approve")
    completed(secretary, inbox(secretary)[0]["id"], "schedule", agenda_item="3")
    # Recorded once the meeting took place (issue 27).
    meeting_day = timezone.now() + timedelta(days=10)
    with mock.patch.object(timezone, "now", lambda: meeting_day):
        return completed(secretary, inbox(secretary)[0]["id"], "record_outcome", outcome="approved")


@pytest.mark.django_db
def test_approved_material_publishes_only_its_public_documents(api_as, api) -> None:  # type: ignore[no-untyped-def]
    comms = api_as("mf.comms")
    by_classification = {
        classification: upload(comms, f"Dokumenti {classification}", classification)
        for classification in ("public", "internal", "confidential")
    }
    process = material_approved(api_as, list(by_classification.values()))

    [published] = api.get("/api/public/meeting-materials/").json()["results"]
    assert [d["id"] for d in published["documents"]] == [by_classification["public"]]
    for classification, document in by_classification.items():
        path = f"/api/public/meeting-materials/{process['id']}/documents/{document}/"
        assert api.get(path).status_code == (200 if classification == "public" else 404), path
    [entry] = AuditEntry.objects.filter(action="process.published")
    assert entry.data["documents"] == [by_classification["public"]]
    assert entry.data["withheld_documents"] == sorted(
        [by_classification["internal"], by_classification["confidential"]]
    )


@pytest.mark.django_db
def test_an_annulled_public_document_is_not_published(api_as, api) -> None:  # type: ignore[no-untyped-def]
    comms = api_as("mf.comms")
    document = upload(comms, "Njoftimi", "public")
    process = material_approved(api_as, [document])
    assert comms.post(f"/api/documents/{document}/annul/", {"reason": "Gabim"}).status_code == 200
    [published] = api.get("/api/public/meeting-materials/").json()["results"]
    assert published["documents"] == []
    path = f"/api/public/meeting-materials/{process['id']}/documents/{document}/"
    assert api.get(path).status_code == 404


# Who sees which of a process's documents: the matrix after the minister's approval, with a
# third party's document on the process from before these checks (withheld when sent).
READERS = {
    "mf.comms": ["own", "foreign"],  # the ministry was sent the municipality's document
    "mf.minister": ["own", "foreign"],
    "zkp.coordinator": ["own"],
    "sq.secretary": ["own"],
    "auditor": ["own", "foreign"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("username", [*READERS, "kllokot.mayor", "prishtine.mayor"])
def test_a_process_names_only_the_documents_the_caller_may_read(
    api_as, confidential: int, username: str
) -> None:  # type: ignore[no-untyped-def]
    comms, minister = api_as("mf.comms"), api_as("mf.minister")
    ids = {"own": upload(comms, "Projektligji"), "foreign": confidential}
    process = start_material(comms, [ids["own"]]).json()
    CoordinationProcess.objects.get(pk=process["id"]).documents.add(confidential)
    completed(minister, inbox(minister)[0]["id"], "approve")
    client = api_as(username)

    detail = client.get(f"/api/processes/{process['id']}/")

    if username not in READERS:  # KLLOKOT owns the document but was never sent the process
        assert detail.status_code == 404
        return
    expected = sorted(ids[name] for name in READERS[username])
    assert detail.json()["documents"] == expected
    [listed] = [
        p for p in client.get("/api/processes/").json()["results"] if p["id"] == process["id"]
    ]
    assert listed["documents"] == expected


@pytest.mark.django_db
def test_duplicate_of_names_only_a_document_the_caller_may_read(api_as, demo) -> None:  # type: ignore[no-untyped-def]
    owner, mapl = api_as("kllokot.assembly"), api_as("mapl.legal")
    private = upload(owner, "Vendimi")
    copy = upload(owner, "Vendimi")  # the same bytes: flagged as a duplicate of the first
    assert share(owner, copy, "MAPL").status_code == 200

    def duplicates(client) -> list[Any]:  # type: ignore[no-untyped-def]
        detail = client.get(f"/api/documents/{copy}/").json()
        versions = client.get(f"/api/documents/{copy}/versions/").json()
        listed = [d for d in client.get("/api/documents/").json()["results"] if d["id"] == copy]
        rows = versions["results"] if isinstance(versions, dict) else versions
        return [
            detail["current_version"]["duplicate_of"],
            *(v["duplicate_of"] for v in rows),
            listed[0]["current_version"]["duplicate_of"],
        ]

    assert duplicates(owner) == [private] * 3
    assert duplicates(api_as("auditor")) == [private] * 3
    assert duplicates(mapl) == [None] * 3
    assert mapl.get(f"/api/documents/{private}/").status_code == 404

    # Nor does the document's page name it, while the owner's links to it.
    assert Document.objects.get(pk=copy).versions.get().duplicate_of is not None
    for username, named in (("mapl.legal", False), ("kllokot.assembly", True)):
        browser = Client()
        browser.force_login(demo[username])
        page = browser.get(f"/documents/{copy}/")
        assert page.status_code == 200
        assert (f'href="/documents/{private}/"' in page.content.decode()) is named, username
