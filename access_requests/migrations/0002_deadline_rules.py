"""The deadline rules of access requests (Law No. 06/L-081 on Access to Public Documents); each
stays editable in the admin. The flow's timers read the same rules, so the moment a request is
deemed refused is the moment its clock runs out."""

from django.db import migrations

LAW = "Law No. 06/L-081 on Access to Public Documents"
ESCALATE = "mayor, minister, head_of_unit"

RULES = [
    {
        "code": "access-request-decision",
        "name": "Access request decided",
        "name_sq": "Kërkesa për qasje e vendosur",
        "name_sr": "Odlučeno o zahtevu za pristup",
        "legal_basis": (
            f"{LAW}: the institution decides on a request for access to a public document "
            "within 7 days of its registration; no decision by then counts as a refusal. "
            "Counted in calendar days (configurable)."
        ),
        "starts_on": "task:decide",
        "anchor": "event",
        "days": 7,
        "ends_on": "done:decide",
        "reminders": [48, 8],
        "grace_hours": 24,
    },
    {
        "code": "access-request-urgent-decision",
        "name": "Urgent access request decided",
        "name_sq": "Kërkesa urgjente për qasje e vendosur",
        "name_sr": "Odlučeno o hitnom zahtevu za pristup",
        "legal_basis": (
            f"{LAW}: a request needed to protect someone's life or liberty is decided within "
            "48 hours. Clocks count whole days, so the deadline is the end of the day after "
            "registration: never later than 48 hours (configurable)."
        ),
        "starts_on": "task:decide_urgent",
        "anchor": "event",
        "days": 1,
        "ends_on": "done:decide_urgent",
        "reminders": [8, 2],
        "grace_hours": 4,
    },
    {
        "code": "access-request-extended-decision",
        "name": "Access request decided within the extension",
        "name_sq": "Kërkesa për qasje e vendosur brenda zgjatjes",
        "name_sr": "Odlučeno o zahtevu za pristup u produženom roku",
        "legal_basis": (
            f"{LAW}: in exceptional cases the time for the decision may be extended once, by "
            "at most 15 days, with reasons given to the requester; the new deadline is the end "
            "of the day the extension names."
        ),
        "starts_on": "task:decide_extended",
        "anchor": "extended_until",
        "days": 0,
        "ends_on": "done:decide_extended",
        "reminders": [48, 8],
        "grace_hours": 24,
    },
    {
        "code": "access-request-complaint-review",
        "name": "Complaint about an access request decided by AIP",
        "name_sq": "Ankesa për kërkesën për qasje e vendosur nga AIP",
        "name_sr": "AIP odlučila o žalbi na zahtev za pristup",
        "legal_basis": (
            f"{LAW}: the Information and Privacy Agency decides a complaint about a refused or "
            "unanswered request. Service standard: 30 calendar days (configurable)."
        ),
        "starts_on": "task:review_complaint",
        "anchor": "event",
        "days": 30,
        "ends_on": "done:review_complaint",
        "reminders": [72, 24],
        "grace_hours": 24,
        "escalate_to_role": "head_of_unit",
    },
    {
        "code": "access-request-release",
        "name": "Documents released after an upheld complaint",
        "name_sq": "Dokumentet e lëshuara pas ankesës së aprovuar",
        "name_sr": "Dokumenti izdati po usvojenoj žalbi",
        "legal_basis": (
            f"{LAW}: when the Information and Privacy Agency upholds a complaint, the "
            "institution gives access to the documents. Default 7 calendar days from the "
            "Agency's decision (configurable)."
        ),
        "starts_on": "task:release",
        "anchor": "event",
        "days": 7,
        "ends_on": "done:release",
        "reminders": [48, 8],
        "grace_hours": 24,
    },
    {
        # A period for the requester, not a clock on an institution: the flow reads its days
        # when a refusal (or a deemed one) opens the period; no event starts it as a clock.
        "code": "access-request-complaint-window",
        "name": "Period for a complaint to AIP",
        "name_sq": "Afati për ankesë në AIP",
        "name_sr": "Rok za žalbu AIP-u",
        "legal_basis": (
            f"{LAW}: the requester may complain to the Information and Privacy Agency within "
            "15 days of a refusal, a partial grant or the day the request counts as refused. "
            "Read by the access-request flow; never started as a clock."
        ),
        "starts_on": "complaint_period",
        "anchor": "event",
        "days": 15,
        "ends_on": "done:complaint_window",
        "reminders": [],
        "grace_hours": 0,
        "responsible_role": "information_officer",
        "escalate_to_role": "",
        "active": False,
    },
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for rule in RULES:
        values = {
            "process_type": "access_request",
            "day_kind": "calendar",
            "responsible_role": "",
            "escalate_to_role": ESCALATE,
            "monitoring_institution": "",
            **rule,
        }
        DeadlineRule.objects.get_or_create(code=values.pop("code"), defaults=values)


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    DeadlineRule.objects.filter(
        code__in=[rule["code"] for rule in RULES], deadlines__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("access_requests", "0001_initial"),
        ("deadlines", "0003_rule_names"),
        ("workflows", "0006_task_permissions_of_process_apps"),
    ]

    operations = [migrations.RunPython(create, remove)]
