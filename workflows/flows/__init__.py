"""One Flow class per process; FLOWS names them as the API does (`Process.type`)."""

from .assembly_decision import AssemblyDecisionFlow

FLOWS = {
    "assembly_decision": AssemblyDecisionFlow,
}
