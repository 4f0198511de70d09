"""The officials' pages (menu "Consultations"): the consultations they may see, with the Office
for Good Governance's overview of every institution and the on-time rate of their clocks, and a
consultation's comments, where its officer answers them while the comments are being answered.
What the official may not see is a 404."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application
from viewflow.workflow.fields import get_flow_ref

from workflows.flows import FLOWS
from workflows.selectors import processes_visible
from workflows.services import task_acting

from . import selectors, services
from .models import Consultation, Outcome

LISTED = 200
COMMENTS_PER_PAGE = 50


def consultations_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows: list[dict[str, Any]] | None = None
    if selectors.is_good_governance(request.user):
        rows = selectors.oversight(user=request.user, now=now)
        for row in rows:
            rate = row["on_time_rate"]
            row["percent"] = None if rate is None else round(100 * rate, 1)
    processes = (
        processes_visible(user=request.user)
        .filter(flow_class=get_flow_ref(FLOWS[selectors.PROCESS_TYPE]))
        .order_by("-created", "-pk")[:LISTED]
    )
    opened = {
        consultation.pk: consultation
        for consultation in Consultation.objects.filter(pk__in=[p.pk for p in processes])
    }
    listed = [{"process": process, "consultation": opened.get(process.pk)} for process in processes]
    return render(
        request,
        "consultations/oversight.html",
        {"rows": rows, "consultations": listed, "now": now},
    )


def _answers_posted(request: HttpRequest) -> list[dict[str, Any]]:
    """The page's answer fields (`outcome-<id>`, `reason-<id>`) that were filled in."""
    answers = []
    for key, outcome in request.POST.items():
        if not key.startswith("outcome-") or not outcome:
            continue
        comment_id = key.removeprefix("outcome-")
        if not comment_id.isdigit():
            continue
        answers.append(
            {
                "comment": int(comment_id),
                "outcome": outcome,
                "reason": request.POST.get(f"reason-{comment_id}", ""),
            }
        )
    return answers


def comments_page(request: HttpRequest, pk: int) -> HttpResponse:
    process = selectors.consultation_for_official(pk, request.user)
    task = selectors.answering_task(process)
    acting = task_acting(user=request.user, task=task) if task is not None else None
    if request.method == "POST":
        if acting is None:
            raise PermissionDenied(gettext("The comments are not yours to answer now."))
        try:
            saved = services.answers_record(
                actor=acting.user,
                on_behalf_of=acting.on_behalf_of,
                process_id=process.pk,
                answers=_answers_posted(request),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("Answers saved: %(count)s.") % {"count": saved})
        target = reverse("consultations:comments", args=[process.pk])
        page_number = request.POST.get("page", "")
        return HttpResponseRedirect(
            f"{target}?page={page_number}" if page_number.isdigit() else target
        )
    comments = Paginator(selectors.comments_of(process.pk), COMMENTS_PER_PAGE)
    return render(
        request,
        "consultations/comments.html",
        {
            "process": process,
            "consultation": Consultation.objects.filter(pk=process.pk).first(),
            "comments": comments.get_page(request.GET.get("page")),
            "contacts": selectors.contacts_readable(request.user, process),
            "answering": acting is not None,
            "task": task,
            "outcomes": Outcome.choices,
            "unanswered": selectors.comments_of(process.pk).filter(outcome="").count(),
        },
    )


class ConsultationsApplication(Application):
    app_name = "consultations"
    title = _("Consultations")
    icon = "forum"
    menu_template_name = None  # pages, no viewsets

    urlpatterns = [
        path("", consultations_page, name="index"),
        path("<int:pk>/comments/", comments_page, name="comments"),
    ]
