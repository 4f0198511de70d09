"""The app's endpoints: `api_urlpatterns` under /api/, `portal_urlpatterns` under /portal/
(pages for the public, no account)."""

from django.urls import path

from . import api, portal

api_urlpatterns = [
    path(
        "processes/public-consultation/",
        api.ConsultationStart.as_view(),
        name="process-public-consultation",
    ),
    path(
        "public/consultations/",
        api.PublicConsultationList.as_view(),
        name="public-consultation-list",
    ),
    path(
        "public/consultations/<int:pk>/",
        api.PublicConsultationDetail.as_view(),
        name="public-consultation-detail",
    ),
    path(
        "public/consultations/<int:pk>/comments/",
        api.PublicCommentCreate.as_view(),
        name="public-consultation-comments",
    ),
    path(
        "public/consultations/<int:pk>/report/",
        api.PublicConsultationReport.as_view(),
        name="public-consultation-report",
    ),
    path(
        "public/consultations/<int:pk>/documents/<int:document_id>/",
        api.PublicConsultationDocument.as_view(),
        name="public-consultation-document",
    ),
    path(
        "consultations/oversight/",
        api.ConsultationOversight.as_view(),
        name="consultation-oversight",
    ),
    path(
        "consultations/<int:pk>/comments/",
        api.ConsultationComments.as_view(),
        name="consultation-comments",
    ),
    path(
        "consultations/<int:pk>/comments/export/",
        api.ConsultationCommentsExport.as_view(),
        name="consultation-comments-export",
    ),
    path(
        "consultations/<int:pk>/answers/",
        api.ConsultationAnswers.as_view(),
        name="consultation-answers",
    ),
]

portal_urlpatterns = [
    path("consultations/", portal.consultation_list, name="consultations"),
    path("consultations/<int:pk>/", portal.consultation_detail, name="consultation"),
    path("consultations/<int:pk>/report/", portal.consultation_report, name="consultation-report"),
    path(
        "consultations/<int:pk>/documents/<int:document_id>/",
        portal.consultation_document,
        name="consultation-document",
    ),
]
