"""Government-meeting material with its communication plan (DOMAIN.md, process 3)."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from tests.documents import files

from .steps import audit_actions, complete, completed, inbox

MEETING = timezone.localdate() + timedelta(days=10)
PLAN = {
    "key_messages": ["Buxheti 2027 rrit investimet kapitale."],
    "audiences": ["qytetarët", "media"],
    "channels": ["konferencë për shtyp", "rrjetet sociale"],
    "spokesperson": "Ministri i Financave",
    "timing": "pas mbledhjes së Qeverisë",
    "languages": ["sq", "sr"],
}
OUTSIDERS = ("kllokot.info", "kllokot.mayor", "mapl.legal", "prishtine.mayor")


def upload(client, title: str, language: str, classification: str = "internal") -> int:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/documents/",
        {
            "title": title,
            "kind": "meeting_material",
            "language": language,
            "classification": classification,
            "file": SimpleUploadedFile(f"{language}.pdf", files.pdf_with_text(title)),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def start(client, **fields: Any):  # type: ignore[no-untyped-def]
    body = {
        "title": "Projektligji për buxhetin 2027",
        "meeting_date": str(MEETING),
        "communication_plan": PLAN,
        **fields,
    }
    return client.post("/api/processes/meeting-material/", body, format="json")


@pytest.mark.django_db
def test_material_approved_reviewed_scheduled_postponed_then_approved_and_published(
    api_as, api, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    comms, minister = api_as("mf.comms"), api_as("mf.minister")
    zkp, secretary = api_as("zkp.coordinator"), api_as("sq.secretary")
    # Public documents: only those are published with the approved material.
    documents = [
        upload(comms, "Projektligji", "sq", "public"),
        upload(comms, "Nacrt zakona", "sr", "public"),
    ]
    response = start(comms, documents=documents)
    assert response.status_code == 201, response.content
    process = response.json()
    assert process["data"]["communication_plan"]["spokesperson"] == PLAN["spokesperson"]
    assert zkp.get(f"/api/processes/{process['id']}/").status_code == 200

    process = completed(minister, inbox(minister)[0]["id"], "approve")
    [review] = inbox(zkp)
    assert (review["name"], review["actions"]) == ("zkp_review", ["approve", "return"])
    process = completed(zkp, review["id"], "return", "Shtoni mesazhin për komunitetet.")
    [revision] = inbox(comms)
    assert revision["name"] == "revise"
    bad = complete(comms, revision["id"], "submit", spokesperson="")
    assert bad.status_code == 400
    messages = ["Buxheti 2027 rrit investimet.", "Mbështetje për komunat joshumicë."]
    process = completed(comms, revision["id"], "submit", key_messages=messages)
    assert process["data"]["communication_plan"]["key_messages"] == messages
    process = completed(minister, inbox(minister)[0]["id"], "approve")
    process = completed(zkp, inbox(zkp)[0]["id"], "approve")

    [schedule] = inbox(secretary)
    assert (schedule["name"], schedule["actions"]) == ("schedule", ["schedule"])
    process = completed(secretary, schedule["id"], "schedule", agenda_item="7")
    assert process["data"]["agenda_item"] == "7"
    [outcome] = inbox(secretary)
    # The meeting takes place (no outcome is recorded before it).
    meeting_day = timezone.now() + timedelta(days=10)
    monkeypatch.setattr(timezone, "now", lambda: meeting_day)
    wrong = complete(secretary, outcome["id"], "record_outcome", outcome="maybe")
    assert wrong.status_code == 400 and "outcome" in wrong.json()["error"]["details"]
    process = completed(secretary, outcome["id"], "record_outcome", outcome="postponed")
    assert api.get("/api/public/meeting-materials/").json()["count"] == 0
    process = completed(secretary, inbox(secretary)[0]["id"], "schedule")
    process = completed(secretary, inbox(secretary)[0]["id"], "record_outcome", outcome="approved")
    assert process["status"] == "done" and process["data"]["published_at"]

    [published] = api.get("/api/public/meeting-materials/").json()["results"]
    assert published["id"] == process["id"]
    assert sorted(d["language"] for d in published["documents"]) == ["sq", "sr"]
    # The number the institution's register gave each document, as its other answers show it.
    for listed in published["documents"]:
        number = comms.get(f"/api/documents/{listed['id']}/").json()["registration_number"]
        assert listed["registration_number"] == number and number.startswith("MF-2")
    download = api.get(f"/api/public/meeting-materials/{process['id']}/documents/{documents[1]}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    public = "/api/public/meeting-materials"
    for path in (
        f"{public}/{process['id']}/documents/{documents[1] + 10_000}/",
        f"{public}/{2**70}/documents/{documents[1]}/",  # beyond what the database holds
        f"{public}/{process['id']}/documents/{2**70}/",
    ):
        assert api.get(path).status_code == 404, path
    for username in OUTSIDERS:
        assert api_as(username).get(f"/api/processes/{process['id']}/").status_code == 404
    actions = [a[0] for a in audit_actions(process["id"])]
    assert actions[0] == "process.started" and actions[-1] == "process.published"
    assert actions.count("task.completed") == 9


@pytest.mark.django_db
def test_the_central_office_reads_the_material_the_minister_sends(api_as) -> None:  # type: ignore[no-untyped-def]
    comms, minister = api_as("mf.comms"), api_as("mf.minister")
    zkp, secretary = api_as("zkp.coordinator"), api_as("sq.secretary")
    first = upload(comms, "Projektligji", "sq")
    start(comms, documents=[first])
    # The central office follows the draft, but its documents stay the ministry's.
    assert zkp.get(f"/api/documents/{first}/").status_code == 404
    completed(minister, inbox(minister)[0]["id"], "approve")
    for reader in (zkp, secretary):
        assert reader.get(f"/api/documents/{first}/").status_code == 200
        assert reader.get(f"/api/documents/{first}/content/").status_code == 200

    # Returned; the revision attaches an annex, which goes with the next approval.
    completed(zkp, inbox(zkp)[0]["id"], "return", "Shtoni aneksin me shifrat.")
    annex = upload(comms, "Aneksi", "sq")
    completed(comms, inbox(comms)[0]["id"], "submit", documents=[first, annex])
    assert zkp.get(f"/api/documents/{annex}/").status_code == 404
    completed(minister, inbox(minister)[0]["id"], "approve")
    assert zkp.get(f"/api/documents/{annex}/").status_code == 200

    for username in OUTSIDERS:
        for document in (first, annex):
            assert api_as(username).get(f"/api/documents/{document}/").status_code == 404
    shared = AuditEntry.objects.filter(action="document.shared").order_by("seq")
    assert [(e.object_id, e.actor, e.data["institution"]) for e in shared] == [
        (str(first), "mf.minister", "ZKM"),
        (str(annex), "mf.minister", "ZKM"),
    ]


@pytest.mark.django_db
def test_unpublished_material_documents_are_not_public(api_as, api) -> None:  # type: ignore[no-untyped-def]
    comms = api_as("mf.comms")
    document = upload(comms, "Draft", "sq")
    process = start(comms, documents=[document]).json()
    response = api.get(f"/api/public/meeting-materials/{process['id']}/documents/{document}/")
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"communication_plan": None}, "communication_plan"),
        ({"communication_plan": {**PLAN, "spokesperson": ""}}, "communication_plan"),
        ({"communication_plan": {**PLAN, "languages": ["sq"]}}, "communication_plan"),
        ({"communication_plan": {**PLAN, "key_messages": ["k\x07"]}}, "communication_plan"),
        (
            {"communication_plan": {**PLAN, "spokesperson": "Arta \u202eMorina"}},
            "communication_plan",
        ),
        ({"meeting_date": str(timezone.localdate() - timedelta(days=1))}, "meeting_date"),
        ({"meeting_date": "soon"}, "meeting_date"),
    ],
)
def test_material_without_a_plan_or_for_a_past_meeting_is_refused(api_as, fields, field) -> None:  # type: ignore[no-untyped-def]
    response = start(api_as("mf.comms"), **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]


@pytest.mark.django_db
def test_material_without_plan_key_is_refused(api_as) -> None:  # type: ignore[no-untyped-def]
    body = {"title": "x", "meeting_date": str(MEETING)}
    response = api_as("mf.comms").post("/api/processes/meeting-material/", body, format="json")
    assert response.status_code == 400
    assert "communication_plan" in response.json()["error"]["details"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["kllokot.info", "mf.minister", "zkp.coordinator"])
def test_only_ministry_communications_officers_submit_material(api_as, username) -> None:  # type: ignore[no-untyped-def]
    assert start(api_as(username)).status_code == 403


@pytest.mark.django_db
def test_the_schema_names_every_part_of_the_plan(api) -> None:  # type: ignore[no-untyped-def]
    schema = api.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    plan = components["MeetingMaterialStartRequest"]["properties"]["communication_plan"]
    component = components[plan["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert set(component["required"]) == set(PLAN)
