"""A consultation is found by the officials who may see it, and by nobody else."""

import pytest

from search.outbox import drain

from .steps import approved

pytestmark = pytest.mark.django_db


def found(client, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    response = client.get("/api/search/", {"q": query, "type": "public_consultation"})
    assert response.status_code == 200, response.content
    return [hit["id"] for hit in response.json()["results"] if hit["object_type"] == "process"]


def test_officials_who_see_a_consultation_find_it(api_as) -> None:  # type: ignore[no-untyped-def]
    process = approved(api_as("kllokot.info"), api_as("kllokot.mayor"))
    drain()
    for username in ("kllokot.info", "kllokot.mayor", "zqm.officer"):
        assert found(api_as(username), "autobuske") == [process["id"]], username
    for username in ("prishtine.info", "mf.comms"):
        assert found(api_as(username), "autobuske") == [], username
