"""The app's endpoints: `api_urlpatterns` under /api/, `portal_urlpatterns` under /portal/
(pages for the public, no account: none here)."""

from django.urls import URLPattern, path

from . import api

api_urlpatterns: list[URLPattern] = [
    path(
        "processes/coordination-request/",
        api.CoordinationRequestStart.as_view(),
        name="process-coordination-request",
    ),
    path(
        "coordination-requests/<int:pk>/tracker/",
        api.Tracker.as_view(),
        name="coordination-tracker",
    ),
    path(
        "coordination-requests/<int:pk>/tracker.csv",
        api.TrackerCsv.as_view(),
        name="coordination-tracker-csv",
    ),
    path(
        "coordination-requests/<int:pk>/remind/",
        api.Remind.as_view(),
        name="coordination-remind",
    ),
    path(
        "coordination-requests/<int:pk>/close/",
        api.Close.as_view(),
        name="coordination-close",
    ),
    path("communication-plans/", api.PlanList.as_view(), name="communication-plan-list"),
    path(
        "communication-plans/late/",
        api.LateActivities.as_view(),
        name="communication-plan-late",
    ),
    path(
        "communication-plans/<int:pk>/",
        api.PlanDetail.as_view(),
        name="communication-plan-detail",
    ),
    path(
        "communication-plans/<int:pk>/activities/",
        api.ActivityList.as_view(),
        name="communication-plan-activities",
    ),
    path(
        "communication-plan-activities/<int:pk>/",
        api.ActivityDetail.as_view(),
        name="communication-plan-activity",
    ),
]
portal_urlpatterns: list[URLPattern] = []
