"""What only a real Elasticsearch node can show: an outage of the node itself, and what a
rebuild leaves on the cluster. The rest of the contract runs on it in test_contract.py."""

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import override_settings

from search import backends
from search.models import SearchOutbox
from search.outbox import drain
from tests.services.elasticsearch import ElasticsearchNode

from .conftest import ids, search, upload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("backend", ["elasticsearch"], indirect=True),
]


@pytest.fixture
def live(request: pytest.FixtureRequest, backend: str) -> ElasticsearchNode:
    """The Elasticsearch backend on the run's own node (a given cluster is not ours to stop)."""
    node: ElasticsearchNode | None = request.getfixturevalue("elasticsearch_node")
    if node is None:
        pytest.skip("ELASTICSEARCH_URL names a cluster this run may not stop")
    return node


@pytest.fixture
def node_restarted(live: ElasticsearchNode) -> Iterator[ElasticsearchNode]:
    """However the test ends, the node answers again for the tests after it."""
    yield live
    if live.rss_bytes() == 0:
        live.start()


def test_a_stopped_node_loses_no_write_and_catches_up(api_as, demo, node_restarted) -> None:  # type: ignore[no-untyped-def]
    mayor = api_as("kllokot.mayor")
    before = upload(demo["kllokot.mayor"], "Raporti i parë", "Raporti i auditimit të brendshëm")
    drain()
    assert ids(search(mayor, q="auditimit")) == {before.pk}

    assert mayor.get("/healthz").json()["search"] == "ok"
    node_restarted.stop()
    assert mayor.get("/healthz").json()["search"] == "unreachable"
    during = upload(demo["kllokot.mayor"], "Raporti i dytë", "Auditimit i dytë i vitit")
    assert during.pk  # the write is committed while the node is down
    with pytest.raises(backends.BackendUnavailable):
        drain()
    assert SearchOutbox.objects.filter(attempts__gte=1).exists()  # kept for the next drain
    response = mayor.get("/api/search/", {"q": "auditimit"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "search_unavailable"

    node_restarted.start()
    drain()
    assert not SearchOutbox.objects.exists()
    assert ids(search(mayor, q="auditimit")) == {before.pk, during.pk}


def test_a_rebuild_moves_the_alias_to_a_new_index_and_drops_the_old(  # type: ignore[no-untyped-def]
    api_as, demo, live
) -> None:
    written = upload(demo["kllokot.mayor"], "Arkivi", "Arkivi i vjetër i komunës")
    drain()
    backend = backends.get_backend()
    client, alias = backend.client, backend.alias  # type: ignore[attr-defined]
    (old,) = client.indices.get_alias(name=alias)

    call_command("rebuild_search_index")

    (new,) = client.indices.get_alias(name=alias)
    assert new != old
    assert not client.indices.exists(index=old)
    mapping = client.indices.get_mapping(index=new)[new]["mappings"]["properties"]
    assert mapping["body_norm"]["index_prefixes"] == {"min_chars": 3, "max_chars": 5}
    assert ids(search(api_as("kllokot.mayor"), q="arkivi")) == {written.pk}


def test_an_unreachable_cluster_is_a_503_not_a_500(api_as, demo, live) -> None:  # type: ignore[no-untyped-def]
    """A cluster address nothing answers on: searches answer 503, writes go on."""
    unreachable = "http://127.0.0.1:9"  # the discard port: nothing listens there
    with override_settings(ELASTICSEARCH_URL=unreachable):
        backends._instances.pop("elasticsearch", None)
        try:
            response = api_as("kllokot.mayor").get("/api/search/", {"q": "vendim"})
            assert response.status_code == 503, response.content
            assert api_as(None).get("/healthz").json()["search"] == "unreachable"
            written = upload(demo["kllokot.mayor"], "Vendim", "Vendimi i kuvendit")
            assert SearchOutbox.objects.filter(object_id=written.pk).exists()
        finally:
            backends._instances.pop("elasticsearch", None)


def test_the_health_check_asks_the_cluster_and_creates_nothing(  # type: ignore[no-untyped-def]
    api, live, elasticsearch_alias
) -> None:
    backend = backends.get_backend()
    client = backend.client  # type: ignore[attr-defined]
    backend.prefix = "test-health-never-made"  # type: ignore[attr-defined]
    try:
        assert api.get("/healthz").json()["search"] == "ok"
        assert not client.indices.exists_alias(name="test-health-never-made")
    finally:
        backend.prefix = elasticsearch_alias  # type: ignore[attr-defined]
