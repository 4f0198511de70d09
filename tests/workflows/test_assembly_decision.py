"""Assembly decision → MAPL, driven through the API as the demo officials (DOMAIN.md, process 1)."""

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from guardian.models import GroupObjectPermission
from viewflow.workflow.models import Task

from audit.models import AuditEntry
from audit.services import audit_verify
from config.errors import Conflict
from roles import permissions
from roles import services as roles_services
from roles.models import Institution, Role, User
from tests.documents import files
from workflows import services
from workflows.flows import FLOWS
from workflows.models import AssemblyDecisionProcess, InboxEntry, permission_object

from .steps import (
    PROCESS_TYPE,
    audit_actions,
    complete,
    completed,
    decision_text,
    decision_texts,
    inbox,
    member,
    open_task,
)

TODAY = timezone.localdate()
OUTSIDERS = ("prishtine.assembly", "prishtine.chair")


# Helpers


def upload_decision(client) -> int:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/documents/",
        {
            "title": "Vendimi për buxhetin komunal",
            "kind": "decision",
            "file": SimpleUploadedFile("vendimi.pdf", files.pdf_with_text("Vendimi i Kuvendit")),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def start(client, **fields: Any):  # type: ignore[no-untyped-def]
    """Registered with its texts in both languages, which the sign-off needs (unless the
    test gives the documents itself)."""
    texts = {} if "documents" in fields else decision_texts(client)
    body = {"title": "Vendimi nr. 12 për buxhetin", "adopted_on": str(TODAY), **texts, **fields}
    return client.post("/api/processes/assembly-decision/", body, format="json")


def assert_outsiders_blind(api_as, process: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Another municipality neither sees the process nor reaches its tasks: 404 everywhere."""
    for username in OUTSIDERS:
        client = api_as(username)
        assert client.get(f"/api/processes/{process['id']}/").status_code == 404
        listed = client.get("/api/processes/").json()["results"]
        assert process["id"] not in [p["id"] for p in listed]
        assert process["id"] not in [t["process_id"] for t in inbox(client)]
        for task in process["tasks"]:
            for verb in ("claim", "unclaim"):
                response = client.post(f"/api/tasks/{task['id']}/{verb}/")
                assert response.status_code == 404, (username, verb, task["name"])
                assert response.json()["error"]["code"] == "not_found"
            response = complete(client, task["id"], "approve", "x")
            assert response.status_code == 404, (username, task["name"])


# The whole flow


def test_decision_travels_to_mapl_through_return_and_reconsideration(api_as) -> None:  # type: ignore[no-untyped-def]
    office, chair = api_as("kllokot.assembly"), api_as("kllokot.chair")
    registry, legal = api_as("mapl.registry"), api_as("mapl.legal")
    document_id = upload_decision(office)

    # The assembly office registers the decision (one document with both texts).
    response = start(
        office,
        adopted_on=str(TODAY - timedelta(days=2)),
        documents=[document_id],
        bilingual_documents=[document_id],
    )
    assert response.status_code == 201, response.content
    process = response.json()
    assert process["type"] == "assembly_decision"
    assert process["status"] == "active"
    assert process["institution"] == "KLLOKOT"
    assert process["documents"] == [document_id]
    assert process["data"]["adopted_on"] == str(TODAY - timedelta(days=2))
    # The 7-day clock runs from the adoption date, to the end of the 7th day, local time.
    [clock] = process["deadlines"]
    assert (clock["rule"], clock["state"], clock["completed_at"]) == (
        "assembly-decision-to-mapl",
        "open",
        None,
    )
    due = datetime.fromisoformat(clock["due_at"]).astimezone(timezone.get_current_timezone())
    assert due.date() == TODAY + timedelta(days=5) and (due.hour, due.minute) == (23, 59)
    assert [t["name"] for t in process["tasks"]] == ["start", "approve"]
    pid = process["id"]
    assert_outsiders_blind(api_as, process)
    # Not yet sent: the ministry does not see it either.
    assert registry.get(f"/api/processes/{pid}/").status_code == 404

    # The chair finds it in the inbox; the office does not.
    [task] = [t for t in inbox(chair) if t["process_id"] == pid]
    assert task["name"] == "approve"
    assert task["actions"] == ["approve", "return"]
    assert task["institution"] == "KLLOKOT"
    assert task["process_type"] == "assembly_decision"
    assert task["process_title"] == "Vendimi nr. 12 për buxhetin"
    assert task["status"] == "new" and task["assignee"] is None
    assert task["due_at"] is None and task["overdue"] is False
    assert set(task) >= {
        "id", "process_id", "process_type", "process_title", "name", "title", "status",
        "assignee", "institution", "created_at", "due_at", "overdue", "actions",
    }  # fmt: skip
    assert pid not in [t["process_id"] for t in inbox(office)]
    assert complete(office, task["id"], "approve").status_code == 403  # visible, not theirs
    assert complete(legal, task["id"], "approve").status_code == 404  # not visible

    # The chair returns it: a comment is required.
    assert complete(chair, task["id"], "return").status_code == 400
    assert complete(chair, task["id"], "publish", "?").status_code == 400
    process = completed(chair, task["id"], "return", "Mungon teksti në serbisht")
    revise = open_task(process, "revise")
    assert revise["institution"] == "KLLOKOT" and revise["actions"] == ["submit"]
    assert_outsiders_blind(api_as, process)

    # The office corrects it (the adoption date cannot be in the future) and resubmits.
    future = str(TODAY + timedelta(days=1))
    assert complete(office, revise["id"], "submit", adopted_on=future).status_code == 400
    process = completed(office, revise["id"], "submit", adopted_on=str(TODAY - timedelta(days=1)))
    assert process["data"]["adopted_on"] == str(TODAY - timedelta(days=1))

    # Signed off, then transmitted: the ministry sees the process and its documents.
    process = completed(chair, open_task(process, "approve")["id"], "approve")
    transmit = open_task(process, "transmit")
    assert_outsiders_blind(api_as, process)
    assert registry.get(f"/api/documents/{document_id}/").status_code == 404
    assert transmit["due_at"] == clock["due_at"] and transmit["overdue"] is False
    process = completed(office, transmit["id"], "transmit")
    assert process["data"]["transmitted_at"]
    [clock] = process["deadlines"]
    assert clock["state"] == "met"
    assert datetime.fromisoformat(clock["completed_at"]) == datetime.fromisoformat(
        process["data"]["transmitted_at"]
    )  # decided by the transmission time, not by whoever looks later
    assert registry.get(f"/api/processes/{pid}/").status_code == 200
    assert registry.get(f"/api/documents/{document_id}/").status_code == 200
    assert_outsiders_blind(api_as, process)

    # The registry acknowledges receipt; the legal office cannot do it for them.
    acknowledge = open_task(process, "acknowledge")
    assert acknowledge["institution"] == "MAPL"
    assert [t["id"] for t in inbox(registry) if t["process_id"] == pid] == [acknowledge["id"]]
    assert complete(legal, acknowledge["id"], "acknowledge").status_code == 403
    process = completed(registry, acknowledge["id"], "acknowledge")
    assert process["data"]["received_at"]

    # The legal office returns it for reconsideration, with reasons.
    review = open_task(process, "review")
    assert complete(legal, review["id"], "reconsider").status_code == 400
    process = completed(legal, review["id"], "reconsider", "Në kundërshtim me nenin 12")
    assert process["data"]["legal_outcome"] == "reconsider"
    assert process["data"]["legal_reasons"] == "Në kundërshtim me nenin 12"
    assert_outsiders_blind(api_as, process)

    # The municipality reconsiders, the chair signs, it goes to MAPL again and is lawful.
    process = completed(
        office, open_task(process, "reconsider")["id"], "submit", adopted_on=str(TODAY)
    )
    process = completed(chair, open_task(process, "approve")["id"], "approve")
    process = completed(office, open_task(process, "transmit")["id"], "transmit")
    assert process["data"]["transmissions"] == 2
    process = completed(registry, open_task(process, "acknowledge")["id"], "acknowledge")
    review = open_task(process, "review")
    process = completed(legal, review["id"], "lawful")
    assert process["status"] == "done"
    assert process["data"]["legal_outcome"] == "lawful"
    assert process["tasks"][-1]["name"] == "end"
    assert_outsiders_blind(api_as, process)

    # A second completion is a conflict; nothing is left in anyone's inbox.
    response = complete(legal, review["id"], "lawful")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "task_done"
    for client in (office, chair, registry, legal):
        assert pid not in [t["process_id"] for t in inbox(client)]

    # Every transition is in the audit log, with who did it.
    assert audit_actions(pid) == [
        ("process.started", "kllokot.assembly", "", ""),
        ("task.completed", "kllokot.chair", "", "approve"),
        ("task.completed", "kllokot.assembly", "", "revise"),
        ("task.completed", "kllokot.chair", "", "approve"),
        ("task.completed", "kllokot.assembly", "", "transmit"),
        ("task.completed", "mapl.registry", "", "acknowledge"),
        ("task.completed", "mapl.legal", "", "review"),
        ("task.completed", "kllokot.assembly", "", "reconsider"),
        ("task.completed", "kllokot.chair", "", "approve"),
        ("task.completed", "kllokot.assembly", "", "transmit"),
        ("task.completed", "mapl.registry", "", "acknowledge"),
        ("task.completed", "mapl.legal", "", "review"),
    ]
    assert audit_verify().ok

    # Both institutions list it; the type and status filters work.
    for client in (office, registry):
        listed = client.get("/api/processes/", {"type": "assembly_decision", "status": "done"})
        assert [p["id"] for p in listed.json()["results"]] == [pid]
    assert office.get("/api/processes/", {"status": "active"}).json()["count"] == 0
    assert office.get("/api/processes/", {"type": "nonsense"}).status_code == 400


def test_registration_refuses_what_the_law_forbids(api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("kllokot.assembly")
    response = start(office, adopted_on=str(TODAY + timedelta(days=1)))
    assert response.status_code == 400
    assert "adopted_on" in response.json()["error"]["details"]
    assert start(office, adopted_on="2025-02-30").status_code == 400
    assert start(office, title="").status_code == 400
    # A document the office cannot see (another municipality's) is refused like a missing one.
    foreign = upload_decision(api_as("prishtine.assembly"))
    assert start(office, documents=[foreign]).status_code == 400
    assert start(office, documents=[10**12]).status_code == 400
    assert start(office, documents="1").status_code == 400
    # Only the assembly office registers; nobody registers for another municipality.
    assert start(api_as("kllokot.info")).status_code == 403
    assert start(api_as("mapl.registry")).status_code == 403
    assert start(office, institution="PRISHTINE").status_code == 403
    assert AssemblyDecisionProcess.objects.count() == 0


def test_claim_unclaim_and_a_task_claimed_by_someone_else(api_as) -> None:  # type: ignore[no-untyped-def]
    member("kllokot.vicechair", "KLLOKOT", "assembly_chair")
    chair, vice = api_as("kllokot.chair"), api_as("kllokot.vicechair")
    process = start(api_as("kllokot.assembly")).json()
    task = open_task(process, "approve")
    assert task["id"] in [t["id"] for t in inbox(vice)]

    claimed = chair.post(f"/api/tasks/{task['id']}/claim/")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["task"]["assignee"] == "kllokot.chair"
    assert claimed.json()["task"]["status"] == "assigned"
    assert chair.post(f"/api/tasks/{task['id']}/claim/").status_code == 200  # idempotent
    assert task["id"] not in [t["id"] for t in inbox(vice)]
    assert task["id"] in [t["id"] for t in inbox(chair)]
    for verb in ("claim", "unclaim"):
        response = vice.post(f"/api/tasks/{task['id']}/{verb}/")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "task_claimed"
    assert complete(vice, task["id"], "approve").status_code == 409
    assert api_as("kllokot.assembly").post(f"/api/tasks/{task['id']}/claim/").status_code == 403

    released = chair.post(f"/api/tasks/{task['id']}/unclaim/")
    assert released.status_code == 200
    assert released.json()["task"]["assignee"] is None
    process = completed(vice, task["id"], "approve")
    assert process["tasks"][1]["completed_by"] == "kllokot.vicechair"
    assert process["tasks"][0]["completed_by"] == "kllokot.assembly"  # who started it
    assert [a for a, *_ in audit_actions(process["id"])] == [
        "process.started",
        "task.claimed",
        "task.unclaimed",
        "task.completed",
    ]


def inbox_entries_expected() -> set[tuple[int, int]]:
    """What the inbox table must hold, recomputed from the tasks and guardian's grants."""
    expected = set()
    for task in Task.objects.filter(status="NEW", owner__isnull=True, owner_permission__gt=""):
        app_label, codename = task.owner_permission.split(".", 1)
        groups = GroupObjectPermission.objects.filter(
            content_type_id=task.owner_permission_content_type_id,
            object_pk=task.owner_permission_obj_pk,
            permission__content_type__app_label=app_label,
            permission__codename=codename,
        ).values_list("group_id", flat=True)
        expected |= {(task.pk, group_id) for group_id in groups}
    return expected


def test_the_inbox_follows_claims_completions_and_grants(api_as) -> None:  # type: ignore[no-untyped-def]
    """The database keeps the inbox's table exact: after each change it equals what the tasks
    and guardian's grants say, and the inbox shows exactly that."""
    member("kllokot.vicechair", "KLLOKOT", "assembly_chair")
    office, chair, vice = (
        api_as(name) for name in ("kllokot.assembly", "kllokot.chair", "kllokot.vicechair")
    )
    process = start(office).json()
    task = open_task(process, "approve")

    def in_inbox(client) -> bool:  # type: ignore[no-untyped-def]
        return task["id"] in [t["id"] for t in inbox(client)]

    def consistent() -> set[tuple[int, int]]:
        entries = set(InboxEntry.objects.values_list("task_id", "group_id"))
        assert entries == inbox_entries_expected()
        return entries

    assert (task["id"], Group.objects.get(name="role:KLLOKOT:assembly_chair").pk) in consistent()
    assert in_inbox(vice) and in_inbox(chair) and not in_inbox(office)

    assert chair.post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    assert task["id"] not in {task_id for task_id, _group in consistent()}
    assert in_inbox(chair) and not in_inbox(vice)
    assert chair.post(f"/api/tasks/{task['id']}/unclaim/").status_code == 200
    consistent()
    assert in_inbox(vice)

    # The lane's permission withdrawn from the process: gone from the role's inbox at once.
    decision = AssemblyDecisionProcess.objects.get(pk=process["id"])

    def lane(change: Any) -> None:
        change(
            actor=None,
            perm="approve_assembly_decision",
            obj=permission_object(decision),
            group=permissions.role_group(
                Institution.objects.get(code="KLLOKOT"), Role.objects.get(code="assembly_chair")
            ),
        )

    lane(permissions.revoke)
    consistent()
    assert not in_inbox(vice) and not in_inbox(chair)
    assert complete(chair, task["id"], "approve").status_code == 403
    lane(permissions.grant)
    consistent()
    assert in_inbox(vice)

    completed(chair, task["id"], "approve")
    assert task["id"] not in {task_id for task_id, _group in consistent()}
    assert not in_inbox(chair) and not in_inbox(vice)
    assert [t["name"] for t in inbox(office) if t["process_id"] == process["id"]] == ["transmit"]


def test_an_acting_official_completes_the_principals_task_on_their_behalf(api_as, demo) -> None:  # type: ignore[no-untyped-def]
    deputy = member("kllokot.deputy", "KLLOKOT", "officer")
    process = start(api_as("kllokot.assembly")).json()
    task = open_task(process, "approve")
    acting = api_as("kllokot.deputy")
    # Before the delegation the deputy's role has nothing to do here.
    assert task["id"] not in [t["id"] for t in inbox(acting)]
    assert complete(acting, task["id"], "approve").status_code == 403

    chair = demo["kllokot.chair"]
    roles_services.delegation_create(
        actor=chair,
        principal=chair,
        deputy=deputy,
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(days=7),
        reason="Pushim vjetor",
    )
    assert task["id"] in [t["id"] for t in inbox(acting)]
    # A claim under delegation is made for the principal: both see it.
    claimed = acting.post(f"/api/tasks/{task['id']}/claim/")
    assert claimed.status_code == 200
    assert claimed.json()["task"]["assignee"] == "kllokot.chair"
    assert task["id"] in [t["id"] for t in inbox(api_as("kllokot.chair"))]
    process = completed(acting, task["id"], "approve")
    done = process["tasks"][1]
    assert (done["completed_by"], done["on_behalf_of"]) == ("kllokot.deputy", "kllokot.chair")
    assert audit_actions(process["id"])[-2:] == [
        ("task.claimed", "kllokot.deputy", "kllokot.chair", "approve"),
        ("task.completed", "kllokot.deputy", "kllokot.chair", "approve"),
    ]
    # The deputy acts for the chair only: the office's transmit task stays out of reach.
    transmit = open_task(process, "transmit")
    assert complete(acting, transmit["id"], "transmit").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_officials_completing_at_once_exactly_one_wins(demo, api_as) -> None:  # type: ignore[no-untyped-def]
    vice = member("kllokot.vicechair", "KLLOKOT", "assembly_chair")
    chair = demo["kllokot.chair"]
    text = decision_text(api_as("kllokot.assembly"))
    process = services.process_start(
        flow_class=FLOWS["assembly_decision"],
        actor=demo["kllokot.assembly"],
        institution=Institution.objects.get(code="KLLOKOT"),
        fields={"title": "Vendimi nr. 13", "adopted_on": TODAY, "bilingual_documents": [text]},
        document_ids=[text],
    )
    task_id = process.task_set.get(flow_task_type="HUMAN").pk
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def click(user: User) -> None:
        try:
            barrier.wait()
            services.task_complete(actor=user, task_id=task_id, action="approve")
            outcomes.append("done")
        except Conflict as conflict:
            outcomes.append(conflict.code)
        except BaseException as error:  # anything else is a failure of the test
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(user,)) for user in (chair, vice)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == ["done", "task_done"], outcomes
    completions = AuditEntry.objects.filter(
        object_type=PROCESS_TYPE, object_id=str(process.pk), action="task.completed"
    )
    assert completions.count() == 1
    assert process.task_set.filter(flow_task_type="HUMAN", status="NEW").count() == 1  # transmit


def test_flowexport_writes_bpmn(tmp_path: Path) -> None:
    output = tmp_path / "assembly_decision.bpmn"
    call_command(
        "flowexport",
        "workflows/flows.assembly_decision.AssemblyDecisionFlow",
        format="bpmn",
        output=str(output),
    )
    namespace = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    root = ElementTree.parse(output).getroot()
    assert root is not None
    user_tasks = root.findall(".//bpmn:userTask", namespace)
    assert {task.get("id") for task in user_tasks} == {
        f"id_node_{name}"
        for name in (
            "approve",
            "revise",
            "transmit",
            "reconsider",
            "acknowledge",
            "review",
            "court",  # after the assembly keeps the act (issue 27)
        )
    }
    assert len(root.findall(".//bpmn:exclusiveGateway", namespace)) == 3


def test_inbox_costs_a_fixed_number_of_queries_whatever_the_page_size(  # type: ignore[no-untyped-def]
    api_as, django_assert_max_num_queries
) -> None:
    office, chair = api_as("kllokot.assembly"), api_as("kllokot.chair")
    for number in range(4):
        assert start(office, title=f"Vendimi nr. {number}").status_code == 201
    for page_size in ("1", "50"):
        # token, the caller's groups, count, the page's keys, the page's tasks: permissions
        # are matched in SQL, never loaded into Python
        with django_assert_max_num_queries(5):
            response = chair.get("/api/inbox/", {"page_size": page_size})
        assert response.json()["count"] == 4
    assert inbox(chair, type="assembly-decision") == inbox(chair)
    assert inbox(chair, overdue="true") == []
    assert chair.get("/api/inbox/", {"type": "nonsense"}).status_code == 400
