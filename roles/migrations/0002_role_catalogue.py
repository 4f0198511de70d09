from django.db import migrations

from roles.catalogue import ROLES


def create_roles(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    for code, (name_sq, name_sr, name_en) in ROLES.items():
        Role.objects.get_or_create(
            code=code, defaults={"name_sq": name_sq, "name_sr": name_sr, "name_en": name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("roles", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
