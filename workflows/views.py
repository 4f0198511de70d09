"""The officials' pages in viewflow's Material frontend: the inbox, a task's page (claim, unclaim,
complete with a comment and the task's own fields), the process list, and a process's page with
every step and viewflow's flow chart showing where the item stands.

Reads go through `workflows.selectors` (what the user may not see is a 404, as in the API) and
writes through `workflows.services`, so a click in the browser is permission-checked, locked and
audited exactly like the same call over the API; the user acts as themselves, and the services
decide whether that is in their own right or for a principal who delegated to them.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from viewflow import jsonstore
from viewflow.urls import Application
from viewflow.workflow import PROCESS, STATUS, chart
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Task

from config.errors import Conflict
from config.forms import DATE, PeriodFilter
from deadlines.selectors import deadlines_for_process
from documents.access import documents_visible
from documents.forms import PREVIEWABLE
from documents.selectors import with_current_version
from documents.services import DocumentsRefused
from notifications.views import notification_list, notification_open, notification_read_all
from roles.models import Institution, Role, User
from roles.views import delegation_list, delegation_revoke

from . import history, services
from .files import TaskFiles
from .flows import FLOWS
from .models import PROCESS_STATUS_STORED, CoordinationProcess
from .nodes import HumanTask
from .queue import home, inbox
from .selectors import (
    OPEN,
    RETURN_ACTIONS,
    access_process_by_id,
    access_task_by_id,
    process_tasks,
    processes_visible,
)
from .starting import process_new, startable

# Home shows the queue's top; the URL configuration mounts it from here.
__all__ = ["home"]

PAGE_SIZE = 25

# Button labels of the task actions (API.md names them); an unknown one shows its name.
ACTION_LABELS = {
    "submit": _("Submit"),
    "approve": _("Approve"),
    "return": _("Return"),
    "transmit": _("Transmit"),
    "acknowledge": _("Acknowledge receipt"),
    "lawful": _("Lawful"),
    "reconsider": _("Return for reconsideration"),
    "schedule": _("Put on the agenda"),
    "record_outcome": _("Record the outcome"),
}


def _action_label(flow_class: Any, name: str) -> Any:
    """A task action's label: the flow's own (`action_labels`, for the actions of its own
    steps), else the shared one; an unknown action shows its name."""
    own = getattr(flow_class, "action_labels", None) or {}
    return own.get(name) or ACTION_LABELS.get(name, name)


TASK_STATUS = {
    STATUS.NEW: _("open"),
    STATUS.ASSIGNED: _("claimed"),
    STATUS.STARTED: _("in progress"),
    STATUS.DONE: _("done"),
    STATUS.CANCELED: _("canceled"),
    STATUS.ERROR: _("error"),
}
PROCESS_STATUS_LABEL = {
    PROCESS.NEW: _("active"),
    PROCESS.DONE: _("done"),
    PROCESS.CANCELED: _("canceled"),
}


# Lists


def _type_choices() -> list[tuple[str, Any]]:
    return [("", _("All types")), *((name, _flow_title(flow)) for name, flow in FLOWS.items())]


# The process list's orders (the number is the process's, as its page names it: #12).
PROCESS_SORTS = {
    "-date": (_("Newest first"), ("-created", "-pk")),
    "date": (_("Oldest first"), ("created", "pk")),
    "number": (_("Number"), ("pk",)),
    "-number": (_("Number, descending"), ("-pk",)),
    "title": (_("Title, A to Z"), ("title", "pk")),
    "-title": (_("Title, Z to A"), ("-title", "-pk")),
}


def _institution_choices() -> list[tuple[str, str]]:
    return [
        ("", str(_("All institutions"))),
        *((item.code, str(item)) for item in Institution.objects.order_by("code")),
    ]


class ProcessFilter(PeriodFilter):
    """The list's search, filters and order: all in the address, so a list can be bookmarked."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words of the title, or the process's number."),
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_type_choices)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            *((k, PROCESS_STATUS_LABEL[v]) for k, v in PROCESS_STATUS_STORED.items()),
        ],
    )
    institution = forms.ChoiceField(
        label=_("Institution"), required=False, choices=_institution_choices
    )
    date_from = forms.DateField(label=_("Started from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Started until"), required=False, widget=DATE)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[(key, label) for key, (label, _order) in PROCESS_SORTS.items()],
    )


