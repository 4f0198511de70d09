"""Characters nobody types are refused wherever people write to the archive, by the API as a
400 naming the field, before anything is stored (config.text)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEntry
from roles.models import Delegation
from tests.workflows.steps import complete, open_task

pytestmark = pytest.mark.django_db

BELL, OVERRIDE = "\x07", "\u202e"


@pytest.mark.parametrize("odd", [BELL, OVERRIDE, "\x9b"])
def test_reasons_and_comments_refuse_control_characters(api_as, odd: str) -> None:  # type: ignore[no-untyped-def]
    owner = api_as("kllokot.assembly")
    document = owner.post(
        "/api/documents/",
        {
            "title": "Vendimi",
            "kind": "decision",
            "file": SimpleUploadedFile("vendimi.txt", b"Vendimi i kuvendit."),
        },
        format="multipart",
    ).json()
    annul = owner.post(
        f"/api/documents/{document['id']}/annul/", {"reason": f"gabim{odd}"}, format="json"
    )
    assert annul.status_code == 400 and set(annul.json()["error"]["details"]) == {"reason"}
    assert not AuditEntry.objects.filter(action="document.annulled").exists()

    process = owner.post(
        "/api/processes/assembly-decision/",
        {"title": "Vendimi për rrugët", "adopted_on": str(timezone.localdate())},
        format="json",
    ).json()
    returned = complete(
        api_as("kllokot.chair"), open_task(process, "approve")["id"], "return", f"Mungon data{odd}"
    )
    assert returned.status_code == 400 and set(returned.json()["error"]["details"]) == {"comment"}
    assert open_task(
        api_as("kllokot.chair").get(f"/api/processes/{process['id']}/").json(), "approve"
    )

    now = timezone.now()
    delegated = api_as("kllokot.mayor").post(
        "/api/delegations/",
        {
            "deputy": "kllokot.chair",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
            "reason": f"Pushim{odd}",
        },
        format="json",
    )
    assert delegated.status_code == 400 and set(delegated.json()["error"]["details"]) == {"reason"}
    assert not Delegation.objects.exists()


def test_a_comment_keeps_its_line_breaks_and_tabs(api_as) -> None:  # type: ignore[no-untyped-def]
    process = (
        api_as("kllokot.assembly")
        .post(
            "/api/processes/assembly-decision/",
            {"title": "Vendimi për rrugët", "adopted_on": str(timezone.localdate())},
            format="json",
        )
        .json()
    )
    chair = api_as("kllokot.chair")
    response = complete(chair, open_task(process, "approve")["id"], "return", "1.\tData\n2.\tNumri")
    assert response.status_code == 200, response.content
    assert response.json()["task"]["comment"] == "1.\tData\n2.\tNumri"
