"""Issue 27: a clock stopped by a withdrawn process is `canceled` (neither met nor missed);
every round of an assembly decision has its clock: MAPL's legality review from receipt, the
municipality's reconsideration from MAPL's return, and a re-adopted decision's new transmission
from its new adoption date. Each rule stays editable in the admin; the figures the law leaves
to the institutions, or that are not confirmed against its text, are marked configurable."""

from django.db import migrations, models

RULES = [
    {
        "code": "assembly-decision-legality-review",
        "name": "Legality of a municipal act reviewed by MAPL",
        "name_sq": "Ligjshmëria e aktit komunal shqyrtuar nga MAPL",
        "name_sr": "Zakonitost opštinskog akta razmotrena u MALS-u",
        "legal_basis": (
            "Law No. 03/L-040 on Local Self-Government, administrative review of municipal "
            "acts: the ministry responsible for local government reviews the legality of the "
            "acts it receives. Counted from receipt: 30 calendar days (configurable; not "
            "confirmed against the text of the law)."
        ),
        "process_type": "assembly_decision",
        "starts_on": "task:review",
        "anchor": "event",
        "days": 30,
        "day_kind": "calendar",
        "ends_on": "done:review",
        "reminders": [72, 24],
        "grace_hours": 24,
        "responsible_role": "",
        "escalate_to_role": "head_of_unit",
        "monitoring_institution": "",
    },
    {
        "code": "assembly-decision-reconsideration",
        "name": "Decision reconsidered by the municipality",
        "name_sq": "Vendimi rishqyrtuar nga komuna",
        "name_sr": "Odluka ponovo razmotrena u opštini",
        "legal_basis": (
            "Law No. 03/L-040 on Local Self-Government, administrative review of municipal "
            "acts: a municipality asked by the ministry to reconsider an act answers by "
            "adopting it again (amended) or keeping it. Counted from the ministry's request: "
            "15 calendar days (configurable; not confirmed against the text of the law)."
        ),
        "process_type": "assembly_decision",
        "starts_on": "task:reconsider",
        "anchor": "event",
        "days": 15,
        "day_kind": "calendar",
        "ends_on": "done:reconsider",
        "reminders": [72, 24],
        "grace_hours": 24,
        "responsible_role": "",
        "escalate_to_role": "assembly_chair",
        "monitoring_institution": "MAPL",
    },
    {
        "code": "assembly-decision-retransmission",
        "name": "Re-adopted decision transmitted to MAPL",
        "name_sq": "Vendimi i rimiratuar dërguar në MAPL",
        "name_sr": "Ponovo usvojena odluka dostavljena MALS-u",
        "legal_basis": (
            "Law No. 03/L-040 on Local Self-Government (administrative review of municipal "
            "acts): every decision and act the municipal assembly adopts reaches MAPL within "
            "7 days of the date of adoption — a decision adopted again after a "
            "reconsideration, within 7 days of its new adoption date. Counted in calendar days "
            "(configurable)."
        ),
        "process_type": "assembly_decision",
        "starts_on": "task:retransmit",
        "anchor": "adopted_on",
        "days": 7,
        "day_kind": "calendar",
        "ends_on": "transmitted",
        "reminders": [56, 8],
        "grace_hours": 24,
        "responsible_role": "",
        "escalate_to_role": "assembly_chair",
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

    dependencies = [
        ('deadlines', '0003_rule_names'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='deadline',
            name='deadline_state_matches_completion',
        ),
        migrations.AlterField(
            model_name='deadline',
            name='state',
            field=models.CharField(choices=[('open', 'open'), ('due_soon', 'due soon'), ('overdue', 'overdue'), ('met', 'met'), ('missed', 'missed'), ('canceled', 'canceled')], default='open', max_length=16, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='deadlineevent',
            name='kind',
            field=models.CharField(choices=[('started', 'started'), ('paused', 'paused'), ('resumed', 'resumed'), ('met', 'met'), ('missed', 'missed'), ('reminder', 'reminder'), ('overdue', 'overdue'), ('escalation', 'escalation'), ('canceled', 'canceled')], max_length=16, verbose_name='kind'),
        ),
        migrations.AddConstraint(
            model_name='deadline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('completed_at__isnull', True), ('state__in', ('open', 'due_soon', 'overdue'))), models.Q(('completed_at__isnull', False), ('state__in', ('met', 'missed', 'canceled'))), _connector='OR'), name='deadline_state_matches_completion'),
        ),
        migrations.RunPython(create, remove),
    ]
