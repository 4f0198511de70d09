"""The workflow endpoints, included by config/urls.py under /api/."""

from django.urls import URLPattern, path

from . import api, portal, public

api_urlpatterns = [
    path("processes/", api.ProcessList.as_view(), name="process-list"),
    path(
        "processes/assembly-decision/",
        api.AssemblyDecisionStart.as_view(),
        name="process-assembly-decision",
    ),
    path(
        "processes/press-statement/",
        api.PressStatementStart.as_view(),
        name="process-press-statement",
    ),
    path(
        "processes/meeting-material/",
        api.MeetingMaterialStart.as_view(),
        name="process-meeting-material",
    ),
    path("processes/<int:pk>/", api.ProcessDetail.as_view(), name="process-detail"),
    path("processes/<int:pk>/cancel/", api.ProcessCancel.as_view(), name="process-cancel"),
    path(
        "public/press-statements/",
        public.PublicPressStatements.as_view(),
        name="public-press-statements",
    ),
    path(
        "public/meeting-materials/",
        public.PublicMeetingMaterials.as_view(),
        name="public-meeting-materials",
    ),
    path(
        "public/meeting-materials/<int:pk>/documents/<int:document_id>/",
        public.PublicMaterialDocument.as_view(),
        name="public-meeting-material-document",
    ),
    path("inbox/", api.Inbox.as_view(), name="inbox"),
    path("tasks/<int:pk>/claim/", api.TaskClaim.as_view(), name="task-claim"),
    path("tasks/<int:pk>/unclaim/", api.TaskUnclaim.as_view(), name="task-unclaim"),
    path("tasks/<int:pk>/complete/", api.TaskComplete.as_view(), name="task-complete"),
]

# Pages for the public (under /portal/, no account): the released statements and materials.
portal_urlpatterns: list[URLPattern] = [
    path("press-statements/", portal.press_statements, name="press-statements"),
    path("meeting-materials/", portal.meeting_materials, name="meeting-materials"),
]
