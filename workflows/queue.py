"""The work queue (`/work/`) and what home shows of it: the open tasks of a view (what the
official may act on, their own, their team's, what they claimed), filtered by type,
institution, state and lateness, sorted by the clock that runs on each step (its own, or else
its process's), the official's last choice saved for the next visit.

An HTTP module like `views.py`: it reads the deadlines' selectors for the clocks. It sorts,
filters and counts by each open step's stored due time (`deadlines.selectors.tasks_with_due`),
not by judging every clock of every row — with 10,000 open steps that made the database
compute and sort them all on each page. A page is a count and one sliced query of task ids,
then only the page's rows are loaded with what they show.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from viewflow.workflow import STATUS
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task

from config.text import name_in_language
from deadlines.selectors import due_overdue, due_times, tasks_with_clock, tasks_with_due
from documents.access import documents_visible
from documents.forms import PREVIEWABLE
from documents.models import Document
from documents.selectors import with_current_version
from roles.models import Institution, Role

from .flows import FLOWS
from .models import CoordinationProcess, QueuePreference
from .selectors import (
    INBOX_HALVES_VIEWS,
    RETURN_ACTIONS,
    access_task_by_id,
    queue_task_ids,
    queue_tasks,
    tasks_shown,
    tasks_with_context,
)
from .starting import startable

PAGE_SIZE = 25
# What home lists of the queue: the most urgent few.
HOME_SIZE = 5
FIELDS = ("view", "type", "institution", "state", "overdue", "sort")

VIEW_LABELS = {
    "all": _("All I may act on"),
    "mine": _("Mine"),
    "team": _("My team"),
    "claimed": _("Claimed by me"),
}
SORTS = {
    "due": _("Due date, soonest first"),
    "-due": _("Due date, latest first"),
    "created": _("Oldest first"),
    "-created": _("Newest first"),
}


def _type_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("All types")),
        *((name, getattr(flow, "process_title", name)) for name, flow in FLOWS.items()),
    ]


def _institution_choices() -> list[tuple[str, str]]:
    # The names as values, not 1,000 model rows (the bench's institutions), each named in the
    # active language by the rule of `Institution.name_in`.
    language = get_language()
    names = Institution.objects.order_by("code").values_list(
        "code", "name_sq", "name_sr", "name_en"
    )
    return [
        ("", str(_("All institutions"))),
        *(
            (code, name_in_language(sq=sq, sr=sr, en=en, language=language))
            for code, sq, sr, en in names
        ),
    ]


class _ManyOptions(forms.Select):
    """A select written in one pass: Django's own renders each option through two template
    includes, which for the bench's 1,000 institutions took about 150 ms — longer than the
    whole queue's SQL. The same markup (keys and labels escaped), without those templates."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        chosen = {str(item) for item in self.format_value(value)}
        options = "".join(
            f'\n  <option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(label)}</option>"
            for key, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{options}\n</select>')  # noqa: S308  (escaped above)


class QueueFilter(forms.Form):
    view = forms.ChoiceField(
        label=_("View"), required=False, choices=list(VIEW_LABELS.items()), initial="all"
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_type_choices)
    institution = forms.ChoiceField(label=_("Institution"), required=False, widget=_ManyOptions)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), ("open", _("open")), ("claimed", _("claimed"))],
    )
    overdue = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Overdue only")), ("no", _("Not overdue"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort"), required=False, choices=list(SORTS.items()), initial="due"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read once per form: callable choices are read again on each use (validating, then
        # rendering), each time one query and 1,000 names.
        institution = self.fields["institution"]
        assert isinstance(institution, forms.ChoiceField)
        institution.choices = _institution_choices()


@dataclass(frozen=True)
class QueueRow:
    """What the queue shows of a task."""

    task: Task
    process: CoordinationProcess
    type: Any
    lane: str
    role: str
    holder: str  # who holds the step: the official who claimed it, or its lane
    status: Any
    due_at: datetime | None
    overdue: bool
    days_late: int
    days_left: int | None


def _rows(tasks: list[Task], now: datetime) -> list[QueueRow]:
    codes_institution = {t.data.get("institution", "") for t in tasks}
    codes_role = {t.data.get("role", "") for t in tasks}
    institutions = {i.code: str(i) for i in Institution.objects.filter(code__in=codes_institution)}
    roles = {r.code: str(r) for r in Role.objects.filter(code__in=codes_role)}
    today = timezone.localdate(now)
    rows = []
    for task in tasks:
        due_at = getattr(task, "clock_due_at", None)
        overdue = bool(getattr(task, "clock_overdue", False))
        lane = institutions.get(task.data.get("institution", ""), "")
        role = roles.get(task.data.get("role", ""), task.data.get("role", ""))
        owner = task.owner
        holder = (
            (owner.get_full_name() or owner.get_username())
            if owner is not None
            else (f"{role} — {lane}" if lane else role)
        )
        days = (timezone.localdate(due_at) - today).days if due_at else None
        rows.append(
            QueueRow(
                task=task,
                process=task.process.coordinationprocess,  # type: ignore[attr-defined]
                type=getattr(task.process.flow_class, "process_title", ""),
                lane=lane,
                role=role,
                holder=holder,
                status=_("claimed") if task.status == STATUS.ASSIGNED else _("open"),
                due_at=due_at,
                overdue=overdue,
                days_late=max(1, -days) if overdue and days is not None else 0,
                days_left=days if days is not None and not overdue else None,
            )
        )
    return rows


def _task_ids(user: Any, choice: dict[str, str]) -> tuple[list[QuerySet[Any]], bool]:
    """The ids of the view's tasks, narrowed by type, institution and state: the inbox's own
    keys when nothing needs the task table (`queue_task_ids`), else the tasks filtered; and
    whether they are the inbox's halves, which never share a step (an inbox entry's step is
    unclaimed) and hold each id once."""
    process_type = choice.get("type") or ""
    view = choice.get("view") or "all"
    if not (process_type in FLOWS or choice.get("institution") or choice.get("state")):
        return queue_task_ids(user=user, view=view), view in INBOX_HALVES_VIEWS
    tasks = queue_tasks(
        user=user,
        view=view,
        flow_class=get_flow_ref(FLOWS[process_type]) if process_type in FLOWS else None,
    )
    if choice.get("institution"):
        tasks = tasks.filter(process__coordinationprocess__institution__code=choice["institution"])
    if choice.get("state") == "open":
        tasks = tasks.filter(status=STATUS.NEW)
    elif choice.get("state") == "claimed":
        tasks = tasks.filter(status=STATUS.ASSIGNED)
    return [tasks.values("pk")], False


@dataclass(frozen=True)
class Steps:
    """A view's open steps: `due`, their stored due times narrowed and sorted as chosen (its
    key, `pk`, is the task's), and what counts them."""

    due: QuerySet[Any]
    halves: list[QuerySet[Any]] | None  # the inbox's halves, when they alone decide the count

    def count(self) -> int:
        """How many. The inbox's halves are counted each by its own index: every open step has
        its due row (`deadlines.TaskDue`, kept by triggers), so their sum is the due rows'
        count, without matching 10,000 ids against those rows (`make bench`
        work_queue_pages: a third of the queue page's SQL at 1,000,000 tasks)."""
        if self.halves is None:
            return self.due.count()
        return sum(half.count() for half in self.halves)


def queue(user: Any, choice: dict[str, str], now: datetime) -> Steps:
    """The view's open steps as their stored due times (`deadlines.selectors.due_times`),
    narrowed and sorted as chosen: the count and the page's slice read these narrow rows
    only."""
    ids, halves = _task_ids(user, choice)
    due = due_times(ids)
    if choice.get("overdue") == "yes":
        due = due.filter(due_overdue(now))
    elif choice.get("overdue") == "no":
        due = due.exclude(due_overdue(now))
    sort = choice.get("sort") or "due"
    if sort == "due":
        due = due.order_by(F("due_at").asc(nulls_last=True), "created", "task_id")
    elif sort == "-due":
        due = due.order_by(F("due_at").desc(nulls_last=True), "-created", "-task_id")
    elif sort == "-created":
        due = due.order_by("-created", "-task_id")
    else:
        due = due.order_by("created", "task_id")
    return Steps(due=due, halves=ids if halves and not choice.get("overdue") else None)


def _loaded(ids: list[int], now: datetime) -> list[Task]:
    """The tasks of a page of ids, in that order, with what a row shows (one query: the
    joins are made for these rows only, not for every row the page was chosen from)."""
    tasks = tasks_with_due(tasks_with_context(Task.objects.filter(pk__in=ids)), now=now)
    by_id = {task.pk: task for task in tasks}
    return [by_id[pk] for pk in ids if pk in by_id]


def _choice_of(request: HttpRequest) -> tuple[QueueFilter, bool]:
    """The form of the request's choice, or else of the official's saved one; whether it was
    given now (then it is saved, when valid)."""
    given = any(field in request.GET for field in FIELDS)
    user: Any = request.user
    if given:
        return QueueFilter(request.GET), True
    if "reset" in request.GET:
        QueuePreference.objects.filter(user=user).delete()
        return QueueFilter({}), False
    saved = QueuePreference.objects.filter(user=user).values_list("choices", flat=True)
    return QueueFilter(dict(saved.first() or {})), False


def _saved(user: Any, choice: dict[str, str]) -> None:
    kept = {field: value for field, value in choice.items() if value}
    current = QueuePreference.objects.filter(user=user).values_list("choices", flat=True).first()
    if current != kept:
        QueuePreference.objects.update_or_create(user=user, defaults={"choices": kept})


class _StepsPaginator(Paginator):
    """Pages of a view's task ids, counted by `Steps.count`."""

    def __init__(self, steps: Steps) -> None:
        super().__init__(steps.due.values_list("pk", flat=True), PAGE_SIZE)
        self.steps = steps

    @cached_property
    def count(self) -> int:
        return self.steps.count()


def _page(request: HttpRequest, steps: Steps) -> Page:
    try:
        return _StepsPaginator(steps).page(request.GET.get("page") or 1)
    except Exception as error:  # InvalidPage and its kinds
        raise Http404(_("No such page.")) from error


@dataclass(frozen=True)
class Pane:
    """The task shown beside the queue on a wide screen (`?task=N`)."""

    row: QueueRow
    documents: QuerySet[Document]
    returned: str  # why the item came back to this step, when it did


def _pane(request: HttpRequest, now: datetime) -> Pane | None:
    """The chosen task's details, or None; a task the user may not see is a 404 like its own
    page."""
    if "task" not in request.GET:
        return None
    task = access_task_by_id(request.GET["task"], request.user)
    [row] = _rows(list(tasks_with_clock(Task.objects.filter(pk=task.pk), now=now)), now)
    documents = with_current_version(
        documents_visible(user=request.user).filter(processes=row.process)
    ).order_by("pk")
    # The steps the user sees (`tasks_shown`): another lane's reason is not theirs to read.
    back = (
        tasks_shown(
            Task.objects.filter(process_id=task.process_id, finished__lte=task.created),
            user=request.user,
        )
        .exclude(data__action__isnull=True)
        .order_by("-finished", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    returned = ""
    if back and back.get("action") in RETURN_ACTIONS:
        returned = back.get("reason") or back.get("comment") or ""
    return Pane(row=row, documents=documents, returned=returned)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The caller's work queue; with `?task=N`, that task's details beside it."""
    form, given = _choice_of(request)
    if not form.is_valid():
        context = {"filter": form, "views": VIEW_LABELS, "current_view": "all"}
        return render(request, "workflows/inbox.html", context, status=400)
    choice = {field: str(form.cleaned_data.get(field) or "") for field in FIELDS}
    if given:
        _saved(request.user, choice)
    now = timezone.now()
    page = _page(request, queue(request.user, choice, now))
    pane = _pane(request, now)
    query = {field: value for field, value in choice.items() if value}
    if "page" in request.GET:
        query["page"] = request.GET["page"]
    return render(
        request,
        "workflows/inbox.html",
        {
            "filter": form,
            "views": VIEW_LABELS,
            "current_view": choice["view"] or "all",
            "view_links": [
                (key, label, "?" + urlencode({**query, "view": key}))
                for key, label in VIEW_LABELS.items()
            ],
            "page_obj": page,
            "rows": _rows(_loaded(list(page.object_list), now), now),
            "query": urlencode({k: v for k, v in query.items() if k != "page"}),
            # A row's link that shows its task beside the list keeps the list as it is.
            "pane_query": urlencode(query),
            "pane": pane,
            "previewable": PREVIEWABLE,
            "startable": startable(request.user),
        },
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Home: what waits for the official, most urgent first, and their roles."""
    context: dict[str, Any] = {}
    if request.user.is_authenticated:
        now = timezone.now()
        waiting = queue(request.user, {"view": "all", "sort": "due"}, now)
        context = {
            "waiting": _rows(
                _loaded(list(waiting.due.values_list("pk", flat=True)[:HOME_SIZE]), now), now
            ),
            "waiting_count": waiting.count(),
            "overdue_count": waiting.due.filter(due_overdue(now)).count(),
        }
    return render(request, "ui/home.html", context)
