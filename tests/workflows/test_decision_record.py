"""The record of a decision sent to MAPL holds up (issue 27, items 1–4): texts in both official
languages before sign-off and transmission, MAPL's receipt registered in its own book, every
round with its clocks, and the reasons of every return kept where an auditor looks."""

import subprocess
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from documents.models import Registration
from notifications.models import Notification

from .steps import (
    PROCESS_TYPE,
    complete,
    completed,
    decision_text,
    decision_transmitted,
    open_task,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASONS = "Në kundërshtim me nenin 12 të Ligjit për vetëqeverisje lokale."


def start(client, **fields: Any):  # type: ignore[no-untyped-def]
    body = {"title": "Vendimi për parkingun", "adopted_on": str(TODAY), **fields}
    return client.post("/api/processes/assembly-decision/", body, format="json")


def clock(process: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [deadline for deadline in process["deadlines"] if deadline["rule"] == rule]


def local_day(moment: str) -> Any:
    return datetime.fromisoformat(moment).astimezone(timezone.get_current_timezone()).date()


# 1. Texts


def test_no_sign_off_and_no_transmission_without_both_texts(api_as) -> None:  # type: ignore[no-untyped-def]
    office, chair = api_as("kllokot.assembly"), api_as("kllokot.chair")
    albanian = decision_text(office, "sq", "Vendimi për parkingun")
    process = start(office, documents=[albanian]).json()
    assert process["data"]["issuing_body"] == "municipal_assembly"
    assert process["data"]["adopted_on"] == str(TODAY)  # the decision date

    refused = complete(chair, open_task(process, "approve")["id"], "approve")
    assert refused.status_code == 400
    [message] = refused.json()["error"]["details"]["documents"]
    assert "Serb" in message or "serb" in message  # names what is missing
    # Returned for the Serbian text; the office attaches it; now the chair signs.
    process = completed(chair, open_task(process, "approve")["id"], "return", "Mungon serbishtja")
    serbian = decision_text(office, "sr", "Odluka o parkingu")
    process = completed(
        office, open_task(process, "revise")["id"], "submit", documents=[albanian, serbian]
    )
    process = completed(chair, open_task(process, "approve")["id"], "approve")

    # The Serbian text annulled meanwhile: nothing goes to MAPL.
    annulled = office.post(f"/api/documents/{serbian}/annul/", {"reason": "gabim"}, format="json")
    assert annulled.status_code == 200, annulled.content
    transmit = open_task(process, "transmit")
    refused = complete(office, transmit["id"], "transmit")
    assert refused.status_code == 400 and "documents" in refused.json()["error"]["details"]
    assert api_as("mapl.registry").get(f"/api/processes/{process['id']}/").status_code == 404


def test_a_text_outside_the_decision_or_a_stray_mark_does_not_count(api_as) -> None:  # type: ignore[no-untyped-def]
    office, chair = api_as("kllokot.assembly"), api_as("kllokot.chair")
    both = decision_text(office)
    response = start(office, documents=[], bilingual_documents=[both])
    assert response.status_code == 400 and "documents" in response.json()["error"]["details"]
    # A bilingual document of another kind is no decision text.
    annex = office.post(
        "/api/documents/",
        {
            "title": "Aneksi",
            "kind": "other",
            "file": decision_file(),
        },
        format="multipart",
    ).json()["id"]
    process = start(office, documents=[annex], bilingual_documents=[annex]).json()
    assert complete(chair, open_task(process, "approve")["id"], "approve").status_code == 400


def decision_file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("aneksi.txt", b"Aneksi / Aneks")


def test_a_mayors_decision_is_signed_off_by_the_mayor(api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("kllokot.assembly")
    both = decision_text(office)
    response = start(office, issuing_body="mayor", documents=[both], bilingual_documents=[both])
    assert response.status_code == 201, response.content
    process = response.json()
    assert process["data"]["issuing_body"] == "mayor"
    approval = open_task(process, "approve")
    assert approval["role"] == "mayor"
    assert complete(api_as("kllokot.chair"), approval["id"], "approve").status_code == 403
    completed(api_as("kllokot.mayor"), approval["id"], "approve")
    assert start(office, issuing_body="minister").status_code == 400


# 2. The receipt is a registration


def test_mapls_acknowledgement_registers_the_act_and_sends_a_bilingual_receipt(api_as) -> None:  # type: ignore[no-untyped-def]
    process = decision_transmitted(api_as)
    texts = process["data"]["rounds"][0]["texts"]
    registry, office = api_as("mapl.registry"), api_as("kllokot.assembly")
    process = completed(registry, open_task(process, "acknowledge")["id"], "acknowledge")

    number = process["data"]["receipt_registration_number"]
    assert number.startswith(f"MAPL-{TODAY.year}-")
    # MAPL's book holds the act's line; the receipt is registered beside it.
    line = Registration.objects.get(registration_number=number)
    assert line.institution.code == "MAPL" and line.registered_by.username == "mapl.registry"
    [round_] = process["data"]["rounds"]
    assert round_["receipt_registration_number"] == number
    assert round_["received_at"] == process["data"]["received_at"]
    receipt_id = round_["receipt_document"]
    assert receipt_id in process["documents"]
    for client in (registry, office):  # both institutions read it
        receipt = client.get(f"/api/documents/{receipt_id}/")
        assert receipt.status_code == 200
    assert receipt.json()["institution"] == "MAPL"
    assert receipt.json()["current_version"]["mime_type"] == "application/pdf"
    content = b"".join(office.get(f"/api/documents/{receipt_id}/content/").streaming_content)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    # Both languages, both numbers, both times.
    assert "DËFTESË PRANIMI" in text and "POTVRDA O PRIJEMU" in text
    assert number in text and texts[0]["registration_number"] in text
    for moment in (process["data"]["transmitted_at"], process["data"]["received_at"]):
        local = datetime.fromisoformat(moment).astimezone(timezone.get_current_timezone())
        assert local.strftime("%Y-%m-%d %H:%M") in text
    # The municipality is told, with MAPL's number.
    told = Notification.objects.get(user__username="kllokot.assembly", kind="received")
    assert number in told.message and told.process_id == process["id"]
    entry = AuditEntry.objects.filter(
        object_type=PROCESS_TYPE, object_id=str(process["id"]), data__task="acknowledge"
    ).get()
    assert entry.data["receipt_registration_number"] == number


# 3 and 4. Every round has its clock; reasons are evidence


def test_every_round_has_its_clock_and_every_reason_stays(api_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    office, chair = api_as("kllokot.assembly"), api_as("kllokot.chair")
    registry, legal = api_as("mapl.registry"), api_as("mapl.legal")
    process = decision_transmitted(api_as, adopted_on=str(TODAY - timedelta(days=2)))
    [first] = clock(process, "assembly-decision-to-mapl")
    assert first["state"] == "met"
    process = completed(registry, open_task(process, "acknowledge")["id"], "acknowledge")

    # MAPL's review runs from receipt, 30 days by default.
    [review_clock] = clock(process, "assembly-decision-legality-review")
    assert review_clock["state"] == "open"
    assert local_day(review_clock["due_at"]) == local_day(process["data"]["received_at"]) + (
        timedelta(days=30)
    )
    assert review_clock["legal_basis"].startswith("Ligji nr. 03/L-040")

    # Returned with reasons in the field (no comment): the notice quotes them.
    review = open_task(process, "review")
    process = completed(legal, review["id"], "reconsider", reasons=REASONS)
    returned = Notification.objects.get(user__username="kllokot.assembly", kind="returned")
    assert REASONS in returned.message
    [row] = [t for t in process["tasks"] if t["id"] == review["id"]]
    assert row["reason"] == REASONS and row["outcome"] == "reconsider"
    entry = AuditEntry.objects.get(
        object_id=str(process["id"]), action="task.completed", data__task_id=review["id"]
    )
    assert entry.data["reason"] == REASONS
    [review_clock] = clock(process, "assembly-decision-legality-review")
    assert review_clock["state"] == "met"
    # The municipality's reconsideration has its clock from MAPL's return.
    [reconsideration] = clock(process, "assembly-decision-reconsideration")
    assert reconsideration["state"] == "open" and reconsideration["institution"] == "KLLOKOT"

    # Adopted again: the date is required, and not before MAPL's return.
    reconsider = open_task(process, "reconsider")
    assert complete(office, reconsider["id"], "submit").status_code == 400
    early = complete(office, reconsider["id"], "submit", adopted_on=str(TODAY - timedelta(days=1)))
    assert early.status_code == 400 and "adopted_on" in early.json()["error"]["details"]
    process = completed(office, reconsider["id"], "submit", adopted_on=str(TODAY))
    assert clock(process, "assembly-decision-reconsideration")[0]["state"] == "met"
    process = completed(chair, open_task(process, "approve")["id"], "approve")

    # The second transmission's clock counts 7 days from the new adoption date.
    transmit = open_task(process, "transmit")
    [second] = clock(process, "assembly-decision-retransmission")
    assert second["basis"] == f"adopted on {TODAY}" and second["task_id"] == transmit["id"]
    assert local_day(second["due_at"]) == TODAY + timedelta(days=7)
    assert transmit["due_at"] == second["due_at"]
    # Sent 20 days later: this round's clock is missed; the first round's stays met.
    later = timezone.now() + timedelta(days=20)
    monkeypatch.setattr(timezone, "now", lambda: later)
    process = completed(office, transmit["id"], "transmit")
    assert clock(process, "assembly-decision-retransmission")[0]["state"] == "missed"
    assert clock(process, "assembly-decision-to-mapl")[0]["state"] == "met"

    process = completed(registry, open_task(process, "acknowledge")["id"], "acknowledge")
    process = completed(legal, open_task(process, "review")["id"], "lawful")
    assert process["status"] == "done"
    # The first round's reasons are still there, on their round and as the last given.
    first_round, second_round = process["data"]["rounds"]
    assert first_round["review"]["reasons"] == REASONS
    assert first_round["review"]["outcome"] == "reconsider"
    assert first_round["reconsideration"]["outcome"] == "readopted"
    assert second_round["review"]["outcome"] == "lawful"
    assert second_round["adopted_on"] == str(TODAY)
    assert process["data"]["legal_reasons"] == REASONS
    assert first_round["receipt_registration_number"] != second_round["receipt_registration_number"]

    # The page tells the same story: each round, its receipt, its reasons, its clocks.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(_user("auditor"))
    page = client.get(f"/work/processes/{process['id']}/").content.decode()
    for number in (first_round, second_round):
        assert number["receipt_registration_number"] in page
    assert REASONS in page
    assert 'data-round="2"' in page
    for rule in (
        "assembly-decision-to-mapl",
        "assembly-decision-legality-review",
        "assembly-decision-reconsideration",
        "assembly-decision-retransmission",
    ):
        assert f'data-rule="{rule}"' in page
    assert "Re-adopted decision transmitted to MAPL" in page and "missed" in page


def _user(username: str) -> Any:
    from roles.models import User

    return User.objects.get(username=username)


def test_the_assembly_keeps_the_act_and_mapl_records_the_court(api_as) -> None:  # type: ignore[no-untyped-def]
    office, legal = api_as("kllokot.assembly"), api_as("mapl.legal")
    process = decision_transmitted(api_as)
    process = completed(
        api_as("mapl.registry"), open_task(process, "acknowledge")["id"], "acknowledge"
    )
    process = completed(legal, open_task(process, "review")["id"], "reconsider", REASONS)
    reconsider = open_task(process, "reconsider")
    assert reconsider["actions"] == ["submit", "uphold"]
    assert complete(office, reconsider["id"], "uphold").status_code == 400  # why it keeps it
    kept = "Kuvendi e konsideron vendimin në përputhje me ligjin."
    process = completed(office, reconsider["id"], "uphold", reasons=kept)
    assert process["data"]["legal_outcome"] == "upheld_by_assembly"
    assert process["data"]["rounds"][0]["reconsideration"]["reasons"] == kept
    assert clock(process, "assembly-decision-reconsideration")[0]["state"] == "met"

    court = open_task(process, "court")
    assert court["institution"] == "MAPL" and court["actions"] == ["refer_to_court", "no_referral"]
    assert complete(legal, court["id"], "refer_to_court").status_code == 400  # the grounds
    process = completed(legal, court["id"], "refer_to_court", reasons="Padi në Gjykatën Themelore.")
    assert process["status"] == "done"
    assert process["data"]["court_referral"] is True
    assert process["data"]["rounds"][0]["court"]["referred"] is True
    assert process["data"]["legal_reasons"] == REASONS  # MAPL's reasons never cleared
