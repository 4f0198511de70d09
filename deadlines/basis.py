"""What started a clock, in the reader's language.

A clock keeps its basis as data (`clock._basis`): the starting event and its time
("task:answer_comments 2026-11-20 09:30", "registered:water_irrigation 2026-11-20 09:30",
"started 2026-11-20 09:30") or the date it counts from ("adopted on 2026-11-20"). The pages
show it in words: a step by its title in its flow, a date field by its label, and a flow's own
events as the flow names them (`clock_event_shown(event, institution_id)` on the flow, returning
None for an event it does not know)."""

import re
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext

from workflows.flows import FLOWS

# The anchor "the last day of the event's month" (`models.ANCHOR_MONTH_END`, which imports
# this module).
MONTH_END = "month_end"

EVENT = re.compile(r"^(?P<event>\S+) (?P<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2})$")
ANCHORED = re.compile(r"^(?P<anchor>.+) (?P<day>\d{4}-\d{2}-\d{2})$")


def _event(flow_class: Any, event: str, institution_id: Any) -> str | None:
    """The event in words; None when neither this module nor the flow knows it."""
    if event == "started":
        return gettext("Process started")
    name, _, step = event.partition(":")
    if name == "task" and flow_class is not None:
        node = getattr(flow_class, step, None)
        title = getattr(node, "task_title", None)
        if title:
            return gettext("Step: %(step)s") % {"step": title}
    shown = getattr(getattr(flow_class, "instance", None), "clock_event_shown", None)
    return shown(event, institution_id) if shown is not None else None


def _anchor(flow_class: Any, anchor: str) -> str | None:
    """The date a clock counts from by its field's label (`adopted_on`: "adopted on")."""
    field_name = anchor.replace(" ", "_")
    if field_name == MONTH_END:
        return gettext("End of the month")
    process_class = getattr(flow_class, "process_class", None)
    if process_class is None:
        return None
    for field in process_class._meta.get_fields():
        if field.name == field_name:
            return capfirst(str(getattr(field, "verbose_name", ""))) or None
    return None


def basis_shown(basis: str, process_type: str, institution_id: Any = None) -> str:
    """The basis in the reader's language; a basis of an unknown shape as it is stored."""
    flow_class = FLOWS.get(process_type)
    match = EVENT.match(basis)
    if match:
        words = _event(flow_class, match["event"], institution_id)
        if words is None:
            return gettext("From %(time)s") % {"time": match["at"]}
        return gettext("%(event)s, from %(time)s") % {"event": words, "time": match["at"]}
    match = ANCHORED.match(basis)
    if match:
        words = _anchor(flow_class, match["anchor"])
        if words is not None:
            return f"{words}: {match['day']}"
    return basis
