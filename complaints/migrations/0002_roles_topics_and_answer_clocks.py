"""The roles of the complaints' lanes, the default topics of every municipality, and the answer
clock of each topic (deadline rules, data in /admin/)."""

from django.db import migrations

# The catalogue as this migration installed it (a migration never imports live code).
ROLES = {
    "one_stop_shop_officer": (
        "Zyrtar i Zyrës me një ndalesë",
        "Službenik šaltera jedinstvenih usluga",
        "One-stop shop officer",
    ),
    "complaints_officer": (
        "Zyrtar për ankesat e qytetarëve",
        "Službenik za pritužbe građana",
        "Complaints officer",
    ),
}

TOPICS = {
    "water_irrigation": ("Uji dhe ujitja", "Voda i navodnjavanje", "Water and irrigation"),
    "roads": ("Rrugët", "Putevi", "Roads"),
    "waste": ("Mbeturinat", "Otpad", "Waste"),
    "public_lighting": ("Ndriçimi publik", "Javna rasveta", "Public lighting"),
    "permits": ("Lejet", "Dozvole", "Permits"),
    "education": ("Arsimi", "Obrazovanje", "Education"),
    "health": ("Shëndetësia", "Zdravstvo", "Health"),
    "other": ("Tjetër", "Ostalo", "Other"),
}

# No law fixes how fast a municipality answers a citizen's complaint: the days below are the
# installation's defaults (configurable per topic in /admin/, "Deadline rules"), the basis says
# so in words. Working days, counted from the registration.
BASIS = (
    "Not set by law: the municipality's own service standard for answering citizens' "
    "complaints and requests (one-stop shop), counted from registration in the municipality's "
    "book (Law 04/L-184 on office work; Law 03/L-040 on local self-government, the municipality's "
    "duty to respond to citizens). Configurable per topic."
)
DAYS = {
    "water_irrigation": 7,
    "roads": 15,
    "waste": 7,
    "public_lighting": 10,
    "permits": 15,
    "education": 15,
    "health": 10,
    "other": 15,
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Role = apps.get_model("roles", "Role")
    for code, (name_sq, name_sr, name_en) in ROLES.items():
        Role.objects.get_or_create(
            code=code, defaults={"name_sq": name_sq, "name_sr": name_sr, "name_en": name_en}
        )
    Institution = apps.get_model("roles", "Institution")
    ComplaintTopic = apps.get_model("complaints", "ComplaintTopic")
    for institution in Institution.objects.filter(kind="municipality"):
        for position, (code, (name_sq, name_sr, name_en)) in enumerate(TOPICS.items()):
            ComplaintTopic.objects.get_or_create(
                institution=institution,
                code=code,
                defaults={
                    "name_sq": name_sq,
                    "name_sr": name_sr,
                    "name_en": name_en,
                    "position": position,
                },
            )
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for code, (name_sq, name_sr, name_en) in TOPICS.items():
        DeadlineRule.objects.get_or_create(
            code=f"complaint-answer-{code.replace('_', '-')}",
            defaults={
                "name": f"Complaint answered: {name_en.lower()}",
                "name_sq": f"Ankesa e përgjigjur: {name_sq.lower()}",
                "name_sr": f"Odgovor na pritužbu: {name_sr.lower()}",
                "legal_basis": BASIS,
                "process_type": "complaint",
                "starts_on": f"registered:{code}",
                "anchor": "event",
                "days": DAYS[code],
                "day_kind": "working",
                "ends_on": "closed",
                "reminders": [48, 4],
                "grace_hours": 48,
                "responsible_role": "one_stop_shop_officer",
                "escalate_to_role": "mayor",
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("deadlines", "0003_rule_names"),
        ("workflows", "0006_task_permissions_of_process_apps"),
        ("roles", "0002_role_catalogue"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
