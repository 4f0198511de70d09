"""Who may see, change, attach, send and publish a document; views fetch documents only
through here.

What a classification allows beyond the owner institution:

- `public`: read by those the owner shares it with or sends it to; another institution may
  attach it to its own processes and send it on with the owner's recorded consent; published
  to everyone with the process that carries it (approved government-meeting material).
- `internal`: the same, but never published.
- `confidential`: read only by those its owner itself shares it with or sends it to; no other
  institution may be allowed to send it on; never published.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from roles.models import Institution
from roles.permissions import (
    Acting,
    acting_with_permission,
    objects_granted_to_institution,
    objects_with_permission,
    visible_or_404,
)
from roles.selectors import user_is_auditor

from .models import Classification, Document

VIEW = "documents.view_document"
CHANGE = "documents.change_document"
# Granted by the owner to an institution it shared the document with: its consent that the
# institution attaches the document to its own processes and sends it on with them.
FORWARD = "documents.forward_document"

# The classifications published with a process, and those an owner may let others send on.
PUBLISHABLE = (Classification.PUBLIC,)
FORWARDABLE = (Classification.PUBLIC, Classification.INTERNAL)


def documents_visible(*, user: Any) -> QuerySet[Document]:
    """The owner institution's members, institutions it was shared with or sent to, and
    auditors (everything)."""
    documents = Document.objects.select_related("institution", "registration", "created_by")
    if user_is_auditor(user=user):
        return documents
    return objects_with_permission(user=user, perm=VIEW, queryset=documents)


def access_document_by_id(
    document_id: Any, user: Any, *, for_write: bool = False
) -> tuple[Document, Acting]:
    """The document, and who acts on it (with the principal when under a delegation).
    404 when the user may not see it; 403 when they may see it but not change it."""
    document: Document = visible_or_404(documents_visible(user=user), document_id)
    if for_write:
        acting = acting_with_permission(user=user, perm=CHANGE, obj=document)
        if acting is None:
            raise PermissionDenied(gettext("Only the owner institution changes this document."))
        return document, acting
    return document, acting_with_permission(user=user, perm=VIEW, obj=document) or Acting(user)


def documents_readable_ids(*, user: Any, ids: Iterable[int]) -> set[int]:
    """Which of these document ids the user may read (one query): what a process's document
    list or a version's `duplicate_of` may name to them."""
    wanted = set(ids)
    if not wanted:
        return set()
    return set(documents_visible(user=user).filter(pk__in=wanted).values_list("pk", flat=True))


def documents_forwardable(
    *, institution: Institution, queryset: QuerySet[Document] | None = None
) -> QuerySet[Document]:
    """The documents of `queryset` (default all) the institution may attach to its own
    processes and send with them: its own, and another's whose owner consented (`FORWARD`),
    never another's confidential one."""
    documents = Document.objects.all() if queryset is None else queryset
    consented = objects_granted_to_institution(
        institution=institution,
        perm=FORWARD,
        queryset=Document.objects.filter(classification__in=FORWARDABLE),
    )
    return documents.filter(Q(institution=institution) | Q(pk__in=consented.values("pk")))


def documents_attachable(
    *, user: Any, institution: Institution, own: bool = False
) -> QuerySet[Document]:
    """What the user may attach to a process of the institution: documents they may read
    and the institution may send on (`documents_forwardable`); `own`: its own documents only
    (what an institution's answer to another carries)."""
    visible = documents_visible(user=user)
    if own:
        return visible.filter(institution=institution)
    return documents_forwardable(institution=institution, queryset=visible)


def documents_publishable(queryset: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """The documents of `queryset` (default all) that anyone may read once the process
    carrying them is published: `public` ones whose registration stands. Every publication
    asks this, and nothing else."""
    documents = Document.objects.all() if queryset is None else queryset
    return documents.filter(classification__in=PUBLISHABLE, registration__annulled_at__isnull=True)
