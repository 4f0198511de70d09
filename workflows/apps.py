from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        from .flows import register_flow
        from .flows.assembly_decision import AssemblyDecisionFlow
        from .flows.meeting_material import MeetingMaterialFlow
        from .flows.monthly_report import MonthlyReportFlow
        from .flows.press_statement import PressStatementFlow

        register_flow("assembly_decision", AssemblyDecisionFlow)
        register_flow("press_statement", PressStatementFlow)
        register_flow("meeting_material", MeetingMaterialFlow)
        register_flow("monthly_report", MonthlyReportFlow)
