"""The public's pages: the list of open and closed consultations, a draft with its documents
and the comment form, the published report — without an account, in the four languages."""

from typing import Any

import pytest
from django.test import Client

from consultations.models import Comment
from tests.workflows.steps import completed, inbox

from .steps import ORGANISATION, PERSON, approved, closed, comment, started, upload

pytestmark = pytest.mark.django_db


def form_of(values: dict[str, Any]) -> dict[str, Any]:
    return {field: values.get(field, "") for field in (*PERSON, "organisation", "fields_of_action")}


def test_the_portal_lists_shows_and_takes_comments(api_as, api) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("kllokot.info")
    document = upload(officer, "Projekti i linjave")
    hidden = started(officer)  # not approved: nowhere on the portal
    process = approved(officer, api_as("kllokot.mayor"), documents=[document])
    visitor = Client(HTTP_ACCEPT_LANGUAGE="sq")
    listing = visitor.get("/portal/consultations/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert f'data-consultation-id="{process["id"]}"' in page
    assert f'data-consultation-id="{hidden["id"]}"' not in page
    assert 'href="/portal/consultations/"' in page  # the portal's menu links to it
    assert visitor.get(f"/portal/consultations/{hidden['id']}/").status_code == 404

    detail = visitor.get(f"/portal/consultations/{process['id']}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert process["data"]["summary_sq"] in html and 'name="capacity"' in html
    link = f"/portal/consultations/{process['id']}/documents/{document}/"
    assert link in html
    assert visitor.get(link).status_code == 200
    # The institution's other documents are not the consultation's: 404.
    internal = upload(officer, "Shënime të brendshme")
    assert (
        visitor.get(f"/portal/consultations/{process['id']}/documents/{internal}/").status_code
        == 404
    )
    assert (
        visitor.get(f"/portal/consultations/{hidden['id']}/documents/{document}/").status_code
        == 404
    )

    # Markup is refused with the form shown again; a good comment gets its receipt.
    refused = visitor.post(
        f"/portal/consultations/{process['id']}/", form_of({**PERSON, "text": "<a href=x>x</a>"})
    )
    assert refused.status_code == 400 and not Comment.objects.exists()
    sent = visitor.post(f"/portal/consultations/{process['id']}/", form_of(ORGANISATION))
    assert sent.status_code == 201
    assert 'id="comment-receipt"' in sent.content.decode()
    saved = Comment.objects.get()
    assert (saved.organisation, saved.capacity, saved.language) == (
        ORGANISATION["organisation"],
        "organisation",
        "sq",
    )

    # In Serbian (both scripts) and English the page speaks the visitor's language.
    for language, word in (("sr", "Коментар"), ("sr-latn", "Komentar"), ("en", "Comment")):
        other = Client(HTTP_ACCEPT_LANGUAGE=language)
        html = other.get(f"/portal/consultations/{process['id']}/").content.decode()
        assert f'lang="{language}"' in html and word in html, language


def test_a_closed_consultation_refuses_comments_and_publishes_its_report(  # type: ignore[no-untyped-def]
    api_as, api, monkeypatch
) -> None:
    officer, mayor = api_as("kllokot.info"), api_as("kllokot.mayor")
    process = approved(officer, mayor)
    first = comment(api, process["id"]).json()
    closed(monkeypatch, process)
    visitor = Client(HTTP_ACCEPT_LANGUAGE="sq")
    html = visitor.get(f"/portal/consultations/{process['id']}/").content.decode()
    assert 'name="capacity"' not in html  # no form once closed
    late = visitor.post(f"/portal/consultations/{process['id']}/", form_of(PERSON))
    assert late.status_code == 409 and Comment.objects.count() == 1
    assert visitor.get(f"/portal/consultations/{process['id']}/report/").status_code == 404

    answers = [{"comment": first["id"], "outcome": "partially_accepted", "reason": "Pjesërisht."}]
    completed(officer, inbox(officer)[0]["id"], "answer_comments", answers=answers)
    completed(mayor, inbox(mayor)[0]["id"], "publish_report")
    report = visitor.get(f"/portal/consultations/{process['id']}/report/")
    assert report.status_code == 200
    html = report.content.decode()
    assert PERSON["name"] in html and PERSON["text"] in html and "Pjesërisht." in html
    for secret in (PERSON["email"], PERSON["phone"], PERSON["address"]):
        assert secret not in html
    listing = visitor.get("/portal/consultations/").content.decode()
    assert f"/portal/consultations/{process['id']}/report/" in listing
