"""One Flow class per process; FLOWS names them as the API does (`Process.type`)."""

from .assembly_decision import AssemblyDecisionFlow
from .meeting_material import MeetingMaterialFlow
from .monthly_report import MonthlyReportFlow
from .press_statement import PressStatementFlow

FLOWS = {
    "assembly_decision": AssemblyDecisionFlow,
    "press_statement": PressStatementFlow,
    "meeting_material": MeetingMaterialFlow,
    "monthly_report": MonthlyReportFlow,
}
