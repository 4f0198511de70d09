"""Who may see and change a document; views fetch documents only through here."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext

from roles.permissions import (
    Acting,
    acting_with_permission,
    objects_with_permission,
    visible_or_404,
)
from roles.selectors import user_is_auditor

from .models import Document

VIEW = "documents.view_document"
CHANGE = "documents.change_document"


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
