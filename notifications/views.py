"""The person's notifications in the browser: the list, opening one (which marks it read),
and marking all read. The API (`api.py`) offers the same to other clients."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import services
from .selectors import notifications_for

PAGE_SIZE = 25


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page_obj": page})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Read now: on to what it is about (its task, or its process), else back to the list."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    return HttpResponseRedirect(notification.link_path() or reverse("work:notifications"))


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("Marked as read: %(count)d.") % {"count": count})
    return HttpResponseRedirect(reverse("work:notifications"))
