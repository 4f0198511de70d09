"""Reads of the consultations: what the public may see, a consultation's comments for the
officials who see its process, and the Office for Good Governance's overview."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from viewflow.workflow import STATUS
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task

from config.errors import NotFound
from deadlines.models import Deadline, State
from deadlines.selectors import state_is
from documents.access import documents_publishable
from documents.models import Classification, Document
from roles.models import Institution
from roles.permissions import visible_or_404
from roles.selectors import memberships_active, user_is_auditor
from workflows.flows import FLOWS
from workflows.models import CoordinationProcess
from workflows.selectors import access_process_by_id, processes_visible

from .models import Comment, Consultation

PROCESS_TYPE = "public_consultation"
# The unit of the Office for Good Governance inside the Office of the Prime Minister.
GOOD_GOVERNANCE = ("ZKM", "zqm")

OPEN, CLOSED = "open", "closed"


def consultations_public(*, now: datetime | None = None, status: str | None = None) -> QuerySet:
    """Approved consultations whose opening time has come, newest opening first, each with
    its comment count and `published_documents` (those `documents_publishable` lets out)."""
    now = now or timezone.now()
    consultations = Consultation.objects.filter(approved_at__isnull=False, opens_at__lte=now)
    if status == OPEN:
        consultations = consultations.filter(closes_at__gt=now)
    elif status == CLOSED:
        consultations = consultations.filter(closes_at__lte=now)
    return (
        consultations.select_related("institution")
        .annotate(comment_count=Count("comments"))
        .prefetch_related(
            Prefetch(
                "process__documents",
                queryset=documents_publishable().order_by("pk"),
                to_attr="published_documents",
            )
        )
        .order_by("-opens_at", "-pk")
    )


def consultation_public(consultation_id: Any, *, now: datetime | None = None) -> Consultation:
    consultation: Consultation = visible_or_404(consultations_public(now=now), consultation_id)
    return consultation


def status_of(consultation: Consultation, now: datetime | None = None) -> str:
    return OPEN if (now or timezone.now()) < consultation.closes_at else CLOSED


def report_public(consultation_id: Any) -> Consultation:
    """A consultation whose report is published; 404 before."""
    consultation = consultation_public(consultation_id)
    if consultation.report_published_at is None:
        raise NotFound
    return consultation


def comments_of(consultation_id: int) -> QuerySet[Comment]:
    return Comment.objects.filter(consultation_id=consultation_id).order_by("pk")


# What the published report reads of a comment, on its page and in its API: never a contact
# detail.
PUBLIC_COMMENT_FIELDS = (
    "pk",
    "received_at",
    "name",
    "organisation",
    "capacity",
    "section",
    "text",
    "outcome",
    "reason",
)


def report_documents_held(consultation: Consultation) -> list[int]:
    """The documents of the answers and of the report's approval, held back until the report
    is published (`PublicConsultationFlow.report_documents`)."""
    if consultation.report_published_at is not None:
        return []
    held = (consultation.process.data or {}).get("report_documents") or []  # type: ignore[attr-defined]
    return [value for value in held if isinstance(value, int)]


def documents_published(consultation: Consultation) -> list[Document]:
    """What the public reads of a consultation of `consultations_public`: the publishable
    documents of its process, the report's only once the report is published."""
    held = set(report_documents_held(consultation))
    published = consultation.process.published_documents  # type: ignore[attr-defined]
    return [document for document in published if document.pk not in held]


def public_document(consultation_id: Any, document_id: Any) -> Any:
    consultation = consultation_public(consultation_id)
    documents = documents_publishable(
        consultation.process.documents.all()  # type: ignore[attr-defined]
    ).exclude(pk__in=report_documents_held(consultation))
    return visible_or_404(documents, document_id)


def documents_unpublishable(documents: QuerySet[Document], *, institution: Any) -> list[int]:
    """Of a consultation's documents, the ids it may not publish: confidential ones, and
    another institution's not yet public (only its owner makes a document public). The
    institution's own internal documents are made public when the head approves."""
    return sorted(
        documents.exclude(pk__in=documents_publishable(documents).values("pk"))
        .filter(Q(classification=Classification.CONFIDENTIAL) | ~Q(institution=institution))
        .values_list("pk", flat=True)
    )


