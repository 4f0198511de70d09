"""The parts of /healthz: the project's own, and those the apps register in their
AppConfig.ready (config.health imports no app)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.health import OK, register_health_check


@pytest.mark.django_db
def test_the_apps_parts_are_listed_after_the_projects_own(client: Client) -> None:
    parts = list(client.get("/healthz").json())
    assert parts == ["database", "broker", "worker", "beat", "search", "audit"]


def test_a_part_is_registered_once() -> None:
    with pytest.raises(ImproperlyConfigured):
        register_health_check("search", lambda: OK, order=50)
