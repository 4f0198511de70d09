"""Silence is refusal: when the decision's time runs out the deadline sweep fires the flow's
timer and the request is deemed refused. Then the requester complains to AIP, which upholds
(the institution must release, with a clock of its own) or dismisses it."""

from datetime import datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from deadlines.models import Deadline, DeadlineEvent
from notifications.models import Notification

from .conftest import complete, inbox_task, public_document, submitted, tracked


def time_runs_out(process_id: int) -> None:
    """As if the decision's due time had passed: the flow's timer and the clock are due."""
    past = timezone.now() - timedelta(seconds=1)
    timers = Task.objects.filter(
        process_id=process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
    )
    assert timers.count() == 1
    timers.update(scheduled=past)
    Deadline.objects.filter(process_id=process_id, completed_at__isnull=True).update(
        due_at=past, due_soon_at=past, next_check_at=past, escalate_at=past
    )


def deemed_refused(api: Any, api_as: Any) -> tuple[dict[str, Any], int]:
    receipt = submitted(api)
    task = inbox_task(api_as("kllokot.info"), "decide", receipt["registration_number"])
    time_runs_out(task["process_id"])
    call_command("sweep_deadlines", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return receipt, task["process_id"]


def test_silence_is_refusal_by_the_sweep(demo: Any, api: Any, api_as: Any) -> None:
    receipt, process_id = deemed_refused(api, api_as)
    view = tracked(api, receipt["tracking_code"])
    assert view["status"] == "deemed_refused"
    assert view["decision"] is None
    assert view["complaint_until"] is not None
    officer = api_as("kllokot.info")
    assert officer.get("/api/inbox/", {"type": "access_request"}).json()["count"] == 0
    assert Task.objects.get(process_id=process_id, flow_task_type="HUMAN").status == STATUS.CANCELED

    # The decision's clock closed as missed when its time ran out — not left running into
    # "overdue" for ever — and its record keeps how late that was.
    (clock,) = officer.get("/api/deadlines/", {"process": process_id}).json()["results"]
    assert (clock["rule"], clock["state"]) == ("access-request-decision", "missed")
    assert clock["completed_at"] is not None and clock["completed_at"] > clock["due_at"]
    late = DeadlineEvent.objects.get(deadline_id=clock["id"], kind="missed")
    assert late.data["late_seconds"] >= 1
    overdue = officer.get("/api/deadlines/", {"state": "overdue", "type": "access_request"})
    assert process_id not in [row["process_id"] for row in overdue.json()["results"]]
    totals = officer.get("/api/deadlines/dashboard/", {"type": "access_request"}).json()["totals"]
    assert (totals["missed"], totals["overdue"]) == (1, 0)
    # The officer and the head hear at once that the time ran out (the clock is never
    # overdue, so the sweep's alert and escalation would never come), and only once: a closed
    # clock has nothing more to send, sweep after sweep. The requester's complaint period to
    # AIP runs instead (15 days by the rule).
    told = Notification.objects.filter(process_id=process_id, kind="escalation")
    assert {n.user.username for n in told} >= {"kllokot.info", "kllokot.mayor"}
    assert all(n.key == f"deadline:{clock['id']}:time_ran_out" for n in told)
    call_command("sweep_deadlines", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Notification.objects.filter(process_id=process_id, kind="overdue").exists()
    assert Notification.objects.filter(process_id=process_id, kind="escalation").count() == (
        told.count()
    )
    until = datetime.fromisoformat(view["complaint_until"])
    assert timedelta(days=14) < until - timezone.now() <= timedelta(days=16)


def test_complaint_upheld_then_released(demo: Any, api: Any, api_as: Any) -> None:
    receipt, process_id = deemed_refused(api, api_as)
    code = receipt["tracking_code"]
    agency = api_as("aip.officer")
    assert agency.get(f"/api/processes/{process_id}/").status_code == 404  # before the complaint
    bad = api.post(f"/api/public/access-requests/{code}/complaint/", {"text": "<script>"})
    assert bad.status_code == 400
    filed = api.post(
        f"/api/public/access-requests/{code}/complaint/",
        {"text": "No answer came."},
        format="json",
    )
    assert filed.status_code == 201, filed.content
    assert filed.json()["status"] == "complaint_open"
    again = api.post(f"/api/public/access-requests/{code}/complaint/", {"text": "Again."})
    assert again.status_code == 409

    task = inbox_task(agency, "review_complaint", receipt["registration_number"])
    assert task["due_at"] is not None
    file = agency.get(f"/api/processes/{process_id}/").json()
    assert file["data"]["complaint"]["text"] == "No answer came."
    assert "ana@example.org" not in str(file)
    for outsider in ("prishtine.info", "mf.info", "kllokot.info"):
        assert complete(api_as(outsider), task["id"], "uphold", reasons="x").status_code in (
            403,
            404,
        )
    assert complete(agency, task["id"], "uphold").status_code == 400  # reasons required
    done = complete(agency, task["id"], "uphold", reasons="Silence is no ground to refuse.")
    assert done.status_code == 200, done.content
    view = tracked(api, code)
    assert view["complaint"]["outcome"] == "upheld"

    officer = api_as("kllokot.info")
    release = inbox_task(officer, "release", receipt["registration_number"])
    assert release["due_at"] is not None
    assert Deadline.objects.filter(
        process_id=process_id, rule__code="access-request-release", completed_at__isnull=True
    ).exists()
    document = public_document("KLLOKOT", "kllokot.info")
    assert complete(officer, release["id"], "grant", documents=[document]).status_code == 200
    view = tracked(api, code)
    assert (view["status"], view["decision"]) == ("closed", "granted")
    assert len(view["documents"]) == 1


def test_complaint_dismissed(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api)
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    assert (
        complete(
            officer, task["id"], "refuse", reasons="Not public.", legal_basis="Law"
        ).status_code
        == 200
    )
    code = receipt["tracking_code"]
    assert (
        api.post(f"/api/public/access-requests/{code}/complaint/", {"text": "Wrong."}).status_code
        == 201
    )
    agency = api_as("aip.officer")
    review = inbox_task(agency, "review_complaint", receipt["registration_number"])
    done = complete(agency, review["id"], "dismiss", reasons="The refusal was lawful.")
    assert done.status_code == 200, done.content
    view = tracked(api, code)
    assert view["status"] == "closed"
    assert view["complaint"]["outcome"] == "dismissed"
    assert officer.get("/api/inbox/", {"type": "access_request"}).json()["count"] == 0


def test_complaint_period_ends_by_the_timer(demo: Any, api: Any, api_as: Any) -> None:
    receipt = submitted(api)
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    complete(officer, task["id"], "refuse", reasons="Not public.", legal_basis="Law")
    Task.objects.filter(
        process_id=task["process_id"], flow_task_type="TIMER", status=STATUS.SCHEDULED
    ).update(scheduled=timezone.now() - timedelta(seconds=1))
    call_command("sweep_deadlines", stdout=open("/dev/null", "w"))  # noqa: SIM115
    code = receipt["tracking_code"]
    assert tracked(api, code)["status"] == "closed"
    late = api.post(f"/api/public/access-requests/{code}/complaint/", {"text": "Late."})
    assert late.status_code == 409


def test_agency_reads_the_whole_file_once_a_complaint_reaches_it(
    demo: Any, api: Any, api_as: Any
) -> None:
    receipt = submitted(api)
    officer = api_as("kllokot.info")
    task = inbox_task(officer, "decide", receipt["registration_number"])
    document = public_document("KLLOKOT", "kllokot.info")
    done = complete(
        officer,
        task["id"],
        "partially_grant",
        documents=[document],
        reasons="Annex withheld.",
        legal_basis="Law",
    )
    assert done.status_code == 200
    agency = api_as("aip.officer")
    assert agency.get(f"/api/documents/{document}/").status_code == 404
    code = receipt["tracking_code"]
    assert (
        api.post(f"/api/public/access-requests/{code}/complaint/", {"text": "Annex?"}).status_code
        == 201
    )
    assert agency.get(f"/api/documents/{document}/").status_code == 200
    file = agency.get(f"/api/processes/{task['process_id']}/").json()
    assert file["documents"] == [document]
    assert file["data"]["reasons"] == "Annex withheld."
