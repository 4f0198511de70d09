"""The statistics' running counts (`ComplaintTally`, `ComplaintAnswerTime`), changed in the
transaction of each registration and task action. Each change of a count is one INSERT … ON
CONFLICT DO UPDATE adding to the stored one (the ORM's upsert can only overwrite it), so
concurrent actions add up instead of overwriting each other."""

from datetime import date, datetime

from django.db import connection

from deadlines.calendar import LEGAL_TIME_ZONE

from .models import Complaint


def month_of(moment: datetime) -> date:
    return moment.astimezone(LEGAL_TIME_ZONE).date().replace(day=1)


# The tally's key is its unique constraint (`complaint_tally_once`).
_TALLY_ADDED = """
    INSERT INTO complaints_complainttally
        (institution_id, month, topic_id, unit, reports, problems, open, answered)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (institution_id, month, topic_id, unit) DO UPDATE SET
        reports = complaints_complainttally.reports + excluded.reports,
        problems = complaints_complainttally.problems + excluded.problems,
        open = complaints_complainttally.open + excluded.open,
        answered = complaints_complainttally.answered + excluded.answered
"""


# The answer time's key is its unique constraint (`complaint_answer_time_once`).
_ANSWER_TIME_ADDED = """
    INSERT INTO complaints_complaintanswertime (institution_id, month, hours, count)
    VALUES (%s, %s, %s, 1)
    ON CONFLICT (institution_id, month, hours) DO UPDATE SET
        count = complaints_complaintanswertime.count + 1
"""


def _add(
    complaint: Complaint,
    unit: str,
    *,
    reports: int = 0,
    problems: int = 0,
    open: int = 0,
    answered: int = 0,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            _TALLY_ADDED,
            [
                complaint.institution_id,
                month_of(complaint.submitted_at),
                complaint.topic_id,
                unit,
                reports,
                problems,
                open,
                answered,
            ],
        )


def registered(complaint: Complaint) -> None:
    _add(complaint, "", reports=1, problems=1, open=1)


def moved(complaint: Complaint, old_unit: str, new_unit: str) -> None:
    """Routed (from no unit) or forwarded: the complaint counts with its new unit."""
    _add(complaint, old_unit, reports=-1, problems=-1, open=-1)
    _add(complaint, new_unit, reports=1, problems=1, open=1)


def linked(complaint: Complaint, unit: str) -> None:
    """Counted once, with the problem it reports: no longer a problem of its own."""
    _add(complaint, unit, problems=-1, open=-1)


def answered(complaint: Complaint, unit: str, at: datetime) -> None:
    _add(complaint, unit, open=-1, answered=1)
    hours = max(0, int((at - complaint.submitted_at).total_seconds() // 3600))
    with connection.cursor() as cursor:
        cursor.execute(
            _ANSWER_TIME_ADDED,
            [complaint.institution_id, month_of(complaint.submitted_at), hours],
        )


def withdrawn(complaint: Complaint, unit: str) -> None:
    """The process was withdrawn before an answer: no longer open."""
    _add(complaint, unit, open=-1)
