"""The monthly report of a municipality's decisions to MAPL (issue 5, item 6)."""

import calendar
from datetime import datetime

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


@pytest.mark.django_db
def test_report_compiled_from_the_register_approved_and_received_by_mapl(api_as, capsys) -> None:  # type: ignore[no-untyped-def]
    kllokot = register_decision(api_as("kllokot.assembly"), "Vendimi për rrugët")
    register_decision(api_as("prishtine.assembly"), "Vendimi për parqet")
    register_decision(api_as("kllokot.info"), "Vendimi i kryetarit për orarin")
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
    [revision] = inbox(info)
    process = completed(info, revision["id"], "submit", note="Vendimi u regjistrua me vonesë.")
    assert process["data"]["note"] == "Vendimi u regjistrua me vonesë."
    process = completed(mayor, inbox(mayor)[0]["id"], "approve")
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
