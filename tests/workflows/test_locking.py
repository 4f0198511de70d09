"""The task lock's hand-written statements load what the ORM loads, and hold what they claim."""

from datetime import date

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from viewflow.workflow.models import Task

from config.errors import Conflict
from roles.models import Institution
from workflows import services
from workflows.flows import FLOWS
from workflows.flows.assembly_decision import AssemblyDecisionFlow
from workflows.locking import locked_task
from workflows.models import CoordinationProcess


def _decision(demo):  # type: ignore[no-untyped-def]
    return services.process_start(
        flow_class=FLOWS["assembly_decision"],
        actor=demo["kllokot.assembly"],
        institution=Institution.objects.get(code="KLLOKOT"),
        fields={"title": "Vendimi nr. 21", "adopted_on": date(2026, 1, 5)},
    )


def _columns(obj) -> dict:  # type: ignore[no-untyped-def]
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@pytest.mark.django_db
def test_locked_task_equals_the_orm_rows_with_the_callers_grant(demo) -> None:  # type: ignore[no-untyped-def]
    process = _decision(demo)
    task_id = process.task_set.get(flow_task_type="HUMAN").pk
    chair, outsider = demo["kllokot.chair"], demo["prishtine.mayor"]
    with transaction.atomic():
        task = locked_task(task_id, chair)
        assert task is not None
        # Every column converted as the ORM converts it (datetimes, JSON, viewflow's references).
        assert _columns(task) == _columns(Task.objects.get(pk=task_id))
        assert task.flow_task is AssemblyDecisionFlow.approve
        assert _columns(task.process) == _columns(CoordinationProcess.objects.get(pk=process.pk))
        assert model_to_dict(task.process.institution) == model_to_dict(
            Institution.objects.get(code="KLLOKOT")
        )
        assert task.permission_held_by == chair.pk  # the chair's group holds `approve`
    with transaction.atomic():
        task = locked_task(task_id, outsider)
        assert task is not None and task.permission_held_by is None
    with transaction.atomic():
        assert locked_task(10**12, chair) is None


@pytest.mark.django_db
def test_a_task_that_no_longer_exists_is_a_conflict(demo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict) as conflict:
        services.task_complete(actor=demo["kllokot.chair"], task_id=10**12, action="approve")
    assert conflict.value.code == "task_gone"
