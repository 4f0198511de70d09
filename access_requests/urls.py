"""The app's endpoints: `api_urlpatterns` under /api/, `portal_urlpatterns` under /portal/
(pages for the public, no account)."""

from django.urls import path

from . import api, views

api_urlpatterns = [
    path("public/institutions/", api.PublicInstitutions.as_view(), name="public-institutions"),
    path(
        "public/access-requests/",
        api.PublicAccessRequestSubmit.as_view(),
        name="public-access-requests",
    ),
    path(
        "public/access-requests/<str:tracking_code>/",
        api.PublicAccessRequestTrack.as_view(),
        name="public-access-request",
    ),
    path(
        "public/access-requests/<str:tracking_code>/complaint/",
        api.PublicAccessRequestComplaint.as_view(),
        name="public-access-request-complaint",
    ),
    path(
        "public/access-requests/<str:tracking_code>/documents/<int:document_id>/",
        api.PublicAccessRequestDocument.as_view(),
        name="public-access-request-document",
    ),
    path(
        "processes/access-request/",
        api.AccessRequestStart.as_view(),
        name="process-access-request",
    ),
    path(
        "access-requests/<int:pk>/requester/",
        api.AccessRequestRequester.as_view(),
        name="access-request-requester",
    ),
    path(
        "access-requests/statistics/",
        api.AccessRequestStatistics.as_view(),
        name="access-request-statistics",
    ),
]

portal_urlpatterns = [
    path("access-requests/", views.request_new, name="access-request-new"),
    path("access-requests/receipt/", views.request_receipt, name="access-request-receipt"),
    path("access-requests/track/", views.request_track, name="access-request-track"),
    path(
        "access-requests/track/documents/<int:document_id>/",
        views.request_document,
        name="access-request-document",
    ),
]
