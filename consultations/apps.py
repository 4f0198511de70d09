"""Public consultations on draft acts (Regulation 05/2016): draft, comments, report."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Public consultations")

    def ready(self) -> None:
        from workflows.flows import register_flow

        from .flows import PublicConsultationFlow

        register_flow("public_consultation", PublicConsultationFlow)