def processes_filtered(user: Any, choice: dict[str, Any]) -> QuerySet[CoordinationProcess]:
    """What the user may see of the processes, narrowed and ordered as chosen."""
    processes = processes_visible(user=user)
    for word in (choice.get("q") or "").split():
        number = word.lstrip("#")
        matches = Q(title__icontains=word)
        if number.isdigit() and len(number) < 19:
            matches |= Q(pk=int(number))
        processes = processes.filter(matches)
    if choice.get("type"):
        processes = processes.filter(flow_class=get_flow_ref(FLOWS[choice["type"]]))
    if choice.get("status"):
        processes = processes.filter(status=PROCESS_STATUS_STORED[choice["status"]])
    if choice.get("institution"):
        processes = processes.filter(institution__code=choice["institution"])
    if choice.get("date_from"):
        processes = processes.filter(created__date__gte=choice["date_from"])
    if choice.get("date_to"):
        processes = processes.filter(created__date__lte=choice["date_to"])
    return processes.order_by(*PROCESS_SORTS[choice.get("sort") or "-date"][1])


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Page:
    """The requested page; a page that is not a number or past the end does not exist."""
    try:
        return Paginator(queryset, PAGE_SIZE).page(request.GET.get("page") or 1)
    except Exception as error:  # InvalidPage and its kinds
        raise Http404(_("No such page.")) from error


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _names(codes: set[str], model: type[Institution] | type[Role]) -> dict[str, str]:
    """Institution or role names by code, in the current language (one query)."""
    return {item.code: str(item) for item in model.objects.filter(code__in=codes)}


def _flow_title(flow_class: Any) -> Any:
    return flow_class.process_title if flow_class is not None else ""


@require_GET
def process_list(request: HttpRequest) -> HttpResponse:
    choice = ProcessFilter(request.GET)
    filtered = bool(request.GET.keys() - {"page"})
    if not choice.is_valid():
        context = {"filter": choice, "filtered": filtered, "startable": startable(request.user)}
        return render(request, "workflows/process_list.html", context, status=400)
    page = _page(request, processes_filtered(request.user, choice.cleaned_data))
    return render(
        request,
        "workflows/process_list.html",
        {
            "filter": choice,
            "filtered": filtered,
            "page_obj": page,
            "rows": [
                {
                    "process": process,
                    "type": _flow_title(process.flow_class),
                    "status": PROCESS_STATUS_LABEL.get(process.status, process.status),
                }
                for process in page.object_list
            ],
            "query": _query_without_page(request),
            "startable": startable(request.user),
        },
    )


# A process and its history


def _steps(process: CoordinationProcess, user: Any) -> list[dict[str, Any]]:
    """Every step so far that the user sees (`tasks_shown`): who did it, when, on whose
    behalf, with which action and comment."""
    tasks = list(process_tasks(process=process, user=user))
    usernames = {
        name
        for task in tasks
        for name in (task.data.get("completed_by"), task.data.get("on_behalf_of"))
        if name
    }
    people = {user.username: user for user in User.objects.filter(username__in=usernames)}
    institutions = _names({t.data.get("institution", "") for t in tasks}, Institution)
    roles = _names({t.data.get("role", "") for t in tasks}, Role)

    def person(username: str | None) -> Any:
        return people.get(username or "") or username

    steps = []
    for task in tasks:
        action = task.data.get("action")
        steps.append(
            {
                "task": task,
                "open": task.status in OPEN,
                "status": TASK_STATUS.get(task.status, task.status),
                # The start is done by whoever registered the item (its owner).
                "by": person(task.data.get("completed_by")) or task.owner,
                "on_behalf_of": person(task.data.get("on_behalf_of")),
                "action": _action_label(process.flow_class, action) if action else "",
                "outcome": history.outcome_label(task.data.get("outcome")),
                "comment": task.data.get("comment", ""),
                # Why it was sent back, when the flow took it from a field, not the comment.
                "reason": task.data.get("reason", ""),
                "when": task.finished or task.created,
                "lane": institutions.get(task.data.get("institution", ""), ""),
                "role": roles.get(task.data.get("role", ""), ""),
            }
        )
    return steps


