"""Safe intake: every uploaded file passes here once, before anything is stored.

python-magic decides the type from the bytes; the file's name must agree with it; Office and
OpenDocument packages are judged by their central directory (zip bombs: nothing inflated), then
by the parts that say what they hold, to refuse macros, ActiveX, OLE objects and content loaded
from elsewhere (a remote template, a linked workbook or image).
"""

import hashlib
import posixpath
import shutil
import tempfile
import unicodedata
import xml.sax
import xml.sax.handler
import xml.sax.xmlreader
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any, cast
from urllib.parse import unquote, urlsplit

import defusedxml.sax
import magic
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

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
# A large part that inflates this many times over is a bomb, whatever the total: real
# document XML compresses about ten to twenty times.
BOMB_MEMBER_SIZE = 10 * 2**20
BOMB_RATIO = 100
# libmagic needs the first kilobytes only; reading more costs time for nothing.
SNIFF_BYTES = 16 * 1024
CHUNK = 1024 * 1024


# What people call each accepted type where a page shows a file's type (a version's row, a
# file in a list): a word of their language, never the type's code.
FILE_KINDS = {
    PDF: gettext_lazy("PDF"),
    DOCX: gettext_lazy("Word document"),
    XLSX: gettext_lazy("Excel workbook"),
    ODT: gettext_lazy("OpenDocument text"),
    ODS: gettext_lazy("OpenDocument spreadsheet"),
    TEXT: gettext_lazy("Plain text"),
    PNG: gettext_lazy("Image (PNG)"),
    JPEG: gettext_lazy("Image (JPEG)"),
    TIFF: gettext_lazy("Image (TIFF)"),
}


def file_kind(mime_type: str) -> str:
    """The file's kind as people call it, in the active language (`FILE_KINDS`); a type from
    before the allow-list changed is "Other file", not its code."""
    kind = FILE_KINDS.get((mime_type or "").split(";")[0].strip().lower())
    return str(kind) if kind is not None else gettext("Other file")


def type_name(mime_type: str) -> str:
    """An accepted type as people call it, in their language (messages name no type codes)."""
    names = {
        PDF: gettext("a PDF document"),
        DOCX: gettext("a Word document (.docx)"),
        XLSX: gettext("an Excel workbook (.xlsx)"),
        ODT: gettext("an OpenDocument text (.odt)"),
        ODS: gettext("an OpenDocument spreadsheet (.ods)"),
        TEXT: gettext("plain text"),
        PNG: gettext("a PNG image"),
        JPEG: gettext("a JPEG image"),
        TIFF: gettext("a TIFF image"),
    }
    return names.get(mime_type, gettext("another kind of file"))


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


# --- Office and OpenDocument packages -----------------------------------------------------------
#
# A package is refused for what it can do when opened, found by what its parts are (their
# declared content types, their relationships, their first bytes), never by what they are
# called: a VBA project named "word/image7.png" is still a VBA project.
#
# Reasons a package is refused, each with its own code and message (`_refused`).
MACROS, ACTIVE_CONTENT, OLE_OBJECTS = "macros", "active_content", "ole_objects"
EXTERNAL_TEMPLATE, EXTERNAL_LINK, ENCRYPTED = "external_template", "external_link", "encrypted"

