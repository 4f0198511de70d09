"""The task lock's prepared statements load what the ORM loads, and answer what they claim."""

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
        locked = locked_task(task_id, chair)
        assert locked is not None
        task = locked.task
        # Every column converted as the ORM converts it (datetimes, JSON, viewflow's references).
        assert _columns(task) == _columns(Task.objects.get(pk=task_id))
        assert task.flow_task is AssemblyDecisionFlow.approve
        assert _columns(task.process) == _columns(CoordinationProcess.objects.get(pk=process.pk))
        assert model_to_dict(task.process.institution) == model_to_dict(
            Institution.objects.get(code="KLLOKOT")
        )
        assert locked.holds_permission  # the chair's group holds `approve`
        assert not locked.authored
    with transaction.atomic():
        locked = locked_task(task_id, outsider)
        assert locked is not None and not locked.holds_permission
    with transaction.atomic():
        # The office registered the decision: it may not sign it off (four eyes).
        locked = locked_task(task_id, demo["kllokot.assembly"])
        assert locked is not None and locked.authored and not locked.holds_permission
    with transaction.atomic():
        assert locked_task(10**12, chair) is None


@pytest.mark.django_db
def test_a_task_that_no_longer_exists_is_a_conflict(demo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict) as conflict:
        services.task_complete(actor=demo["kllokot.chair"], task_id=10**12, action="approve")
    assert conflict.value.code == "task_gone"


@pytest.mark.django_db
def test_the_lock_is_compiled_once_on_postgresql(demo) -> None:  # type: ignore[no-untyped-def]
    """Both statements take their values as parameters, so they are compiled once (a value the
    database adapter rewrites, such as a JSON one, would make them compiled on every call)."""
    from django.db import connection

    from workflows import locking

    if connection.vendor != "postgresql":
        pytest.skip("SQLite passes some values as text: the queries are evaluated each time")
    process = _decision(demo)
    task_id = process.task_set.get(flow_task_type="HUMAN").pk
    with transaction.atomic():
        assert locked_task(task_id, demo["kllokot.chair"]) is not None
    for prepared in (locking._LOCK_PROCESS, locking._LOCK_TASK):
        assert prepared._compiled["postgresql"] is not None
