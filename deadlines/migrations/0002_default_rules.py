"""The default deadline rules of issue 5; each stays editable (and can be deactivated) in the
admin. Legal bases are given in words; figures the law leaves to the institutions are marked
configurable."""

from django.db import migrations

RULES = [
    {
        "code": "assembly-decision-to-mapl",
        "name": "Assembly decision transmitted to MAPL",
        "legal_basis": (
            "Law No. 03/L-040 on Local Self-Government (administrative review of municipal "
            "acts): the municipal assembly sends every decision and act it adopts to the "
            "ministry responsible for local government (MAPL) within 7 days of the date of "
            "adoption. Counted in calendar days (configurable)."
        ),
        "process_type": "assembly_decision",
        "starts_on": "started",
        "anchor": "adopted_on",
        "days": 7,
        "day_kind": "calendar",
        "ends_on": "transmitted",
        "reminders": [56, 8],
        "grace_hours": 24,
        "responsible_role": "assembly_officer",
        "escalate_to_role": "assembly_chair",
        "monitoring_institution": "MAPL",
    },
    {
        "code": "meeting-material-submission",
        "name": "Meeting material submitted before the government meeting",
        "legal_basis": (
            "Rules of procedure of the Government: material for a government meeting reaches "
            "the Government Secretariat ahead of the meeting. Lead time configurable; default "
            "7 calendar days before the meeting date."
        ),
        "process_type": "meeting_material",
        "starts_on": "started",
        "anchor": "meeting_date",
        "days": -7,
        "day_kind": "calendar",
        "ends_on": "task:schedule",
        "reminders": [56, 8],
        "grace_hours": 24,
        "responsible_role": "communications_officer",
        "escalate_to_role": "minister",
        "monitoring_institution": "ZKM",
    },
    {
        "code": "communication-plan-review",
        "name": "Communication plan reviewed by the central office (ZKP)",
        "legal_basis": (
            "Government communication: the Office for Public Communication (ZKP) reviews the "
            "communication plan of each government-meeting material. Service standard: 2 "
            "working days from receipt (configurable)."
        ),
        "process_type": "meeting_material",
        "starts_on": "task:zkp_review",
        "anchor": "event",
        "days": 2,
        "day_kind": "working",
        "ends_on": "done:zkp_review",
        "reminders": [8],
        "grace_hours": 24,
        "responsible_role": "",
        "escalate_to_role": "head_of_unit",
        "monitoring_institution": "ZKM",
    },
    {
        "code": "press-statement-approval",
        "name": "Press statement approved",
        "legal_basis": (
            "Protocol for press statements (information and communication strategy): the "
            "mayor or minister approves or returns a drafted statement within 1 working day "
            "(configurable)."
        ),
        "process_type": "press_statement",
        "starts_on": "task:approve",
        "anchor": "event",
        "days": 1,
        "day_kind": "working",
        "ends_on": "done:approve",
        "reminders": [8],
        "grace_hours": 8,
        "responsible_role": "",
        "escalate_to_role": "mayor, minister",
        "monitoring_institution": "",
    },
    {
        "code": "monthly-report-to-mapl",
        "name": "Monthly report of the mayor's decisions to MAPL",
        "legal_basis": (
            "Law No. 03/L-040 on Local Self-Government: at the end of each month the mayor "
            "reports to MAPL the number of decisions taken under the mayor's authority; due by "
            "the last day of the month."
        ),
        "process_type": "monthly_report",
        "starts_on": "started",
        "anchor": "month_end",
        "days": 0,
        "day_kind": "calendar",
        "ends_on": "transmitted",
        "reminders": [56, 8],
        "grace_hours": 24,
        "responsible_role": "mayor",
        "escalate_to_role": "",
        "monitoring_institution": "MAPL",
    },
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for rule in RULES:
        DeadlineRule.objects.get_or_create(code=rule["code"], defaults=rule)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    DeadlineRule.objects.filter(
        code__in=[rule["code"] for rule in RULES], deadlines__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