# Office (OOXML) content types, lower case and without parameters, of parts that run code
# (VBA projects and their signatures, Excel 4.0 macro sheets, macro toolbars and key
# bindings), ActiveX controls, OLE objects and the legacy binary formats embedded as OLE,
# and Excel's links to other workbooks (which also carry DDE links to other programs).
REFUSED_CONTENT_TYPES = {
    "application/vnd.ms-office.vbaproject": MACROS,
    "application/vnd.ms-office.vbaprojectsignature": MACROS,
    "application/vnd.ms-office.vbaprojectsignatureagile": MACROS,
    "application/vnd.ms-office.vbaprojectsignaturev3": MACROS,
    "application/vnd.ms-word.vbadata+xml": MACROS,
    "application/vnd.ms-excel.macrosheet+xml": MACROS,
    "application/vnd.ms-excel.intlmacrosheet+xml": MACROS,
    "application/vnd.ms-word.attachedtoolbars": MACROS,
    "application/vnd.ms-excel.attachedtoolbars": MACROS,
    "application/vnd.ms-word.keymapcustomizations+xml": MACROS,
    "application/vnd.ms-office.activex+xml": ACTIVE_CONTENT,
    "application/vnd.ms-office.activex": ACTIVE_CONTENT,
    "application/vnd.openxmlformats-officedocument.oleobject": OLE_OBJECTS,
    "application/msword": OLE_OBJECTS,
    "application/vnd.ms-excel": OLE_OBJECTS,
    "application/vnd.ms-powerpoint": OLE_OBJECTS,
    "application/vnd.visio": OLE_OBJECTS,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.externallink+xml": EXTERNAL_LINK,
    # OpenDocument's manifest names an embedded OLE object so.
    "application/vnd.sun.star.oleobject": OLE_OBJECTS,
}
# Words that mark a whole family of content types: the main part of every macro-enabled
# document, template, show or add-in (.docm, .dotm, .xlsm, .xltm, .xlam, .pptm, .ppsm, .potm,
# .ppam), and every VBA, ActiveX and OLE part whatever its exact type.
REFUSED_CONTENT_TYPE_WORDS = (
    ("macroenabled", MACROS),
    ("vbaproject", MACROS),
    ("activex", ACTIVE_CONTENT),
    ("oleobject", OLE_OBJECTS),
)
# Relationship types (the last segment of the type's URI, lower case) refused whatever their
# target: the same content reached through a relationship instead of a content type.
REFUSED_RELATIONSHIPS = {
    "vbaproject": MACROS,
    "vbaprojectsignature": MACROS,
    "wordvbadata": MACROS,
    "xlmacrosheet": MACROS,
    "xlintlmacrosheet": MACROS,
    "attachedtoolbars": MACROS,
    "keymapcustomizations": MACROS,
    "activexcontrol": ACTIVE_CONTENT,
    "activexcontrolbinary": ACTIVE_CONTENT,
    "oleobject": OLE_OBJECTS,
    "externallinkpath": EXTERNAL_LINK,
    "attachedtemplate": EXTERNAL_TEMPLATE,
}
# Every relationship with TargetMode="External" is refused (a remote template, a linked image
# or workbook, an OLE link, a frame or sub-document loaded from elsewhere: Office fetches them
# when the file is opened, which leaks the reader's address and network credentials and was
# the way in of Follina), except plain hyperlinks to web pages and e-mail addresses: those
# are text a reader chooses to click, nothing is fetched on opening, and decisions and
# statements cite laws and pages on the web all the time. A hyperlink to a file, a network
# share or any other scheme (ms-msdt:, search-ms:, file:) is refused like any external link.
# OpenDocument follows the same rule (`_OpenDocumentPart`).
WEB_LINK_SCHEMES = {"http", "https", "mailto"}
# OpenDocument's locations of Basic macros, their dialogs and scripts in other languages.
OPENDOCUMENT_MACRO_FOLDERS = ("basic/", "dialogs/", "scripts/")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # VBA projects, OLE objects, .doc, .xls
ZIP_SIGNATURE = b"PK\x03\x04"
# Packages inside packages (a chart's workbook inside a DOCX, an embedded document) are
# checked like the outer one, this deep at most: deeper nesting, or a zip that contains
# itself, is refused.
MAX_PACKAGE_DEPTH = 3

_XLINK = "http://www.w3.org/1999/xlink"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SCRIPT = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_PRESENTATION = "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_Name = tuple[str | None, str]
# OpenDocument elements refused wherever they are: a macro's source, an OLE object, a Java
# applet or browser plug-in, and DDE links to other programs' data.
OPENDOCUMENT_REFUSED_ELEMENTS: dict[_Name, str] = {
    (_OFFICE, "script"): MACROS,
    (_DRAW, "object-ole"): OLE_OBJECTS,
    (_DRAW, "applet"): ACTIVE_CONTENT,
    (_DRAW, "plugin"): ACTIVE_CONTENT,
    (_OFFICE, "dde-source"): EXTERNAL_LINK,
    (_TEXT, "dde-connection-decl"): EXTERNAL_LINK,
    (_TEXT, "dde-connection"): EXTERNAL_LINK,
    (_TABLE, "dde-link"): EXTERNAL_LINK,
}
OPENDOCUMENT_HYPERLINKS: set[_Name] = {(_TEXT, "a"), (_DRAW, "a")}
# Attribute values that call a macro (a toolbar button, a form control, a hyperlink).
MACRO_URL_PREFIXES = ("vnd.sun.star.script:", "macro:")


