"""Everything the deadline clocks follow, in one place (connected in `apps.ready`).

The clocks are subscribers: a process's transition is announced once by the workflows
(`workflows.events.process_transitioned`, inside the transition's transaction), and the
clocks of that process hear it in the same transaction. No rule lives here."""

from typing import Any

from django.dispatch import receiver

from workflows.events import ProcessEvent, process_transitioned

from .clock import clock_events


@receiver(process_transitioned, dispatch_uid="deadlines.process_transitioned")
def clocks_told(
    sender: Any,
    process: Any,
    events: list[ProcessEvent],
    actor: Any = None,
    created: bool = False,
    **kwargs: Any,
) -> None:
    clock_events(process=process, events=events, actor=actor, created=created)
