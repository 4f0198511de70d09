"""Reads about notifications: a person sees their own and nobody else's."""

from typing import Any

from django.db.models import QuerySet

from .models import Notification


def notifications_for(
    *, user: Any, read: bool | None = None, kind: str | None = None
) -> QuerySet[Notification]:
    """The person's notifications, newest first; `read` and `kind` narrow them."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    queryset = Notification.objects.filter(user=user)
    if read is not None:
        queryset = queryset.filter(read_at__isnull=not read)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-created_at", "-pk")


def notifications_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
