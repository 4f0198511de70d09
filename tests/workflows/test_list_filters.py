"""Search, filters and sort on the documents and processes lists: all in the address (a list
can be bookmarked), only over what the official may see, and a clear message for an empty
result or a bad value, never a 500."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from documents.models import Document
from roles.models import User

from .steps import decision_text

TODAY = timezone.localdate()


def client_for(username: str, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=username, password="demo")
    return client


def rows(response: Any, kind: str) -> list[int]:
    assert response.status_code == 200, response.content.decode()[-2000:]
    return [int(pk) for pk in re.findall(rf'data-{kind}-id="(\d+)"', response.content.decode())]


@pytest.fixture
def documents(demo: dict[str, User], api_as: Any) -> dict[str, int]:
    kllokot, prishtine = api_as("kllokot.assembly"), api_as("prishtine.assembly")
    made = {
        "budget": decision_text(kllokot, "sq", "Vendimi për buxhetin"),
        "roads": decision_text(kllokot, "sr", "Odluka o putevima"),
        "water": decision_text(prishtine, "sq", "Vendimi për ujin"),
    }
    # The budget decision was registered last week.
    Document.objects.filter(pk=made["budget"]).update(created_at=timezone.now() - timedelta(days=7))
    return made


@pytest.mark.django_db
def test_documents_searched_filtered_and_sorted_from_the_address(
    documents: dict[str, int],
) -> None:
    office = client_for("kllokot.assembly")
    everything = rows(office.get("/documents/"), "document")
    # Only Kllokot's: Prishtina's decision is not there, whatever is asked.
    assert set(everything) == {documents["budget"], documents["roads"]}
    assert rows(office.get("/documents/?q=buxhet"), "document") == [documents["budget"]]
    number = Document.objects.get(pk=documents["roads"]).registration_number
    assert rows(office.get(f"/documents/?q={number}"), "document") == [documents["roads"]]
    assert rows(office.get("/documents/?language=sr"), "document") == [documents["roads"]]
    assert rows(office.get("/documents/?kind=decision&sort=date"), "document") == [
        documents["budget"],
        documents["roads"],
    ]
    assert rows(office.get("/documents/?sort=-number"), "document") == [
        documents["roads"],
        documents["budget"],
    ]
    assert rows(office.get("/documents/?sort=title"), "document") == [
        documents["roads"],
        documents["budget"],
    ]
    since = TODAY - timedelta(days=2)
    assert rows(office.get(f"/documents/?date_from={since}"), "document") == [documents["roads"]]
    assert rows(office.get(f"/documents/?date_to={since}"), "document") == [documents["budget"]]
    # The choice stays in the form and in the pages' links.
    page = office.get("/documents/?q=buxhet&sort=title").content.decode()
    assert 'name="q" value="buxhet"' in page and '<option value="title" selected>' in page


@pytest.mark.django_db
def test_another_institutions_documents_stay_out_whatever_the_filter(
    documents: dict[str, int],
) -> None:
    office = client_for("kllokot.assembly")
    response = office.get("/documents/?institution=PRISHTINE")
    assert rows(response, "document") == []
    assert "No documents match these filters." in response.content.decode()
    assert rows(office.get("/documents/?q=ujin"), "document") == []
    # Prishtina sees its own.
    assert rows(client_for("prishtine.assembly").get("/documents/?q=ujin"), "document") == [
        documents["water"]
    ]


@pytest.mark.django_db
def test_bad_values_on_the_lists_are_explained_not_failed(documents: dict[str, int]) -> None:
    office = client_for("kllokot.assembly", "sq")
    for path in ("/documents/", "/work/processes/"):
        for query in (
            "kind=nonsense&type=nonsense",  # each list's own word for the kind
            "date_from=2026-13-45",
            "sort=hack",
            "institution=NOPE",
            f"date_from={TODAY}&date_to={TODAY - timedelta(days=3)}",
            "q=" + "x" * 300,
        ):
            response = office.get(f"{path}?{query}")
            body = response.content.decode()
            assert response.status_code == 400, (path, query)
            assert 'role="alert"' in body and "field-error" in body, (path, query)
    wrong_period = office.get(f"/documents/?date_from={TODAY}&date_to={TODAY - timedelta(days=3)}")
    assert "Fundi i periudhës vjen para fillimit të saj." in wrong_period.content.decode()
    assert office.get("/documents/?page=99").status_code == 404
    assert office.get("/work/processes/?page=x").status_code == 404


@pytest.mark.django_db
def test_processes_searched_filtered_and_sorted_over_what_the_official_sees(
    demo: dict[str, User], api_as: Any
) -> None:
    def started(username: str, title: str) -> int:
        client = api_as(username)
        response = client.post(
            "/api/processes/press-statement/",
            {"title": title, "text_sq": "Teksti.", "text_sr": "Tekst."},
            format="json",
        )
        assert response.status_code == 201, response.content
        return int(response.json()["id"])

    water = started("kllokot.info", "Uji i pijshëm në Kllokot")
    roads = started("kllokot.info", "Rrugët e reja")
    other = started("prishtine.info", "Uji në Prishtinë")
    office = client_for("kllokot.info")
    assert set(rows(office.get("/work/processes/"), "process")) >= {water, roads}
    assert other not in rows(office.get("/work/processes/"), "process")
    assert rows(office.get("/work/processes/?q=uji"), "process") == [water]
    assert rows(office.get(f"/work/processes/?q=%23{roads}"), "process") == [roads]
    assert rows(office.get("/work/processes/?q=uji&institution=PRISHTINE"), "process") == []
    assert rows(
        office.get("/work/processes/?type=press_statement&status=active&sort=title"), "process"
    )[:2] == [roads, water]
    assert rows(office.get("/work/processes/?sort=number"), "process")[-2:] == [water, roads]
    tomorrow = TODAY + timedelta(days=1)
    response = office.get(f"/work/processes/?date_from={tomorrow}")
    assert rows(response, "process") == []
    assert "No processes match these filters." in response.content.decode()