def _display(field: Any, value: Any, labels: dict[str, Any] | None = None) -> Any:
    """A value for people: choices by their names, a dict one labelled part a line."""
    if value in (None, ""):
        return "—"
    if field.flatchoices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    # Dates as everywhere else on the pages (ISO), whatever the language's own format.
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        names = labels or {}
        return "\n".join(
            f"{names.get(key, key)}: {_display(field, item)}" for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return value


def _details(process: CoordinationProcess) -> list[tuple[Any, Any]]:
    """The flow's own fields (typed `jsonstore` fields on its proxy model), labelled."""
    if process.flow_class is None:
        return []
    typed = process.flow_class.process_class(pk=process.pk, data=process.data)
    labels = getattr(process.flow_class, "data_labels", None)
    # A code of the flow's data by its name (a role, a complaint's topic), as the flow says.
    shown = getattr(getattr(process.flow_class, "instance", None), "data_shown", None)

    def value(name: str) -> Any:
        stored = getattr(typed, name)
        return shown(process, name, stored) if shown is not None else stored

    return [
        (field.verbose_name, _display(field, value(field.name), labels))
        for field in typed._meta.get_fields()
        if isinstance(field, jsonstore.JSONFieldMixin)
        and field.name not in getattr(process.flow_class, "data_shown_apart", ())
    ]


def _documents(process: CoordinationProcess, user: Any) -> QuerySet[Any]:
    """The process's documents the user may open (others are not even named), each with its
    latest version's type for the preview."""
    return with_current_version(documents_visible(user=user).filter(processes=process)).order_by(
        "pk"
    )


def _record(process: CoordinationProcess, user: Any) -> dict[str, Any]:
    """What the page shows beside the steps (`history`): the withdrawal, the clocks the user
    sees and their warnings, a decision's rounds."""
    deadlines = deadlines_for_process(process, user=user)
    return {
        "cancellation": history.cancellation(process),
        "clocks": history.clocks(deadlines),
        "warnings": history.warnings(deadlines),
        "rounds": history.rounds(process, deadlines),
    }


@require_GET
def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = access_process_by_id(pk, request.user)
    context = {
        "process": process,
        "type": _flow_title(process.flow_class),
        "status": PROCESS_STATUS_LABEL.get(process.status, process.status),
        "details": _details(process),
        "documents": _documents(process, request.user),
        "previewable": PREVIEWABLE,
        "steps": _steps(process, request.user),
        **_record(process, request.user),
    }
    # A flow whose process many institutions share shows each its own part only
    # (`process_page_shown(process, context, *, user)`, as the API's `process_body_shown`).
    shown = getattr(getattr(process.flow_class, "instance", None), "process_page_shown", None)
    if shown is not None:
        context = shown(process, context, user=request.user)
    return render(request, "workflows/process_detail.html", context)


@require_GET
def process_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """viewflow's SVG chart of the flow, each node coloured by the state of its tasks here."""
    process = access_process_by_id(pk, request.user)
    flow_class = process.flow_class
    if flow_class is None:
        raise Http404
    grid = chart.calc_layout_data(flow_class)
    # viewflow writes its gateways' branches as "yes" and "no" in English.
    for edge in grid.edges:
        if edge.label in ("yes", "no"):
            edge.label = _("yes") if edge.label == "yes" else _("no")
    chart.calc_cell_status(flow_class, grid, process.pk)
    response = HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


# A task


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _jsonable(value: Any) -> Any:
    """What an API client would send for the value: the UI completes tasks with the same
    `data` as the API, so the flows see one kind of input."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return value.replace("\r\n", "\n")  # browsers send CRLF; stored texts use LF
    return value


def _data_form(node: Any, process: CoordinationProcess, post: Any = None) -> forms.Form | None:
    """The task's own form (`HumanTask.Form`), filled with the process's current values."""
    form_class = getattr(node, "form_class", None)
    if form_class is None:
        return None
    current = {**process.data, "title": process.title}
    initial_for = getattr(form_class, "initial_for", None)
    if initial_for is not None:
        current |= initial_for(process)
    form: forms.Form = form_class(post, prefix="data")
    form.initial = {name: current[name] for name in form.fields if name in current}
    # A consequential choice (a meeting's outcome) starts empty: the official picks it.
    for name, field in form.fields.items():
        if isinstance(field, forms.ChoiceField) and not form.initial.get(name):
            choices: Any = field.choices
            field.choices = [("", "—"), *(choice for choice in choices if choice[0] != "")]
    return form


def _changed(form: forms.Form) -> dict[str, Any]:
    """The fields the official changed: only those go to the flow, as an API client would send."""
    data = {}
    for name, value in form.cleaned_data.items():
        new, old = _jsonable(value), _jsonable(form.initial.get(name))
        if new in ("", None) and old in ("", None):
            continue
        if new != old:
            data[name] = new
    return data


def _errors_shown(error: ValidationError, comment: CommentForm, data: forms.Form | None) -> None:
    """The services' ValidationError on the page: each message on its field where there is one."""
    if not hasattr(error, "error_dict"):
        comment.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        if field == "comment":
            comment.add_error("comment", errors)
        elif data is not None and field in data.fields:
            data.add_error(field, errors)
        else:
            comment.add_error(None, [f"{field}: {message}" for message in errors])


def _refusal(user: Any, task: Task) -> Exception | None:
    """Why the user cannot act on the task now (as the services would refuse), or None."""
    return services.task_refusal(user=user, task=task)


def _conflict_redirect(request: HttpRequest, conflict: Conflict) -> HttpResponseRedirect:
    messages.warning(request, str(conflict))
    return HttpResponseRedirect(reverse("work:inbox"))


@require_http_methods(["GET", "POST"])
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = access_task_by_id(pk, request.user)
    process = access_process_by_id(task.process_id, request.user)
    node = task.flow_task
    refusal = _refusal(request.user, task)
    post = request.POST if request.method == "POST" else None
    comment_form, data_form = CommentForm(post), _data_form(node, process, post)
    files = TaskFiles(
        node=node,
        process=process,
        user=request.user,
        task=task,
        post=post,
        files=request.FILES or None,
    )
    status = 200
    if request.method == "POST":
        if isinstance(refusal, Conflict):
            return _conflict_redirect(request, refusal)
        if refusal is not None:
            raise refusal
        action = request.POST.get("action", "")
        valid = comment_form.is_valid() & (data_form is None or data_form.is_valid())
        attached = files.applied(actor=request.user) if (valid & files.is_valid()) else None
        if attached is not None:
            documents, done = attached
            for line in done:
                messages.info(request, line)
            try:
                services.task_complete(
                    actor=cast(User, request.user),
                    task_id=task.pk,
                    action=action,
                    comment=_jsonable(comment_form.cleaned_data["comment"]),
                    data={**(_changed(data_form) if data_form is not None else {}), **documents},
                )
            except ValidationError as error:
                # What the flow said of the documents goes on the picker, the rest here.
                rest = files.refused(request.POST, error)
                if rest is not None:
                    _errors_shown(rest, comment_form, data_form)
            except DocumentsRefused as refused:  # another institution's document, unconsented
                comment_form.add_error(None, str(refused))
                files.refused(request.POST)
            except Conflict as conflict:
                return _conflict_redirect(request, conflict)
            else:
                messages.success(
                    request,
                    _("Done: %(task)s — %(process)s")
                    % {"task": task.title, "process": process.title},
                )
                return HttpResponseRedirect(reverse("work:inbox"))
        status = 422  # the form comes back with its errors (Turbo renders a 4xx answer)
    claimed_by_other = isinstance(refusal, Conflict) and task.status == STATUS.ASSIGNED
    actions = [
        {
            "name": name,
            "label": _action_label(process.flow_class, name),
            "primary": name not in RETURN_ACTIONS,
        }
        for name in (node.actions if isinstance(node, HumanTask) else ())
    ]
    steps = [step for step in _steps(process, request.user) if step["task"].pk != task.pk]
    # Why the item came back, where the official will act on it (the steps list it too, below).
    returns = [
        step
        for step in steps
        if step["task"].data.get("action") in RETURN_ACTIONS and step["when"] <= task.created
    ]
    return render(
        request,
        "workflows/task_detail.html",
        {
            "task": task,
            "returned": returns[-1] if returns and task.status in OPEN else None,
            "process": process,
            "type": _flow_title(process.flow_class),
            "task_status": TASK_STATUS.get(task.status, task.status),
            "may_act": refusal is None,
            "refusal_reason": str(refusal) if isinstance(refusal, PermissionDenied) else "",
            "claimed_by_other": claimed_by_other,
            "comment_form": comment_form,
            "data_form": data_form,
            "files": files,
            "actions": actions,
            "details": _details(process),
            "documents": _documents(process, request.user),
            "previewable": PREVIEWABLE,
            "steps": steps,
            "warnings": history.warnings(deadlines_for_process(process, user=request.user)),
            "cancellation": history.cancellation(process),
        },
        status=status,
    )


def _claim_or_unclaim(request: HttpRequest, pk: int, service: Any, done: Any) -> HttpResponse:
    task = access_task_by_id(pk, request.user)
    try:
        service(actor=cast(User, request.user), task_id=task.pk)
    except Conflict as conflict:
        return _conflict_redirect(request, conflict)
    messages.success(request, done)
    return HttpResponseRedirect(reverse("work:task", args=[task.pk]))


@require_POST
def task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _claim_or_unclaim(request, pk, services.task_claim, _("The task is yours now."))


@require_POST
def task_unclaim(request: HttpRequest, pk: int) -> HttpResponse:
    return _claim_or_unclaim(
        request, pk, services.task_unclaim, _("The task is open to your colleagues again.")
    )


class WorkApplication(Application):
    app_name = "work"
    title = _("Tasks")
    icon = "assignment"
    menu_template_name = "workflows/menu.html"

    urlpatterns = [
        path("", inbox, name="inbox"),
        path("tasks/<int:pk>/", task_detail, name="task"),
        path("tasks/<int:pk>/claim/", task_claim, name="task-claim"),
        path("tasks/<int:pk>/unclaim/", task_unclaim, name="task-unclaim"),
        path("processes/", process_list, name="processes"),
        path("processes/new/<slug:slug>/", process_new, name="process-new"),
        path("processes/<int:pk>/", process_detail, name="process"),
        path("processes/<int:pk>/chart.svg", process_chart, name="process-chart"),
        path("notifications/", notification_list, name="notifications"),
        path("notifications/<int:pk>/open/", notification_open, name="notification-open"),
        path("notifications/read-all/", notification_read_all, name="notifications-read-all"),
        path("delegations/", delegation_list, name="delegations"),
        path("delegations/<int:pk>/revoke/", delegation_revoke, name="delegation-revoke"),
    ]
