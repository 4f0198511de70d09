"""Safe intake: every uploaded file passes here once, before anything is stored.

python-magic decides the type from the bytes; the file's name must agree with it; Office and
OpenDocument containers are opened (central directory only) to refuse macros and zip bombs.
"""

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import magic
from django.conf import settings
from django.utils.translation import gettext

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXT = "text/plain"
PNG, JPEG, TIFF = "image/png", "image/jpeg", "image/tiff"

# The allow-list: detected type → the file-name extensions that may carry it.
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    PDF: frozenset({".pdf"}),
    DOCX: frozenset({".docx"}),
    XLSX: frozenset({".xlsx"}),
    ODT: frozenset({".odt"}),
    ODS: frozenset({".ods"}),
    TEXT: frozenset({".txt", ".text"}),
    PNG: frozenset({".png"}),
    JPEG: frozenset({".jpg", ".jpeg"}),
    TIFF: frozenset({".tif", ".tiff"}),
}
ZIP_CONTAINERS = {DOCX, XLSX, ODT, ODS}
# Zip members that only a document with macros has: VBA projects in Office files, Basic and
# script libraries in OpenDocument files.
MACRO_MEMBER_SUFFIXES = ("vbaproject.bin", "vbadata.xml")
MACRO_MEMBER_FOLDERS = ("basic/", "scripts/")
# A large part that inflates this many times over is a bomb, whatever the total: real
# document XML compresses about ten to twenty times.
BOMB_MEMBER_SIZE = 10 * 2**20
BOMB_RATIO = 100
# libmagic needs the first kilobytes only; reading more costs time for nothing.
SNIFF_BYTES = 16 * 1024
CHUNK = 1024 * 1024


class Refused(Exception):
    """An upload that is not accepted; `status` is the HTTP status the API answers with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Inspected:
    filename: str
    mime_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """The last path component, without control or bidirectional-override characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: control characters; Cf: format characters such as U+202E (right-to-left override),
    # which make "gpj.exe" display as "exe.jpg".
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf"})
    name = name.strip().strip(".").strip()
    if not name:
        return "document"
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
    return stem[: 200 - len(suffix)] + suffix


def detect_type(head: bytes) -> str:
    return magic.from_buffer(head, mime=True)


def _refuse_unsafe_container(stream: IO[bytes], mime_type: str) -> None:
    limit = settings.DOCUMENT_MAX_UNCOMPRESSED_SIZE
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise Refused(
            415, "corrupt_file", gettext("The file is damaged and cannot be opened.")
        ) from error
    if len(members) > settings.DOCUMENT_MAX_ARCHIVE_MEMBERS:
        raise Refused(413, "archive_too_large", gettext("The document has too many parts."))
    # Sizes come from the central directory: nothing is inflated to judge them. A member
    # that lies about its size cannot yield more than it declares when read later.
    if sum(member.file_size for member in members) > limit or any(
        member.file_size > BOMB_MEMBER_SIZE
        and member.file_size > BOMB_RATIO * max(member.compress_size, 1)
        for member in members
    ):
        raise Refused(
            413,
            "archive_too_large",
            gettext("The document would expand past the allowed size when opened."),
        )
    names = [member.filename.lower() for member in members]
    if any(
        name.endswith(MACRO_MEMBER_SUFFIXES) or name.startswith(MACRO_MEMBER_FOLDERS)
        for name in names
    ):
        raise Refused(415, "macros_not_allowed", gettext("Documents with macros are not accepted."))
    if mime_type in {DOCX, XLSX}:
        try:
            with zipfile.ZipFile(stream) as archive:
                content_types = archive.read("[Content_Types].xml")[:1_000_000]
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError) as error:
            raise Refused(415, "corrupt_file", gettext("The document is damaged.")) from error
        if b"macroenabled" in content_types.lower():
            raise Refused(
                415, "macros_not_allowed", gettext("Documents with macros are not accepted.")
            )


def too_large() -> Refused:
    megabytes = settings.DOCUMENT_MAX_UPLOAD_SIZE // 2**20
    return Refused(
        413, "file_too_large", gettext("The file exceeds %(size)s MB.") % {"size": megabytes}
    )


def inspect(stream: IO[bytes], name: str, size: int) -> Inspected:
    """Check an upload: size, type from its bytes, agreement with its name, container safety.
    Reads the stream in chunks (never whole into memory) and leaves it rewound."""
    if size <= 0:
        raise Refused(400, "empty_file", gettext("The file is empty."))
    if size > settings.DOCUMENT_MAX_UPLOAD_SIZE:
        raise too_large()
    filename = clean_filename(name)
    stream.seek(0)
    mime_type = detect_type(stream.read(SNIFF_BYTES))
    extensions = ALLOWED_TYPES.get(mime_type)
    if extensions is None:
        raise Refused(
            415,
            "type_not_allowed",
            gettext("Files of type %(type)s are not accepted.") % {"type": mime_type},
        )
    extension = PurePosixPath(filename).suffix.lower()
    if extension not in extensions:
        named = extension or gettext("no extension")
        raise Refused(
            415,
            "type_mismatch",
            gettext("The file's content is %(type)s, which its name (%(name)s) does not say.")
            % {"type": mime_type, "name": named},
        )
    if mime_type in ZIP_CONTAINERS:
        stream.seek(0)
        _refuse_unsafe_container(stream, mime_type)
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    stream.seek(0)
    return Inspected(filename=filename, mime_type=mime_type, size=size, sha256=digest.hexdigest())
