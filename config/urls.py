from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.generic import TemplateView
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site

from access_requests import urls as access_requests_urls
from access_requests.views import AccessRequestsApplication
from audit import api as audit_api
from complaints import urls as complaints_urls
from complaints.views import ComplaintsApplication
from consultations import urls as consultations_urls
from consultations.views import ConsultationsApplication
from coordination import urls as coordination_urls
from coordination.views import CoordinationApplication
from deadlines import urls as deadlines_urls
from deadlines.views import DeadlinesApplication
from documents import api as documents_api
from documents.views import DocumentsApplication
from notifications import urls as notifications_urls
from roles import api as roles_api
from roles import urls as roles_urls
from roles.views import InstitutionViewset, set_language
from search import urls as search_urls
from search.views import SearchApplication
from workflows import urls as workflows_urls
from workflows.views import WorkApplication
from workflows.views import home as workflows_home

from . import api, health, views
from .schema import DocsView, SchemaView

site = Site(
    title=_("Institutional coordination"),
    viewsets=[
        Application(
            app_name="home",
            title=_("Home"),
            icon="home",
            menu_template_name=None,
            urlpatterns=[
                path("", workflows_home, name="index"),
            ],
        ),
        DocumentsApplication(),
        SearchApplication(),
        WorkApplication(),
        DeadlinesApplication(),
        CoordinationApplication(),
        AccessRequestsApplication(),
        ComplaintsApplication(),
        ConsultationsApplication(),
        Application(
            app_name="directory",
            title=_("Institutions"),
            icon="account_balance",
            viewsets=[InstitutionViewset()],
        ),
    ],
)

api_urlpatterns = [
    path("auth/token/", roles_api.TokenView.as_view(), name="token"),
    path("me/", roles_api.MeView.as_view(), name="me"),
    path("institutions/", roles_api.InstitutionList.as_view(), name="institution-list"),
    path(
        "institutions/<str:code>/", roles_api.InstitutionDetail.as_view(), name="institution-detail"
    ),
    path("delegations/", roles_api.DelegationList.as_view(), name="delegation-list"),
    path("delegations/<int:pk>/", roles_api.DelegationDetail.as_view(), name="delegation-detail"),
    path(
        "delegations/<int:pk>/revoke/",
        roles_api.DelegationRevoke.as_view(),
        name="delegation-revoke",
    ),
    path("documents/", documents_api.DocumentList.as_view(), name="document-list"),
    path("documents/<int:pk>/", documents_api.DocumentDetail.as_view(), name="document-detail"),
    path(
        "documents/<int:pk>/content/",
        documents_api.DocumentContent.as_view(),
        name="document-content",
    ),
    path(
        "documents/<int:pk>/versions/",
        documents_api.DocumentVersions.as_view(),
        name="document-versions",
    ),
    path("documents/<int:pk>/share/", documents_api.DocumentShare.as_view(), name="document-share"),
    path("documents/<int:pk>/annul/", documents_api.DocumentAnnul.as_view(), name="document-annul"),
    path("audit/", audit_api.AuditList.as_view(), name="audit-list"),
    path("audit/verify/", audit_api.AuditVerify.as_view(), name="audit-verify"),
    *workflows_urls.api_urlpatterns,
    *deadlines_urls.api_urlpatterns,
    *notifications_urls.api_urlpatterns,
    *search_urls.api_urlpatterns,
    *access_requests_urls.api_urlpatterns,
    *complaints_urls.api_urlpatterns,
    *consultations_urls.api_urlpatterns,
    *coordination_urls.api_urlpatterns,
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ answers in the API's error shape, not with an HTML page.
    path("<path:unknown>", api.api_not_found),
]

# The API authenticates by itself and answers 401 in its error shape, never with a redirect.
for api_pattern in api_urlpatterns:
    login_not_required(api_pattern.callback)

# The public portal: pages without an account, each process app contributing its own.
portal_urlpatterns = [
    path("", TemplateView.as_view(template_name="portal/home.html"), name="home"),
    *workflows_urls.portal_urlpatterns,
    *access_requests_urls.portal_urlpatterns,
    *complaints_urls.portal_urlpatterns,
    *consultations_urls.portal_urlpatterns,
    *coordination_urls.portal_urlpatterns,
]
for portal_pattern in portal_urlpatterns:
    login_not_required(portal_pattern.callback)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("operations/", views.operations, name="operations"),
    path("portal/", include((portal_urlpatterns, "portal"))),
    path("api/", include((api_urlpatterns, "api"))),
    path("admin/", admin.site.urls),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", site.urls),
]
if settings.OIDC_RP_CLIENT_ID:  # signing in through OpenID Connect (roles/oidc.py)
    urlpatterns.insert(0, path("oidc/", include(roles_urls.oidc_urlpatterns())))


def bad_request(request, exception=None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return api.api_bad_request(request, exception)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return api.api_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return api.api_server_error(request)
    return defaults.server_error(request)


handler400 = "config.urls.bad_request"
handler404 = "config.urls.not_found"
handler500 = "config.urls.server_error"
