"""Citizens' complaints and requests to their municipality, routed to the unit that answers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Citizens' complaints")

    def ready(self) -> None:
        from workflows.flows import register_flow

        from . import receivers  # noqa: F401  (connects the app's subscribers)
        from .flows import ComplaintFlow

        register_flow("complaint", ComplaintFlow)
