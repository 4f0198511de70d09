"""The web interface: who reaches which page, and admin edits leaving audit entries."""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditEntry
from roles.models import Institution, User


def client_for(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password="demo")
    return client


@pytest.mark.parametrize(
    ("path", "anonymous", "official", "superuser"),
    [
        ("/accounts/login/", 200, 200, 200),
        ("/home/", 302, 200, 200),
        ("/directory/institution/", 302, 200, 200),
        ("/admin/", 302, 302, 200),
        ("/admin/audit/auditentry/", 302, 302, 200),
        ("/api/docs/", 200, 200, 200),
    ],
)
def test_page_matrix(
    demo: dict[str, User], path: str, anonymous: int, official: int, superuser: int
) -> None:
    for username, expected in [
        (None, anonymous),
        ("kllokot.mayor", official),
        ("admin", superuser),
    ]:
        response = client_for(username).get(path)
        assert response.status_code == expected, (path, username)
        if expected == 302:
            assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (
            "kllokot.mayor",
            [
                "/home/",
                "/documents/",
                "/documents/upload/",
                "/work/",
                "/work/processes/",
                "/work/delegations/",
                "/deadlines/",
                "/directory/institution/",
            ],
        ),
        ("auditor", ["/search/", "/search/?q=vendim", "/documents/", "/deadlines/"]),
        ("kllokot.info", ["/work/processes/new/press-statement/"]),
        ("kllokot.assembly", ["/work/processes/new/assembly-decision/"]),
        (
            "mf.comms",
            ["/work/processes/new/meeting-material/", "/work/processes/new/press-statement/"],
        ),
    ],
)
def test_menu_pages_show_no_developer_text(
    demo: dict[str, User], username: str, paths: list[str]
) -> None:
    """Nothing meant for developers reaches officials: viewflow's red notice for an
    application without viewsets, or a Python object where a value belongs."""
    client = client_for(username)
    for path in paths:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="sq")
        assert response.status_code == 200, path
        page = response.content.decode()
        assert "No viewsets found" not in page, path
        assert " object at 0x" not in page, path


def test_the_institution_list_names_each_parent(demo: dict[str, User]) -> None:
    child = Institution.objects.get(code="KLLOKOT")
    child.parent = Institution.objects.get(code="MAPL")
    child.save()
    page = (
        client_for("kllokot.info")
        .get("/directory/institution/", HTTP_ACCEPT_LANGUAGE="sq")
        .content.decode()
    )
    assert "institucioni epror" in page.lower()
    row = next(line for line in page.split("<tr") if ">KLLOKOT<" in line)
    assert ">MAPL<" in row
    count = Institution.objects.count()
    assert f"1–{count} / {count}" in page  # viewflow's summary said "1-6 of 6" in every language


def test_institution_detail_page_shows_the_institution(demo: dict[str, User]) -> None:
    institution = Institution.objects.get(code="MAPL")
    response = client_for("kllokot.info").get(f"/directory/institution/{institution.pk}/detail/")
    assert response.status_code == 200
    assert "MAPL" in response.content.decode()
    assert (
        client_for("kllokot.info").get("/directory/institution/999999/detail/").status_code == 404
    )


def test_home_shows_the_officials_institution_and_role(demo: dict[str, User]) -> None:
    page = client_for("mapl.legal").get("/home/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ministry of Local Government Administration" in page
    assert "Legal reviewer" in page


def test_every_admin_page_opens_for_an_administrator(demo: dict[str, User]) -> None:
    client = client_for("admin")
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        request = RequestFactory().get(changelist)
        request.user = demo["admin"]
        if admin.site._registry[model].has_add_permission(request):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert client.get(add).status_code == 200, add


def test_an_admin_edit_is_audited_with_old_and_new_values(demo: dict[str, User]) -> None:
    institution = Institution.objects.get(code="AIP")
    url = reverse("admin:roles_institution_change", args=[institution.pk])
    response = client_for("admin").post(
        url,
        {
            "code": "AIP",
            "kind": "agency",
            "name_sq": institution.name_sq,
            "name_sr": institution.name_sr,
            "name_en": "Information and Privacy Agency of Kosovo",
            "parent": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(action="institution.updated").latest("seq")
    assert entry.actor == "admin"
    assert entry.data["old"]["name_en"] == "Information and Privacy Agency"
    assert entry.data["new"]["name_en"] == "Information and Privacy Agency of Kosovo"


def test_the_admin_cannot_edit_or_delete_audit_entries(demo: dict[str, User]) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    client = client_for("admin")
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.post(change, {"action": "forged"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


def test_signing_in_is_audited(demo: dict[str, User]) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "sq.secretary", "password": "demo"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="auth.login", actor="sq.secretary").exists()
    failed = client.post("/accounts/login/", {"username": "sq.secretary", "password": "nope"})
    assert failed.status_code == 200
    assert AuditEntry.objects.filter(
        action="auth.login_failed", data__username="sq.secretary"
    ).exists()


def test_seed_demo_is_idempotent(demo: dict[str, User]) -> None:
    from django.core.management import call_command

    counts = (User.objects.count(), Institution.objects.count(), AuditEntry.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (User.objects.count(), Institution.objects.count(), AuditEntry.objects.count()) == counts
    assert {
        "kllokot.assembly",
        "kllokot.chair",
        "kllokot.info",
        "kllokot.mayor",
        "prishtine.assembly",
        "prishtine.chair",
        "prishtine.info",
        "prishtine.mayor",
        "mapl.registry",
        "mapl.legal",
        "mf.comms",
        "mf.minister",
        "zkp.coordinator",
        "sq.secretary",
        "auditor",
        "admin",
    } <= set(demo)


def test_switching_to_an_unsupported_language_is_refused(demo: dict[str, User]) -> None:
    response = Client().post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert response.status_code == 400
    assert "language" not in response.cookies
