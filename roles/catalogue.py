"""The role catalogue every installation starts with (codes are stable; names are editable)."""

# code: (Albanian, Serbian in Latin script, English)
ROLES: dict[str, tuple[str, str, str]] = {
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
    # Citizens' complaints (complaints app): the one-stop shop registers and routes them, a
    # unit's complaints officers answer those routed to their unit.
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