def _refused(reason: str, target: str = "") -> Refused:
    """The 415 for a package refused for `reason`, in the caller's language; `target` (what an
    external link points to) is named so the author can find and remove it."""
    if reason == MACROS:
        return Refused(
            415, "macros_not_allowed", gettext("Documents with macros are not accepted.")
        )
    if reason == ACTIVE_CONTENT:
        return Refused(
            415,
            "active_content_not_allowed",
            gettext("Documents with ActiveX controls, applets or plug-ins are not accepted."),
        )
    if reason == OLE_OBJECTS:
        return Refused(
            415,
            "ole_objects_not_allowed",
            gettext("Documents with embedded or linked OLE objects are not accepted."),
        )
    if reason == ENCRYPTED:
        return Refused(
            415,
            "encrypted_document",
            gettext("Password-protected documents cannot be checked and are not accepted."),
        )
    if reason == EXTERNAL_TEMPLATE:
        return Refused(
            415,
            "external_template_not_allowed",
            gettext(
                "Documents that load their template from elsewhere (%(target)s) are not "
                "accepted; detach the template and upload the document again."
            )
            % {"target": _shown(target)},
        )
    if not target:  # an external link found by its part's type (Excel's, DDE), not its target
        return Refused(
            415,
            "external_links_not_allowed",
            gettext(
                "Documents that load content from other files, programs or addresses are not "
                "accepted."
            ),
        )
    return Refused(
        415,
        "external_links_not_allowed",
        gettext(
            "Documents that load content from other files, programs or addresses "
            "(%(target)s) are not accepted."
        )
        % {"target": _shown(target)},
    )


def _shown(target: str) -> str:
    """An external target as it may appear in a message: one line, no control or direction
    characters, at most 120 characters."""
    visible = "".join(
        char if unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp"} else " "
        for char in target
    ).strip()
    visible = " ".join(visible.split()) or "?"
    return visible if len(visible) <= 120 else visible[:119] + "…"


def _damaged() -> Refused:
    return Refused(415, "corrupt_file", gettext("The file is damaged and cannot be opened."))


def _content_type_reason(content_type: str) -> str | None:
    kind = content_type.split(";")[0].strip().lower()
    if kind in REFUSED_CONTENT_TYPES:
        return REFUSED_CONTENT_TYPES[kind]
    return next((reason for word, reason in REFUSED_CONTENT_TYPE_WORDS if word in kind), None)


def _is_web_link(target: str) -> bool:
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in target):
        return False
    parts = urlsplit(target.strip())
    scheme = parts.scheme.lower()
    return scheme in WEB_LINK_SCHEMES and (scheme == "mailto" or bool(parts.netloc))


# What reading a damaged, encrypted or oddly compressed member raises.
_UNREADABLE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
)
# ValueError: also defusedxml's refusals (entity declarations, external references).
_UNPARSABLE: tuple[type[Exception], ...] = (xml.sax.SAXException, ValueError, *_UNREADABLE)


class _Inflation:
    """What checking a package may inflate in all, its nested packages included: never more
    than DOCUMENT_MAX_UNCOMPRESSED_SIZE. A part is charged its declared size before it is read;
    zipfile never yields more than that."""

    def __init__(self) -> None:
        self.left = settings.DOCUMENT_MAX_UNCOMPRESSED_SIZE

    def take(self, size: int) -> None:
        if size > self.left:
            raise _expands_too_far()
        self.left -= size


def _expands_too_far() -> Refused:
    return Refused(
        413,
        "archive_too_large",
        gettext("The document would expand past the allowed size when opened."),
    )


def _part_name(member: zipfile.ZipInfo) -> str:
    """Part names compare without case (OPC says so) and with forward slashes."""
    return member.filename.replace("\\", "/").lstrip("/").lower()


def _parse(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    handler: xml.sax.handler.ContentHandler,
    inflation: _Inflation,
) -> None:
    """Stream one XML part through `handler` (defusedxml's SAX parser: no entities, no
    external resources, no tree in memory). The handler raises Refused to stop early. An empty
    part (LibreOffice writes some) says nothing."""
    if member.file_size == 0:
        return
    inflation.take(member.file_size)
    parser = defusedxml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        with archive.open(member) as part:
            source = xml.sax.xmlreader.InputSource(member.filename)
            source.setByteStream(part)
            parser.parse(source)
    except Refused:
        raise
    except _UNPARSABLE as error:
        raise _damaged() from error


