"""Access requests at volume: an institution with many requests (1,000,000 at the large scale)
— a member of the public submits one (`POST /api/public/access-requests/`: the throttle, the
checks, the registration in the institution's book, the process with its task and timer,
grants, audit entries, the clock and the search outbox row) beside one INSERT of a request's
four rows; and follows one by its code (`GET /api/public/access-requests/{code}/`) beside one
SELECT by digest.

The history is written in SQL (INSERT … SELECT generate_series), registered in a past year of
the book so the numbers the timed submissions take stay free; it is deleted at the end.
`BENCH_ACCESS_REQUESTS=N` overrides how many. What the complaints' scenarios do alike is in
`public.py`.
"""

from django.utils import timezone
from viewflow.workflow.fields import get_flow_ref

from access_requests.flows import AccessRequestFlow
from roles.models import Institution

from . import Context, Row, scenario
from .public import History, submit_rows, track_rows

PATH = "/api/public/access-requests/"
HISTORY_YEAR = 1999

HISTORY = """
    WITH made AS (
        INSERT INTO viewflow_process (flow_class, status, created, finished, data)
        SELECT %(flow)s, CASE WHEN g %% 20 = 0 THEN 'NEW' ELSE 'DONE' END,
               %(now)s - interval '1 minute' * ((g::bigint * 7919) %% 525600), NULL,
               jsonb_build_object('bench_access_request', true, 'request_status', 'decided',
                                  'decision', 'granted', 'holder', %(code)s::text)
        FROM generate_series(1, %(count)s) AS g
        RETURNING id, status, created
    ), processes AS (
        INSERT INTO workflows_coordinationprocess (process_ptr_id, title, created_by_id,
                                                    institution_id)
        SELECT id, 'Bench access request ' || id, NULL, %(institution)s FROM made
        RETURNING process_ptr_id
    ), books AS (
        INSERT INTO documents_registration (institution_id, year, number, registration_number,
                                            registered_at, registered_by_id, annulment_reason)
        SELECT %(institution)s, %(year)s, made.id, 'BENCHAR-' || made.id, made.created,
               %(member)s, ''
        FROM made
        RETURNING id, number
    )
    INSERT INTO access_requests_accessrequest (process_id, tracking_digest, registration_id,
        institution_id, requester_name, email, postal_address, submitted_at, language, urgent,
        status, decision, decided_at, extended, transferred, deemed_refused, complaint_at,
        complaint_outcome)
    SELECT made.id, encode(sha256(('bench access request ' || made.id)::bytea), 'hex'),
           books.id, %(institution)s, 'Bench', 'bench@example.org', '', made.created, 'sq',
           false, CASE WHEN made.status = 'NEW' THEN 'received' ELSE 'decided' END,
           CASE WHEN made.status = 'NEW' THEN '' ELSE 'granted' END,
           CASE WHEN made.status = 'DONE' THEN made.created + interval '2 days' END,
           false, false, false, NULL, ''
    FROM made JOIN books ON books.number = made.id
"""
CLEAN = """
    DELETE FROM access_requests_accessrequest
        WHERE registration_id IN (SELECT id FROM documents_registration
                                  WHERE registration_number LIKE 'BENCHAR-%%');
    DELETE FROM documents_registration WHERE registration_number LIKE 'BENCHAR-%%';
    DELETE FROM workflows_coordinationprocess WHERE title LIKE 'Bench access request %%';
    DELETE FROM viewflow_process WHERE data ? 'bench_access_request';
"""
RAW_SUBMIT = """
    WITH made AS (
        INSERT INTO viewflow_process (flow_class, status, created, data)
        VALUES (%(flow)s, 'NEW', now(), '{}'::jsonb) RETURNING id, created
    ), processes AS (
        INSERT INTO workflows_coordinationprocess (process_ptr_id, title, institution_id)
        SELECT id, 'raw access request', %(institution)s FROM made RETURNING process_ptr_id
    ), books AS (
        INSERT INTO documents_registration (institution_id, year, number, registration_number,
                                            registered_at, registered_by_id, annulment_reason)
        SELECT %(institution)s, %(year)s, made.id + 1000000000, 'RAWAR-' || made.id, now(),
               %(member)s, ''
        FROM made RETURNING id
    )
    INSERT INTO access_requests_accessrequest (process_id, tracking_digest, registration_id,
        institution_id, requester_name, email, postal_address, submitted_at, language, urgent,
        status, decision, extended, transferred, deemed_refused, complaint_outcome)
    SELECT made.id, md5(random()::text) || md5(random()::text), books.id, %(institution)s,
           'Raw', 'raw@example.org', '', made.created, 'sq', false, 'received', '', false,
           false, false, ''
    FROM made, books
    RETURNING process_id
"""
RAW_CLEAN = """
    DELETE FROM access_requests_accessrequest
        WHERE registration_id IN (SELECT id FROM documents_registration
                                  WHERE registration_number LIKE 'RAWAR-%%');
    DELETE FROM documents_registration WHERE registration_number LIKE 'RAWAR-%%';
    DELETE FROM workflows_coordinationprocess WHERE title = 'raw access request';
"""
BODY = {
    "description": "Kontratat e mirëmbajtjes së rrugëve lokale për vitin 2026.",
    "requester_name": "Qytetari",
    "email": "qytetari@example.org",
}


def _write(ctx: Context, count: int) -> Institution:
    institution = Institution.objects.get(pk=ctx.data.member_institution_id)
    ctx.raw.execute(
        HISTORY,
        {
            "flow": get_flow_ref(AccessRequestFlow),
            "now": timezone.now(),
            "count": count,
            "institution": institution.pk,
            "code": institution.code,
            "year": HISTORY_YEAR,
            "member": ctx.data.member_id,
        },
    )
    return institution


HISTORY_ROWS = History(
    what="access requests",
    env="BENCH_ACCESS_REQUESTS",
    write=_write,
    clean=lambda ctx, institution: ctx.raw.execute(CLEAN),
)


@scenario("access_request_submit")
def access_request_submit(ctx: Context) -> list[Row]:
    def raw(institution: Institution) -> None:
        ctx.raw.execute(
            RAW_SUBMIT,
            {
                "flow": get_flow_ref(AccessRequestFlow),
                "institution": institution.pk,
                "year": HISTORY_YEAR,
                "member": ctx.data.member_id,
            },
        ).fetchone()

    try:
        return submit_rows(
            ctx,
            HISTORY_ROWS,
            path=PATH,
            body=BODY,
            raw=raw,
            baseline="raw: one INSERT of a request's four rows",
        )
    finally:
        ctx.raw.execute(RAW_CLEAN)


@scenario("access_request_track")
def access_request_track(ctx: Context) -> list[Row]:
    def raw(digest: str) -> None:
        row = ctx.raw.execute(
            "SELECT r.status, r.submitted_at, g.registration_number, i.code, p.data "
            "FROM access_requests_accessrequest r "
            "JOIN documents_registration g ON g.id = r.registration_id "
            "JOIN roles_institution i ON i.id = r.institution_id "
            "JOIN viewflow_process p ON p.id = r.process_id WHERE r.tracking_digest = %s",
            (digest,),
        ).fetchone()
        assert row is not None

    try:
        return track_rows(
            ctx, HISTORY_ROWS, path=PATH, body=BODY, raw=raw, baseline="raw: one SELECT by digest"
        )
    finally:
        HISTORY_ROWS.cleared(ctx)
