"""The Elasticsearch backend as data: mappings, query bodies, bulk actions, the alias swap,
response parsing and outage handling, against a recorded client (no cluster runs here; the
contract suite in test_contract.py runs against a real one when ELASTICSEARCH_URL is set)."""

from datetime import date
from typing import Any
from unittest import mock

import pytest
from elasticsearch import ConnectionError as ESConnectionError

from search.analysis import parse_query
from search.backends import BackendUnavailable, Filters, SearchRequest
from search.backends.elastic import (
    ElasticsearchBackend,
    index_actions,
    page_of,
    query_body,
    template_body,
)
from search.content import IndexEntry

ENTRY = IndexEntry(
    object_type="document",
    object_id=7,
    title="Strategjia kombëtare",
    body="Општина Грачаница",
    institution="KLLOKOT",
    kind="decision",
    language="sq",
    process_type="",
    date=date(2026, 3, 4),
    acl=[3, 9],
)


def test_the_template_maps_normalised_text_and_keywords() -> None:
    body = template_body("koordinimi-search")
    assert body["index_patterns"] == ["koordinimi-search-*"]
    properties = body["template"]["mappings"]["properties"]
    # Query words of three letters or more are prefixes: their first five letters are terms.
    prefixes = {"min_chars": 3, "max_chars": 5}
    for text in ("title_norm", "body_norm"):
        assert properties[text] == {
            "type": "text",
            "analyzer": "whitespace",
            "index_prefixes": prefixes,
        }
    assert properties["body"] == {"type": "text", "index": False}
    assert properties["acl"] == {"type": "integer"}
    for keyword in ("institution", "kind", "language", "object_type", "process_type"):
        assert properties[keyword] == {"type": "keyword"}
    assert properties["date"] == {"type": "date", "format": "yyyy-MM-dd"}


def test_bulk_actions_carry_the_shared_normalisation() -> None:
    [action] = list(index_actions([ENTRY], ["koordinimi-search"]))
    assert action["_id"] == "document:7" and action["_op_type"] == "index"
    source = action["_source"]
    assert source["title_norm"] == "strategjia kombetare"
    assert source["body_norm"] == "opstina gracanica"
    assert source["acl"] == [3, 9] and source["year"] == 2026 and source["date"] == "2026-03-04"


def _request(q: str, groups: list[int] | None, **filters: Any) -> SearchRequest:
    return SearchRequest(parse_query(q), Filters(**filters), groups, offset=20, limit=10)


def test_visibility_is_a_filter_inside_the_query_before_scoring_and_facets() -> None:
    body = query_body(_request("strategjisë", [4, 5], institution="KLLOKOT"))
    assert "post_filter" not in body
    assert {"terms": {"acl": [4, 5]}} in body["query"]["bool"]["filter"]
    assert {"term": {"institution": "KLLOKOT"}} in body["query"]["bool"]["filter"]
    assert set(body["aggs"]) == {"institution", "kind", "language", "year"}
    assert body["track_total_hits"] is True and body["from"] == 20 and body["size"] == 10
    [clause] = body["query"]["bool"]["must"]
    assert clause["bool"]["should"][0] == {
        "prefix": {"title_norm": {"value": "strategj", "boost": 5.0}}
    }
    auditor = query_body(_request("strategjisë", None))
    assert not any("acl" in str(item) for item in auditor["query"]["bool"]["filter"])
    assert body["_source"] == {"excludes": ["title_norm", "body_norm"]}


def test_hits_without_their_texts_leave_the_body_out_of_the_source() -> None:
    request = SearchRequest(parse_query("strategjisë"), Filters(), [4], bodies=False)
    assert query_body(request)["_source"] == {"excludes": ["title_norm", "body_norm", "body"]}


def test_phrases_are_ordered_adjacent_spans_and_dates_a_range() -> None:
    body = query_body(
        _request('"plani i komunikimit"', [1], date_from=date(2026, 1, 1), date_to=date(2026, 2, 1))
    )
    span = body["query"]["bool"]["must"][0]["bool"]["should"][1]["span_near"]
    assert span["slop"] == 0 and span["in_order"] is True
    # Prefixes longer than the indexed ones keep to the clause limit of every cluster.
    capped = {"rewrite": "top_terms_1000"}
    assert span["clauses"] == [
        {"span_multi": {"match": {"prefix": {"body_norm": {"value": "plan", **capped}}}}},
        {"span_term": {"body_norm": "i"}},
        {"span_multi": {"match": {"prefix": {"body_norm": {"value": "komunikim", **capped}}}}},
    ]
    # Equal scores: the newest first, as the database backend orders them.
    assert body["sort"] == ["_score", {"date": "desc"}, {"object_id": "desc"}]
    assert {"range": {"date": {"gte": "2026-01-01", "lte": "2026-02-01"}}} in body["query"]["bool"][
        "filter"
    ]
    browse = query_body(_request("", [1]))
    assert browse["query"]["bool"]["must"] == [{"match_all": {}}]
    assert browse["sort"][0] == {"date": "desc"}