class _ContentTypes(xml.sax.handler.ContentHandler):
    """[Content_Types].xml: every Default (by extension) and Override (by part) type."""

    def startElementNS(self, name: _Name, qname: str | None, attrs: Any) -> None:
        if name[1] in {"Default", "Override"}:
            reason = _content_type_reason(attrs.get((None, "ContentType"), ""))
            if reason is not None:
                raise _refused(reason)


class _Relationships(xml.sax.handler.ContentHandler):
    """A *.rels part: refused relationship types, and every external target but a web link."""

    def startElementNS(self, name: _Name, qname: str | None, attrs: Any) -> None:
        if name[1] != "Relationship":
            return
        kind = attrs.get((None, "Type"), "").strip().rstrip("/").rsplit("/", 1)[-1].lower()
        target = attrs.get((None, "Target"), "")
        external = attrs.get((None, "TargetMode"), "").strip().lower() == "external"
        reason = REFUSED_RELATIONSHIPS.get(kind)
        if reason is not None:
            raise _refused(reason, target)
        if external and not (kind == "hyperlink" and _is_web_link(target)):
            raise _refused(EXTERNAL_LINK, target)


class _Manifest(xml.sax.handler.ContentHandler):
    """META-INF/manifest.xml: the media type and place of every file, and encryption."""

    def startElementNS(self, name: _Name, qname: str | None, attrs: Any) -> None:
        if name == (_MANIFEST, "encryption-data"):
            # The parts are ciphertext: what they hold cannot be checked.
            raise _refused(ENCRYPTED)
        if name != (_MANIFEST, "file-entry"):
            return
        reason = _content_type_reason(attrs.get((_MANIFEST, "media-type"), ""))
        path = attrs.get((_MANIFEST, "full-path"), "").replace("\\", "/").lstrip("/").lower()
        if reason is None and path.startswith(OPENDOCUMENT_MACRO_FOLDERS):
            reason = MACROS
        if reason is not None:
            raise _refused(reason)


class _OpenDocumentPart(xml.sax.handler.ContentHandler):
    """An XML part of an OpenDocument package (content, styles, meta, settings, an embedded
    chart's, a toolbar's): macros bound to events, refused elements, and links (xlink:href)
    that leave the package, by the same rule as Office's external relationships."""

    def __init__(self, part: str, members: frozenset[str], folders: frozenset[str]) -> None:
        super().__init__()
        self.folder = posixpath.dirname(part)
        self.members, self.folders = members, folders

    def startElementNS(self, name: _Name, qname: str | None, attrs: Any) -> None:
        if name[0] == _SCRIPT:  # script:event-listener: a macro run on an event
            raise _refused(MACROS)
        reason = OPENDOCUMENT_REFUSED_ELEMENTS.get(name)
        if reason is not None:
            raise _refused(reason)
        if name == (_PRESENTATION, "event-listener") and attrs.get(
            (_PRESENTATION, "action"), ""
        ) in {"execute", "verb"}:  # runs a program, or an OLE object's verb
            raise _refused(ACTIVE_CONTENT)
        for value in attrs.values():
            if value[:24].strip().lower().startswith(MACRO_URL_PREFIXES):
                raise _refused(MACROS)
        href = attrs.get((_XLINK, "href"))
        if href is not None and not self._stays_inside(name, href):
            raise _refused(
                EXTERNAL_TEMPLATE if name == (_META, "template") else EXTERNAL_LINK, href
            )

    def _stays_inside(self, name: _Name, href: str) -> bool:
        target = href.strip()
        if not target or target.startswith("#"):
            return True
        if name in OPENDOCUMENT_HYPERLINKS and _is_web_link(target):
            return True
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith(("/", "\\")):
            return False
        path = unquote(parts.path)
        for candidate in (path, posixpath.join(self.folder, path)):
            normal = posixpath.normpath(candidate).lower()
            if normal.startswith("..") or normal == ".":
                continue
            if normal in self.members or normal in self.folders:
                return True
        return False


def _check_office(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], inflation: _Inflation
) -> None:
    # Relationships first: an external target found there is named in the refusal.
    for member in members:
        if _part_name(member).endswith(".rels"):
            _parse(archive, member, _Relationships(), inflation)
    for member in members:
        if _part_name(member) == "[content_types].xml":
            _parse(archive, member, _ContentTypes(), inflation)


