"""Press statements through the API as the demo officials (DOMAIN.md, process 2)."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from viewflow.workflow.timers import fire_due_timers

from deadlines.models import DeadlineEvent
from documents.models import Document
from notifications.models import Notification
from roles import services as roles_services
from roles.models import User
from tests.documents import files

from .steps import audit_actions, complete, completed, inbox, member, open_task

MUNICIPAL_OUTSIDERS = ("prishtine.info", "prishtine.mayor", "zkp.coordinator", "mf.comms")
TEXTS = {
    "title": "Njoftim për shtyp: ujësjellësi",
    "text_sq": "Komuna njofton qytetarët për punimet në ujësjellës.",
    "text_sr": "Opština obaveštava građane o radovima na vodovodu.",
}


def start(client, **fields: Any):  # type: ignore[no-untyped-def]
    return client.post("/api/processes/press-statement/", {**TEXTS, **fields}, format="json")


def assert_blind(api_as, process: dict[str, Any], outsiders: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for username in outsiders:
        client = api_as(username)
        assert client.get(f"/api/processes/{process['id']}/").status_code == 404, username
        assert process["id"] not in [t["process_id"] for t in inbox(client)]
        for task in process["tasks"]:
            assert client.post(f"/api/tasks/{task['id']}/claim/").status_code == 404
            assert complete(client, task["id"], "approve").status_code == 404


def scan(client, content: bytes, filename: str = "origjinali.pdf") -> int:  # type: ignore[no-untyped-def]
    """The scanned, signed and stamped statement, registered by the client's institution."""
    response = client.post(
        "/api/documents/",
        {
            "title": "Njoftimi i nënshkruar dhe i vulosur",
            "kind": "press_statement",
            "language": "sq",
            "file": SimpleUploadedFile(filename, content),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def original_archived(api_as, process: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The officer archives the signed original of a released statement: it is complete."""
    officer = api_as("kllokot.info")
    document = scan(officer, files.scanned_pdf("Njoftim i nënshkruar"))
    return completed(
        officer, open_task(process, "archive_original")["id"], "submit", original_document=document
    )


def public_ids(api) -> list[int]:  # type: ignore[no-untyped-def]
    response = api.get("/api/public/press-statements/")
    assert response.status_code == 200, response.content
    return [statement["id"] for statement in response.json()["results"]]


@pytest.mark.django_db
def test_municipal_statement_returned_fixed_approved_released_and_archived(api_as, api) -> None:  # type: ignore[no-untyped-def]
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    response = start(officer)
    assert response.status_code == 201, response.content
    process = response.json()
    assert process["type"] == "press_statement" and process["status"] == "active"
    assert process["data"]["text_sr"] == TEXTS["text_sr"]
    assert_blind(api_as, process, MUNICIPAL_OUTSIDERS)

    [task] = inbox(mayor, type="press_statement")
    assert task["due_at"] and task["overdue"] is False  # one working day to approve
    assert (task["name"], task["actions"], task["institution"]) == (
        "approve",
        ["approve", "return"],
        "KLLOKOT",
    )
    assert Notification.objects.filter(
        user__username="kllokot.mayor", kind="assigned", task_id=task["id"]
    ).exists()
    refused = complete(mayor, task["id"], "return")
    assert refused.status_code == 400 and "comment" in refused.json()["error"]["details"]
    process = completed(mayor, task["id"], "return", "Shtoni orarin e punimeve.")
    assert_blind(api_as, process, MUNICIPAL_OUTSIDERS)

    returned = Notification.objects.get(user__username="kllokot.info", kind="returned")
    assert "Shtoni orarin" in returned.message
    [revision] = inbox(officer)
    assert revision["name"] == "revise" and revision["actions"] == ["submit"]
    blank = complete(officer, revision["id"], "submit", text_sr="  ")
    assert blank.status_code == 400 and "text_sr" in blank.json()["error"]["details"]
    fixed = "Opština obaveštava građane o radovima na vodovodu od 8 do 16 časova."
    process = completed(officer, revision["id"], "submit", text_sr=fixed)
    assert process["data"]["text_sr"] == fixed

    approval = open_task(process, "approve")
    assert public_ids(api) == []
    process = completed(mayor, approval["id"], "approve")
    # Released at once; complete only once the signed and stamped original is archived.
    assert process["status"] == "active"
    assert process["data"]["released_at"]
    assert public_ids(api) == [process["id"]]
    process = original_archived(api_as, process)
    assert process["status"] == "done"
    assert public_ids(api) == [process["id"]]
    [published] = api.get("/api/public/press-statements/").json()["results"]
    assert published["texts"] == {"sq": TEXTS["text_sq"], "sr": fixed}

    archived = Document.objects.filter(pk__in=process["data"]["archived_documents"])
    assert sorted(archived.values_list("language", "kind")) == [
        ("sq", "press_statement"),
        ("sr", "press_statement"),
    ]
    serbian = archived.get(language="sr")
    assert serbian.translation_group == archived.get(language="sq").translation_group
    assert serbian.registration_number.startswith("KLLOKOT-")
    original = process["data"]["original_document"]
    assert sorted(process["documents"]) == sorted(
        [*archived.values_list("pk", flat=True), original]
    )
    assert [a[0] for a in audit_actions(process["id"])] == [
        "process.started",
        "task.completed",
        "task.completed",
        "task.completed",
        "process.released",
        "task.completed",
    ]
    assert Notification.objects.filter(user__username="kllokot.info", kind="published").exists()


@pytest.mark.django_db
def test_whoever_wrote_the_statement_does_not_approve_it_even_acting_for_the_mayor(  # type: ignore[no-untyped-def]
    api_as, demo, client
) -> None:
    mayor = demo["kllokot.mayor"]
    second = member("kllokot.info2", "KLLOKOT", "information_officer")
    for deputy in (demo["kllokot.info"], second):
        roles_services.delegation_create(
            actor=mayor,
            principal=mayor,
            deputy=deputy,
            starts_at=timezone.now() - timedelta(minutes=1),
            ends_at=timezone.now() + timedelta(days=7),
            reason="Pushim vjetor",
        )
    author, other = api_as("kllokot.info"), api_as("kllokot.info2")
    process = start(author).json()
    approval = open_task(process, "approve")
    # The other officer, acting for the mayor, may decide; the author may not, nor claim it,
    # and is not told to.
    assert approval["id"] in [t["id"] for t in inbox(other)]
    told = set(
        Notification.objects.filter(task_id=approval["id"]).values_list("user__username", flat=True)
    )
    assert told == {"kllokot.mayor", "kllokot.info2"}
    assert approval["id"] not in [t["id"] for t in inbox(author)]
    refused = complete(author, approval["id"], "approve")
    assert refused.status_code == 403
    assert "dikush tjetër" in refused.json()["error"]["message"]  # the users' language
    assert author.post(f"/api/tasks/{approval['id']}/claim/").status_code == 403
    client.force_login(demo["kllokot.info"])
    page = client.get(f"/work/tasks/{approval['id']}/")
    assert "dikush tjetër" in page.content.decode()
    assert client.post(f"/work/tasks/{approval['id']}/", {"action": "approve"}).status_code == 403

    process = completed(other, approval["id"], "return", "Shtoni orarin.")
    revision = open_task(process, "revise")
    process = completed(other, revision["id"], "submit", text_sr="Opština obaveštava građane.")
    # Having submitted it again, the other officer wrote it too: only the mayor is left.
    approval = open_task(process, "approve")
    assert complete(other, approval["id"], "approve").status_code == 403
    assert complete(author, approval["id"], "approve").status_code == 403
    assert approval["id"] not in [t["id"] for t in inbox(other)]
    assert completed(api_as("kllokot.mayor"), approval["id"], "approve")["data"]["released_at"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text_sr": ""}, "text_sr"),
        ({"text_sq": "   "}, "text_sq"),
        ({"title": ""}, "title"),
        ({"embargo_until": "tomorrow"}, "embargo_until"),
        ({"government_level": True}, "government_level"),  # municipalities do not
        # Control characters: the statement released as a text file would not pass as one.
        ({"text_sq": "\u0001 kontroll"}, "text_sq"),
        ({"text_sr": "ý\u001cÌ"}, "text_sr"),
    ],
)
def test_what_the_rules_forbid_is_refused_with_400(api_as, fields: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    body = {**TEXTS, **fields}
    response = api_as("kllokot.info").post("/api/processes/press-statement/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]


@pytest.mark.django_db
def test_a_statement_without_serbian_is_refused(api_as) -> None:  # type: ignore[no-untyped-def]
    body = {"title": "x", "text_sq": "Vetëm shqip"}
    response = api_as("kllokot.info").post("/api/processes/press-statement/", body, format="json")
    assert response.status_code == 400
    assert "text_sr" in response.json()["error"]["details"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["kllokot.mayor", "mapl.legal", "auditor"])
def test_only_information_and_communications_officers_draft_statements(api_as, username) -> None:  # type: ignore[no-untyped-def]
    response = start(api_as(username))
    assert response.status_code == 403, response.content


@pytest.mark.django_db
def test_government_statement_passes_zkp_and_waits_for_its_embargo(
    api_as, api, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    comms, minister, zkp = api_as("mf.comms"), api_as("mf.minister"), api_as("zkp.coordinator")
    embargo = timezone.now() + timedelta(hours=2)
    response = start(comms, government_level=True, embargo_until=embargo.isoformat())
    assert response.status_code == 201, response.content
    process = response.json()
    # The central office coordinates every ministry's communication: it sees the item at once.
    assert zkp.get(f"/api/processes/{process['id']}/").status_code == 200
    assert_blind(api_as, process, ("kllokot.info", "kllokot.mayor", "mapl.legal"))

    process = completed(minister, inbox(minister)[0]["id"], "approve")
    [review] = inbox(zkp)
    assert review["name"] == "zkp_review" and review["institution"] == "ZKM"
    process = completed(zkp, review["id"], "return", "Sqaroni shifrat.")
    revision = inbox(comms)[0]
    process = completed(comms, revision["id"], "submit", text_en="The ministry announces.")
    process = completed(minister, inbox(minister)[0]["id"], "approve")
    process = completed(zkp, inbox(zkp)[0]["id"], "approve")

    # Approved and cleared, but under embargo: waiting on the timer, not public.
    assert process["status"] == "active"
    assert fire_due_timers() == 0
    assert public_ids(api) == []

    later = embargo + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("sweep_deadlines")  # the sweep fires due timers too (beat does every 30 s)
    assert fire_due_timers() == 0  # fired once
    assert public_ids(api) == [process["id"]]
    process = api_as("mf.comms").get(f"/api/processes/{process['id']}/").json()
    assert process["status"] == "active" and process["data"]["released_at"]
    assert len(process["data"]["archived_documents"]) == 3  # sq, sr and the English text
    # The ministry's communications officer archives the original; ZKP sees it, nobody else.
    [task] = inbox(comms)
    assert task["name"] == "archive_original" and task["institution"] == "MF"
    document = scan(comms, files.png_with_text("Deklaratë e nënshkruar"), "origjinali.png")
    process = completed(comms, task["id"], "submit", original_document=document)
    assert process["status"] == "done"
    assert zkp.get(f"/api/processes/{process['id']}/").json()["status"] == "done"


@pytest.mark.django_db
def test_the_signed_and_stamped_original_completes_the_statement_on_its_own_clock(  # type: ignore[no-untyped-def]
    api_as, api, monkeypatch
) -> None:
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = start(officer).json()
    process = completed(mayor, open_task(process, "approve")["id"], "approve")
    task = open_task(process, "archive_original")
    assert (task["institution"], task["role"], task["actions"]) == (
        "KLLOKOT",
        "information_officer",
        ["submit"],
    )
    assert Notification.objects.filter(
        user__username="kllokot.info", kind="assigned", task_id=task["id"]
    ).exists()
    # Its own clock, a rule with its basis: two working days from the release.
    [clock] = [d for d in process["deadlines"] if d["rule"] == "press-statement-original"]
    assert clock["state"] == "open" and "origjinalin e tij të skanuar" in clock["legal_basis"]
    assert (clock["institution"], clock["role"]) == ("KLLOKOT", "information_officer")
    assert task["id"] in [t["id"] for t in inbox(officer)] and inbox(officer)[0]["due_at"]

    # Other institutions: the process and its step do not exist for them.
    for username in ("prishtine.info", "prishtine.mayor", "zkp.coordinator", "mapl.registry"):
        other = api_as(username)
        assert other.get(f"/api/processes/{process['id']}/").status_code == 404, username
        assert complete(other, task["id"], "submit", original_document=1).status_code == 404
        assert other.post(f"/api/tasks/{task['id']}/claim/").status_code == 404
    # The mayor sees it, but the step is the officer's.
    assert complete(mayor, task["id"], "submit").status_code == 403

    # What is not a registered scan of the statement's own institution is a 400.
    text = scan(officer, b"Njoftim i shtypur.\n", "njoftimi.txt")
    foreign = scan(api_as("prishtine.info"), files.pdf_with_text("Prishtinë"))
    for value in (None, "abc", True, 0, 2**70, text, foreign):
        refused = complete(officer, task["id"], "submit", original_document=value)
        assert refused.status_code == 400, (value, refused.content)
        assert "original_document" in refused.json()["error"]["details"]
    # The intake stands in front of it: a file that is not what its name says never registers.
    fake = officer.post(
        "/api/documents/",
        {"title": "x", "kind": "press_statement", "file": SimpleUploadedFile("x.pdf", b"MZ\x90")},
        format="multipart",
    )
    assert fake.status_code == 415
    assert open_task(officer.get(f"/api/processes/{process['id']}/").json(), "archive_original")

    # Overdue like every clock: alerted, and escalated to the mayor after its grace period.
    later = timezone.now() + timedelta(days=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("sweep_deadlines")
    kinds = set(
        DeadlineEvent.objects.filter(deadline_id=clock["id"]).values_list("kind", flat=True)
    )
    assert {"overdue", "escalation"} <= kinds
    assert Notification.objects.filter(user__username="kllokot.info", kind="overdue").exists()
    assert Notification.objects.filter(user__username="kllokot.mayor", kind="escalation").exists()
    assert [t["id"] for t in inbox(officer, overdue="true")] == [task["id"]]

    # The officer's task page asks for the registered original.
    officer_pages = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer_pages.force_login(User.objects.get(username="kllokot.info"))
    task_page = officer_pages.get(f"/work/tasks/{task['id']}/").content.decode()
    assert 'name="data-original_document"' in task_page
    assert "Signed and stamped original" in task_page
    original = scan(officer, files.scanned_pdf("Njoftim i nënshkruar dhe i vulosur"))
    process = completed(officer, task["id"], "submit", original_document=original)
    assert process["status"] == "done" and process["finished_at"]
    number = Document.objects.get(pk=original).registration_number
    assert process["data"]["original_document"] == original
    assert process["data"]["original_registration_number"] == number
    assert process["data"]["archived_at"]
    assert original in process["documents"]
    [clock] = [d for d in process["deadlines"] if d["rule"] == "press-statement-original"]
    assert clock["state"] == "missed"
    [entry] = [a for a in audit_actions(process["id"]) if a[3] == "archive_original"]
    assert entry[:2] == ("task.completed", "kllokot.info")
    # Still public, and the process page shows the original.
    assert public_ids(api) == [process["id"]]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(username="kllokot.info"))
    process_page = client.get(f"/work/processes/{process['id']}/").content.decode()
    assert number in process_page and "Archive the signed and stamped original" in process_page
    client.force_login(User.objects.get(username="prishtine.info"))
    assert client.get(f"/work/processes/{process['id']}/").status_code == 404


@pytest.mark.django_db
def test_a_released_statement_is_not_withdrawn(api_as, api) -> None:  # type: ignore[no-untyped-def]
    mayor = api_as("kllokot.mayor")
    process = start(api_as("kllokot.info")).json()
    process = completed(mayor, open_task(process, "approve")["id"], "approve")
    response = mayor.post(
        f"/api/processes/{process['id']}/cancel/", {"reason": "Gabim."}, format="json"
    )
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "already_released"
    assert public_ids(api) == [process["id"]]
    assert open_task(mayor.get(f"/api/processes/{process['id']}/").json(), "archive_original")
