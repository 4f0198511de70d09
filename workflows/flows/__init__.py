"""One Flow class per process; FLOWS names them as the API does (`Process.type`)."""

from typing import Any

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

PROCESS_TYPES = sorted(FLOWS)
# What a query parameter accepts for a process type: as the API names it, or as URLs spell it.
PROCESS_TYPE_SPELLINGS = sorted({*PROCESS_TYPES, *(t.replace("_", "-") for t in PROCESS_TYPES)})


def process_type_name(process_type: str) -> Any:
    """The type's name for people, in the active language; an unknown type shows its code."""
    return getattr(FLOWS.get(process_type), "process_title", process_type)
