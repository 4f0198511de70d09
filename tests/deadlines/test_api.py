"""/api/deadlines/ and the dashboards: the process's visibility rules, live states, filters."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from deadlines.clock import clock_event
from deadlines.models import Deadline
from deadlines.selectors import deadlines_for_process
from deadlines.sweep import sweep
from roles.models import User

from .conftest import make_process

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def decision(institution: str, days_ago: int, title: str = "Vendimi") -> Any:
    """An assembly decision adopted `days_ago` days ago, its clock started then."""
    adopted = TODAY - timedelta(days=days_ago)
    process = make_process(
        "assembly_decision", institution=institution, title=title, adopted_on=str(adopted)
    )
    clock_event(process=process, event="started", at=timezone.now() - timedelta(days=days_ago))
    return process


@pytest.fixture
def decisions(rules) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    made = {
        "late": decision("KLLOKOT", 10, "Vendimi i vonuar"),  # due 3 days ago
        "soon": decision("KLLOKOT", 7, "Vendimi i sotëm"),  # due at the end of today
        "fresh": decision("KLLOKOT", 1, "Vendimi i ri"),
        "met": decision("KLLOKOT", 3, "Vendimi i dërguar"),
        "prishtine": decision("PRISHTINE", 9, "Vendimi i Prishtinës"),
    }
    clock_event(process=made["met"], event="transmitted", at=timezone.now() - timedelta(days=1))
    return made


def listed(client: Any, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/deadlines/{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_list_has_the_contract_shape_and_live_states(api_as, decisions) -> None:  # type: ignore[no-untyped-def]
    results = listed(api_as("kllokot.assembly"))
    by_process = {item["process_id"]: item for item in results}
    assert set(by_process) == {decisions[k].pk for k in ("late", "soon", "fresh", "met")}
    late = by_process[decisions["late"].pk]
    assert {
        "id",
        "process_id",
        "rule",
        "basis",
        "starts_at",
        "due_at",
        "completed_at",
        "state",
    } <= set(late)
    assert late["rule"] == "assembly-decision-to-mapl"
    assert late["basis"] == f"adopted on {TODAY - timedelta(days=10)}"
    # In the request's language (Albanian when it names none), as the rule's name is.
    assert late["legal_basis"].startswith("Ligji nr. 03/L-040 për vetëqeverisjen lokale")
    assert late["rule_name"] == "Vendimi i Kuvendit dërguar në MAPL"
    assert late["institution"] == "KLLOKOT" and late["process_type"] == "assembly_decision"
    assert late["due_at"].endswith(("23:59:59.999999+01:00", "23:59:59.999999+02:00"))
    # No sweep has run: the state is decided by the clock's times, now.
    assert late["state"] == "overdue"
    assert by_process[decisions["soon"].pk]["state"] == "due_soon"
    assert by_process[decisions["fresh"].pk]["state"] == "open"
    assert by_process[decisions["met"].pk]["state"] == "met"
    assert by_process[decisions["met"].pk]["completed_at"]
    assert results[0]["process_id"] == decisions["late"].pk  # soonest first


def test_visible_with_the_same_rules_as_the_process(api_as, decisions) -> None:  # type: ignore[no-untyped-def]
    assert {item["process_id"] for item in listed(api_as("prishtine.mayor"))} == {
        decisions["prishtine"].pk
    }
    assert len(listed(api_as("auditor"))) == 5
    assert listed(api_as("mapl.registry")) == []
    # The overdue alert lets the receiving institution (MAPL) see what is late — only that.
    sweep()
    seen = {item["process_id"] for item in listed(api_as("mapl.registry"))}
    assert seen == {decisions["late"].pk, decisions["prishtine"].pk}
    assert listed(api_as("mf.comms")) == []


def test_filters(api_as, decisions) -> None:  # type: ignore[no-untyped-def]
    client = api_as("auditor")
    assert {item["process_id"] for item in listed(client, "?state=overdue")} == {
        decisions["late"].pk,
        decisions["prishtine"].pk,
    }
    assert [item["process_id"] for item in listed(client, "?state=met")] == [decisions["met"].pk]
    assert [item["process_id"] for item in listed(client, "?state=due_soon")] == [
        decisions["soon"].pk
    ]
    assert [item["process_id"] for item in listed(client, "?state=open")] == [decisions["fresh"].pk]
    assert len(listed(client, "?institution=prishtine")) == 1
    assert len(listed(client, "?type=assembly-decision&institution=KLLOKOT")) == 4
    assert listed(client, "?type=press_statement") == []
    assert len(listed(client, f"?process={decisions['met'].pk}")) == 1


@pytest.mark.parametrize(
    "query",
    [
        "?state=late",
        "?institution=NOWHERE",
        "?institution=K%20L",
        "?type=funeral",
        "?process=abc",
        "?process=0",
        "?page=0",
        "?type=" + "x" * 100,
    ],
)
def test_bad_filters_are_400_in_the_error_shape(api_as, decisions, query: str) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.mayor").get(f"/api/deadlines/{query}")
    assert response.status_code == 400, (query, response.content)
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"] and isinstance(error["details"], dict)


def test_dashboard_counts_only_what_the_caller_sees(api_as, decisions) -> None:  # type: ignore[no-untyped-def]
    figures = api_as("auditor").get("/api/deadlines/dashboard/").json()
    assert figures["totals"] == {"open": 1, "due_soon": 1, "overdue": 2, "met": 1, "missed": 0}
    kllokot = next(row for row in figures["by_institution"] if row["institution"] == "KLLOKOT")
    assert kllokot["process_type"] == "assembly_decision"
    assert (kllokot["open"], kllokot["due_soon"], kllokot["overdue"], kllokot["met"]) == (
        1,
        1,
        1,
        1,
    )
    assert kllokot["institution_name"]
    rates = {(row["institution"], row["month"]): row for row in figures["on_time"]}
    assert {code for code, _ in rates} == {"KLLOKOT", "PRISHTINE"}
    total = [row for (code, _), row in rates.items() if code == "KLLOKOT"]
    assert sum(row["met"] for row in total) == 1 and sum(row["overdue"] for row in total) == 1
    assert all(0 <= row["on_time_rate"] <= 1 for row in total)

    prishtine = api_as("prishtine.mayor").get("/api/deadlines/dashboard/").json()
    assert prishtine["totals"] == {"open": 0, "due_soon": 0, "overdue": 1, "met": 0, "missed": 0}
    assert [row["institution"] for row in prishtine["on_time"]] == ["PRISHTINE"]
    assert prishtine["on_time"][0]["on_time_rate"] == 0
    nothing = api_as("mf.minister").get("/api/deadlines/dashboard/?type=assembly_decision").json()
    assert nothing["by_institution"] == [] and nothing["on_time"] == []
    assert api_as("auditor").get("/api/deadlines/dashboard/?state=met").status_code == 400
    assert api_as("auditor").get("/api/deadlines/dashboard/?type=nope").status_code == 400


def test_the_process_api_can_embed_its_deadlines(decisions) -> None:  # type: ignore[no-untyped-def]
    from deadlines.api import DeadlineSerializer

    clocks = deadlines_for_process(decisions["late"], user=None)
    assert [getattr(clock, "state_now") for clock in clocks] == ["overdue"]  # noqa: B009
    body = DeadlineSerializer(clocks, many=True).data
    assert body[0]["process_id"] == decisions["late"].pk and body[0]["state"] == "overdue"


def test_the_monitoring_page(decisions) -> None:  # type: ignore[no-untyped-def]
    sweep()
    client = Client()
    client.force_login(User.objects.get(username="mapl.legal"))
    page = client.get("/deadlines/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="deadline-counts"' in html and 'id="deadline-on-time"' in html
    assert "Vendimi i vonuar" in html and "Vendimi i Prishtinës" in html  # overdue, monitored
    assert "Vendimi i ri" not in html  # not MAPL's to see
    assert "deadline-bar" in html and "width:100" in html
    assert client.get("/deadlines/?type=press_statement").status_code == 200
    assert Deadline.objects.filter(state="overdue").count() == 2
    # Process types by their names in the reader's language, not their codes.
    albanian = client.get("/deadlines/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()
    counts = albanian.split('id="deadline-counts"')[1].split("</table>")[0]
    assert "assembly_decision" not in re.sub(r"<[^>]+>", " ", counts)  # links carry the code
    assert "Vendim i kuvendit për MAPL" in counts
    assert '<option value="press_statement">' in albanian
    # Institutions by name too, in every table (the code stays as the cell's title).
    for table in ("deadline-counts", "deadline-on-time"):
        rows = albanian.split(f'id="{table}"')[1].split("</table>")[0]
        assert '<td title="KLLOKOT">Komuna e Kllokotit</td>' in rows, table
    assert "Komuna e Prishtinës</td>" in albanian.split('id="deadline-overdue"')[1]
    # The rule's legal basis, the cell's title, in the reader's language too.
    overdue = albanian.split('id="deadline-overdue"')[1].split("</table>")[0]
    assert 'title="Ligji nr. 03/L-040 për vetëqeverisjen lokale (shqyrtimi' in overdue
    assert "Local Self-Government" not in overdue
    cyrillic = client.get("/deadlines/", HTTP_ACCEPT_LANGUAGE="sr").content.decode()
    overdue = cyrillic.split('id="deadline-overdue"')[1].split("</table>")[0]
    assert 'title="Закон бр. 03/L-040 о локалној самоуправи (административни' in overdue


def test_the_rule_name_and_legal_basis_follow_the_request_language(api_as, decisions) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.assembly")
    expected = {
        "sq": ("Vendimi i Kuvendit", "Ligji nr. 03/L-040 për vetëqeverisjen lokale"),
        "sr-latn": ("Odluka Skupštine", "Zakon br. 03/L-040 o lokalnoj samoupravi"),
        "sr": ("Одлука Скупштине", "Закон бр. 03/L-040 о локалној самоуправи"),
        "en": ("Assembly decision", "Law No. 03/L-040 on Local Self-Government"),
    }
    for language, (name, basis) in expected.items():
        response = client.get("/api/deadlines/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, response.content
        late = next(
            item
            for item in response.json()["results"]
            if item["process_id"] == decisions["late"].pk
        )
        assert late["rule_name"].startswith(name), language
        assert late["legal_basis"].startswith(basis), language


def test_the_schema_names_the_process_types_the_filters_accept(api_as) -> None:  # type: ignore[no-untyped-def]
    schema = api_as("auditor").get("/api/schema/?format=json").json()
    for path in ("/api/deadlines/", "/api/deadlines/dashboard/"):
        parameters = schema["paths"][path]["get"]["parameters"]
        kinds = next(p["schema"] for p in parameters if p["name"] == "type")
        assert {"assembly_decision", "assembly-decision", "press_statement"} <= set(kinds["enum"])
