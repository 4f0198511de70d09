"""Public consultations: 10,000 comments on one consultation listed (the published report,
`GET /api/public/consultations/{id}/report/`) and exported (`GET /api/consultations/{id}/
comments/export/`, CSV, by an official of the consulting institution), each beside the one
SELECT the same rows take; and a member of the public's comment (`POST /api/public/
consultations/{id}/comments/`, through the throttle, the checks, the insert and its audit entry)
beside a bare INSERT.

The consultation and its comments are written here in bulk (a comment's row is the same whether
the portal or this loop wrote it). Each submission comes from another client address, so the
public throttle (per address) is asked every time and refuses none.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.test import Client
from django.utils import timezone
from viewflow.workflow import PROCESS
from viewflow.workflow.fields import get_flow_ref

from consultations.flows import PublicConsultationFlow
from consultations.models import Comment, Consultation
from roles.models import Institution
from roles.permissions import grant, institution_group
from workflows.models import PROCESS_VIEW, CoordinationProcess, permission_object

from . import Context, Row, elapsed, latency_rows, scenario
from .data import settle

COMMENTS = 10_000
LIST_TARGET = "≤ 2 s"
SUBMIT_TARGET = "p95 ≤ 50 ms"
REPEAT = 5  # timed runs of each list; the figure is the median


def _consultation(institution: Institution, *, published: bool) -> Consultation:
    now = timezone.now()
    with transaction.atomic():
        process = CoordinationProcess.objects.create(
            flow_class=get_flow_ref(PublicConsultationFlow),
            status=PROCESS.DONE if published else PROCESS.NEW,
            institution=institution,
            title="Koncept-dokumenti për transportin publik",
            data={"summary_sq": "Përmbledhje.", "summary_sr": "Sažetak."},
        )
        grant(
            actor=None,
            perm=PROCESS_VIEW,
            obj=permission_object(process),
            group=institution_group(institution),
        )
        return Consultation.objects.create(
            process=process,
            institution=institution,
            title=process.title,
            summary_sq="Përmbledhje.",
            summary_sr="Sažetak.",
            opens_at=now - timedelta(days=30),
            closes_at=now - timedelta(days=1) if published else now + timedelta(days=30),
            approved_at=now - timedelta(days=30),
            closed_at=now - timedelta(days=1) if published else None,
            report_published_at=now if published else None,
        )


def _comments(consultation: Consultation, count: int) -> None:
    start = consultation.opens_at
    Comment.objects.bulk_create(
        (
            Comment(
                consultation=consultation,
                received_at=start + timedelta(seconds=n),
                name=f"Qytetar {n}",
                capacity="organisation" if n % 4 == 0 else "individual",
                organisation=f"Shoqata {n}" if n % 4 == 0 else "",
                email=f"person{n}@example.org",
                phone="+383 44 000 000",
                section=f"Neni {n % 30 + 1}",
                text=f"Komenti nr. {n}: linja e autobusit duhet të kalojë nëpër fshat. " * 3,
                outcome="accepted" if n % 3 else "rejected",
                reason="" if n % 3 else "Nuk përputhet me buxhetin e vitit.",
            )
            for n in range(count)
        ),
        batch_size=2_000,
    )


def _median_seconds(action: Any) -> float:
    runs = sorted(elapsed(action) for _ in range(REPEAT))
    return runs[len(runs) // 2]


@scenario("consultation_comments_list")
def consultation_comments_list(ctx: Context) -> list[Row]:
    institution = Institution.objects.get(pk=ctx.data.member_institution_id)
    consultation = _consultation(institution, published=True)
    _comments(consultation, COMMENTS)
    settle()
    public = Client(SERVER_NAME="localhost")
    official = Client(HTTP_AUTHORIZATION=f"Token {ctx.data.token_key}", SERVER_NAME="localhost")

    def report() -> None:
        response = public.get(f"/api/public/consultations/{consultation.pk}/report/")
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["comments"]) == COMMENTS

    def export() -> None:
        response = official.get(f"/api/consultations/{consultation.pk}/comments/export/")
        assert response.status_code == 200, response.content[:300]
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert content.count(b"\n") >= COMMENTS + 1

    def raw(columns: str) -> Any:
        def select() -> None:
            rows = ctx.raw.execute(
                f"SELECT {columns} FROM consultations_comment WHERE consultation_id = %s "  # noqa: S608 (our constants)
                "ORDER BY id",
                (consultation.pk,),
            ).fetchall()
            assert len(rows) == COMMENTS

        return select

    public_columns = "id, received_at, name, organisation, capacity, section, text, outcome, reason"
    export_columns = public_columns + ", fields_of_action, email, phone, address"
    report()  # warm
    export()
    return [
        Row(
            f"report of {COMMENTS:,} comments, s",
            _median_seconds(report),
            _median_seconds(raw(public_columns)),
            "raw: one SELECT of the report's columns",
            LIST_TARGET,
        ),
        Row(
            f"CSV export of {COMMENTS:,} comments, s",
            _median_seconds(export),
            _median_seconds(raw(export_columns)),
            "raw: one SELECT of every column",
            LIST_TARGET,
        ),
    ]


@scenario("consultation_comment_submit")
def consultation_comment_submit(ctx: Context) -> list[Row]:
    institution = Institution.objects.get(pk=ctx.data.member_institution_id)
    consultation = _consultation(institution, published=False)
    settle()
    client = Client(SERVER_NAME="localhost")
    sent = iter(range(10**9))
    body = {
        "name": "Arbër Gashi",
        "capacity": "individual",
        "email": "arber@example.org",
        "phone": "+383 44 000 000",
        "text": "Linja e re duhet të kalojë edhe nëpër Mogillë. " * 5,
        "section": "Neni 3",
    }

    def ours() -> None:
        n = next(sent)
        response = client.post(
            f"/api/public/consultations/{consultation.pk}/comments/",
            body,
            content_type="application/json",
            REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        )
        assert response.status_code == 201, response.content[:300]

    def raw() -> None:
        ctx.raw.execute(
            "INSERT INTO consultations_comment (consultation_id, received_at, name, capacity, "
            "organisation, fields_of_action, email, phone, address, section, text, language, "
            "outcome, reason) VALUES (%s, now(), %s, %s, '', '', %s, %s, '', %s, %s, 'sq', '', '') "
            "RETURNING id",
            (
                consultation.pk,
                body["name"],
                body["capacity"],
                body["email"],
                body["phone"],
                body["section"],
                body["text"],
            ),
        ).fetchone()

    rows = latency_rows(ours, raw, ctx.scale.requests, baseline="raw: one INSERT … RETURNING id")
    return [
        Row(f"comment submission {row.metric}", row.ours, row.raw, row.baseline, SUBMIT_TARGET)
        for row in rows
    ]
