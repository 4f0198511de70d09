"""Issue 28: requests deemed refused (no decision in time) before the decision's clock closed
with its timer still have that clock open, running into "overdue" and alerting the institution
about a decision the law has already read as a refusal. Now the clock closes as missed when the
timer fires (`deadlines.clock`: `timeout:<step>` ends the rules that `done:<step>` ends); this
closes the ones left open the same way: missed, at the moment the request was deemed refused
(its audit entry; the clock's due time when there is none), with the clock's record of it.
Clocks already closed are left alone, so running it again changes nothing."""

from typing import Any

from django.db import migrations

# The steps whose timer deems the request refused (`flows.AccessRequestFlow`: `_decision`); the
# clocks that end with one of them are the ones its time running out closes.
DECISION_ENDS = ("done:decide", "done:decide_urgent", "done:decide_extended")
RUNNING = ("open", "due_soon", "overdue")


def deemed_refused_clocks_closed(apps: Any, schema_editor: Any) -> None:
    AccessRequest = apps.get_model("access_requests", "AccessRequest")
    Deadline = apps.get_model("deadlines", "Deadline")
    DeadlineEvent = apps.get_model("deadlines", "DeadlineEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")

    processes = AccessRequest.objects.filter(deemed_refused=True).values("process_id")
    clocks = list(
        Deadline.objects.filter(
            process_id__in=processes,
            completed_at__isnull=True,
            state__in=RUNNING,
            rule__process_type="access_request",
            rule__ends_on__in=DECISION_ENDS,
        ).order_by("pk")
    )
    if not clocks:
        return
    deemed_at: dict[str, Any] = {}
    for object_id, at in (
        AuditEntry.objects.filter(
            action="access_request.deemed_refused",
            object_id__in=[str(clock.process_id) for clock in clocks],
        )
        .order_by("seq")
        .values_list("object_id", "at")
    ):
        deemed_at.setdefault(object_id, at)  # the first time it was deemed refused
    events = []
    for clock in clocks:
        clock.paused_at = None  # (the decision's rules never pause; a closed clock is not paused)
        at = max(deemed_at.get(str(clock.process_id), clock.due_at), clock.due_at)
        clock.completed_at = at
        clock.state = "missed"
        clock.next_check_at = None
        events.append(
            DeadlineEvent(
                deadline=clock,
                kind="missed",
                at=at,
                data={
                    "due_at": clock.due_at.isoformat(),
                    "late_seconds": max(0, int((at - clock.due_at).total_seconds())),
                    "closed_by": "access_requests.0005_deemed_refused_clocks_closed",
                },
            )
        )
    Deadline.objects.bulk_update(
        clocks, ["paused_at", "completed_at", "state", "next_check_at"], batch_size=500
    )
    DeadlineEvent.objects.bulk_create(events, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("access_requests", "0004_titles_without_type"),
        ("audit", "0003_keyed_guarded_head"),
        ("deadlines", "0005_press_statement_original_rule"),
    ]

    operations = [migrations.RunPython(deemed_refused_clocks_closed, migrations.RunPython.noop)]
