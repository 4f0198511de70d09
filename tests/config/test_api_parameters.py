"""Query parameters given without a value: refused on every endpoint, as the schema says."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/documents/?kind=", "kind"),
        ("/api/inbox/?type=", "type"),
        ("/api/processes/?status=&type=press_statement", "status"),
        ("/api/deadlines/?institution=", "institution"),
        ("/api/deadlines/dashboard/?type=", "type"),
        ("/api/institutions/?kind=", "kind"),
        ("/api/notifications/?read=", "read"),
        ("/api/search/?q=budget&date_from=", "date_from"),
        ("/api/documents/?page=", "page"),
    ],
)
def test_a_parameter_without_a_value_is_a_400_naming_it(api_as, path: str, name: str) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.mayor").get(path)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["details"]) == {name}


def test_an_empty_search_query_browses(api_as) -> None:  # type: ignore[no-untyped-def]
    assert api_as("kllokot.mayor").get("/api/search/?q=").status_code == 200


def test_api_errors_speak_the_language_the_caller_asks_for(api_as) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.mayor")
    unknown = client.get("/api/search/", {"institution": "NOWHERE"}, HTTP_ACCEPT_LANGUAGE="sq")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"] == {
        "institution": ["Asnjë institucion nuk e ka këtë kod."]
    }
    nowhere = client.get("/api/no-such-endpoint/", HTTP_ACCEPT_LANGUAGE="sr-latn")
    assert nowhere.json()["error"]["message"] == "Nije pronađeno."
    cyrillic = client.get("/api/deadlines/", {"institution": "NOWHERE"}, HTTP_ACCEPT_LANGUAGE="sr")
    assert cyrillic.json()["error"]["details"]["institution"][0].startswith("Ни")


def test_django_rest_framework_messages_speak_albanian_and_serbian_too(api_as) -> None:  # type: ignore[no-untyped-def]
    client = api_as("kllokot.mayor")
    choice = client.get("/api/search/", {"kind": "bogus"}, HTTP_ACCEPT_LANGUAGE="sr")
    assert choice.json()["error"]["details"]["kind"] == ['"bogus" није важећи избор.']
    bounds = client.get("/api/search/", {"page": "0"}, HTTP_ACCEPT_LANGUAGE="sr-latn")
    assert bounds.json()["error"]["details"]["page"] == ["Vrednost mora biti veća ili jednaka 1."]
    anonymous = api_as(None).get("/api/inbox/", HTTP_ACCEPT_LANGUAGE="sq")
    assert anonymous.json()["error"]["message"] == "Nuk u dhanë kredencialet e identifikimit."
    empty = api_as("kllokot.info").post(
        "/api/documents/",
        {"title": "Bosh", "kind": "report", "file": SimpleUploadedFile("bosh.txt", b"")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="sq",
    )
    assert empty.json()["error"]["message"] == "Skedari është bosh."


def test_too_many_parameters_are_refused_in_the_error_shape(api_as) -> None:  # type: ignore[no-untyped-def]
    # Django refuses them before any view runs (DATA_UPLOAD_MAX_NUMBER_FIELDS).
    query = "&".join(f"q{n}=1" for n in range(1100))
    response = api_as("kllokot.mayor").get(f"/api/search/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_body_that_cannot_be_parsed_is_refused_in_the_callers_language(api_as) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.mayor").post(
        "/api/delegations/", "{nuk", content_type="application/json", HTTP_ACCEPT_LANGUAGE="sq"
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "parse_error",
        "message": "Trupi i kërkesës nuk mund të lexohet si JSON ose formular.",
        "details": {},
    }
