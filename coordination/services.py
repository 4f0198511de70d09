"""Writes about coordination requests. Starting goes through the engine's `process_start`
(the flow checks the fields and the sender's role, the split opens a task per recipient); the
sender's `remind` and `close` are completions of its open `manage` task through the engine's
`task_complete` — locked, permission-checked and audited like every transition."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from viewflow.workflow import STATUS

from audit.services import appended_together
from config.errors import Conflict
from documents.services import document_share
from roles.models import Institution, User
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess
from workflows.services import process_start, task_complete

PROCESS_TYPE = "coordination_request"


def coordination_request_start(
    *,
    actor: User,
    fields: dict[str, Any],
    document_ids: Iterable[Any] = (),
    on_behalf_of: User | None = None,
    institution: Institution | None = None,
) -> CoordinationProcess:
    """Send the request; every recipient reads its documents from then on. The audit entries
    of the whole request join the chain together, at its end (one lock of the chain's head
    however many recipients)."""
    with transaction.atomic(), appended_together():
        process = process_start(
            flow_class=FLOWS[PROCESS_TYPE],
            actor=actor,
            on_behalf_of=on_behalf_of,
            institution=institution,
            fields=fields,
            document_ids=document_ids,
        )
        documents = list(process.documents.all())
        if documents:
            for recipient in Institution.objects.filter(code__in=process.data["recipients"]):
                for document in documents:
                    if document.institution_id != recipient.pk:
                        document_share(
                            actor=actor,
                            on_behalf_of=on_behalf_of,
                            document=document,
                            institution=recipient,
                            forwarded_by=process.institution,
                        )
    return process


def _manage_task_id(process: CoordinationProcess) -> int:
    task = (
        process.task_set.filter(flow_task_type="HUMAN", status__in=(STATUS.NEW, STATUS.ASSIGNED))
        .exclude(data__has_key="response")
        .order_by("pk")
        .first()
    )
    if task is None:
        raise Conflict(gettext("The request is closed."), code="request_closed")
    return task.pk


def coordination_request_remind(
    *,
    actor: User,
    process: CoordinationProcess,
    institutions: list[str] | None = None,
    on_behalf_of: User | None = None,
) -> Any:
    """Remind the late recipients (or those named): the `remind` action of the sender's task."""
    data = {} if institutions is None else {"institutions": institutions}
    return task_complete(
        actor=actor,
        task_id=_manage_task_id(process),
        action="remind",
        data=data,
        on_behalf_of=on_behalf_of,
    )


def coordination_request_close(
    *,
    actor: User,
    process: CoordinationProcess,
    comment: str = "",
    on_behalf_of: User | None = None,
) -> Any:
    """Close the request: unanswered tasks are cancelled and their clocks stop."""
    return task_complete(
        actor=actor,
        task_id=_manage_task_id(process),
        action="close",
        comment=comment,
        on_behalf_of=on_behalf_of,
    )
