"""Reads about documents: their latest versions for the pages, counts for the operators'."""

from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from .models import Document, DocumentVersion, TextStatus


def with_current_version(documents: QuerySet[Document]) -> QuerySet[Document]:
    """Each document with its latest version's number, file name, type and the document it
    duplicates, if any (`current_…`; one query)."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    return documents.annotate(
        current_number=Subquery(latest.values("number")[:1]),
        current_filename=Subquery(latest.values("filename")[:1]),
        current_mime_type=Subquery(latest.values("mime_type")[:1]),
        current_duplicate_of=Subquery(latest.values("duplicate_of__document_id")[:1]),
    )


def extraction_counts() -> dict[str, int]:
    """How many versions are in each text-extraction state."""
    counts = {status.value: 0 for status in TextStatus}
    for row in DocumentVersion.objects.values("text_status").annotate(n=Count("pk")):
        counts[row["text_status"]] = row["n"]
    return counts


def extraction_counts_named() -> list[tuple[str, str, int]]:
    """(state, its name in the active language, versions) for each text-extraction state."""
    return [
        (status, str(TextStatus(status).label), count)
        for status, count in extraction_counts().items()
    ]


def extraction_failures_recent(*, limit: int = 10) -> list[dict[str, Any]]:
    """The latest versions whose text could not be extracted, with the reason."""
    rows = (
        DocumentVersion.objects.filter(text_status=TextStatus.FAILED)
        .order_by("-created_at")
        .values("document_id", "number", "created_at", "text_error")[:limit]
    )
    return [dict(row) for row in rows]
