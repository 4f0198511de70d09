"""Background work of the flows: firing due timers (a press statement's embargo)."""

from datetime import timedelta

from config.celery import app


@app.task(ignore_result=True)
def fire_workflow_timers() -> int:
    """Fire every due viewflow timer (`services.timers_fire`, which the deadline sweep calls
    too). Safe to run from several workers at once."""
    from .services import timers_fire

    return timers_fire()


@app.task(ignore_result=True)
def start_monthly_reports() -> int:
    """On the last day of a month (local time), start each municipality's report of it."""
    from django.utils import timezone

    from .services import monthly_reports_start

    today = timezone.localdate()
    if (today + timedelta(days=1)).month == today.month:
        return 0
    return len(monthly_reports_start(month=today.strftime("%Y-%m")))
