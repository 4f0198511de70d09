from django.urls import path

from . import api

api_urlpatterns = [path("search/", api.SearchView.as_view(), name="search")]