def _check_opendocument(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], inflation: _Inflation
) -> None:
    names = frozenset(_part_name(member) for member in members)
    if any(name.startswith(OPENDOCUMENT_MACRO_FOLDERS) for name in names):
        raise _refused(MACROS)
    # "Object 1" names an embedded chart's folder, whose parts are "Object 1/content.xml"...
    folders = frozenset(
        "/".join(steps[:count])
        for steps in (name.rstrip("/").split("/") for name in names)
        for count in range(1, len(steps))
    )
    for member in members:
        if _part_name(member) == "meta-inf/manifest.xml":
            _parse(archive, member, _Manifest(), inflation)
    for member in members:
        name = _part_name(member)
        if name.endswith(".xml") and not name.startswith("meta-inf/"):
            _parse(archive, member, _OpenDocumentPart(name, names, folders), inflation)


def _check_package(stream: IO[bytes], inflation: _Inflation, *, depth: int = 0) -> None:
    """Refuse a package (or one inside it) that is too large, damaged, or carries macros,
    ActiveX, OLE or external content. Only the central directory is read to judge sizes;
    the parts that say what the package holds are then inflated within `inflation`."""
    if depth > MAX_PACKAGE_DEPTH:
        raise _refused(OLE_OBJECTS)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _damaged() from error
    with archive:
        members = archive.infolist()
        if len(members) > settings.DOCUMENT_MAX_ARCHIVE_MEMBERS:
            raise Refused(413, "archive_too_large", gettext("The document has too many parts."))
        # Sizes come from the central directory: nothing is inflated to judge them. A member
        # that lies about its size cannot yield more than it declares when read later.
        if sum(
            member.file_size for member in members
        ) > settings.DOCUMENT_MAX_UNCOMPRESSED_SIZE or any(
            member.file_size > BOMB_MEMBER_SIZE
            and member.file_size > BOMB_RATIO * max(member.compress_size, 1)
            for member in members
        ):
            raise _expands_too_far()
        names = {_part_name(member) for member in members}
        office = "[content_types].xml" in names
        opendocument = "mimetype" in names or "meta-inf/manifest.xml" in names
        if not (office or opendocument):
            # Outermost, libmagic took it for an office file; inside one, it is a file of
            # some other kind embedded as an object.
            raise _damaged() if depth == 0 else _refused(OLE_OBJECTS)
        if office:
            _check_office(archive, members, inflation)
        if opendocument:
            _check_opendocument(archive, members, inflation)
        _check_members(archive, members, inflation, depth)


def _check_members(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], inflation: _Inflation, depth: int
) -> None:
    """Each part by its first bytes: an OLE2 compound file (a VBA project, an OLE object, a
    legacy .doc or .xls) whatever its name and declared type, and packages inside the
    package, checked in turn."""
    for member in members:
        if member.is_dir() or member.file_size == 0:
            continue
        try:
            with archive.open(member) as part:
                head = part.read(len(OLE2_SIGNATURE))
        except _UNREADABLE as error:
            raise _damaged() from error
        if head.startswith(OLE2_SIGNATURE):
            raise _refused(OLE_OBJECTS)
        if head.startswith(ZIP_SIGNATURE):
            inflation.take(member.file_size)
            with tempfile.SpooledTemporaryFile(max_size=CHUNK) as copy:
                try:
                    with archive.open(member) as part:
                        shutil.copyfileobj(part, copy, CHUNK)
                except _UNREADABLE as error:
                    raise _damaged() from error
                copy.seek(0)
                _check_package(cast(IO[bytes], copy), inflation, depth=depth + 1)


def check_package(stream: IO[bytes]) -> None:
    """Raise Refused for an Office or OpenDocument package (of any kind: documents,
    spreadsheets, presentations, allowed or not) that is too large, damaged, or carries macros,
    ActiveX, OLE objects or content loaded from elsewhere."""
    _check_package(stream, _Inflation())


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
            gettext(
                "This kind of file is not accepted. Accepted are PDF, Word (.docx), Excel "
                "(.xlsx), OpenDocument text (.odt) and spreadsheet (.ods), plain text (.txt) "
                "and PNG, JPEG or TIFF images."
            ),
        )
    extension = PurePosixPath(filename).suffix.lower()
    if extension not in extensions:
        named = extension or gettext("no extension")
        raise Refused(
            415,
            "type_mismatch",
            gettext("The file is %(type)s, which its name (%(name)s) does not say.")
            % {"type": type_name(mime_type), "name": named},
        )
    if mime_type in ZIP_CONTAINERS:
        stream.seek(0)
        check_package(stream)
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    stream.seek(0)
    return Inspected(filename=filename, mime_type=mime_type, size=size, sha256=digest.hexdigest())
