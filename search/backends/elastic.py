"""Elasticsearch: elasticsearch-dsl documents, a composable index template, an alias per index.

The index holds what the database backend holds: the original text (for snippets, not indexed)
and the normalised text from `search.analysis.normalize`, analysed by whitespace only — the
normalisation happens once, in Python, for both backends, so both find the same things. Query
words become the same prefixes and phrases as on the database (`prefix`, `span_near` of
`span_multi`), and visibility is a `terms` filter on `acl` inside `bool.filter`: it narrows the
hits before scoring, the total, the aggregations (facets) and the page — never a post_filter.

The live index is always reached through the alias. A rebuild fills a new concrete index
(`<alias>-<timestamp>`), then one `update_aliases` call moves the alias atomically and the old
index is dropped; while it runs, changes from the outbox go to both.
"""

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from elasticsearch import ApiError, Elasticsearch, TransportError, helpers
from elasticsearch_dsl import Date, Document, Index, Integer, Keyword, Long, Text

from ..analysis import MAX_WORD, Term
from ..content import IndexEntry
from .base import FACETS, Hit, SearchBackend, SearchPage, SearchRequest, empty_facets

ALIAS = "koordinimi-search"
TITLE_BOOST = 5.0
FACET_SIZE = 500
SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}


# Query words of three letters or more are prefixes. Their first characters are indexed too,
# so that a short prefix is one term to look up, in a phrase as well (a `span_multi` prefix is
# otherwise expanded to every word it starts, which a cluster refuses past its clause limit).
INDEXED_PREFIXES = {"min_chars": 3, "max_chars": 5}


class SearchDocument(Document):
    """One document or process. `_id` is `<object_type>:<object_id>`."""

    object_type = Keyword()
    object_id = Long()
    title = Text(index=False)  # as written: shown and quoted
    body = Text(index=False)
    title_norm = Text(analyzer="whitespace", index_prefixes=INDEXED_PREFIXES)
    body_norm = Text(analyzer="whitespace", index_prefixes=INDEXED_PREFIXES)
    institution = Keyword()
    kind = Keyword()
    language = Keyword()
    process_type = Keyword()
    date = Date(format="yyyy-MM-dd")
    year = Integer()
    acl = Integer()  # ids of the groups that may see it

    class Index:
        name = ALIAS
        settings = SETTINGS


def index_for(alias: str) -> Index:
    index = Index(alias)
    index.settings(**SETTINGS)
    index.document(SearchDocument)
    return index


def template_body(alias: str) -> dict[str, Any]:
    """The composable index template every concrete index of `alias` is created from."""
    template = index_for(alias).as_composable_template(f"{alias}-template", f"{alias}-*")
    return dict(template.to_dict())


def source_of(entry: IndexEntry) -> dict[str, Any]:
    return {
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "title": entry.title,
        "body": entry.body,
        "title_norm": entry.title_norm,
        "body_norm": entry.body_norm,
        "institution": entry.institution,
        "kind": entry.kind,
        "language": entry.language,
        "process_type": entry.process_type,
        "date": entry.date.isoformat(),
        "year": entry.date.year,
        "acl": list(entry.acl),
    }


def index_actions(entries: Iterable[IndexEntry], indices: list[str]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        source = source_of(entry)
        for index in indices:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": f"{entry.object_type}:{entry.object_id}",
                "_source": source,
            }


def delete_actions(
    object_type: str, ids: list[int], indices: list[str]
) -> Iterator[dict[str, Any]]:
    for object_id in ids:
        for index in indices:
            yield {"_op_type": "delete", "_index": index, "_id": f"{object_type}:{object_id}"}


def _term_query(field: str, term: Term, boost: float) -> dict[str, Any]:
    if term.prefix:
        return {"prefix": {field: {"value": term.text, "boost": boost}}}
    return {"term": {field: {"value": term.text, "boost": boost}}}


