"""The document picker's search (`/documents/picker/`): every document the official may attach
that the typed words find, however they are written, and nothing of another institution's
that it may not send on; its permission matrix."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from documents import services, views
from documents.models import Document
from roles.models import Institution, User

URL = "/documents/picker/"


def signed_in(username: str | None) -> Client:
    client = Client()
    if username:
        assert client.login(username=username, password="demo")
    return client


def registered(
    user: User, code: str, title: str, *, filename: str = "dokument.txt", **fields: Any
) -> Document:
    content = f"{title}\n".encode()
    return services.document_create(
        actor=user,
        institution=Institution.objects.get(code=code),
        upload=SimpleUploadedFile(filename, content),
        filename=filename,
        size=len(content),
        title=title,
        kind=fields.pop("kind", "other"),
        **fields,
    )


def found(client: Client, q: str, institution: str = "KLLOKOT", **extra: str) -> Any:
    response = client.get(URL, {"institution": institution, "q": q, **extra})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def ids(answer: dict[str, Any]) -> set[int]:
    return {row["id"] for row in answer["results"]}


@pytest.fixture
def archive(demo: dict[str, User]) -> dict[str, Document]:
    """Kllokot's own documents, Prishtinë's kept to itself, one it shared with Kllokot with
    its consent to send it on, one shared without, and an annulled registration."""
    kllokot, prishtine = demo["kllokot.info"], demo["prishtine.info"]
    documents = {
        "own": registered(kllokot, "KLLOKOT", "Vendimi për zgjëdhjet lokale"),
        "cyrillic": registered(kllokot, "KLLOKOT", "Одлука о водоводу Чачак", language="sr"),
        "filename": registered(kllokot, "KLLOKOT", "Procesverbal", filename="seanca-mars.txt"),
        "foreign": registered(prishtine, "PRISHTINE", "Vendimi për zgjedhjet e Prishtinës"),
        "consented": registered(prishtine, "PRISHTINE", "Plani i zgjedhjeve, i ndarë"),
        "shared": registered(prishtine, "PRISHTINE", "Raporti i zgjedhjeve, vetëm për lexim"),
        "annulled": registered(kllokot, "KLLOKOT", "Zgjedhjet, e regjistruar gabimisht"),
    }
    kllokot_institution = Institution.objects.get(code="KLLOKOT")
    services.document_share(
        actor=prishtine,
        document=documents["consented"],
        institution=kllokot_institution,
        may_forward=True,
    )
    services.document_share(
        actor=prishtine, document=documents["shared"], institution=kllokot_institution
    )
    services.document_annul(
        actor=kllokot, document=documents["annulled"], reason="Regjistruar dy herë."
    )
    return documents


@pytest.mark.parametrize(
    ("username", "institution", "status"),
    [
        (None, "KLLOKOT", 302),  # the sign-in page first, like every page
        ("kllokot.info", "KLLOKOT", 200),
        ("kllokot.mayor", "KLLOKOT", 200),
        ("prishtine.info", "KLLOKOT", 404),  # not one of theirs
        ("auditor", "KLLOKOT", 404),  # reads every archive, attaches for none but its own
        ("kllokot.info", "PRISHTINE", 404),
        ("kllokot.info", "NOWHERE", 404),
        ("admin", "KLLOKOT", 404),  # a member of no institution
    ],
)
def test_the_picker_search_matrix(
    archive: dict[str, Document], username: str | None, institution: str, status: int
) -> None:
    response = signed_in(username).get(URL, {"institution": institution, "q": "zgjedhje"})
    assert response.status_code == status
    if status == 302:
        assert "login" in response["Location"]
    if status == 404:
        assert archive["own"].title not in response.content.decode()


def test_it_finds_what_the_official_may_attach_and_nothing_else(
    archive: dict[str, Document],
) -> None:
    """Given documents of two institutions whose titles share a word, Kllokot's officer finds
    Kllokot's own and the one Prishtinë let it send on, and never Prishtinë's others, the one
    only shared for reading, nor an annulled registration."""
    client = signed_in("kllokot.info")
    answer = found(client, "zgjedhje")
    assert ids(answer) == {archive["own"].pk, archive["consented"].pk}
    assert answer["more"] is False
    labels = " ".join(row["label"] for row in answer["results"])
    assert archive["own"].registration_number in labels and "Prishtinës" not in labels
    # The institution's own only (the recipient's answer to a coordination request).
    assert ids(found(client, "zgjedhje", own="1")) == {archive["own"].pk}
    # Prishtinë's officer, for Prishtinë, finds its own and none of Kllokot's.
    prishtine = found(signed_in("prishtine.info"), "zgjedhje", institution="PRISHTINE")
    assert ids(prishtine) == {
        archive["foreign"].pk,
        archive["consented"].pk,
        archive["shared"].pk,
    }


@pytest.mark.parametrize(
    ("typed", "document"),
    [
        ("ZGJEDHJET lokale", "own"),  # case, diacritics, two words
        ("cacak vodovod", "cyrillic"),  # Latin typed, Cyrillic written
        ("Чачак", "cyrillic"),
        ("seanca-mars", "filename"),
        ("procesverbal", "filename"),
    ],
)
def test_it_finds_a_document_however_it_is_typed(
    archive: dict[str, Document], typed: str, document: str
) -> None:
    assert ids(found(signed_in("kllokot.info"), typed)) == {archive[document].pk}


def test_it_finds_a_document_by_its_registration_number(archive: dict[str, Document]) -> None:
    number = archive["cyrillic"].registration_number
    assert archive["cyrillic"].pk in ids(found(signed_in("kllokot.info"), number.lower()))


def test_it_says_when_there_are_more_than_it_shows(
    archive: dict[str, Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PICKER_FOUND", 1)
    answer = found(signed_in("kllokot.info"), "zgjedhje")
    assert answer["more"] is True and len(answer["results"]) == 1
    # The newest first: the consented one was registered after Kllokot's own.
    assert ids(answer) == {archive["consented"].pk}


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "x"}, {"institution": "KLLOKOT", "q": "x" * 201}, {"institution": "K" * 40}],
)
def test_bad_queries_are_refused_not_failed(archive: dict[str, Document], query: Any) -> None:
    response = signed_in("kllokot.info").get(URL, query)
    assert response.status_code == 400


def test_a_bare_search_lists_the_newest(archive: dict[str, Document]) -> None:
    answer = found(signed_in("kllokot.info"), "")
    assert archive["annulled"].pk not in ids(answer)
    assert ids(answer) >= {archive["own"].pk, archive["consented"].pk, archive["filename"].pk}
