from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from . import receivers  # the index's subscriptions: listed in receivers.py

        receivers.connect_deletions()
