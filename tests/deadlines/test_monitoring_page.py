"""The monitoring page over the demo's work in progress: every item leads to its process and
says how late it is and who holds it; the figures link to their items; filters by institution,
type and state; the on-time trend is a chart with its figures written on it."""

import re
from typing import Any

import pytest
from defusedxml import ElementTree
from django.test import Client

from roles.models import User
from tests.workflows.demo_work import demo_work_seeded
from workflows.models import CoordinationProcess

SVG = "{http://www.w3.org/2000/svg}"


def client_for(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    return client


def page(client: Client, query: str = "", status: int = 200) -> str:
    response = client.get(f"/deadlines/{query}")
    assert response.status_code == status, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def items(text: str) -> list[str]:
    return re.findall(r'<tr class="deadline-item".*?</tr>', text)


@pytest.fixture
def work(demo: dict[str, User]) -> dict[str, User]:
    demo_work_seeded()
    return demo


def test_overdue_items_lead_to_their_process_with_days_late_and_holder(
    work: dict[str, User],
) -> None:
    text = page(client_for("kllokot.assembly"))
    assert text.count("<h1") == 1
    budget = CoordinationProcess.objects.get(title__contains="buxhetin komunal")
    [row] = [row for row in items(text) if "buxhetin komunal" in row]
    assert f'href="/work/processes/{budget.pk}/"' in row
    assert "3 days late" in row
    assert "Chair of the municipal assembly" in row  # waits for the chair's sign-off
    # Another municipality's late decision is not Kllokot's to see.
    assert "subvencionet" not in " ".join(items(text))


def test_counts_link_to_their_items_and_filters_narrow_them(work: dict[str, User]) -> None:
    legal = client_for("auditor")  # sees every institution's clocks
    text = page(legal)
    counts = text.split('id="deadline-counts"')[1].split("</table>")[0]
    assert (
        "?institution=KLLOKOT&amp;type=assembly_decision&amp;state=overdue#deadline-items" in counts
    )
    only_prishtina = " ".join(items(page(legal, "?institution=PRISHTINE")))
    assert "subvencionet" in only_prishtina and "buxhetin komunal" not in only_prishtina
    met = " ".join(items(page(legal, "?institution=KLLOKOT&state=met")))
    assert "planin rregullues" in met and "days late" not in met
    missed = " ".join(items(page(legal, "?institution=KLLOKOT&state=missed")))
    assert "orarin e punës" in missed and "days late" in missed
    assert items(page(legal, "?type=press_statement")) == []
    # A choice that does not exist is said next to its field, never a 500.
    refused = page(legal, "?state=forgotten", status=400)
    assert 'class="field-error" role="alert"' in refused


def test_the_trend_is_a_chart_with_its_figures_written_on_it(work: dict[str, User]) -> None:
    text = client_for("auditor").get("/deadlines/").content.decode()
    svg_text = re.search(r'<svg class="deadline-trend".*?</svg>', text, re.S)
    assert svg_text is not None
    svg = ElementTree.fromstring(svg_text.group(0))
    months = svg.findall(f".//{SVG}g[@class='trend-month']")
    assert months
    for month in months:
        labels = [label.text for label in month.findall(f"{SVG}text")]
        assert any(label and label.endswith("%") for label in labels)  # the figure, in words
        assert any(label and re.fullmatch(r"\d{4}-\d{2}", label) for label in labels)
    assert svg.find(f"{SVG}desc") is not None


def test_what_an_institution_may_not_see_is_not_listed(work: dict[str, User]) -> None:
    text = page(client_for("prishtine.mayor"), "?state=met")
    assert "planin rregullues" not in text
    late = " ".join(items(page(client_for("prishtine.mayor"))))
    assert "buxhetin komunal" not in late and "subvencionet" in late


def test_the_page_in_albanian_names_states_and_types(work: dict[str, User], client: Any) -> None:
    client.force_login(work["kllokot.mayor"])
    text = client.get("/deadlines/", HTTP_ACCEPT_LANGUAGE="sq").content.decode()
    assert "Vendim i kuvendit për MAPL" in text
