"""The caller's own notifications over HTTP (API.md, "Deadlines, notifications, publications")."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .models import Kind, Notification
from .selectors import notifications_for

BOOLEANS = {"true": True, "false": False}


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    message = serializers.CharField(
        read_only=True, help_text="Written in the recipient's language when it was sent."
    )
    process_id = serializers.IntegerField(read_only=True, allow_null=True)
    task_id = serializers.IntegerField(read_only=True, allow_null=True)
    read = serializers.BooleanField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    link = serializers.SerializerMethodField(
        help_text="Path of the task's page (or the process's) the notification is about; "
        "empty when neither."
    )

    def get_link(self, notification: Notification) -> str:
        return notification.link_path()


class NotificationList(generics.ListAPIView):
    """The caller's notifications, newest first; `?read=true|false` and `?kind=` filter."""

    serializer_class = NotificationSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter("read", bool),
            OpenApiParameter("kind", str, enum=list(Kind.values)),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Notification]:
        params = self.request.query_params
        read = params.get("read")
        if read is not None and read not in BOOLEANS:
            raise exceptions.ValidationError({"read": [gettext("Give true or false.")]})
        kind = params.get("kind")
        if kind is not None and kind not in Kind.values:
            raise exceptions.ValidationError(
                {"kind": [f"Choose one of: {', '.join(Kind.values)}."]}
            )
        return notifications_for(
            user=self.request.user, read=BOOLEANS[read] if read else None, kind=kind
        )


class NotificationRead(generics.GenericAPIView):
    """Mark one of the caller's notifications read (anybody else's: 404)."""

    serializer_class = NotificationSerializer

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(NotificationSerializer(notification).data)


# A plain view: as a generic view without a serializer it broke DRF's answer to OPTIONS (500).
class NotificationReadAll(APIView):
    """Mark all of the caller's notifications read."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "NotificationsMarkedRead", {"updated": serializers.IntegerField()}
        ),
    )
    def post(self, request: Request) -> Response:
        return Response({"updated": services.notifications_mark_all_read(user=request.user)})
