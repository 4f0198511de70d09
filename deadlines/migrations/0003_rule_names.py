"""The default rules' names in Albanian and Serbian (Latin script), for the people they alert."""

from django.db import migrations, models

NAMES = {
    "assembly-decision-to-mapl": (
        "Vendimi i Kuvendit dërguar në MAPL",
        "Odluka Skupštine dostavljena MALS-u",
    ),
    "meeting-material-submission": (
        "Materiali dorëzuar para mbledhjes së Qeverisë",
        "Materijal dostavljen pre sednice Vlade",
    ),
    "communication-plan-review": (
        "Plani i komunikimit shqyrtuar nga ZKP",
        "Plan komunikacije pregledan u KJK",
    ),
    "press-statement-approval": ("Njoftimi për shtyp miratuar", "Saopštenje za medije odobreno"),
    "monthly-report-to-mapl": (
        "Raporti mujor i vendimeve të kryetarit për MAPL",
        "Mesečni izveštaj o odlukama predsednika opštine za MALS",
    ),
}


def name(apps, schema_editor):  # type: ignore[no-untyped-def]
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for code, (name_sq, name_sr) in NAMES.items():
        DeadlineRule.objects.filter(code=code, name_sq="", name_sr="").update(
            name_sq=name_sq, name_sr=name_sr
        )


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0002_default_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='deadlinerule',
            name='name_sq',
            field=models.CharField(blank=True, max_length=200, verbose_name='name (Albanian)'),
        ),
        migrations.AddField(
            model_name='deadlinerule',
            name='name_sr',
            field=models.CharField(blank=True, max_length=200, verbose_name='name (Serbian, Latin script)'),
        ),
        migrations.AlterField(
            model_name='deadline',
            name='process_type',
            field=models.SlugField(db_index=False, max_length=64, verbose_name='process type'),
        ),
        migrations.AlterField(
            model_name='deadlinerule',
            name='name',
            field=models.CharField(max_length=200, verbose_name='name (English)'),
        ),
        migrations.RunPython(name, migrations.RunPython.noop),
    ]
