"""A body larger than any upload may be is refused from its announced length, before a byte of
it is read: on the upload page, the version form and the API alike, in the caller's language."""

import html
import io
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from roles.models import User

ANNOUNCED = 300 * 2**20
BOUNDARY = "grensa"
MESSAGE = {
    "sq": "Skedari i kalon 50 MB.",
    "sr-latn": "Datoteka prelazi 50 MB.",
    "sr": "Датотека прелази 50 МБ.",
    "en": "The file exceeds 50 MB.",
}


class WatchedBody(io.BytesIO):
    """The request's body; counts what the server reads of it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.taken += len(line)
        return line


def wsgi_input(body: WatchedBody) -> dict[str, Any]:
    return {"wsgi.input": body}


def multipart_start() -> bytes:
    """The first part of what a browser would send: the title, then a file that goes on."""
    return (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\nPlani\r\n'
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="plani.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode() + b"x" * 65536


@pytest.fixture
def official(db: None) -> Client:
    user = User.objects.create_user(username=f"u{uuid.uuid4().hex[:10]}", password="-")
    # A browser's form: the CSRF check is made, as it reads the form.
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def send(client: Client, path: str, language: str = "sq") -> tuple[Any, WatchedBody]:
    body = WatchedBody(multipart_start())
    response = client.generic(
        "POST",
        path,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_ACCEPT_LANGUAGE=language,
        CONTENT_LENGTH=str(ANNOUNCED),
        **wsgi_input(body),
    )
    return response, body


@pytest.mark.parametrize(
    "path",
    [
        reverse("documents:upload"),
        reverse("documents:version-upload", args=[1]),
        "/api/documents/",
        "/api/documents/1/versions/",
    ],
)
def test_an_oversized_body_is_refused_before_it_is_read(official: Client, path: str) -> None:
    assert ANNOUNCED > settings.DOCUMENT_MAX_UPLOAD_SIZE
    response, body = send(official, path)
    assert response.status_code == 413
    assert body.taken == 0
    if path.startswith("/api/"):
        assert response.json()["error"] == {
            "code": "file_too_large",
            "message": MESSAGE["sq"],
            "details": {},
        }
    else:
        page = html.unescape(response.content.decode())
        assert MESSAGE["sq"] in page
        assert 'class="upload-refusal"' in page


@pytest.mark.parametrize("language", ["sq", "sr-latn", "sr", "en"])
def test_the_upload_page_refuses_in_the_callers_language(official: Client, language: str) -> None:
    response, _body = send(official, reverse("documents:upload"), language)
    assert response.status_code == 413
    assert MESSAGE[language] in html.unescape(response.content.decode())


def test_an_upload_within_the_limit_is_read_as_before(db: None) -> None:
    """Just under the limit the view reads the form (here a broken one: 400 on the page)."""
    client = Client()
    client.force_login(User.objects.create_user(username=f"u{uuid.uuid4().hex[:10]}"))
    body = WatchedBody(multipart_start())
    response = client.generic(
        "POST",
        reverse("documents:upload"),
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(len(body.getvalue())),
        **wsgi_input(body),
    )
    assert response.status_code == 400
    assert body.taken == len(body.getvalue())
