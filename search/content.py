"""What the index holds for each document and process, built from the database in bulk."""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.models import GroupObjectPermission

from .analysis import normalize
from .models import ObjectType
from .snippets import NOT_QUOTED

# Enough for any real document; a 300-page OCR beyond it is still found by its first pages.
MAX_BODY = 200_000
_DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?([+-]\d{2}:?\d{2}|Z)?$")
# A value of a process's data that is a code, not a text: `municipal_assembly`, `sq`,
# `sr-Latn`, `electronic` (a role, a language, a choice: one lower-case word or words joined).
_CODE_LIKE = re.compile(r"^(?:[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*|[a-z]{2}-[A-Z][a-z]{3})$")


@dataclass
class IndexEntry:
    object_type: str
    object_id: int
    title: str
    body: str
    institution: str
    kind: str
    language: str
    process_type: str
    date: date
    acl: list[int] = field(default_factory=list)

    @cached_property
    def title_norm(self) -> str:
        return normalize(self.title)

    @cached_property
    def body_norm(self) -> str:
        return normalize(self.body)


def _group_acl(model: Any, perm: str, ids: Iterable[int]) -> dict[int, list[int]]:
    """Object id → ids of the groups holding `perm` on it (guardian's group-object rows)."""
    content_type = ContentType.objects.get_for_model(model)
    rows = GroupObjectPermission.objects.filter(
        content_type=content_type,
        permission__content_type=content_type,
        permission__codename=perm,
        object_pk__in=[str(pk) for pk in ids],
    ).values_list("object_pk", "group_id")
    acl: dict[int, list[int]] = defaultdict(list)
    for object_pk, group_id in rows:
        acl[int(object_pk)].append(group_id)
    return {pk: sorted(groups) for pk, groups in acl.items()}


def _clip(parts: Iterable[str]) -> str:
    """The parts, each once (a version that repeats an earlier one's file adds nothing)."""
    return "\n".join(dict.fromkeys(part for part in parts if part))[:MAX_BODY]


def document_entries(ids: list[int]) -> tuple[list[IndexEntry], list[int]]:
    """Entries of these documents, and the ids that must leave the index (gone or annulled)."""
    from documents.models import Document, DocumentVersion

    documents = {
        document.pk: document
        for document in Document.objects.filter(
            pk__in=ids, registration__annulled_at__isnull=True
        ).select_related("institution", "registration")
    }
    versions: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for document_id, filename, text in (
        DocumentVersion.objects.filter(document_id__in=documents)
        .order_by("document_id", "-number")  # the current version's text first
        .values_list("document_id", "filename", "text")
    ):
        versions[document_id].append((filename, text))
    acl = _group_acl(Document, "view_document", documents)
    entries = [
        IndexEntry(
            object_type=ObjectType.DOCUMENT,
            object_id=document.pk,
            title=document.title,
            body=_clip(
                [document.registration.registration_number]
                + [name for name, _ in versions[document.pk]]
                + [text for _, text in versions[document.pk]]
            ),
            institution=document.institution.code,
            kind=document.kind,
            language=document.language,
            process_type="",
            date=timezone.localdate(document.created_at),
            acl=acl.get(document.pk, []),
        )
        for document in documents.values()
    ]
    return entries, sorted(set(ids) - set(documents))


def _texts(value: Any) -> Iterable[str]:
    """Every text inside a process's `data` (statement bodies, the communication plan, reasons),
    but not dates and flags."""
    if isinstance(value, str):
        if value.strip() and not _DATE_LIKE.match(value.strip()):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def _process_body(process: Any, status: str) -> str:
    """The process's texts, then — searched, never quoted in a snippet — its codes and its
    status word (`active`, as the API says it)."""
    texts = list(dict.fromkeys(_texts(process.data or {})))
    codes = [text for text in texts if _CODE_LIKE.match(text.strip())]
    quoted = _clip(text for text in texts if not _CODE_LIKE.match(text.strip()))
    unquoted = " ".join(dict.fromkeys([*(code.strip() for code in codes), status]))
    return f"{quoted}\n{NOT_QUOTED}{unquoted}"[:MAX_BODY]


def process_type_of(flow_class: Any) -> str:
    from workflows.flows import process_type_of as registered_type

    return registered_type(flow_class) or ""


def process_entries(ids: list[int]) -> tuple[list[IndexEntry], list[int]]:
    from workflows.models import PROCESS_STATUS, CoordinationProcess

    processes = {
        process.pk: process
        for process in CoordinationProcess.objects.filter(pk__in=ids).select_related("institution")
    }
    acl = _group_acl(CoordinationProcess, "view_coordinationprocess", processes)
    entries = []
    for process in processes.values():
        process_type = process_type_of(process.flow_class)
        entries.append(
            IndexEntry(
                object_type=ObjectType.PROCESS,
                object_id=process.pk,
                title=process.title,
                body=_process_body(process, PROCESS_STATUS.get(process.status, "")),
                institution=process.institution.code,
                kind=process_type,
                language="",
                process_type=process_type,
                date=timezone.localdate(process.created),
                acl=acl.get(process.pk, []),
            )
        )
    return entries, sorted(set(ids) - set(processes))


BUILDERS = {ObjectType.DOCUMENT: document_entries, ObjectType.PROCESS: process_entries}


def entries_for(object_type: str, ids: list[int]) -> tuple[list[IndexEntry], list[int]]:
    return BUILDERS[ObjectType(object_type)](ids)


def all_ids(object_type: str, after: int, limit: int) -> list[int]:
    """The next ids to (re)index, in order, for a rebuild."""
    from documents.models import Document
    from workflows.models import CoordinationProcess

    model: Any = Document if object_type == ObjectType.DOCUMENT else CoordinationProcess
    return list(
        model.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:limit]
    )
