from django.db import migrations

# The catalogue as this migration installed it, copied here: a migration never imports live
# code, which changes after it (roles.catalogue is what seed_demo uses today).
# code: (Albanian, Serbian in Latin script, English)
ROLES = {
    "assembly_officer": (
        "Zyrtar i Kuvendit Komunal",
        "Službenik Skupštine opštine",
        "Municipal assembly officer",
    ),
    "assembly_chair": (
        "Kryesues i Kuvendit Komunal",
        "Predsedavajući Skupštine opštine",
        "Chair of the municipal assembly",
    ),
    "information_officer": (
        "Zyrtar për informim",
        "Službenik za informisanje",
        "Information officer",
    ),
    "mayor": ("Kryetar i komunës", "Predsednik opštine", "Mayor"),
    "registry_clerk": ("Zyrtar i protokollit", "Službenik pisarnice", "Registry clerk"),
    "legal_reviewer": ("Zyrtar ligjor", "Pravni službenik", "Legal reviewer"),
    "communications_officer": (
        "Zyrtar për komunikim publik",
        "Službenik za javnu komunikaciju",
        "Communications officer",
    ),
    "minister": ("Ministër", "Ministar", "Minister"),
    "communications_coordinator": (
        "Koordinator i komunikimit",
        "Koordinator komunikacije",
        "Communications coordinator",
    ),
    "government_secretary": (
        "Zyrtar i Sekretariatit të Qeverisë",
        "Službenik Sekretarijata Vlade",
        "Government secretariat officer",
    ),
    "auditor": ("Auditor", "Revizor", "Auditor"),
    "head_of_unit": ("Udhëheqës i njësisë", "Rukovodilac jedinice", "Head of unit"),
    "spokesperson": ("Zëdhënës", "Portparol", "Spokesperson"),
    "translator": ("Përkthyes", "Prevodilac", "Translator"),
    "officer": ("Zyrtar", "Službenik", "Officer"),
}


def create_roles(apps, schema_editor):
    Role = apps.get_model("roles", "Role")
    for code, (name_sq, name_sr, name_en) in ROLES.items():
        Role.objects.get_or_create(
            code=code, defaults={"name_sq": name_sq, "name_sr": name_sr, "name_en": name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("roles", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
