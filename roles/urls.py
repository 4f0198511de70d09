"""The roles app's URLs that config/urls.py mounts: OpenID Connect's sign-in start and callback
(under /oidc/, only while OIDC is configured; roles/oidc.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path
from mozilla_django_oidc import views


def oidc_urlpatterns() -> list[URLPattern]:
    """The sign-in start and the provider's callback, open to visitors who are not signed in
    yet (the project requires a sign-in everywhere else)."""
    return [
        path(
            "authenticate/",
            login_not_required(views.OIDCAuthenticationRequestView.as_view()),
            name="oidc_authentication_init",
        ),
        path(
            "callback/",
            login_not_required(views.OIDCAuthenticationCallbackView.as_view()),
            name="oidc_authentication_callback",
        ),
    ]
