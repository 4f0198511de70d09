"""Going live: a fresh database filled from the shipped organisation file and an institution's
small people file (no demo data), and officials from the directory sign in and work: one starts
a press statement, the mayor finds it in the inbox, on the API and on the page."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from roles.models import Institution, User

from .conftest import DirectoryEntries

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "roles" / "data" / "organisation.yaml"


def signed_in_api(username: str, password: str) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_a_fresh_installation_from_the_files_and_the_directory(
    empty_database: None, directory: DirectoryEntries, tmp_path: Path
) -> None:
    assert not Institution.objects.exists() and not User.objects.exists()  # fresh
    directory.person("milica.s", "milica-pass-1", "Milica", "Stojanović")
    directory.person("bojan.m", "bojan-pass-1", "Bojan", "Mitić")
    zimp = directory.group("kllokot-zimp", ["milica.s"])
    mayors = directory.group("kllokot-mayor", ["bojan.m"])
    people = tmp_path / "kllokot.yaml"
    people.write_text(
        f"""
people:
  - username: dragan.p
    first_name: Dragan
    last_name: Petrović
    memberships:
      - {{institution: KLLOKOT, unit: assembly-office, role: assembly_officer,
         valid_from: 2025-11-20}}
directory_groups:
  - {{group: "{zimp}", institution: KLLOKOT, unit: zimp, role: information_officer}}
  - {{group: "{mayors}", institution: KLLOKOT, unit: mayor-office, role: mayor}}
""",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_organisation", str(SHIPPED), str(people), stdout=out)
    assert Institution.objects.filter(kind="municipality").count() == 38
    assert "+ directory group" in out.getvalue()

    officer = signed_in_api("milica.s", "milica-pass-1")
    me = officer.get("/api/me/").json()
    assert (me["institution"]["code"], me["roles"]) == ("KLLOKOT", ["information_officer"])
    started = officer.post(
        "/api/processes/press-statement/",
        {
            "title": "Njoftim për shtyp: ujësjellësi",
            "text_sq": "Komuna njofton qytetarët për punimet në ujësjellës.",
            "text_sr": "Opština obaveštava građane o radovima na vodovodu.",
        },
        format="json",
    )
    assert started.status_code == 201, started.content

    mayor = signed_in_api("bojan.m", "bojan-pass-1")
    inbox = mayor.get("/api/inbox/").json()["results"]
    assert [(task["process_id"], task["name"]) for task in inbox] == [
        (started.json()["id"], "approve")
    ]
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.post("/accounts/login/", {"username": "bojan.m", "password": "bojan-pass-1"})
    assert "_auth_user_id" in page.session
    work = page.get("/work/")
    assert work.status_code == 200
    assert "Njoftim për shtyp: ujësjellësi" in work.content.decode()
    # The people file's officials get no local password: they sign in through the directory.
    assert not User.objects.get(username="dragan.p").has_usable_password()
