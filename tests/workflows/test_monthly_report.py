"""The monthly report of a municipality's decisions to MAPL (issue 5, item 6)."""

import calendar
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tests.documents import files
from workflows.models import CoordinationProcess

from .steps import complete, completed, inbox

MONTH = timezone.localdate().strftime("%Y-%m")


def register_decision(client, title: str) -> int:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/documents/",
        {
            "title": title,
            "kind": "decision",
            "file": SimpleUploadedFile("v.pdf", files.pdf_with_text(title)),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def mayors_decision(client, title: str, adopted_on: date, body: str = "mayor") -> int:  # type: ignore[no-untyped-def]
    """A decision of the municipality (the mayor's by default) with its text registered: the
    register the report is compiled from (issue 27: the mayor's decisions, by decision date)."""
    document = register_decision(client, title)
    response = client.post(
        "/api/processes/assembly-decision/",
        {
            "title": title,
            "adopted_on": str(adopted_on),
            "issuing_body": body,
            "documents": [document],
            "bilingual_documents": [document],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return document


@pytest.mark.django_db
def test_report_compiled_from_the_register_approved_and_received_by_mapl(api_as, capsys) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    office = api_as("kllokot.assembly")
    kllokot = mayors_decision(office, "Vendimi për rrugët", today)
    mayors_decision(api_as("prishtine.assembly"), "Vendimi për parqet", today)
    mayors_decision(office, "Vendimi i kryetarit për orarin", today)
    # The assembly's own decisions are not the mayor's: not in the report.
    mayors_decision(office, "Vendimi i Kuvendit për buxhetin", today, "municipal_assembly")
    call_command("start_monthly_reports")
    call_command("start_monthly_reports")  # idempotent: nothing new
    reports = CoordinationProcess.objects.filter(data__month=MONTH)
    assert sorted(reports.values_list("institution__code", flat=True)) == ["KLLOKOT", "PRISHTINE"]
    assert "0 report(s) started." in capsys.readouterr().out

    mayor, info, registry = api_as("kllokot.mayor"), api_as("kllokot.info"), api_as("mapl.registry")
    [task] = inbox(mayor, type="monthly_report")
    process = mayor.get(f"/api/processes/{task['process_id']}/").json()
    assert process["data"]["decision_count"] == 2
    assert kllokot in [d["document"] for d in process["data"]["decisions"]]
    assert process["created_by"] is None  # started by the system
    [clock] = process["deadlines"]
    year, month = map(int, MONTH.split("-"))
    due = datetime.fromisoformat(clock["due_at"]).astimezone(timezone.get_current_timezone())
    assert due.date().day == calendar.monthrange(year, month)[1]
    # Not transmitted yet: neither the ministry nor another municipality sees it.
    for outsider in (registry, api_as("prishtine.mayor")):
        assert outsider.get(f"/api/processes/{process['id']}/").status_code == 404
    assert complete(info, task["id"], "approve").status_code == 403

    process = completed(mayor, task["id"], "return", "Mungon vendimi i 3 nëntorit.")
    [revision] = inbox(info, type="monthly_report")
    process = completed(info, revision["id"], "submit", note="Vendimi u regjistrua me vonesë.")
    assert process["data"]["note"] == "Vendimi u regjistrua me vonesë."
    # (The mayor also signs off the mayor's own decisions: the report's task is the one.)
    process = completed(mayor, inbox(mayor, type="monthly_report")[0]["id"], "approve")
    assert process["data"]["transmitted_at"]
    assert [d["state"] for d in process["deadlines"]] == ["met"]
    assert registry.get(f"/api/processes/{process['id']}/").status_code == 200
    [receipt] = [t for t in inbox(registry) if t["process_id"] == process["id"]]
    process = completed(registry, receipt["id"], "acknowledge")
    assert process["status"] == "done" and process["data"]["received_at"]


@pytest.mark.django_db
def test_no_one_starts_a_monthly_report_by_hand(demo) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    from workflows import services
    from workflows.flows import FLOWS

    with pytest.raises(PermissionDenied):
        services.process_start(
            flow_class=FLOWS["monthly_report"], actor=demo["kllokot.mayor"], fields={"month": MONTH}
        )


@pytest.mark.django_db
def test_a_bad_month_is_refused(demo) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("start_monthly_reports", "--month", "2026-13")


@pytest.mark.django_db
def test_the_report_counts_the_mayors_decisions_of_the_month_by_decision_date(api_as) -> None:  # type: ignore[no-untyped-def]
    """Last month's report: decisions taken that month, whenever registered; the last day's
    too, even one registered after the report was compiled; not the next month's first day's,
    nor a withdrawn one."""
    office, mayor = api_as("kllokot.assembly"), api_as("kllokot.mayor")
    first_of_this_month = timezone.localdate().replace(day=1)
    last_day = first_of_this_month - timedelta(days=1)
    month = last_day.strftime("%Y-%m")
    in_month = mayors_decision(office, "Vendimi për tregun", last_day.replace(day=1))
    mayors_decision(office, "Vendimi i muajit tjetër", first_of_this_month)
    mayors_decision(office, "Vendimi i Kuvendit", last_day, "municipal_assembly")
    withdrawn = CoordinationProcess.objects.get(title="Vendimi i Kuvendit")
    assert withdrawn.data["issuing_body"] == "municipal_assembly"
    call_command("start_monthly_reports", "--month", month)
    report = CoordinationProcess.objects.get(data__month=month, institution__code="KLLOKOT")
    assert [d["document"] for d in report.data["decisions"]] == [in_month]

    # Registered after the report was compiled, taken on the month's last day: it counts.
    late = mayors_decision(office, "Vendimi i ditës së fundit", last_day)
    mistaken = mayors_decision(office, "Vendimi i gabuar", last_day)
    mistaken_process = CoordinationProcess.objects.get(title="Vendimi i gabuar")
    assert (
        mayor.post(
            f"/api/processes/{mistaken_process.pk}/cancel/", {"reason": "Gabim."}, format="json"
        ).status_code
        == 200
    )
    [task] = [t for t in inbox(mayor) if t["process_id"] == report.pk]
    process = completed(mayor, task["id"], "approve")
    assert process["data"]["decision_count"] == 2
    decisions = process["data"]["decisions"]
    assert [(d["document"], d["decided_on"]) for d in decisions] == [
        (in_month, str(last_day.replace(day=1))),
        (late, str(last_day)),
    ]
    assert mistaken not in [d["document"] for d in decisions]
