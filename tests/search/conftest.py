"""Search fixtures: documents with text and processes, indexed through the outbox; the backend
under test: the database one, and Elasticsearch on a real node, the run's own
(tests.services.elasticsearch) or the cluster at ELASTICSEARCH_URL when that is set."""

import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings

from documents import services
from documents.extract import Extraction
from documents.models import Document
from documents.tasks import _record
from roles.models import User
from roles.selectors import memberships_active
from search import backends
from search.outbox import drain
from tests.conftest import unavailable
from tests.services.debian import CannotSetUp
from tests.services.elasticsearch import ElasticsearchNode

BACKENDS = ["database", "elasticsearch"]


@pytest.fixture(scope="session")
def elasticsearch_node() -> Iterator[ElasticsearchNode | None]:
    """The run's own node, started on first use and removed at the end; None when the run
    is given a cluster (ELASTICSEARCH_URL), which the tests may not stop."""
    if os.environ.get("ELASTICSEARCH_URL"):
        yield None
        return
    node = ElasticsearchNode()
    try:
        node.start()
    except CannotSetUp as error:
        node.remove()
        unavailable(str(error))
    yield node
    node.remove()


@pytest.fixture(scope="session")
def elasticsearch_url(elasticsearch_node: ElasticsearchNode | None) -> str:
    return elasticsearch_node.url if elasticsearch_node else os.environ["ELASTICSEARCH_URL"]


@pytest.fixture(scope="session")
def elasticsearch_alias(elasticsearch_url: str) -> Iterator[str]:
    """The run's alias and its index, made once: a test's entries are deleted after it, which
    costs the cluster far less than an index made and dropped for every test."""
    from search.backends.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend(elasticsearch_url)
    backend.prefix = f"test-{os.getpid()}"
    backend.rebuild_finish(backend.rebuild_start(None), started_at=None)
    yield backend.alias
    backend.drop()


def _delete_every_entry(backend: Any) -> None:
    from elasticsearch import helpers

    hits = backend.client.search(index=backend.alias, size=10_000, source=False)["hits"]["hits"]
    actions = ({"_op_type": "delete", "_index": backend.alias, "_id": hit["_id"]} for hit in hits)
    helpers.bulk(backend.client, actions, refresh=True)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, db: None) -> Iterator[str]:
    """The contract suite runs once per backend."""
    name = str(request.param)
    url = request.getfixturevalue("elasticsearch_url") if name == "elasticsearch" else ""
    with override_settings(SEARCH_BACKEND=name, ELASTICSEARCH_URL=url):
        backends._instances.pop(name, None)
        backend = backends.get_backend()
        if name == "elasticsearch":
            backend.prefix = request.getfixturevalue("elasticsearch_alias")  # type: ignore[attr-defined]
            backend.refresh = True  # type: ignore[attr-defined]  # each write searchable at once
        yield name
        if name == "elasticsearch":
            _delete_every_entry(backend)
        backends._instances.pop(name, None)


def upload(
    user: User,
    title: str,
    text: str,
    *,
    kind: str = "decision",
    language: str = "sq",
) -> Document:
    """A registered document whose extracted text is `text`, as the extraction task records it."""
    institution = memberships_active(user=user).first().institution  # type: ignore[union-attr]
    content = (text or title).encode()
    document = services.document_create(
        actor=user,
        institution=institution,
        upload=io.BytesIO(content),
        filename="text.txt",
        size=len(content),
        title=title,
        kind=kind,
        language=language,
    )
    version = document.versions.get()
    _record(version.pk, Extraction(text=text, method="text:utf-8", pages=1))
    return document


@pytest.fixture
def document_of(demo: dict[str, User], backend: str) -> Callable[..., Document]:
    """document_of("prishtine.mayor", title, text, ...) → the document, indexed."""

    def make(username: str, title: str, text: str = "", **fields: Any) -> Document:
        document = upload(demo[username], title, text, **fields)
        drain()
        return document

    return make


def search(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return dict(response.json())


def ids(page: dict[str, Any], object_type: str = "document") -> set[int]:
    return {hit["id"] for hit in page["results"] if hit["object_type"] == object_type}


def make_process(user: User, title: str, **data: Any) -> Any:
    """A press-statement process row seen by the user's institution, saved as viewflow saves
    it (the proxy class) and granted as the flows grant it; no flow is run."""
    from roles.permissions import grant, institution_group
    from workflows.flows.press_statement import PressStatementFlow
    from workflows.models import PressStatementProcess, permission_object

    institution = memberships_active(user=user).first().institution  # type: ignore[union-attr]
    process = PressStatementProcess(
        flow_class=PressStatementFlow, title=title, institution=institution, created_by=user
    )
    for field, value in data.items():
        setattr(process, field, value)
    process.save()
    grant(
        actor=user,
        perm="workflows.view_coordinationprocess",
        obj=permission_object(process),
        group=institution_group(institution),
    )
    return process
