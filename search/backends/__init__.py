"""`SEARCH_BACKEND` chooses the backend: `database` (default) or `elasticsearch`."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import BackendUnavailable, Filters, Hit, SearchBackend, SearchPage, SearchRequest

__all__ = [
    "BackendUnavailable",
    "Filters",
    "Hit",
    "SearchBackend",
    "SearchPage",
    "SearchRequest",
    "get_backend",
]

_instances: dict[str, SearchBackend] = {}


def get_backend(name: str | None = None) -> SearchBackend:
    name = name or settings.SEARCH_BACKEND
    if name not in _instances:
        if name == "database":
            from .database import DatabaseBackend

            _instances[name] = DatabaseBackend()
        elif name == "elasticsearch":
            from .elastic import ElasticsearchBackend

            if not settings.ELASTICSEARCH_URL:
                raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL")
            _instances[name] = ElasticsearchBackend(settings.ELASTICSEARCH_URL)
        else:
            raise ImproperlyConfigured(f"unknown SEARCH_BACKEND {name!r}")
    return _instances[name]
