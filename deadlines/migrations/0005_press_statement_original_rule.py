"""Issue 27: a released press statement is complete only once its scanned, signed and stamped
original is registered beside its language texts; the officer's step has its own short clock.
The figure is the institutions' own service standard, not the law's: configurable."""

from django.db import migrations

RULES = [
    {
        "code": "press-statement-original",
        "name": "Signed and stamped original of a press statement archived",
        "name_sq": "Origjinali i nënshkruar dhe i vulosur i njoftimit për shtyp arkivuar",
        "name_sr": "Potpisan i overen original saopštenja za medije arhiviran",
        "legal_basis": (
            "Information and communication strategy (protocol for press statements): every "
            "released statement is archived, including its scanned, registered and stamped "
            "original; Law No. 04/L-184 on office work: stamped originals are archived beside "
            "the electronic text. Service standard: 2 working days from the release "
            "(configurable; not set by law)."
        ),
        "process_type": "press_statement",
        "starts_on": "task:archive_original",
        "anchor": "event",
        "days": 2,
        "day_kind": "working",
        "ends_on": "done:archive_original",
        "reminders": [8],
        "grace_hours": 24,
        "responsible_role": "",
        "escalate_to_role": "mayor, minister",
        "monitoring_institution": "",
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
    dependencies = [("deadlines", "0004_canceled_clocks_and_round_rules")]

    operations = [migrations.RunPython(create, remove)]
