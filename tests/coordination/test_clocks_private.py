"""Whose clocks of a coordination request a person sees: a recipient its own, the sender every
recipient's, an auditor all, an outsider none — in the deadline list and its filters, the
dashboard's counts, the monitoring page, and the process's body and page."""

import re
from typing import Any

import pytest
from django.test import Client

from deadlines.models import Deadline

from .conftest import ministry, sent

pytestmark = pytest.mark.django_db


def clocks_listed(client: Any, **query: Any) -> list[tuple[int, str]]:
    response = client.get("/api/deadlines/", query)
    assert response.status_code == 200, response.content
    return [(row["process_id"], row["institution"]) for row in response.json()["results"]]


def counted(client: Any) -> dict[str, int]:
    """The dashboard's open clocks of coordination requests, per institution."""
    figures = client.get("/api/deadlines/dashboard/", {"type": "coordination_request"}).json()
    return {row["institution"]: row["open"] for row in figures["by_institution"]}


def monitoring_items(username: str) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password="demo")
    response = client.get("/deadlines/", {"state": "open", "type": "coordination_request"})
    assert response.status_code == 200
    return re.findall(r'<tr class="deadline-item".*?</tr>', response.content.decode(), re.S)


def test_a_recipient_sees_its_own_clock_only_and_the_sender_every_one(api_as, rule) -> None:  # type: ignore[no-untyped-def]
    ministry("MAPLX")
    zkp = api_as("zkp.coordinator")
    process = sent(zkp, title="Kërkesë me afate të ndara")
    pid = process["id"]
    clocks = {c.institution.code: c.pk for c in Deadline.objects.filter(process_id=pid)}
    assert sorted(clocks) == ["MAPL", "MAPLX", "MF"]

    # Each recipient: its own clock in the list, under every filter, in the counts.
    for username, own in (("mf.comms", "MF"), ("maplx.comms", "MAPLX")):
        recipient = api_as(username)
        assert clocks_listed(recipient, process=pid) == [(pid, own)]
        assert clocks_listed(recipient, type="coordination_request") == [(pid, own)]
        assert clocks_listed(recipient, state="open", process=pid) == [(pid, own)]
        for other in sorted(set(clocks) - {own}):
            assert clocks_listed(recipient, institution=other) == []
        assert counted(recipient) == {own: 1}
        # The process's body names its own clock only.
        body = recipient.get(f"/api/processes/{pid}/").json()
        assert [d["institution"] for d in body["deadlines"]] == [own]
        listed = recipient.get("/api/processes/", {"type": "coordination_request"}).json()
        [row] = [row for row in listed["results"] if row["id"] == pid]
        assert [d["id"] for d in row["deadlines"]] == [clocks[own]]

    # The monitoring page lists a recipient's own clock, not the others'.
    assert len(monitoring_items("mf.comms")) == 1
    assert len(monitoring_items("zkp.coordinator")) == 3

    # The sender and an auditor see all three, counted.
    for username in ("zkp.coordinator", "auditor"):
        client = api_as(username)
        assert sorted(clocks_listed(client, process=pid)) == [
            (pid, "MAPL"),
            (pid, "MAPLX"),
            (pid, "MF"),
        ]
        assert counted(client) == {"MAPL": 1, "MAPLX": 1, "MF": 1}
    body = zkp.get(f"/api/processes/{pid}/").json()
    assert sorted(d["institution"] for d in body["deadlines"]) == ["MAPL", "MAPLX", "MF"]

    # An outsider: the process is a 404, its clocks neither listed nor counted.
    outsider = api_as("kllokot.info")
    assert outsider.get(f"/api/processes/{pid}/").status_code == 404
    assert clocks_listed(outsider, process=pid) == []
    assert counted(outsider) == {}
