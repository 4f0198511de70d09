"""The project's URLs with OpenID Connect mounted, as config/urls.py mounts them when
OIDC_RP_CLIENT_ID is set (it reads settings once, at import)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns
from roles.urls import oidc_urlpatterns

urlpatterns = [path("oidc/", include(oidc_urlpatterns())), *project_urlpatterns]
