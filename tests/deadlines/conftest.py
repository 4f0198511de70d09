"""Deadline fixtures: the default rules and processes made directly (with the view permission
the workflows would grant), so the clock is tested with explicit times, apart from the flows."""

import importlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from viewflow.workflow import STATUS
from viewflow.workflow.models import Task

from deadlines.models import DeadlineRule
from roles import services as roles_services
from roles.models import Institution, Role, User
from roles.permissions import grant, institution_group
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess, permission_object

BELGRADE = ZoneInfo("Europe/Belgrade")
DEFAULT_RULES = importlib.import_module("deadlines.migrations.0002_default_rules").RULES
RULE_NAMES = importlib.import_module("deadlines.migrations.0003_rule_names").NAMES
LEGAL_BASES = importlib.import_module(
    "deadlines.migrations.0007_rule_legal_basis_translations"
).LEGAL_BASES


def translated(rule: dict[str, Any]) -> dict[str, Any]:
    """A default rule's values with its names and legal basis in Albanian and Serbian, as
    the migrations leave them."""
    name_sq, name_sr = RULE_NAMES[rule["code"]]
    _, basis_sq, basis_sr = LEGAL_BASES[rule["code"]]
    return {
        **rule,
        "name_sq": name_sq,
        "name_sr": name_sr,
        "legal_basis_sq": basis_sq,
        "legal_basis_sr": basis_sr,
    }


def local(*args: int) -> datetime:
    """An aware Belgrade wall-clock time."""
    return datetime(*args).replace(tzinfo=BELGRADE)  # type: ignore[arg-type]


@pytest.fixture
def rules(demo: dict[str, User]) -> dict[str, DeadlineRule]:
    """The default rules (a transactional test elsewhere may have flushed the migration's)."""
    for rule in DEFAULT_RULES:
        DeadlineRule.objects.get_or_create(code=rule["code"], defaults=translated(rule))
    return {rule.code: rule for rule in DeadlineRule.objects.all()}


def make_process(
    process_type: str,
    *,
    institution: str,
    by: str = "admin",
    title: str = "Vendimi nr. 7",
    **data: Any,
) -> CoordinationProcess:
    """A process row of the flow, visible to its institution as the workflows make it."""
    flow_class: Any = FLOWS[process_type]
    process = flow_class.process_class.objects.create(
        flow_class=flow_class,
        institution=Institution.objects.get(code=institution),
        title=title,
        created_by=User.objects.get(username=by),
        data=data,
    )
    grant(
        actor=None,
        perm="workflows.view_coordinationprocess",
        obj=permission_object(process),
        group=institution_group(process.institution),
    )
    return CoordinationProcess.objects.select_related("institution").get(pk=process.pk)


def make_task(process: CoordinationProcess, node: str, *, institution: str, role: str) -> Task:
    """An open human task of the process's flow, in the lane (institution, role)."""
    flow_task = getattr(process.flow_class, node)
    return Task.objects.create(
        process=process,
        flow_task=flow_task,
        flow_task_type="HUMAN",
        status=STATUS.NEW,
        data={"institution": institution, "role": role},
    )


def add_member(username: str, institution: str, role: str) -> User:
    admin = User.objects.get(username="admin")
    user = User.objects.filter(username=username).first() or User.objects.create_user(
        username=username, password="demo", email=f"{username}@example.org"
    )
    roles_services.membership_create(
        actor=admin,
        user=user,
        institution=Institution.objects.get(code=institution),
        role=Role.objects.get(code=role),
    )
    return user