# A prefix longer than the indexed ones is expanded, in a phrase, to the words it starts; past
# the clause limit every cluster allows (1,024 at least) only the first 1,000 are kept rather
# than the search refused (six given letters rarely start that many words).
SPAN_PREFIX_REWRITE = "top_terms_1000"


def _span(field: str, term: Term) -> dict[str, Any]:
    if term.prefix:
        prefix = {"value": term.text, "rewrite": SPAN_PREFIX_REWRITE}
        return {"span_multi": {"match": {"prefix": {field: prefix}}}}
    return {"span_term": {field: term.text}}


# A near miss: a word of four letters or more (as on the database) may also match the words
# within two edits of it (one for five letters or fewer), the first letter kept.
NEAR_MISS_MIN = 4


def _near_miss_query(field: str, term: Term, boost: float) -> dict[str, Any]:
    fuzzy = {"value": term.word, "fuzziness": "AUTO", "prefix_length": 1, "boost": boost}
    return {"fuzzy": {field: fuzzy}}


def clause_query(clause: tuple[Term, ...], *, near_misses: bool = False) -> dict[str, Any]:
    """One clause on either text field (the title weighs more); with `near_misses`, a single
    word matches its near misses too."""
    fields = (("title_norm", TITLE_BOOST), ("body_norm", 1.0))
    if len(clause) == 1:
        should = [_term_query(field, clause[0], boost) for field, boost in fields]
        if near_misses and NEAR_MISS_MIN <= len(clause[0].word) <= MAX_WORD:
            should += [_near_miss_query(field, clause[0], boost) for field, boost in fields]
    else:
        should = [
            {
                "span_near": {
                    "clauses": [_span(field, term) for term in clause],
                    "slop": 0,
                    "in_order": True,
                    "boost": boost,
                }
            }
            for field, boost in fields
        ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def query_body(request: SearchRequest, *, near_misses: bool = False) -> dict[str, Any]:
    """The request body of `_search` for one search request."""
    f = request.filters
    filters: list[dict[str, Any]] = []
    if request.groups is not None:
        filters.append({"terms": {"acl": list(request.groups)}})
    for field in ("institution", "kind", "language", "object_type", "process_type"):
        value = getattr(f, field)
        if value:
            filters.append({"term": {field: value}})
    if f.date_from or f.date_to:
        bounds: dict[str, str] = {}
        if f.date_from:
            bounds["gte"] = f.date_from.isoformat()
        if f.date_to:
            bounds["lte"] = f.date_to.isoformat()
        filters.append({"range": {"date": bounds}})
    must = [clause_query(clause, near_misses=near_misses) for clause in request.query.clauses] or [
        {"match_all": {}}
    ]
    sort: list[Any] = (
        ["_score", {"date": "desc"}, {"object_id": "desc"}]
        if request.query and not request.newest_first
        else [{"date": "desc"}, {"object_id": "desc"}]
    )
    return {
        "query": {"bool": {"must": must, "filter": filters}},
        "aggs": {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACETS},
        "sort": sort,
        "from": request.offset,
        "size": request.limit,
        "track_total_hits": True,
        "_source": {"excludes": ["title_norm", "body_norm", *([] if request.bodies else ["body"])]},
    }


def page_of(response: dict[str, Any]) -> SearchPage:
    """A SearchPage from a `_search` response body."""
    hits = []
    for hit in response["hits"]["hits"]:
        source = hit["_source"]
        hits.append(
            Hit(
                object_type=source["object_type"],
                object_id=int(source["object_id"]),
                title=source["title"],
                body=source.get("body", ""),
                institution=source["institution"],
                kind=source.get("kind", ""),
                language=source.get("language", ""),
                date=date.fromisoformat(source["date"]),
                score=float(hit.get("_score") or 0.0),
            )
        )
    facets = empty_facets()
    for name in FACETS:
        for bucket in response.get("aggregations", {}).get(name, {}).get("buckets", []):
            if bucket["key"] not in ("", None):
                facets[name][str(bucket["key"])] = int(bucket["doc_count"])
    return SearchPage(int(response["hits"]["total"]["value"]), hits, facets)


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, client: Any = None) -> None:
        self.client = client if client is not None else Elasticsearch(url, request_timeout=10)
        self.prefix = ALIAS
        self.refresh: bool | str = False  # tests ask for "wait_for"

    @property
    def alias(self) -> str:
        return self.prefix

    def _call(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a client call; an unreachable or failing cluster is BackendUnavailable."""
        from .base import BackendUnavailable

        try:
            return action(*args, **kwargs)
        except (TransportError, ApiError, helpers.BulkIndexError) as error:
            raise BackendUnavailable(str(error)) from error

    def ping(self) -> None:
        # The cluster's health, not `GET /` (the client's ping and info): a cluster may serve
        # no root endpoint (Elastic's test distribution does not), and health creates nothing.
        self._call(self.client.cluster.health, timeout="2s")

    def _ensure_alias(self) -> None:
        if not self._call(self.client.indices.exists_alias, name=self.alias):
            self.rebuild_finish(self.rebuild_start(None), started_at=None)

    def _write_indices(self, target: str | None) -> list[str]:
        if target is not None:
            return [target]
        from ..models import RebuildCheckpoint

        running = RebuildCheckpoint.objects.filter(backend=self.name).values_list(
            "target", flat=True
        )
        return [self.alias, *[name for name in running if name]]

    def index(self, entries: list[IndexEntry], *, target: str | None = None) -> None:
        if not entries:
            return
        if target is None:
            self._ensure_alias()
        self._call(
            helpers.bulk,
            self.client,
            index_actions(entries, self._write_indices(target)),
            refresh=self.refresh,
        )

    def delete(self, object_type: str, ids: list[int]) -> None:
        if not ids:
            return
        self._ensure_alias()
        self._call(
            helpers.bulk,
            self.client,
            delete_actions(object_type, ids, self._write_indices(None)),
            ignore_status=(404,),
            refresh=self.refresh,
        )

    def search(self, request: SearchRequest) -> SearchPage:
        if request.groups is not None and not request.groups:
            return SearchPage(0, [], empty_facets())
        self._ensure_alias()
        page = self._search(query_body(request))
        if page.count == 0 and request.query:
            # Near misses are looked for inside the same visibility filter, so what others'
            # documents contain never decides whether or how a word is corrected.
            page = self._search(query_body(request, near_misses=True))
        return page

    def _search(self, body: dict[str, Any]) -> SearchPage:
        return page_of(dict(self._call(self.client.search, index=self.alias, body=body)))

    def rebuild_start(self, target: str | None) -> str:
        if target:
            return target
        body = template_body(self.alias)
        self._call(
            self.client.indices.put_index_template,
            name=f"{self.alias}-template",
            index_patterns=body["index_patterns"],
            template=body["template"],
            priority=body.get("priority", 100),
        )
        name = f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        self._call(self.client.indices.create, index=name)
        return name

    def rebuild_finish(self, target: str, started_at: datetime | None) -> None:
        """Move the alias to `target` in one step, then drop the indices it left."""
        current: list[str] = []
        if self._call(self.client.indices.exists_alias, name=self.alias):
            current = list(self._call(self.client.indices.get_alias, name=self.alias))
        actions: list[dict[str, Any]] = [
            {"remove": {"index": old, "alias": self.alias}} for old in current if old != target
        ]
        actions.append({"add": {"index": target, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for old in current:
            if old != target:
                self._call(self.client.indices.delete, index=old)

    def drop(self) -> None:
        """Delete the alias's indices and template (tests). Each index is named: a cluster
        refuses to delete by wildcard (`action.destructive_requires_name`, on by default)."""
        names = list(self._call(self.client.indices.get, index=f"{self.alias}-*"))
        if names:
            self._call(self.client.indices.delete, index=",".join(names))
        self._call(self.client.indices.delete_index_template, name=f"{self.alias}-template")
