from datetime import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def fire_viewflow_timers(now: datetime) -> int:
    """Fire due viewflow timers (a press statement's embargo) from the deadline sweep too, so
    `sweep_deadlines` releases what is due. viewflow compares with the clock itself."""
    from viewflow.workflow.timers import fire_due_timers

    return int(fire_due_timers())


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        from deadlines.services import timer_hook

        timer_hook(fire_viewflow_timers)
