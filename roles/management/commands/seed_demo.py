"""The demo organisation of README and API.md; running it again changes nothing."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from roles import services
from roles.catalogue import ROLES
from roles.models import Institution, Membership, Role, Unit, User

INSTITUTIONS = [
    # code, kind, (sq, sr, en)
    (
        "ZKM",
        "government_office",
        ("Zyra e Kryeministrit", "Kancelarija premijera", "Office of the Prime Minister"),
    ),
    (
        "MAPL",
        "ministry",
        (
            "Ministria e Administrimit të Pushtetit Lokal",
            "Ministarstvo administracije lokalne samouprave",
            "Ministry of Local Government Administration",
        ),
    ),
    ("MF", "ministry", ("Ministria e Financave", "Ministarstvo finansija", "Ministry of Finance")),
    (
        "KLLOKOT",
        "municipality",
        ("Komuna e Kllokotit", "Opština Klokot", "Municipality of Kllokot"),
    ),
    (
        "PRISHTINE",
        "municipality",
        ("Komuna e Prishtinës", "Opština Priština", "Municipality of Prishtina"),
    ),
    (
        "AIP",
        "agency",
        (
            "Agjencia për Informim dhe Privatësi",
            "Agencija za informisanje i privatnost",
            "Information and Privacy Agency",
        ),
    ),
]

MUNICIPAL_UNITS = [
    (
        "assembly-office",
        ("Zyra e Kuvendit Komunal", "Kancelarija Skupštine opštine", "Municipal Assembly office"),
    ),
    ("assembly", ("Kuvendi Komunal", "Skupština opštine", "Municipal Assembly")),
    (
        "zimp",
        (
            "Zyra për Informim dhe Marrëdhënie me Publikun",
            "Kancelarija za informisanje i odnose sa javnošću",
            "Information and Public Relations Office (ZIMP)",
        ),
    ),
    ("mayor-office", ("Zyra e Kryetarit", "Kabinet predsednika opštine", "Mayor's office")),
    (
        "one-stop-shop",
        ("Zyra me një ndalesë", "Šalter jedinstvenih usluga", "One-stop shop"),
    ),
    (
        "public-services",
        (
            "Drejtoria e Shërbimeve Publike",
            "Direkcija za javne usluge",
            "Directorate of Public Services",
        ),
    ),
]
UNITS = {
    "KLLOKOT": MUNICIPAL_UNITS,
    "PRISHTINE": MUNICIPAL_UNITS,
    "MAPL": [
        ("registry", ("Zyra e protokollit", "Pisarnica", "Registry")),
        ("legal", ("Departamenti Ligjor", "Pravno odeljenje", "Legal department")),
    ],
    "MF": [
        (
            "public-communication",
            (
                "Zyra për Komunikim Publik",
                "Kancelarija za javnu komunikaciju",
                "Public communication office",
            ),
        ),
        ("cabinet", ("Kabineti i Ministrit", "Kabinet ministra", "Cabinet")),
    ],
    "ZKM": [
        (
            "zkp",
            (
                "Zyra për Komunikim Publik (ZKP)",
                "Kancelarija za javnu komunikaciju (KJK)",
                "Office for Public Communication (ZKP)",
            ),
        ),
        (
            "government-secretariat",
            ("Sekretariati i Qeverisë", "Sekretarijat Vlade", "Government Secretariat"),
        ),
        (
            "internal-audit",
            ("Njësia e Auditimit të Brendshëm", "Jedinica unutrašnje revizije", "Internal audit"),
        ),
        (
            "zqm",
            (
                "Zyra për Qeverisje të Mirë (ZQM)",
                "Kancelarija za dobro upravljanje (KDU)",
                "Office for Good Governance (ZQM)",
            ),
        ),
        (
            "zck",
            (
                "Zyra për Çështje të Komuniteteve (ZÇK)",
                "Kancelarija za pitanja zajednica (KPZ)",
                "Office for Community Affairs (ZÇK)",
            ),
        ),
    ],
    "AIP": [
        ("registry", ("Zyra e protokollit", "Pisarnica", "Registry")),
        ("complaints", ("Zyra e ankesave", "Kancelarija za žalbe", "Complaints")),
    ],
}

MUNICIPAL_PEOPLE = [
    # username suffix, unit, role
    ("assembly", "assembly-office", "assembly_officer"),
    ("chair", "assembly", "assembly_chair"),
    ("info", "zimp", "information_officer"),
    ("mayor", "mayor-office", "mayor"),
]
PEOPLE = [
    *[(f"kllokot.{suffix}", "KLLOKOT", unit, role) for suffix, unit, role in MUNICIPAL_PEOPLE],
    *[(f"prishtine.{suffix}", "PRISHTINE", unit, role) for suffix, unit, role in MUNICIPAL_PEOPLE],
    ("mapl.registry", "MAPL", "registry", "registry_clerk"),
    ("mapl.legal", "MAPL", "legal", "legal_reviewer"),
    ("mf.comms", "MF", "public-communication", "communications_officer"),
    ("mf.minister", "MF", "cabinet", "minister"),
    ("mf.info", "MF", "public-communication", "information_officer"),
    ("aip.officer", "AIP", "complaints", "legal_reviewer"),
    ("zkp.coordinator", "ZKM", "zkp", "communications_coordinator"),
    ("sq.secretary", "ZKM", "government-secretariat", "government_secretary"),
    ("auditor", "ZKM", "internal-audit", "auditor"),
    ("kllokot.oneshop", "KLLOKOT", "one-stop-shop", "one_stop_shop_officer"),
    ("kllokot.services", "KLLOKOT", "public-services", "complaints_officer"),
    ("zqm.officer", "ZKM", "zqm", "officer"),
    ("zck.officer", "ZKM", "zck", "officer"),
]


FULL_NAMES = {
    "kllokot.assembly": ("Dragan", "Petrović"),
    "kllokot.chair": ("Sanije", "Rexhepi"),
    "kllokot.info": ("Milica", "Stojanović"),
    "kllokot.mayor": ("Bojan", "Mitić"),
    "prishtine.assembly": ("Arta", "Krasniqi"),
    "prishtine.chair": ("Besnik", "Gashi"),
    "prishtine.info": ("Drita", "Berisha"),
    "prishtine.mayor": ("Valon", "Hoxha"),
    "mapl.registry": ("Liridona", "Morina"),
    "mapl.legal": ("Agron", "Shala"),
    "mf.comms": ("Blerta", "Kelmendi"),
    "mf.minister": ("Faton", "Bytyqi"),
    "mf.info": ("Arbnora", "Hasani"),
    "aip.officer": ("Jelena", "Nikolić"),
    "zkp.coordinator": ("Teuta", "Rama"),
    "sq.secretary": ("Ilir", "Dervishi"),
    "auditor": ("Mimoza", "Zeqiri"),
    "kllokot.oneshop": ("Jelena", "Nikolić"),
    "kllokot.services": ("Fatmir", "Hasani"),
    "zqm.officer": ("Lulzim", "Berisha"),
    "zck.officer": ("Nenad", "Jovanović"),
    "admin": ("System", "Administrator"),
}


class Command(BaseCommand):
    help = "Creates the demo organisation (institutions, units, roles, users); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError("Demo data is never loaded with production settings.")
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            admin = self._user("admin", password, superuser=True)
            roles = {code: self._role(code, names) for code, names in ROLES.items()}
            institutions = {
                code: self._institution(admin, code, kind, names)
                for code, kind, names in INSTITUTIONS
            }
            units = {
                (code, unit_code): self._unit(admin, institutions[code], unit_code, names)
                for code, unit_list in UNITS.items()
                for unit_code, names in unit_list
            }
            for username, code, unit_code, role_code in PEOPLE:
                user = self._user(username, password)
                institution, role = institutions[code], roles[role_code]
                if (
                    not Membership.objects.active()
                    .filter(user=user, institution=institution, role=role)
                    .exists()
                ):
                    services.membership_create(
                        actor=admin,
                        user=user,
                        institution=institution,
                        role=role,
                        unit=units[(code, unit_code)],
                    )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation ready: {len(institutions)} institutions, "
                f"{len(PEOPLE) + 1} users."
            )
        )
        if getattr(settings, "DEMO_WORK_IN_PROGRESS", False):
            # Processes at different steps, some overdue (workflows' own command, named so
            # the organisation's app imports nothing above it).
            call_command("seed_demo_work", stdout=self.stdout)

    def _user(self, username: str, password: str, superuser: bool = False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "is_staff": superuser,
                "is_superuser": superuser,
                "first_name": FULL_NAMES[username][0],
                "last_name": FULL_NAMES[username][1],
                "email": f"{username}@demo.invalid",
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def _role(self, code: str, names: tuple[str, str, str]) -> Role:
        role, _ = Role.objects.get_or_create(
            code=code, defaults=dict(zip(("name_sq", "name_sr", "name_en"), names, strict=True))
        )
        return role

    def _institution(
        self, admin: User, code: str, kind: str, names: tuple[str, str, str]
    ) -> Institution:
        existing = Institution.objects.filter(code=code).first()
        if existing:
            return existing
        name_sq, name_sr, name_en = names
        return services.institution_create(
            actor=admin, code=code, kind=kind, name_sq=name_sq, name_sr=name_sr, name_en=name_en
        )

    def _unit(
        self, admin: User, institution: Institution, code: str, names: tuple[str, str, str]
    ) -> Unit:
        existing = Unit.objects.filter(institution=institution, code=code).first()
        if existing:
            return existing
        name_sq, name_sr, name_en = names
        return services.unit_create(
            actor=admin,
            institution=institution,
            code=code,
            name_sq=name_sq,
            name_sr=name_sr,
            name_en=name_en,
        )
