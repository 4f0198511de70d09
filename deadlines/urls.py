"""The deadline endpoints, included by config/urls.py under /api/."""

from django.urls import path

from . import api

api_urlpatterns = [
    path("deadlines/", api.DeadlineList.as_view(), name="deadline-list"),
    path("deadlines/dashboard/", api.DeadlineDashboard.as_view(), name="deadline-dashboard"),
]
