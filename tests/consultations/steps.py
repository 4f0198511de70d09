"""Steps the consultation tests take, as the officials and the public do: through the API."""

from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tests.documents import files
from tests.workflows.steps import completed, inbox

TITLE = "Koncept-dokumenti për transportin publik"
SUMMARY_SQ = "Komuna propozon linja të reja të autobusëve për fshatrat."
SUMMARY_SR = "Opština predlaže nove autobuske linije za sela."

PERSON = {
    "name": "Arbër Gashi",
    "capacity": "individual",
    "email": "arber@example.org",
    "phone": "+383 44 000 000",
    "address": "Rruga e Dëshmorëve 1, Kllokot",
    "text": "Linja e re duhet të kalojë edhe nëpër Mogillë.",
    "section": "Neni 3",
}
ORGANISATION = {
    "name": "Vesna Jović",
    "capacity": "organisation",
    "organisation": "Udruženje Zeleni Klokot",
    "fields_of_action": "mjedisi, transporti",
    "email": "info@zeleni.example.org",
    "text": "Oraret duhet të publikohen edhe në serbisht.",
}


def upload(client, title: str = "Projekti", classification: str | None = None) -> int:  # type: ignore[no-untyped-def]
    """An uploaded document: internal unless a classification is given, as on the form."""
    fields = {
        "title": title,
        "kind": "other",
        "language": "sq",
        "file": SimpleUploadedFile("draft.pdf", files.pdf_with_text(title)),
    }
    if classification is not None:
        fields["classification"] = classification
    response = client.post("/api/documents/", fields, format="multipart")
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def start(client, *, closes_at: datetime | None = None, **fields: Any):  # type: ignore[no-untyped-def]
    body = {
        "title": TITLE,
        "summary_sq": SUMMARY_SQ,
        "summary_sr": SUMMARY_SR,
        "documents": [],
        "closes_at": (closes_at or timezone.now() + timedelta(days=40)).isoformat(),
        **fields,
    }
    return client.post("/api/processes/public-consultation/", body, format="json")


def started(client, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = start(client, **fields)
    assert response.status_code == 201, response.content
    return dict(response.json())


def approved(officer, mayor, **fields: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A consultation the officer prepared and the mayor approved: open for comments."""
    process = started(officer, **fields)
    [task] = [t for t in inbox(mayor) if t["process_id"] == process["id"]]
    return completed(mayor, task["id"], "approve")


def comment(api, consultation_id: int, **fields: Any):  # type: ignore[no-untyped-def]
    return api.post(
        f"/api/public/consultations/{consultation_id}/comments/",
        {**PERSON, **fields},
        format="json",
    )


def closed(monkeypatch, process: dict[str, Any]) -> datetime:  # type: ignore[no-untyped-def]
    """Move past the closing time and let the sweep fire the timer, as beat does."""
    later = datetime.fromisoformat(process["data"]["closes_at"]) + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("sweep_deadlines", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return later
