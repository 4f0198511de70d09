"""The app's endpoints: `api_urlpatterns` under /api/, `portal_urlpatterns` under /portal/
(pages for the public, no account)."""

from django.urls import URLPattern

api_urlpatterns: list[URLPattern] = []
portal_urlpatterns: list[URLPattern] = []
