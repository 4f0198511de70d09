"""The notification endpoints, included by config/urls.py under /api/."""

from django.urls import path

from . import api

api_urlpatterns = [
    path("notifications/", api.NotificationList.as_view(), name="notification-list"),
    path(
        "notifications/read-all/",
        api.NotificationReadAll.as_view(),
        name="notification-read-all",
    ),
    path("notifications/<int:pk>/read/", api.NotificationRead.as_view(), name="notification-read"),
]
