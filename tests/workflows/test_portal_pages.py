"""The portal's pages of released press statements and approved meeting material (no
account), in the four languages; nothing unreleased shows."""

from typing import Any

import pytest
from django.test import Client

from .steps import completed, inbox, statement_drafted


@pytest.mark.parametrize("language", ["sq", "sr-latn", "sr", "en"])
def test_pages_open_without_an_account(demo: Any, language: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    for path in ("/portal/press-statements/", "/portal/meeting-materials/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'lang="{language}"' in response.content.decode()


def test_released_statement_shows_unreleased_does_not(demo: Any, api_as: Any) -> None:
    officer = api_as("kllokot.info")
    released = statement_drafted(officer, "Ujë i pijshëm", "Uji rikthehet.", "Voda se vraća.")
    statement_drafted(officer, "Draft i fshehtë", "Ende jo.", "Još ne.")
    mayor = api_as("kllokot.mayor")
    [task] = [t for t in inbox(mayor) if t["process_id"] == released["id"]]
    completed(mayor, task["id"], "approve")
    page = Client().get("/portal/press-statements/").content.decode()
    assert "Ujë i pijshëm" in page
    assert "Voda se vraća." in page
    assert "Draft i fshehtë" not in page
