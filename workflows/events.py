"""What the workflows announce. Sent once, inside the transition's own transaction, by
`workflows/services.py` (start, task completion, a timer firing) and `admin.py` (an edit in
`/admin/`); whoever follows a process (the deadline clocks, the search index) subscribes in its
own app's `receivers.py`, so nothing here names them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.dispatch import Signal


@dataclass(frozen=True)
class ProcessEvent:
    """One thing that happened in a transition, at its own time: `started`, `task:<node>` (a
    task opened: `task` is it), `done:<node>` (it was completed), `timeout:<node>` (its time ran
    out: the timer on its border fired and canceled it; `task` is the canceled task), or a
    domain event the flow reports (`transmitted`, `received`, …)."""

    name: str
    at: datetime
    task: Any = None


# A process moved on (or was started): `process`, `events` (a list of ProcessEvent, in their
# order; may be empty, e.g. a timer that only released the item), `actor` (a User, or None for
# the system), `created` (True when the process was made in this transaction: it has nothing
# recorded before these events).
process_transitioned = Signal()

# A process was edited outside its flow (in /admin/): `process`, `actor` (a User).
process_changed = Signal()
