"""Searching as a given person: their visibility becomes part of the backend's query."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import IntegerField, QuerySet, Value
from django.utils import timezone

from config.prepared import Prepared
from roles.models import User
from roles.selectors import AUDITOR_ROLE, memberships_active, principals_for

from .analysis import ParsedQuery, parse_query
from .backends import Filters, SearchPage, SearchRequest, get_backend
from .backends.base import empty_facets
from .snippets import snippet

AUDITOR_ROW = -1  # not a group id: the row that says the user is an auditor


def _visibility(user_id: int, day: date, moment: datetime) -> QuerySet[Any]:
    """Whether the user holds the auditor role (a row with group -1), their groups and their
    active principals' groups, as one UNION: the rules of `user_is_auditor` and
    `principals_for`, as parts of one statement."""
    user = User(pk=user_id)
    auditor = (
        memberships_active(user=user, on=day)
        .filter(role__code=AUDITOR_ROLE)
        .order_by()
        .values_list(Value(AUDITOR_ROW, output_field=IntegerField()))
    )
    through = User.groups.through.objects.order_by()
    principals = principals_for(deputy=user, at=moment).order_by().values("pk")
    return auditor.union(
        through.filter(user_id=user_id).values_list("group_id"),
        through.filter(user_id__in=principals).values_list("group_id"),
        all=True,
    )


# Asked on every search; compiling its UNION took more CPU than the database needs to answer.
_VISIBILITY = Prepared(_visibility)


def visible_groups(*, user: Any) -> list[int] | None:
    """The groups whose objects the user sees: their own and, under a delegation, their
    principals' (the same rule as `documents_visible` and `processes_visible`, which grant
    the view permission to groups only). None: everything (auditors, superusers). One
    statement (`_visibility`)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    now = timezone.now()
    rows = {
        row[0] for row in _VISIBILITY.rows(user_id=user.pk, day=timezone.localdate(now), moment=now)
    }
    if AUDITOR_ROW in rows:
        return None
    if not user.is_active:
        return []
    return sorted(rows)


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
    *,
    user: Any,
    q: str,
    filters: Filters,
    offset: int = 0,
    limit: int = 20,
    snippets: bool = True,
    newest_first: bool = False,
) -> tuple[int, list[Result], dict[str, dict[str, int]]]:
    """(count, the page's results with snippets — empty without `snippets` —, facets) of
    what the user may see. Raises search.analysis.QueryError for a query that cannot be
    searched."""
    query: ParsedQuery = parse_query(q)
    if not query and q.strip():
        # Only operators or symbols (`AND`, `***`, `%_%`): something was asked for, and no
        # record holds it; browsing everything instead would answer another question.
        return 0, [], empty_facets()
    page: SearchPage = get_backend().search(
        SearchRequest(
            query=query,
            filters=filters,
            groups=visible_groups(user=user),
            offset=offset,
            limit=limit,
            bodies=snippets,
            newest_first=newest_first,
        )
    )
    results = [
        Result(
            object_type=hit.object_type,
            id=hit.object_id,
            title=hit.title,
            snippet=snippet(hit.body, query) if snippets else "",
            institution=hit.institution,
            kind=hit.kind,
            language=hit.language,
            date=hit.date,
            score=round(hit.score, 6),
        )
        for hit in page.hits
    ]
    return page.count, results, page.facets


def outbox_backlog() -> dict[str, Any]:
    """What waits in the search outbox for the index (the operators' page): how many objects,
    since when, and the most attempts any of them has had."""
    from django.db.models import Count, Max, Min

    from .models import SearchOutbox

    return SearchOutbox.objects.aggregate(
        count=Count("pk"), oldest=Min("created_at"), attempts=Max("attempts")
    )
