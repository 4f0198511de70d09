"""The clock of each recipient's answer to a coordination request.

No law sets this deadline: the sending office sets the due date in the request itself, and the
clock ends at the end of that day (Europe/Belgrade). The reminder hours, the grace period and
whom it escalates to are configurable data (the rule in /admin/), not fixed by law.
"""

from django.db import migrations

RULE = {
    "code": "coordination-request-answer",
    "name": "Answer to a coordination request",
    "name_sq": "Përgjigjja në kërkesën për koordinim",
    "name_sr": "Odgovor na zahtev za koordinaciju",
    "legal_basis": (
        "Not set by law: the due date is the one the coordinating office (the Office of the "
        "Prime Minister's communications office, community affairs or good governance office, "
        "or the institution's head) sets in its request. Reminders, grace period and escalation "
        "to the institution's head are configurable."
    ),
    "process_type": "coordination_request",
    "starts_on": "task:respond",
    "anchor": "due_on",
    "days": 0,
    "day_kind": "calendar",
    "ends_on": "done:respond",
    # Closing the request stops the clocks of the unanswered: nothing resumes them.
    "pauses_on": "closed",
    "resumes_on": "reopened",
    "reminders": [48, 24],
    "grace_hours": 24,
    "responsible_role": "",
    "escalate_to_role": "mayor, minister",
    "monitoring_institution": "",
}


def add_rule(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    DeadlineRule.objects.get_or_create(code=RULE["code"], defaults=RULE)


def remove_rule(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    DeadlineRule.objects.filter(code=RULE["code"], deadlines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0001_initial"),
        ("deadlines", "0003_rule_names"),
        ("workflows", "0006_task_permissions_of_process_apps"),
    ]

    operations = [migrations.RunPython(add_rule, remove_rule)]