def consultation_for_official(process_id: Any, user: Any) -> CoordinationProcess:
    """The consultation's process if the user may see it (404 otherwise, and for another
    type of process)."""
    process = access_process_by_id(process_id, user)
    if process.flow_class != FLOWS[PROCESS_TYPE]:
        raise NotFound
    return process


def contacts_readable(user: Any, process: CoordinationProcess) -> bool:
    """Whether the user reads the commenters' contact details: only the consulting
    institution's own members do (never another institution, not even the one overseeing)."""
    return memberships_active(user=user).filter(institution_id=process.institution_id).exists()


def is_good_governance(user: Any) -> bool:
    """A member of the Office for Good Governance (or an auditor): sees every institution's
    consultations and their figures."""
    institution, unit = GOOD_GOVERNANCE
    return user_is_auditor(user=user) or (
        memberships_active(user=user)
        .filter(institution__code=institution, unit__code=unit)
        .exists()
    )


def oversight(*, user: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per institution: its consultations (prepared, open, closed awaiting the report,
    published), the comments received, and the on-time rate of its consultation clocks
    (met ÷ met, missed and overdue) — over the consultations the user may see."""
    now = now or timezone.now()
    processes = processes_visible(user=user).filter(flow_class=get_flow_ref(FLOWS[PROCESS_TYPE]))
    by_process = processes.values("institution_id").annotate(
        total=Count("pk"),
        drafts=Count("pk", filter=Q(consultation__isnull=True)),
        open=Count(
            "pk",
            filter=Q(consultation__opens_at__lte=now, consultation__closes_at__gt=now),
        ),
        awaiting_report=Count(
            "pk",
            filter=Q(
                consultation__closes_at__lte=now, consultation__report_published_at__isnull=True
            ),
        ),
        published=Count("pk", filter=Q(consultation__report_published_at__isnull=False)),
    )
    rows: dict[int, dict[str, Any]] = {row["institution_id"]: dict(row) for row in by_process}
    comments: Any = (
        Comment.objects.filter(consultation__process__in=processes.values("pk"))
        .values("consultation__institution_id")
        .annotate(count=Count("pk"))
    )
    for counted in comments:
        if counted["consultation__institution_id"] in rows:
            rows[counted["consultation__institution_id"]]["comments"] = counted["count"]
    clocks: Any = (
        Deadline.objects.filter(process_id__in=processes.values("pk"))
        .values("process__institution_id")
        .annotate(
            met=Count("pk", filter=state_is(State.MET, now)),
            missed=Count("pk", filter=state_is(State.MISSED, now)),
            overdue=Count("pk", filter=state_is(State.OVERDUE, now)),
        )
    )
    for judged_clocks in clocks:
        target = rows.get(judged_clocks["process__institution_id"])
        if target is not None:
            target.update(
                met=judged_clocks["met"],
                missed=judged_clocks["missed"],
                overdue=judged_clocks["overdue"],
            )
    institutions = {
        institution.pk: institution for institution in Institution.objects.filter(pk__in=rows)
    }
    result = []
    for institution_id, row in rows.items():
        institution = institutions[institution_id]
        judged = row.get("met", 0) + row.get("missed", 0) + row.get("overdue", 0)
        result.append(
            {
                "institution": institution.code,
                "institution_name": institution.name_in(),
                "consultations": row["total"],
                "drafts": row["drafts"],
                "open": row["open"],
                "awaiting_report": row["awaiting_report"],
                "published": row["published"],
                "comments": row.get("comments", 0),
                "clocks_met": row.get("met", 0),
                "clocks_missed": row.get("missed", 0),
                "clocks_overdue": row.get("overdue", 0),
                "on_time_rate": round(row.get("met", 0) / judged, 4) if judged else None,
            }
        )
    return sorted(result, key=lambda row: row["institution"])


def answering_task(process: CoordinationProcess) -> Task | None:
    """The consultation's open `answer_comments` task, if the comments are being answered."""
    return (
        Task.objects.filter(
            process_id=process.pk,
            flow_task_type="HUMAN",
            status__in=(STATUS.NEW, STATUS.ASSIGNED),
            flow_task__endswith=".answer_comments",
        )
        .order_by("-pk")
        .first()
    )
