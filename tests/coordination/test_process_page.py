"""The request's pages in the reader's language: the sender's role by its name (roles are
data, named in three languages), never by its code; the sender's buttons by their labels."""

from typing import Any

import pytest
from django.test import Client
from viewflow.workflow.models import Task

from roles.models import User

from .conftest import sent

pytestmark = pytest.mark.django_db


def test_the_senders_role_is_named_in_the_readers_language(demo: Any, api_as: Any) -> None:
    request = sent(api_as("zkp.coordinator"), recipients=["MF", "KLLOKOT"])
    names = {
        "sq": "Koordinator i komunikimit",
        "sr": "Координатор комуникације",
        "sr-Latn": "Koordinator komunikacije",
        "en": "Communications coordinator",
    }
    for language, name in names.items():
        reader = Client(HTTP_ACCEPT_LANGUAGE=language)
        reader.force_login(User.objects.get(username="zkp.coordinator"))
        shown = reader.get(f"/work/processes/{request['id']}/").content.decode()
        assert name in shown, language
        assert "communications_coordinator" not in shown, language


def test_the_senders_actions_are_labelled(demo: Any, api_as: Any) -> None:
    request = sent(api_as("zkp.coordinator"), recipients=["MF", "KLLOKOT"])
    [manage] = [
        task
        for task in Task.objects.filter(process_id=request["id"], finished__isnull=True)
        if task.flow_task.name == "manage"
    ]
    reader = Client(HTTP_ACCEPT_LANGUAGE="sr")
    reader.force_login(User.objects.get(username="zkp.coordinator"))
    shown = reader.get(f"/work/tasks/{manage.pk}/").content.decode()
    assert "Подсети примаоце" in shown and "Затвори захтев" in shown
    assert ">remind<" not in shown and ">close<" not in shown
