"""The workflow endpoints, included by config/urls.py under /api/."""

from django.urls import path

from . import api

api_urlpatterns = [
    path("processes/", api.ProcessList.as_view(), name="process-list"),
    path(
        "processes/assembly-decision/",
        api.AssemblyDecisionStart.as_view(),
        name="process-assembly-decision",
    ),
    path("processes/<int:pk>/", api.ProcessDetail.as_view(), name="process-detail"),
    path("inbox/", api.Inbox.as_view(), name="inbox"),
    path("tasks/<int:pk>/claim/", api.TaskClaim.as_view(), name="task-claim"),
    path("tasks/<int:pk>/unclaim/", api.TaskUnclaim.as_view(), name="task-unclaim"),
    path("tasks/<int:pk>/complete/", api.TaskComplete.as_view(), name="task-complete"),
]
