"""The user-task node every flow of ours uses: viewflow's `flow.View` that also says who does it
(an institution and a role: its swim lane) and which actions complete it.

Tasks are completed through `workflows.services.task_complete` (API and UI alike), so every
transition is permission-checked, locked and audited in one place.
"""

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from viewflow import this
from viewflow.workflow import STATUS, flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.boundary import TimerBoundary, TimerBoundaryActivation
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import flow_started, task_finished, task_started

from roles.models import Institution

# Human tasks opened during the current transition, for the services to announce (notify the
# lane, start deadline clocks) once the flow has moved on — without querying for them again.
tasks_opened: ContextVar[list[Any] | None] = ContextVar("tasks_opened", default=None)


def completed_through_services(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Placeholder for the task form of viewflow's UI: until the UI forms call
    `task_complete`, a task cannot be completed from viewflow's own views."""
    raise Http404("Complete this task through /api/tasks/<id>/complete/.")


class HumanTaskActivation(ViewActivation):
    @classmethod
    def create(  # type: ignore[no-untyped-def]
        cls, flow_task, prev_activation, token, data=None, seed=None
    ):
        """Record on the task which institution and role it is open to, so lists show it
        without a query per task."""
        process = prev_activation.process
        institution = flow_task.lane_institution(process)
        data = {
            **(data or {}),
            "institution": institution.code,
            "role": flow_task.lane_role(process),
        }
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        opened = tasks_opened.get()
        if opened is not None:
            opened.append(activation.task)
        return activation


class HumanTask(flow.View):
    activation_class = HumanTaskActivation

    def __init__(self, view: Any = None, **kwargs: Any) -> None:
        super().__init__(view or completed_through_services, **kwargs)
        self._lane_institution: Any = None
        self._lane_role: Any = ""
        self.actions: tuple[str, ...] = ()
        self._on_complete: Any = None
        self.form_class: Any = None

    def Lane(self, institution: Any, role: Any) -> "HumanTask":
        """Who does the task: `institution` is a flow method `(process) -> Institution | None`
        (None: this lane does not apply to the process); `role` a role code or a flow method
        `(process) -> str` (a mayor in a municipality, a minister in a ministry)."""
        self._lane_institution = institution
        self._lane_role = role
        return self

    def Form(self, form_class: Any) -> "HumanTask":
        """The Django form of what `data` may carry besides the action and comment (for the UI;
        the handler validates `data` in either case)."""
        self.form_class = form_class
        return self

    def Actions(self, *actions: str, handler: Any) -> "HumanTask":
        """What `complete` accepts; `handler(activation, *, acting, action, comment, data)`
        applies the action to the process and returns a dict: what the step's audit entry adds,
        where three keys also say more (`workflows.services.task_complete`): `reason` (why the
        item goes back: the step's row, the `returned` notice), `outcome` (what the step
        decided: its row), and `events`, `[(name, at), …]`: the domain events the step caused,
        at their own times (`transmitted`, `received`), announced with the transition to the
        subscribers (the deadline clocks) and not audited as data."""
        self.actions = actions
        self._on_complete = handler
        return self

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._lane_institution = this.resolve(instance, self._lane_institution)
        self._lane_role = this.resolve(instance, self._lane_role)
        self._on_complete = this.resolve(instance, self._on_complete)

    def lane_institution(self, process: Any) -> Institution | None:
        return self._lane_institution(process)

    def lane_role(self, process: Any) -> str:
        return self._lane_role(process) if callable(self._lane_role) else self._lane_role

    @property
    def on_complete(self) -> Callable[..., dict[str, Any]]:
        return self._on_complete

    def OnTimeout(
        self, delay: Any, then: Any, interrupting: bool = True, title: Any = None
    ) -> "HumanTask":
        """viewflow's timer on the step's border (`Node.OnTimeout`), armed by one insert."""
        boundary = ArmedTimer(None, delay=delay, interrupting=interrupting).Next(then)
        if title is not None:
            boundary.Annotation(title=title)
        self._boundary_specs.append(("timeout", boundary))
        return self


class DecisionActivation(IfActivation):
    @classmethod
    def create(  # type: ignore[no-untyped-def]
        cls, flow_task, prev_activation, token, data=None, seed=None
    ):
        """Decide at once and save the gateway's task once, already done.

        viewflow inserts a gateway's task as new, evaluates the condition in a savepoint and
        updates the task to done: four statements per gateway. Our conditions only read the
        process's fields (nothing to roll back), so the task is written once; viewflow then
        goes straight on to `create_next`, the one step still open to a done task."""
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        activation._condition_result = flow_task._condition(activation)
        task.status = STATUS.DONE
        task.finished = timezone.now()
        task.save()
        task.previous.add(prev_activation.task)
        task_finished.send(sender=flow_task.flow_class, process=activation.process, task=task)
        return activation


class StartActivation(StartHandleActivation):
    @Activation.status.transition(source=STATUS.NEW)
    def execute(self) -> None:
        """viewflow's start, in the caller's transaction without a savepoint or a row lock.

        Every start runs inside the transaction of the service that records it
        (`workflows.services._started`), and a failure fails that transaction whole, so the
        savepoint viewflow opens around a start bought nothing; nor did its lock on the row of
        the process it had just written, which no other transaction sees before the commit.
        Three statements less per start: the savepoint's two and the lock."""
        assert connection.in_atomic_block
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.process.save()
        self.complete()
        flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.activate_next()


class StartHandle(flow.StartHandle):
    """viewflow's start from code (`flow.StartHandle`), run in the caller's transaction."""

    activation_class = StartActivation


class ArmedTimerActivation(TimerBoundaryActivation):
    @classmethod
    def create(  # type: ignore[no-untyped-def]
        cls, flow_task, prev_activation, token, data=None, seed=None
    ):
        """Reckon the due moment first and save the timer's task once, already scheduled.

        viewflow inserts a boundary timer's task as new, then in a savepoint reckons its due
        moment and updates the task to scheduled: four statements beside the link to its host.
        Our delays only read the process and the deadline rules (nothing to roll back)."""
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        due = flow_task._delay(activation) if callable(flow_task._delay) else flow_task._delay
        if isinstance(due, timedelta):
            due = timezone.now() + due
        if not isinstance(due, datetime):
            raise ValueError(f"a timer needs a datetime or a timedelta, got {due!r}")
        task.scheduled = due
        task.status = STATUS.SCHEDULED
        task.save()
        task.previous.add(prev_activation.task)
        return activation


class ArmedTimer(TimerBoundary):
    """viewflow's timer on a step's border (`TimerBoundary`), its task written once."""

    activation_class = ArmedTimerActivation

    def _arm(self, host_activation: Any) -> None:
        self.activation_class.create(self, host_activation, host_activation.task.token)


class If(flow.If):
    """viewflow's exclusive gateway (`flow.If`), deciding as its task is created."""

    activation_class = DecisionActivation
