"""The user-task node every flow of ours uses: viewflow's `flow.View` that also says who does it
(an institution and a role: its swim lane) and which actions complete it.

Tasks are completed through `workflows.services.task_complete` (API and UI alike), so every
transition is permission-checked, locked and audited in one place.
"""

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.nodes.view import ViewActivation

from roles.models import Institution


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
        institution = flow_task.lane_institution(prev_activation.process)
        data = {**(data or {}), "institution": institution.code, "role": flow_task.role}
        return super().create(flow_task, prev_activation, token, data=data, seed=seed)


class HumanTask(flow.View):
    activation_class = HumanTaskActivation

    def __init__(self, view: Any = None, **kwargs: Any) -> None:
        super().__init__(view or completed_through_services, **kwargs)
        self._lane_institution: Any = None
        self.role = ""
        self.actions: tuple[str, ...] = ()
        self._on_complete: Any = None

    def Lane(self, institution: Any, role: str) -> "HumanTask":
        """Who does the task: `institution` is a flow method `(process) -> Institution`."""
        self._lane_institution = institution
        self.role = role
        return self

    def Actions(self, *actions: str, handler: Any) -> "HumanTask":
        """What `complete` accepts; `handler(activation, *, acting, action, comment, data)`
        applies the action to the process and returns what the audit entry should add."""
        self.actions = actions
        self._on_complete = handler
        return self

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._lane_institution = this.resolve(instance, self._lane_institution)
        self._on_complete = this.resolve(instance, self._on_complete)

    def lane_institution(self, process: Any) -> Institution:
        return self._lane_institution(process)

    @property
    def on_complete(self) -> Callable[..., dict[str, Any]]:
        return self._on_complete
