"""Which documents a process carries: set by the services when a process starts and by the
flows when an item is corrected; and which steps take documents on their pages. Its own module
(not `services.py`) because the services import the flows, and the flows need this at import
time without a circle."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from documents.access import documents_attachable, documents_visible
from documents.models import Document
from documents.services import DocumentsRefused

from .models import CoordinationProcess


@dataclass(frozen=True)
class DocumentsStep:
    """A step whose page takes documents (`workflows.files.TaskFiles`): the picker of those the
    official may attach and upload slots, sent to the flow as `data.documents` (ids), as an API
    client sends them. A flow names its steps in `document_steps` ({step name: DocumentsStep}).

    `kind`: what an upload from the step is registered as. `required`: the step always sends
    the list (the flow requires it). `adds`: the documents the step names itself (those an
    access decision releases, those an answer carries), chosen afresh and always sent, rather
    than the process's own set, shown chosen and sent when changed. `own`: the lane
    institution's own documents only. `label`: the picker's. `version`: the step also takes a
    corrected file, a new version of a document the process carries."""

    kind: str = "other"
    required: bool = False
    adds: bool = False
    own: bool = False
    label: Any = None
    version: bool = False


def process_documents_set(
    *,
    process: CoordinationProcess,
    user: Any,
    document_ids: Iterable[Any],
    starting: bool = False,
) -> list[int]:
    """Attach exactly these documents. Each must be visible to the user (else it does not
    exist for them: 400) and the process's institution's to send: its own, or another's whose
    owner consented (`documents.access.documents_attachable`; else DocumentsRefused, 403,
    recorded by `refusals_recorded`). Returns the ids. `starting`: the process is being
    started, so a refusal names no process (it will not exist)."""
    found = process_documents_checked(
        process=process, user=user, document_ids=document_ids, starting=starting
    )
    process.documents.set(Document.objects.filter(pk__in=found))
    return sorted(found)


def process_documents_checked(
    *,
    process: CoordinationProcess,
    user: Any,
    document_ids: Iterable[Any],
    starting: bool = False,
) -> set[int]:
    """The ids, each visible to the user and the process's institution's to send, with the
    refusals of `process_documents_set` (which attaches them; a step that adds documents of
    its own adds what this returns)."""
    if isinstance(document_ids, str | bytes) or not isinstance(document_ids, Iterable):
        raise ValidationError({"documents": [gettext("Give a list of document ids.")]})
    ids: set[int] = set()
    for value in document_ids:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError({"documents": [gettext("Document ids are whole numbers.")]})
        try:
            number = int(value)
        except ValueError as error:
            raise ValidationError(
                {"documents": [gettext("Document ids are whole numbers.")]}
            ) from error
        if not 0 < number < 2**63:
            raise ValidationError({"documents": [gettext("No such document: %s.") % value]})
        ids.add(number)
    found = set(documents_visible(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        raise ValidationError(
            {"documents": [gettext("No such document: %s.") % ", ".join(map(str, missing))]}
        )
    attachable = set(
        documents_attachable(user=user, institution=process.institution)
        .filter(pk__in=found)
        .values_list("pk", flat=True)
    )
    foreign = sorted(found - attachable)
    if foreign:
        raise DocumentsRefused(
            gettext(
                "These documents are another institution's, which has not consented to their "
                "being attached to your processes: %(documents)s."
            )
            % {"documents": ", ".join(map(str, foreign))},
            action="document.attach_refused",
            documents=list(Document.objects.filter(pk__in=foreign).order_by("pk")),
            extra={"institution": process.institution.code}
            | ({} if starting else {"process": process.pk}),
        )
    return found
