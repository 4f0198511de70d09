"""The one search interface both backends implement, and what passes through it."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..analysis import ParsedQuery
from ..content import IndexEntry


class BackendUnavailable(Exception):
    """The search backend cannot be reached; the outbox keeps the work until it can."""


@dataclass(frozen=True)
class Filters:
    institution: str = ""
    kind: str = ""
    language: str = ""
    object_type: str = ""
    process_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    filters: Filters
    # Ids of the groups whose objects the caller may see; None: everything (auditors).
    groups: list[int] | None
    offset: int = 0
    limit: int = 20
    # Whether the hits carry their text (for snippets). An export needs none, and a page of
    # thousands of long texts would be held in memory for nothing.
    bodies: bool = True
    # The newest first even when there are words (the page's "sort by date"); otherwise the
    # best matches first.
    newest_first: bool = False


@dataclass
class Hit:
    object_type: str
    object_id: int
    title: str
    body: str
    institution: str
    kind: str
    language: str
    date: date
    score: float


@dataclass
class SearchPage:
    count: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


FACETS = ("institution", "kind", "language", "year")


def empty_facets() -> dict[str, dict[str, int]]:
    return {name: {} for name in FACETS}


class SearchBackend:
    name = ""

    def index(self, entries: list[IndexEntry], *, target: str | None = None) -> None:
        """Add or replace these entries (in `target`, a rebuild's new index, if given)."""
        raise NotImplementedError

    def delete(self, object_type: str, ids: list[int]) -> None:
        raise NotImplementedError

    def search(self, request: SearchRequest) -> SearchPage:
        raise NotImplementedError

    # A rebuild: `rebuild_start` gives the target to fill (resumed when `target` is given),
    # `rebuild_finish` makes it the live index and drops what the rebuild did not write.
    def rebuild_start(self, target: str | None) -> str:
        raise NotImplementedError

    def rebuild_finish(self, target: str, started_at: datetime) -> None:
        raise NotImplementedError

    def ping(self) -> None:
        """Raise BackendUnavailable unless the backend answers now. The database backend
        answers whenever the database does, which is checked on its own."""

    def describe(self) -> dict[str, Any]:
        return {"backend": self.name}
