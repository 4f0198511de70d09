"""Reads about documents for the operators' page."""

from typing import Any

from django.db.models import Count

from .models import DocumentVersion, TextStatus


def extraction_counts() -> dict[str, int]:
    """How many versions are in each text-extraction state."""
    counts = {status.value: 0 for status in TextStatus}
    for row in DocumentVersion.objects.values("text_status").annotate(n=Count("pk")):
        counts[row["text_status"]] = row["n"]
    return counts


def extraction_failures_recent(*, limit: int = 10) -> list[dict[str, Any]]:
    """The latest versions whose text could not be extracted, with the reason."""
    rows = (
        DocumentVersion.objects.filter(text_status=TextStatus.FAILED)
        .order_by("-created_at")
        .values("document_id", "number", "created_at", "text_error")[:limit]
    )
    return [dict(row) for row in rows]
