"""What the request's tasks do to the recipients' responses (called by the flow's handlers,
inside the transition's transaction, which is audited as `task.completed`), and what each
caller sees of them."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import audit_record_many
from config.text import control_characters_refused
from deadlines.clock import ClockEvent, clock_events
from documents.access import documents_visible
from documents.services import document_share
from notifications.services import notify
from roles.permissions import Acting
from roles.selectors import role_holders

from .models import ANSWER_MAX, DOCUMENTS_MAX, Response, ResponseStatus
from .selectors import (
    response_is_overdue,
    response_rows,
    responses_visible,
    sees_every_response,
)


def _document_ids(value: Any) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > DOCUMENTS_MAX:
        raise ValidationError(
            {"documents": [gettext("Give a list of at most %d document ids.") % DOCUMENTS_MAX]}
        )
    ids = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 2**63:
            raise ValidationError({"documents": [gettext("Document ids are whole numbers.")]})
        ids.append(item)
    return sorted(set(ids))


def answer_recorded(
    activation: Any, *, acting: Acting, comment: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The recipient's answer (`data.answer`, optional `data.documents`: its own institution's
    documents, which the sender then reads). The answer goes to its response only: a comment,
    which every recipient would see on the process, is refused."""
    if comment:
        raise ValidationError(
            {
                "comment": [
                    gettext("Write the answer in the answer field: only the sender reads it.")
                ]
            }
        )
    response = Response.objects.select_related("institution").get(
        pk=activation.task.data["response"]
    )
    answer = str(data.get("answer") or "").strip() if isinstance(data.get("answer"), str) else ""
    answer = control_characters_refused(answer, "answer", one_line=False)
    if not answer:
        raise ValidationError({"answer": [gettext("Write the answer.")]})
    if len(answer) > ANSWER_MAX:
        raise ValidationError({"answer": [gettext("At most %d characters.") % ANSWER_MAX]})
    ids = _document_ids(data.get("documents"))
    institution = response.institution
    documents = list(documents_visible(user=acting.user).filter(pk__in=ids))
    if len(documents) != len(ids):
        missing = sorted(set(ids) - {document.pk for document in documents})
        raise ValidationError(
            {"documents": [gettext("No such document: %s.") % ", ".join(map(str, missing))]}
        )
    foreign = [document.pk for document in documents if document.institution_id != institution.pk]
    if foreign:
        raise ValidationError(
            {
                "documents": [
                    gettext("Attach your institution's own documents: %s.")
                    % ", ".join(map(str, foreign))
                ]
            }
        )
    sender = activation.process.institution
    for document in documents:
        document_share(
            actor=acting.user,
            on_behalf_of=acting.on_behalf_of,
            document=document,
            institution=sender,
            forwarded_by=institution,
        )
    response.answer = answer
    response.status = ResponseStatus.ANSWERED
    response.answered_at = timezone.now()
    response.answered_by = acting.on_behalf_of or acting.user
    response.full_clean(exclude=["process", "institution", "task"])
    response.save(update_fields=["answer", "status", "answered_at", "answered_by"])
    response.documents.set(documents)
    return {
        "institution": institution.code,
        "response": response.pk,
        "answer": answer,
        "documents": [document.pk for document in documents],
    }


def _late(process: Any, now: datetime) -> list[Response]:
    return [
        response
        for response in Response.objects.filter(process_id=process.pk, status=ResponseStatus.OPEN)
        .select_related("institution", "task")
        .order_by("institution__code")
        if response_is_overdue(process, response, now)
    ]


def late_reminded(process: Any, *, acting: Acting, data: dict[str, Any]) -> dict[str, Any]:
    """Remind the unanswered recipients: those past the due date, or those named in
    `data.institutions` (codes). Each gets a `reminder` notification in its lane; each reminder
    is an audit entry on its response."""
    now = timezone.now()
    named = data.get("institutions")
    if named is not None:
        if not isinstance(named, list) or not all(
            isinstance(code, str) and len(code) <= 32 for code in named
        ):
            raise ValidationError({"institutions": [gettext("Give institution codes.")]})
        codes = {code.upper() for code in named}
        targets = list(
            Response.objects.filter(
                process_id=process.pk,
                status=ResponseStatus.OPEN,
                institution__code__in=codes,
            ).select_related("institution", "task")
        )
        if len(targets) != len(codes):
            raise ValidationError(
                {"institutions": [gettext("Name recipients that have not answered yet.")]}
            )
    else:
        targets = _late(process, now)
    if not targets:
        raise ValidationError({"action": [gettext("Nobody is late: there is nobody to remind.")]})
    title, due = process.title, process.data.get("due_on", "")
    for response in targets:
        response.reminders += 1
        response.reminded_at = now
        notify(
            recipients=role_holders(
                institution=response.institution,
                role=(response.task.data.get("role", "") if response.task else ""),
            ),
            kind="reminder",
            message=lambda: (
                gettext("Reminder: answer the coordination request %(title)s (due %(due)s)")
                % {"title": title, "due": due}
            ),
            process=process,
            task=response.task,
            key=f"coordination:{response.pk}:reminder:{response.reminders}",
        )
    Response.objects.bulk_update(targets, ["reminders", "reminded_at"])
    audit_record_many(
        actor=acting.user,
        on_behalf_of=acting.on_behalf_of,
        action="coordination.reminded",
        objects=targets,
        extra={"process": process.pk},
    )
    return {"reminded": [response.institution.code for response in targets]}


def unanswered_closed(process: Any, *, acting: Acting, at: datetime) -> dict[str, Any]:
    """Closing: the unanswered responses are closed and their clocks stop (`closed` pauses
    them for good); the flow's terminate end then cancels their tasks."""
    open_responses = list(
        Response.objects.filter(process_id=process.pk, status=ResponseStatus.OPEN)
        .select_related("institution", "task")
        .order_by("institution__code")
    )
    Response.objects.filter(pk__in=[response.pk for response in open_responses]).update(
        status=ResponseStatus.CLOSED
    )
    clock_events(
        process=process,
        events=[
            ClockEvent("closed", at, response.task)
            for response in open_responses
            if response.task is not None
        ],
        actor=acting.user,
    )
    return {"unanswered": [response.institution.code for response in open_responses]}


def unanswered_withdrawn(process: Any) -> dict[str, Any]:
    """Withdrawal: the unanswered responses close, named in the withdrawal's record."""
    open_responses = Response.objects.filter(process_id=process.pk, status=ResponseStatus.OPEN)
    codes = sorted(open_responses.values_list("institution__code", flat=True))
    open_responses.update(status=ResponseStatus.CLOSED)
    return {"unanswered": codes}


def body_shown(process: Any, body: dict[str, Any], *, user: Any) -> dict[str, Any]:
    """The API's body of the process for this caller: `data.responses` with every response for
    the sender (and auditors), the caller's own institution's otherwise. Another recipient's
    tasks and clocks never reach the body (the rule of private lanes:
    `workflows.selectors.tasks_shown`, `deadlines.selectors.clocks_shown`)."""
    sees_all = user is not None and sees_every_response(process=process, user=user)
    responses = (
        list(responses_visible(process=process, user=user, sees_all=sees_all)) if user else []
    )
    body["data"] = {
        **(body.get("data") or {}),
        "responses": response_rows(process, responses, user=user),
    }
    return body
