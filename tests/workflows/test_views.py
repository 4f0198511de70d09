"""The officials' pages (/work/): who reaches which page, and tasks claimed and completed through
the browser forms with the same checks, results and audit entries as the API."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from audit.models import AuditEntry
from roles import services as roles_services
from roles.models import Institution, Role, Unit, User
from workflows.models import AssemblyDecisionProcess, CoordinationProcess

from .steps import decision_texts

TODAY = timezone.localdate()
TITLE = "Vendimi nr. 7 për rrugët lokale"
SVG = "{http://www.w3.org/2000/svg}"


def client_for(username: str | None) -> Client:
    # English pages, so the assertions below read the messages as written in the code.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if username:
        assert client.login(username=username, password="demo")
    return client


def start_decision(api_as, title: str = TITLE) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    office = api_as("kllokot.assembly")
    response = office.post(
        "/api/processes/assembly-decision/",
        # With its text in both languages: the chair signs off only so (issue 27).
        {"title": title, "adopted_on": str(TODAY - timedelta(days=1)), **decision_texts(office)},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def open_task(process_id: int, name: str) -> Task:
    return Task.objects.get(
        process_id=process_id,
        flow_task_type="HUMAN",
        status__in=(STATUS.NEW, STATUS.ASSIGNED),
        flow_task__endswith=f".{name}",
    )


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def member(username: str, code: str, role: str) -> User:
    admin = User.objects.get(username="admin")
    user = User.objects.create_user(username=username, password="demo", first_name="Arta")
    institution = Institution.objects.get(code=code)
    unit = Unit.objects.filter(institution=institution).first()
    roles_services.membership_create(
        actor=admin, user=user, institution=institution, role=Role.objects.get(code=role), unit=unit
    )
    return user


@pytest.fixture
def decision(api_as) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return start_decision(api_as)


# Who reaches which page


def test_every_page_needs_a_login(decision: dict[str, Any]) -> None:
    task = open_task(decision["id"], "approve")
    anonymous = Client()
    for path in (
        "/work/",
        "/work/processes/",
        f"/work/processes/{decision['id']}/",
        f"/work/processes/{decision['id']}/chart.svg",
        f"/work/tasks/{task.pk}/",
    ):
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path
    for path in (f"/work/tasks/{task.pk}/", f"/work/tasks/{task.pk}/claim/"):
        response = anonymous.post(path, {"action": "approve"})
        assert response.status_code == 302, path
        assert "/accounts/login/" in response["Location"]
    assert open_task(decision["id"], "approve").status == STATUS.NEW


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("kllokot.chair", 200),  # the task is theirs
        ("kllokot.mayor", 200),  # same institution: sees the process, may not act
        ("auditor", 200),  # reads every archive
        ("prishtine.chair", 404),  # another municipality: does not exist for them
        ("mapl.registry", 404),  # not transmitted yet
    ],
)
def test_process_and_task_pages_by_caller(
    decision: dict[str, Any], username: str, expected: int
) -> None:
    task = open_task(decision["id"], "approve")
    client = client_for(username)
    for path in (
        f"/work/processes/{decision['id']}/",
        f"/work/processes/{decision['id']}/chart.svg",
        f"/work/tasks/{task.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == expected, (username, path)
        if expected == 200 and not path.endswith(".svg"):
            assert TITLE in response.content.decode(), (username, path)
    # The lists answer everybody, but list only what the caller may see.
    processes = client.get("/work/processes/")
    assert processes.status_code == 200
    assert (TITLE in processes.content.decode()) == (expected == 200)
    inbox = client.get("/work/")
    assert inbox.status_code == 200
    assert (f'data-task-id="{task.pk}"' in inbox.content.decode()) == (username == "kllokot.chair")


def test_nonexistent_objects_and_pages_are_404(decision: dict[str, Any]) -> None:
    client = client_for("kllokot.chair")
    for path in (
        "/work/processes/999999/",
        "/work/processes/999999/chart.svg",
        "/work/tasks/999999/",
        "/work/?page=2",
        "/work/?page=abc",
        "/work/processes/?page=0",
    ):
        assert client.get(path).status_code == 404, path
    # A bad filter is a 400 page, not an error.
    assert client.get("/work/?type=nonsense").status_code == 400
    assert client.get("/work/processes/?status=nonsense").status_code == 400


def test_another_institutions_task_cannot_be_touched(decision: dict[str, Any]) -> None:
    task = open_task(decision["id"], "approve")
    outsider = client_for("prishtine.chair")  # the same role, in another municipality
    response = outsider.post(f"/work/tasks/{task.pk}/", {"action": "approve", "comment": "x"})
    assert response.status_code == 404
    for verb in ("claim", "unclaim"):
        assert outsider.post(f"/work/tasks/{task.pk}/{verb}/").status_code == 404
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.NEW, None)
    assert not AuditEntry.objects.filter(actor="prishtine.chair", action__startswith="task.")


def test_a_visible_task_that_is_not_the_callers_is_403(decision: dict[str, Any]) -> None:
    task = open_task(decision["id"], "approve")
    mayor = client_for("kllokot.mayor")
    page = mayor.get(f"/work/tasks/{task.pk}/").content.decode()
    assert 'name="action"' not in page  # no form for them
    assert mayor.post(f"/work/tasks/{task.pk}/", {"action": "approve"}).status_code == 403
    assert mayor.post(f"/work/tasks/{task.pk}/claim/").status_code == 403
    assert open_task(decision["id"], "approve").status == STATUS.NEW


# Inbox


def test_inbox_lists_the_callers_tasks_with_filter_and_pages(api_as) -> None:  # type: ignore[no-untyped-def]
    processes = [start_decision(api_as, f"Vendimi nr. {n}") for n in range(27)]
    chair = client_for("kllokot.chair")
    text = page_text(chair.get("/work/"))
    # The oldest first, 25 a page; each row names the process, its type and institution.
    rows = re.findall(r'<tr class="inbox-task" data-task-id="(\d+)" data-process-id="(\d+)"', text)
    assert [int(p) for _, p in rows] == [p["id"] for p in processes[:25]]
    assert "Vendimi nr. 0" in text
    assert "Kllokot" in text  # the institution's name
    assert 'href="?page=2"' in text
    second = page_text(chair.get("/work/?page=2"))
    assert len(re.findall(r'class="inbox-task"', second)) == 2
    # Filtered by type: no press statement is waiting.
    filtered = page_text(chair.get("/work/?type=press_statement"))
    assert 'class="inbox-task"' not in filtered
    only = page_text(chair.get("/work/?type=assembly_decision"))
    assert len(re.findall(r'class="inbox-task"', only)) == 25
    # The office has nothing to do until a decision comes back.
    assert 'class="inbox-task"' not in page_text(client_for("kllokot.assembly").get("/work/"))


def test_inbox_shows_the_due_dates_and_overdue_flags_the_api_gives(api_as) -> None:  # type: ignore[no-untyped-def]
    """The transmit task carries the 7-day clock to MAPL; the page says what the API says."""
    chair, office = client_for("kllokot.chair"), client_for("kllokot.assembly")
    for title, adopted in (
        ("Vendimi i ri", TODAY),
        ("Vendimi i vjetër", TODAY - timedelta(days=20)),
    ):
        registering = api_as("kllokot.assembly")
        response = registering.post(
            "/api/processes/assembly-decision/",
            {"title": title, "adopted_on": str(adopted), **decision_texts(registering)},
            format="json",
        )
        assert response.status_code == 201, response.content
        approve = open_task(response.json()["id"], "approve")
        assert chair.post(f"/work/tasks/{approve.pk}/", {"action": "approve"}).status_code == 302
    tasks = api_as("kllokot.assembly").get("/api/inbox/").json()["results"]
    assert len(tasks) == 2 and all(task["due_at"] for task in tasks)
    text = page_text(office.get("/work/"))
    for task in tasks:
        row = re.search(rf'<tr class="inbox-task[^"]*" data-task-id="{task["id"]}".*?</tr>', text)
        assert row is not None
        due = timezone.localtime(datetime.fromisoformat(task["due_at"]))
        assert due.strftime("%Y-%m-%d %H:%M") in row.group(0)
        assert ("inbox-task--overdue" in row.group(0)) == task["overdue"]
    assert [task["overdue"] for task in tasks] == [False, True]


def test_menu_links_to_the_inbox_and_processes(decision: dict[str, Any]) -> None:
    page = client_for("kllokot.chair").get("/work/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/work/processes/"' in page
    assert 'href="/work/"' in page
    assert "Tasks" in page  # the application's menu title


# A task through the forms


def test_decision_returned_revised_and_approved_through_the_pages(
    decision: dict[str, Any],
) -> None:
    pid = decision["id"]
    chair, office = client_for("kllokot.chair"), client_for("kllokot.assembly")
    approve = open_task(pid, "approve")

    # The chair's page offers exactly the task's actions.
    page = chair.get(f"/work/tasks/{approve.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.findall(r'name="action" value="(\w+)"', page) == ["approve", "return"]
    assert 'name="comment"' in page

    # Returning without saying why: the flow refuses, the page shows why, nothing changes.
    response = chair.post(f"/work/tasks/{approve.pk}/", {"action": "return", "comment": " "})
    assert response.status_code == 422
    assert "Say why the decision is returned." in response.content.decode()
    assert open_task(pid, "approve").status == STATUS.NEW
    # An action the task does not have is refused the same way.
    response = chair.post(f"/work/tasks/{approve.pk}/", {"action": "transmit"})
    assert response.status_code == 422
    assert "approve, return" in response.content.decode()

    response = chair.post(
        f"/work/tasks/{approve.pk}/", {"action": "return", "comment": "Mungon data e seancës."}
    )
    assert response.status_code == 302
    assert response["Location"] == "/work/"
    approve.refresh_from_db()
    assert approve.status == STATUS.DONE
    assert approve.data["action"] == "return"
    assert approve.data["completed_by"] == "kllokot.chair"

    # The office finds the returned decision, with the chair's comment and its current values.
    revise = open_task(pid, "revise")
    assert f'data-task-id="{revise.pk}"' in office.get("/work/").content.decode()
    page = office.get(f"/work/tasks/{revise.pk}/").content.decode()
    assert "Mungon data e seancës." in page
    assert f'value="{TITLE}"' in page
    assert f'value="{TODAY - timedelta(days=1)}"' in page
    assert re.findall(r'name="action" value="(\w+)"', page) == ["submit"]

    # A date in the future is refused on its field.
    future = TODAY + timedelta(days=3)
    response = office.post(
        f"/work/tasks/{revise.pk}/",
        {"action": "submit", "data-title": TITLE, "data-adopted_on": str(future)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert "This date cannot be in the future." in response.content.decode()
    # A date that is not a date is the form's own error.
    response = office.post(
        f"/work/tasks/{revise.pk}/",
        {"action": "submit", "data-title": TITLE, "data-adopted_on": "dje"},
    )
    assert response.status_code == 422
    assert open_task(pid, "revise").status == STATUS.NEW

    corrected = "Vendimi nr. 7/2 për rrugët lokale"
    response = office.post(
        f"/work/tasks/{revise.pk}/",
        {
            "action": "submit",
            "comment": "U shtua data.",
            "data-title": corrected,
            "data-adopted_on": str(TODAY - timedelta(days=1)),
        },
    )
    assert response.status_code == 302
    process = AssemblyDecisionProcess.objects.get(pk=pid)
    assert process.title == corrected
    entry = AuditEntry.objects.filter(action="task.completed", actor="kllokot.assembly").latest(
        "seq"
    )
    # Only what the official changed went to the flow.
    assert entry.data["changes"] == {"title": corrected}

    approve = open_task(pid, "approve")
    response = chair.post(f"/work/tasks/{approve.pk}/", {"action": "approve"})
    assert response.status_code == 302
    assert open_task(pid, "transmit").status == STATUS.NEW

    # The process page: every step with who, when, the action and the comment.
    text = page_text(client_for("kllokot.mayor").get(f"/work/processes/{pid}/"))
    steps = re.findall(r'<tr class="step[^"]*" data-task-id="\d+" data-name="(\w+)"', text)
    assert steps == ["start", "approve", "revise", "approve", "transmit"]
    assert "Mungon data e seancës." in text and "U shtua data." in text
    assert "(kllokot.chair)" in text and "(kllokot.assembly)" in text
    assert f'src="/work/processes/{pid}/chart.svg"' in text


def test_a_done_task_sends_the_official_back_to_the_inbox(decision: dict[str, Any]) -> None:
    approve = open_task(decision["id"], "approve")
    chair = client_for("kllokot.chair")
    assert chair.post(f"/work/tasks/{approve.pk}/", {"action": "approve"}).status_code == 302
    response = chair.post(f"/work/tasks/{approve.pk}/", {"action": "approve"}, follow=True)
    assert response.redirect_chain == [("/work/", 302)]
    assert "The task is already done." in response.content.decode()
    assert chair.post(f"/work/tasks/{approve.pk}/claim/").status_code == 302
    # Its page still opens, without a form.
    page = chair.get(f"/work/tasks/{approve.pk}/").content.decode()
    assert 'name="action"' not in page


def test_claim_and_unclaim_between_two_chairs(decision: dict[str, Any]) -> None:
    member("kllokot.chair2", "KLLOKOT", "assembly_chair")
    approve = open_task(decision["id"], "approve")
    first, second = client_for("kllokot.chair"), client_for("kllokot.chair2")

    response = first.post(f"/work/tasks/{approve.pk}/claim/")
    assert response.status_code == 302
    assert response["Location"] == f"/work/tasks/{approve.pk}/"
    approve.refresh_from_db()
    assert (approve.status, approve.owner.username) == (STATUS.ASSIGNED, "kllokot.chair")
    assert "task-unclaim" in first.get(f"/work/tasks/{approve.pk}/").content.decode()

    # The other chair sees who has it, has no form, and a click is a conflict, not a change.
    page = second.get(f"/work/tasks/{approve.pk}/").content.decode()
    assert 'name="action"' not in page and "has claimed this task" in page
    assert f'data-task-id="{approve.pk}"' not in second.get("/work/").content.decode()
    response = second.post(f"/work/tasks/{approve.pk}/", {"action": "approve"}, follow=True)
    assert response.redirect_chain == [("/work/", 302)]
    assert "Someone else has claimed the task." in response.content.decode()
    approve.refresh_from_db()
    assert approve.status == STATUS.ASSIGNED

    assert first.post(f"/work/tasks/{approve.pk}/unclaim/").status_code == 302
    approve.refresh_from_db()
    assert (approve.status, approve.owner_id) == (STATUS.NEW, None)
    assert second.post(f"/work/tasks/{approve.pk}/", {"action": "approve"}).status_code == 302
    approve.refresh_from_db()
    assert approve.data["completed_by"] == "kllokot.chair2"


def test_an_acting_official_completes_the_task_on_the_principals_behalf(
    decision: dict[str, Any], demo: dict[str, User]
) -> None:
    deputy = member("kllokot.deputy", "KLLOKOT", "officer")
    chair = demo["kllokot.chair"]
    approve = open_task(decision["id"], "approve")
    acting = client_for("kllokot.deputy")
    assert acting.post(f"/work/tasks/{approve.pk}/", {"action": "approve"}).status_code == 403
    roles_services.delegation_create(
        actor=chair,
        principal=chair,
        deputy=deputy,
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(days=7),
        reason="Pushim vjetor",
    )
    assert f'data-task-id="{approve.pk}"' in acting.get("/work/").content.decode()
    response = acting.post(
        f"/work/tasks/{approve.pk}/", {"action": "approve", "comment": "Në rregull."}
    )
    assert response.status_code == 302
    approve.refresh_from_db()
    assert (approve.data["completed_by"], approve.data["on_behalf_of"]) == (
        "kllokot.deputy",
        "kllokot.chair",
    )
    entry = AuditEntry.objects.filter(action="task.completed").latest("seq")
    assert (entry.actor, entry.on_behalf_of) == ("kllokot.deputy", "kllokot.chair")
    text = page_text(client_for("kllokot.chair").get(f"/work/processes/{decision['id']}/"))
    row = re.search(rf'data-task-id="{approve.pk}".*?</tr>', text)
    assert row is not None
    assert "(kllokot.deputy)" in row.group(0) and "(kllokot.chair)" in row.group(0)


# The chart


def test_the_chart_shows_where_the_decision_stands(decision: dict[str, Any]) -> None:
    chair = client_for("kllokot.chair")
    response = chair.get(f"/work/processes/{decision['id']}/chart.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(response.content)
    nodes = {g.get("id"): g.get("class") for g in svg.iter(f"{SVG}g") if g.get("id")}
    assert nodes["start"] == "done"
    assert nodes["approve"] == "new"
    assert nodes["transmit"] is None  # not reached yet
    approve = open_task(decision["id"], "approve")
    chair.post(f"/work/tasks/{approve.pk}/", {"action": "approve"})
    svg = ElementTree.fromstring(chair.get(f"/work/processes/{decision['id']}/chart.svg").content)
    nodes = {g.get("id"): g.get("class") for g in svg.iter(f"{SVG}g") if g.get("id")}
    assert (nodes["approve"], nodes["transmit"]) == ("done", "new")
    assert CoordinationProcess.objects.filter(pk=decision["id"]).exists()


def test_a_returned_plan_is_revised_in_place_on_the_page(api_as) -> None:  # type: ignore[no-untyped-def]
    from tests.workflows.test_meeting_material import PLAN, start

    process = start(api_as("mf.comms")).json()
    minister = client_for("mf.minister")
    approve = open_task(process["id"], "approve")
    minister.post(f"/work/tasks/{approve.pk}/", {"action": "return", "comment": "Bizneset."})
    revise = open_task(process["id"], "revise")
    comms = client_for("mf.comms")

    # The plan's parts are in the form as they stand: a list one item a line, or with commas.
    page = comms.get(f"/work/tasks/{revise.pk}/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()
    assert re.search(rf'id="id_data-key_messages">\s*{PLAN["key_messages"][0]}</textarea>', page)
    assert 'value="qytetarët, media"' in page
    assert f'value="{PLAN["spokesperson"]}"' in page
    # Why it came back, above the form: the minister's action and comment.
    returned = re.search(r'<p class="task-returned"[^>]*>(.*?)</p>', page, re.S)
    assert returned and "Bizneset." in returned.group(1) and "Faton Bytyqi" in returned.group(1)
    # The process's details name the plan's parts as the form does.
    assert "Mesazhet kryesore: " + PLAN["key_messages"][0] in page

    # Only what the official changed goes to the flow; the rest of the plan stays.
    form = {
        f"data-{name}": value
        for name, value in re.findall(r'name="data-(\w+)"[^>]*value="([^"]*)"', page)
    }
    form["data-key_messages"] = PLAN["key_messages"][0]
    form["data-audiences"] = "qytetarët, media, bizneset"
    response = comms.post(f"/work/tasks/{revise.pk}/", {"action": "submit", **form})
    assert response.status_code == 302, page_text(response)
    plan = CoordinationProcess.objects.get(pk=process["id"]).data["communication_plan"]
    assert plan["audiences"] == "qytetarët, media, bizneset"
    assert plan["key_messages"] == PLAN["key_messages"] and plan["languages"] == PLAN["languages"]
    entry = AuditEntry.objects.filter(action="task.completed", actor="mf.comms").latest("seq")
    assert entry.data["changes"] == {
        "communication_plan": {**PLAN, "audiences": "qytetarët, media, bizneset"}
    }


@pytest.mark.parametrize("language", ["sq", "sr", "en"])
def test_dates_on_the_process_page_are_written_alike_in_every_language(
    decision: dict[str, Any], language: str
) -> None:
    process = CoordinationProcess.objects.get(pk=decision["id"])
    typed = process.flow_class.process_class.objects.get(pk=process.pk)
    typed.transmitted_at = datetime(2026, 11, 20, 8, 5, tzinfo=UTC)
    typed.save()
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username="kllokot.mayor", password="demo")
    text = page_text(client.get(f"/work/processes/{process.pk}/"))
    assert f'<dd style="white-space:pre-wrap">{TODAY - timedelta(days=1)}</dd>' in text
    # 08:05 UTC is 09:05 in Prishtina in November.
    assert '<dd style="white-space:pre-wrap">2026-11-20 09:05</dd>' in text


# The 7-day clock to MAPL's legal basis, as each language's page shows it (the Cyrillic is
# made from the Serbian Latin).
TRANSMISSION_BASIS = {
    "sq": "Ligji nr. 03/L-040 për vetëqeverisjen lokale (shqyrtimi administrativ i akteve "
    "komunale): kuvendi komunal çdo vendim",
    "sr": "Закон бр. 03/L-040 о локалној самоуправи (административни надзор над општинским "
    "актима): скупштина општине доставља",
    "en": "Law No. 03/L-040 on Local Self-Government (administrative review of municipal "
    "acts): the municipal assembly sends",
}


@pytest.mark.parametrize("language", ["sq", "sr", "en"])
def test_a_running_clock_shows_its_legal_basis_in_the_officials_language(
    decision: dict[str, Any], language: str
) -> None:
    User.objects.filter(username="kllokot.mayor").update(preferred_language=language)
    # The browser asks for another language: the official's saved one decides.
    client = Client(HTTP_ACCEPT_LANGUAGE="sq" if language == "en" else "en")
    assert client.login(username="kllokot.mayor", password="demo")
    text = page_text(client.get(f"/work/processes/{decision['id']}/"))
    row = re.search(r'data-rule="assembly-decision-to-mapl">(.*?)</tr>', text)
    assert row is not None, "no clock row"
    basis = TRANSMISSION_BASIS[language]
    assert f'<small style="white-space:pre-wrap">{basis}' in row.group(1)
    assert f'title="{basis}' in row.group(1)
    for other, text_elsewhere in TRANSMISSION_BASIS.items():
        if other != language:
            assert text_elsewhere not in text, other
