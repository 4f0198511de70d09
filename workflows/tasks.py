"""Background work of the flows: firing due timers (a press statement's embargo)."""

from datetime import timedelta

from viewflow.workflow.timers import fire_due_timers

from config.celery import app


@app.task(ignore_result=True)
def fire_workflow_timers() -> int:
    """Fire every due viewflow timer. Safe to run from several workers at once: viewflow
    re-checks each timer under its process lock."""
    return int(fire_due_timers())


@app.task(ignore_result=True)
def start_monthly_reports() -> int:
    """On the last day of a month (local time), start each municipality's report of it."""
    from django.utils import timezone

    from .services import monthly_reports_start

    today = timezone.localdate()
    if (today + timedelta(days=1)).month == today.month:
        return 0
    return len(monthly_reports_start(month=today.strftime("%Y-%m")))
