"""Searching as a given person: their visibility becomes part of the backend's query."""

from dataclasses import dataclass
from typing import Any

from roles.models import User
from roles.selectors import principals_for, user_is_auditor

from .analysis import ParsedQuery, parse_query
from .backends import Filters, SearchPage, SearchRequest, get_backend
from .snippets import snippet


def visible_groups(*, user: Any) -> list[int] | None:
    """The groups whose objects the user sees: their own and, under a delegation, their
    principals' (the same rule as `documents_visible` and `processes_visible`, which grant
    the view permission to groups only). None: everything (auditors, superusers)."""
    if user_is_auditor(user=user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    people = [user.pk, *principals_for(deputy=user).values_list("pk", flat=True)]
    memberships = User.groups.through.objects.filter(user_id__in=people)
    return sorted(set(memberships.values_list("group_id", flat=True)))


@dataclass
class Result:
    object_type: str
    id: int
    title: str
    snippet: str
    institution: str
    kind: str
    language: str
    date: Any
    score: float


def search(
    *, user: Any, q: str, filters: Filters, offset: int = 0, limit: int = 20
) -> tuple[int, list[Result], dict[str, dict[str, int]]]:
    """(count, the page's results with snippets, facets) of what the user may see.
    Raises search.analysis.QueryError for a query that cannot be searched."""
    query: ParsedQuery = parse_query(q)
    page: SearchPage = get_backend().search(
        SearchRequest(
            query=query,
            filters=filters,
            groups=visible_groups(user=user),
            offset=offset,
            limit=limit,
        )
    )
    results = [
        Result(
            object_type=hit.object_type,
            id=hit.object_id,
            title=hit.title,
            snippet=snippet(hit.body, query),
            institution=hit.institution,
            kind=hit.kind,
            language=hit.language,
            date=hit.date,
            score=round(hit.score, 6),
        )
        for hit in page.hits
    ]
    return page.count, results, page.facets