def test_a_response_becomes_a_page_with_facets() -> None:
    response = {
        "hits": {
            "total": {"value": 42, "relation": "eq"},
            "hits": [
                {
                    "_score": 3.5,
                    "_source": {
                        "object_type": "document",
                        "object_id": 7,
                        "title": "Strategjia",
                        "body": "tekst",
                        "institution": "KLLOKOT",
                        "kind": "decision",
                        "language": "sq",
                        "date": "2026-03-04",
                    },
                }
            ],
        },
        "aggregations": {
            "institution": {"buckets": [{"key": "KLLOKOT", "doc_count": 42}]},
            "kind": {
                "buckets": [{"key": "decision", "doc_count": 40}, {"key": "", "doc_count": 2}]
            },
            "language": {"buckets": []},
            "year": {"buckets": [{"key": 2026, "doc_count": 42}]},
        },
    }
    page = page_of(response)
    assert page.count == 42 and page.hits[0].object_id == 7 and page.hits[0].score == 3.5
    assert page.facets == {
        "institution": {"KLLOKOT": 42},
        "kind": {"decision": 40},
        "language": {},
        "year": {"2026": 42},
    }


@pytest.mark.django_db
def test_a_rebuild_fills_a_new_index_and_swaps_the_alias_in_one_call() -> None:
    client = mock.MagicMock()
    client.indices.exists_alias.return_value = True
    client.indices.get_alias.return_value = {"koordinimi-search-old": {"aliases": {}}}
    backend = ElasticsearchBackend("http://unused", client=client)
    target = backend.rebuild_start(None)
    assert target.startswith("koordinimi-search-")
    template = client.indices.put_index_template.call_args.kwargs
    assert template["index_patterns"] == ["koordinimi-search-*"]
    client.indices.create.assert_called_once_with(index=target)
    with mock.patch("search.backends.elastic.helpers.bulk") as bulk:
        backend.index([ENTRY], target=target)
    assert [a["_index"] for a in bulk.call_args.args[1]] == [target]
    backend.rebuild_finish(target, started_at=None)
    client.indices.update_aliases.assert_called_once_with(
        actions=[
            {"remove": {"index": "koordinimi-search-old", "alias": "koordinimi-search"}},
            {"add": {"index": target, "alias": "koordinimi-search"}},
        ]
    )
    client.indices.delete.assert_called_once_with(index="koordinimi-search-old")


@pytest.mark.django_db
def test_writes_during_a_rebuild_reach_both_indices_and_deletes_ignore_missing() -> None:
    from search.models import RebuildCheckpoint

    client = mock.MagicMock()
    client.indices.exists_alias.return_value = True
    backend = ElasticsearchBackend("http://unused", client=client)
    RebuildCheckpoint.objects.create(
        backend="elasticsearch", target="koordinimi-search-new", object_type="document"
    )
    with mock.patch("search.backends.elastic.helpers.bulk") as bulk:
        backend.index([ENTRY])
        assert [a["_index"] for a in bulk.call_args.args[1]] == [
            "koordinimi-search",
            "koordinimi-search-new",
        ]
        backend.delete("document", [7])
        assert bulk.call_args.kwargs["ignore_status"] == (404,)
        assert {a["_op_type"] for a in bulk.call_args.args[1]} == {"delete"}


def test_an_unreachable_cluster_is_backend_unavailable() -> None:
    client = mock.MagicMock()
    client.indices.exists_alias.side_effect = ESConnectionError("connection refused")
    backend = ElasticsearchBackend("http://unused", client=client)
    with pytest.raises(BackendUnavailable):
        backend.search(_request("vendim", [1]))
    with pytest.raises(BackendUnavailable):
        backend.index([ENTRY])
    assert backend.search(_request("vendim", [])).count == 0  # sees nothing: no call at all
