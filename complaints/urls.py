"""The app's endpoints: `api_urlpatterns` under /api/, `portal_urlpatterns` under /portal/
(pages for the public, no account)."""

from django.urls import path

from . import api, views

api_urlpatterns = [
    path(
        "public/complaint-topics/",
        api.PublicComplaintTopics.as_view(),
        name="public-complaint-topics",
    ),
    path("public/complaints/", api.PublicComplaintSubmit.as_view(), name="public-complaints"),
    path(
        "public/complaints/<str:tracking_code>/",
        api.PublicComplaintTrack.as_view(),
        name="public-complaint-track",
    ),
    path("processes/complaint/", api.ComplaintStart.as_view(), name="process-complaint"),
    path(
        "complaints/statistics/",
        api.ComplaintStatistics.as_view(),
        name="complaint-statistics",
    ),
]

portal_urlpatterns = [
    path("complaints/", views.complaint_submit_page, name="complaint-submit"),
    path("complaints/receipt/", views.complaint_receipt_page, name="complaint-receipt"),
    path("complaints/track/", views.complaint_track_page, name="complaint-track"),
]
