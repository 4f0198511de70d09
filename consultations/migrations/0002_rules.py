"""The consultation's rules, as data (editable in /admin/): the minimum period a consultation
stays open, and the clocks of its report. Legal bases in words; figures the regulation does not
set are marked configurable."""

from django.db import migrations

REGULATION = "Regulation (GRK) No. 05/2016 on Minimum Standards for Public Consultation"

MINIMUM_PERIOD = {
    "code": "public-consultation",
    "days": 15,
    "day_kind": "working",
    "legal_basis": (
        f"{REGULATION}: a draft put to public consultation stays open for comments for at "
        "least 15 working days from its publication."
    ),
}

HEADS = "mayor, minister, government_secretary, head_of_unit"

RULES = [
    {
        "code": "public-consultation-answers",
        "name": "Comments of a public consultation answered",
        "name_sq": "Komentet e konsultimit publik të përgjigjura",
        "name_sr": "Odgovori na komentare javne konsultacije",
        "legal_basis": (
            f"{REGULATION}: after the consultation closes, the proposing body considers every "
            "comment received and states whether it is accepted, partly accepted or rejected, "
            "with its reasons, in the report on the consultation. The regulation sets no number "
            "of days for this step: 15 working days from the closing is configurable data."
        ),
        "process_type": "public_consultation",
        "starts_on": "task:answer_comments",
        "anchor": "event",
        "days": 15,
        "day_kind": "working",
        "ends_on": "done:answer_comments",
        "reminders": [48, 8],
        "grace_hours": 24,
        "responsible_role": "",
        "escalate_to_role": HEADS,
        "monitoring_institution": "ZKM",
    },
    {
        "code": "public-consultation-report",
        "name": "Report of a public consultation approved and published",
        "name_sq": "Raporti i konsultimit publik miratuar dhe publikuar",
        "name_sr": "Izveštaj o javnoj konsultaciji odobren i objavljen",
        "legal_basis": (
            f"{REGULATION}: the report on the consultation's results is published with the "
            "answers to the comments. The regulation sets no number of days for the head's "
            "approval: 5 working days from the answers is configurable data."
        ),
        "process_type": "public_consultation",
        "starts_on": "task:publish_report",
        "anchor": "event",
        "days": 5,
        "day_kind": "working",
        "ends_on": "done:publish_report",
        "reminders": [24],
        "grace_hours": 24,
        "responsible_role": "",
        "escalate_to_role": "",
        "monitoring_institution": "ZKM",
    },
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    MinimumPeriod = apps.get_model("consultations", "MinimumPeriod")
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    MinimumPeriod.objects.get_or_create(
        code=MINIMUM_PERIOD["code"],
        defaults={key: value for key, value in MINIMUM_PERIOD.items() if key != "code"},
    )
    for rule in RULES:
        DeadlineRule.objects.get_or_create(
            code=rule["code"], defaults={key: value for key, value in rule.items() if key != "code"}
        )


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("consultations", "MinimumPeriod").objects.filter(
        code=MINIMUM_PERIOD["code"]
    ).delete()
    apps.get_model("deadlines", "DeadlineRule").objects.filter(
        code__in=[rule["code"] for rule in RULES], deadlines__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0001_initial"),
        ("deadlines", "0003_rule_names"),
        ("workflows", "0006_task_permissions_of_process_apps"),
    ]

    operations = [migrations.RunPython(create, remove)]
