"""Requests for access to public documents (Law 06/L-081) and the complaints about them to AIP."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessRequestsConfig(AppConfig):
    name = "access_requests"
    verbose_name = _("Access to public documents")

    def ready(self) -> None:
        from workflows.flows import register_flow

        from .flows import AccessRequestFlow

        register_flow("access_request", AccessRequestFlow)
