from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from config.health import register_health_check

        from . import receivers  # the index's subscriptions: listed in receivers.py
        from .health import check_search

        receivers.connect_deletions()
        register_health_check("search", check_search, order=50)
