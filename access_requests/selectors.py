"""Reads about access requests: what the requester sees with the tracking code, the released
documents they may download, and each institution's yearly figures for its report to AIP."""

from datetime import datetime
from statistics import median
from typing import Any

from django.db.models import QuerySet
from django.utils import dateparse

from config.errors import NotFound
from deadlines.clock import clocks_of
from documents.models import Document, DocumentVersion
from roles.models import Institution
from workflows.selectors import processes_visible

from .models import AccessRequest, Decision, Status


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    return value if isinstance(value, datetime) else dateparse.parse_datetime(str(value))


def request_due_at(request: AccessRequest) -> datetime | None:
    """The due time of the request's running clock (the decision's, the extended one's, or the
    release after an upheld complaint); the last one's once none runs."""
    clocks = clocks_of(request.process)  # oldest first
    running = [clock for clock in clocks if clock.completed_at is None]
    last = (running or clocks)[-1:]
    return last[0].due_at if last else None


def released_documents(request: AccessRequest) -> QuerySet[Document]:
    """The documents the institution released to this requester (not annulled ones)."""
    ids = [int(pk) for pk in (request.process.data or {}).get("released_documents") or []]
    return (
        Document.objects.filter(pk__in=ids, processes=request.process_id)
        .filter(registration__annulled_at__isnull=True)
        .order_by("pk")
    )


def released_version(request: AccessRequest, document_id: Any) -> DocumentVersion:
    try:
        number = int(document_id)
    except (TypeError, ValueError):
        number = 0
    # Ids beyond what the database holds are unknown ids like any other.
    document = released_documents(request).filter(pk=number).first() if 0 < number < 2**63 else None
    version = document.versions.order_by("-number").first() if document is not None else None
    if version is None:
        raise NotFound()
    return version


def public_view(request: AccessRequest) -> dict[str, Any]:
    """What the requester reads (API.md): never a contact detail, never an official's name."""
    data = request.process.data or {}
    complaint = data.get("complaint") or {}
    holder_code = data.get("holder") or request.institution.code
    holder = (
        request.institution
        if holder_code == request.institution.code
        else Institution.objects.filter(code=holder_code).first() or request.institution
    )
    return {
        "registration_number": request.registration.registration_number,
        "institution": {"code": holder.code, "names": holder.names},
        "registered_by": {"code": request.institution.code, "names": request.institution.names},
        "status": request.status,
        "submitted_at": request.submitted_at,
        "due_at": request_due_at(request),
        "urgent": request.urgent,
        "decided_at": _moment(data.get("decided_at")),
        "decision": data.get("decision") or None,
        "reasons": data.get("reasons") or "",
        "legal_basis": data.get("legal_basis") or "",
        "extended_days": data.get("extended_days") or 0,
        "extension_reason": data.get("extension_reason") or "",
        "transferred_to": [transfer["to"] for transfer in data.get("transfers") or []],
        "documents": [
            {"id": document.pk, "title": document.title} for document in released_documents(request)
        ],
        "complaint_until": _moment(data.get("complaint_until")),
        "complaint": (
            {
                "filed_at": _moment(complaint.get("filed_at")),
                "outcome": complaint.get("outcome") or None,
                "reasons": complaint.get("reasons") or "",
            }
            if complaint
            else None
        ),
    }


def requester_for_official(*, user: Any, process_id: Any) -> AccessRequest:
    """The requester's details, for the deciding institution's own members only (it answers
    them on paper or by e-mail); NotFound for everyone else, whatever else they may see."""
    from roles.selectors import memberships_active

    try:
        number = int(process_id)
    except (TypeError, ValueError):
        number = 0
    record = (
        AccessRequest.objects.select_related("process", "institution", "registration")
        .filter(process_id=number, process__in=processes_visible(user=user).values("pk"))
        .first()
        if 0 < number < 2**63
        else None
    )
    if record is None:
        raise NotFound()
    holder = (record.process.data or {}).get("holder") or record.institution.code
    if not memberships_active(user=user).filter(institution__code=holder).exists():
        raise NotFound()
    return record


def requester_shown(*, user: Any, process_id: Any) -> list[tuple[Any, str]]:
    """The requester's details as the process page lists them (label, value), for the deciding
    institution's members (`requester_for_official`); nothing for anyone else."""
    try:
        record = requester_for_official(user=user, process_id=process_id)
    except NotFound:
        return []
    return [
        (field.verbose_name, getattr(record, field.name) or "—")
        for field in AccessRequest._meta.concrete_fields
        if field.name in ("requester_name", "email", "postal_address")
    ]


def complaint_allowed(view: dict[str, Any], now: datetime) -> bool:
    return bool(
        view["status"] in (Status.DECIDED, Status.DEEMED_REFUSED)
        and view["decision"] != Decision.GRANTED
        and view["complaint_until"] is not None
        and now <= view["complaint_until"]
    )


def access_request_statistics(*, user: Any, institution: Institution, year: int) -> dict[str, Any]:
    """The institution's figures for the year (requests registered by it), over the requests
    the caller may see."""
    requests = AccessRequest.objects.filter(
        institution=institution,
        submitted_at__year=year,
        process__in=processes_visible(user=user).values("pk"),
    )
    rows = list(
        requests.values_list(
            "status",
            "decision",
            "deemed_refused",
            "extended",
            "transferred",
            "complaint_at",
            "complaint_outcome",
            "submitted_at",
            "decided_at",
        )
    )
    days = [
        (decided - submitted).total_seconds() / 86400
        for *_rest, submitted, decided in rows
        if decided is not None
    ]
    return {
        "institution": institution.code,
        "year": year,
        "requests": len(rows),
        "granted": sum(1 for row in rows if row[1] == Decision.GRANTED),
        "partially_granted": sum(1 for row in rows if row[1] == Decision.PARTIALLY_GRANTED),
        "refused": sum(1 for row in rows if row[1] == Decision.REFUSED),
        "deemed_refused": sum(1 for row in rows if row[2]),
        "extended": sum(1 for row in rows if row[3]),
        "transferred": sum(1 for row in rows if row[4]),
        "pending": sum(
            1
            for row in rows
            if row[0] in (Status.RECEIVED, Status.EXTENDED, Status.TRANSFERRED) and not row[1]
        ),
        "complaints": sum(1 for row in rows if row[5] is not None),
        "complaints_upheld": sum(1 for row in rows if row[6] == "upheld"),
        "complaints_dismissed": sum(1 for row in rows if row[6] == "dismissed"),
        "median_days_to_decide": round(median(days), 1) if days else None,
    }
