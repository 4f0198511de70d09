"""Requests from the centre to many institutions at once, and the institutions'
communication plans."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination requests")

    def ready(self) -> None:
        from deadlines.sweep import timer_hook
        from workflows.flows import register_flow

        from .flows import CoordinationRequestFlow
        from .plans import activities_remind

        register_flow("coordination_request", CoordinationRequestFlow)
        # Each deadline sweep (beat, every 2 minutes) also reminds of plan activities due.
        timer_hook(activities_remind)
