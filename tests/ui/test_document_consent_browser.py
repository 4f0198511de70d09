"""The owner's consent to send a document on, given on the document's page in a real browser:
the ministry may then attach the municipality's document to its own material, while the
confidential one it was only shared stays out of its choices (and offers no consent at all)."""

import io
from typing import Any

import pytest

from documents import services
from documents.access import documents_forwardable
from documents.models import Document
from roles.models import Institution, User

pytestmark = pytest.mark.browser


def registered(user: User, title: str, classification: str) -> Document:
    content = f"{title}\n".encode()
    return services.document_create(
        actor=user,
        institution=Institution.objects.get(code="KLLOKOT"),
        upload=io.BytesIO(content),
        filename="dokumenti.txt",
        size=len(content),
        title=title,
        kind="report",
        classification=classification,
    )


def test_the_owner_consents_on_the_page_and_the_ministry_may_attach(
    sessions: Any, demo: dict[str, User]
) -> None:
    from playwright.sync_api import expect

    mayor = demo["kllokot.mayor"]
    ministry = Institution.objects.get(code="MF")
    internal = registered(mayor, "Të dhënat e komunës", "internal")
    confidential = registered(mayor, "Raporti konfidencial", "confidential")
    services.document_share(actor=mayor, document=confidential, institution=ministry)

    owner = sessions("kllokot.mayor")
    owner.goto(f"/documents/{confidential.pk}/")
    expect(owner.locator("#share-form select")).to_be_visible()
    expect(owner.locator("#share-form input[name=may_forward]")).to_have_count(0)

    owner.goto(f"/documents/{internal.pk}/")
    owner.locator("#share-form select").select_option("MF")
    owner.locator("#share-form input[name=may_forward]").check()
    owner.locator("#share-form button").click()
    expect(owner.locator("main")).to_contain_text("U nda me")
    assert documents_forwardable(institution=ministry).filter(pk=internal.pk).exists()
    assert not documents_forwardable(institution=ministry).filter(pk=confidential.pk).exists()

    comms = sessions("mf.comms")
    comms.goto("/work/processes/new/meeting-material/")
    choices = comms.locator("input[name=documents]")  # the picker's checkboxes
    expect(choices).to_have_count(1)
    expect(choices.first).to_have_attribute("value", str(internal.pk))
    assert not owner.problems and not comms.problems, (owner.problems, comms.problems)
