"""Real files, built in memory, for the document tests: text and scanned PDFs, images with
rendered text, office documents, plain text in the code pages used in Kosovo, and hostile files
(an executable, a zip bomb, a damaged PDF).

Every factory returns bytes. What libmagic makes of each (the intake allow-list depends on it)
is asserted in test_extract.py::test_libmagic_detects_the_factories.
"""

import functools
import io
import struct
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from fpdf import FPDF
from openpyxl import Workbook
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian: fonts-dejavu-core
DPI = 300
# 12 pt at 300 dpi is 50 px: the size of body text on a scanned A4 page.
FONT_PX = 50
Pages = str | Sequence[str]


def _pages(text: Pages) -> list[str]:
    return [text] if isinstance(text, str) else list(text)


# --- Images -------------------------------------------------------------------------------------


def render(text: str, *, width: int = 1800, font_px: int = FONT_PX) -> Image.Image:
    """Black text on white, word-wrapped to `width` pixels, as a 300-dpi grayscale image.
    Lines of `text` stay lines; the height fits the text."""
    font = ImageFont.truetype(FONT, font_px)
    margin, line_height = font_px * 2, int(font_px * 1.5)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and font.getlength(candidate) > width - 2 * margin:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    image = Image.new("L", (width, 2 * margin + line_height * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((margin, margin + number * line_height), line, font=font, fill=0)
    return image


def _image_bytes(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, dpi=(DPI, DPI), **options)
    return buffer.getvalue()


def png_with_text(text: str) -> bytes:
    return _image_bytes(render(text), "PNG")


def jpeg_with_text(text: str) -> bytes:
    return _image_bytes(render(text), "JPEG", quality=90)


def tiff_with_text(text: Pages) -> bytes:
    """One TIFF page per item when given a sequence (multi-page TIFF, as scanners write)."""
    images = [render(page) for page in _pages(text)]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        "TIFF",
        dpi=(DPI, DPI),
        compression="tiff_lzw",
        save_all=True,
        append_images=images[1:],
    )
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def pdf_with_text(text: Pages, *, password: str | None = None) -> bytes:
    """A PDF with a real text layer (DejaVu Sans embedded, so ë, ç, č, ђ, ж all survive): one
    page per item of a sequence; long text flows onto further pages. With `password`, the PDF
    is encrypted and needs that password to open."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=12)
    for page in _pages(text):
        pdf.add_page()
        pdf.multi_cell(0, 6, page)
    if password is not None:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    return bytes(pdf.output())


def scanned_pdf(text: Pages) -> bytes:
    """A PDF of page images only, no text layer: what a scanner produces."""
    images = [render(page).convert("RGB") for page in _pages(text)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def corrupt_pdf() -> bytes:
    """Starts like a PDF (libmagic says application/pdf) but has no usable structure."""
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nstream\n"
        + bytes(range(256)) * 4
        + b"\n%%EO"
    )


# --- Office documents ---------------------------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_PACKAGE_RELS = (
    f"{_XML}<Relationships "
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _content_types(main_type: str, *, macro: bool = False) -> str:
    vba = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    return (
        f"{_XML}<Types xmlns="
        '"http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{vba if macro else ''}"
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'
    )


def _w_paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def docx(
    paragraphs: Sequence[str],
    *,
    table: Sequence[Sequence[str]] | None = None,
    macro: bool = False,
) -> bytes:
    """A minimal valid WordprocessingML package: paragraphs, then an optional table. With
    `macro`, a .docm: the macro-enabled content type and a word/vbaProject.bin part."""
    content_types = _content_types(_DOCM_MAIN if macro else _DOCX_MAIN, macro=macro)
    body = "".join(_w_paragraph(text) for text in paragraphs)
    if table:
        rows = "".join(
            "<w:tr>" + "".join(f"<w:tc>{_w_paragraph(cell)}</w:tc>" for cell in row) + "</w:tr>"
            for row in table
        )
        body += f"<w:tbl>{rows}</w:tbl>"
    document = (
        f'{_XML}<w:document xmlns:w="{_W}" xmlns:r="{_REL}"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # libmagic calls a zip DOCX when it starts with these parts and word/ comes by the third.
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("word/document.xml", document)
        if macro:
            archive.writestr(
                "word/_rels/document.xml.rels",
                f"{_XML}<Relationships "
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId9" '
                'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
                'Target="vbaProject.bin"/></Relationships>',
            )
            # An OLE2 compound-file header, as a real VBA project starts.
            archive.writestr(
                "word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
            )
    return buffer.getvalue()


_ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'office:version="1.3"'
)
ODT_TYPE = "application/vnd.oasis.opendocument.text"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"


def _odf(
    mimetype: str,
    body: str,
    *,
    head: str = "",
    manifest: Sequence[tuple[str, str]] = (),
    parts: Mapping[str, str | bytes] | None = None,
) -> bytes:
    """An OpenDocument package: `mimetype` first and stored, as the standard (and libmagic)
    requires, then content.xml and the manifest. `head`: XML before the body (office:scripts);
    `manifest`: more (full-path, media-type) entries; `parts`: more files."""
    content = (
        f"{_XML}<office:document-content {_ODF_NS}>{head}"
        f"<office:body>{body}</office:body></office:document-content>"
    )
    entries = [("/", mimetype), ("content.xml", "text/xml"), *manifest]
    manifest_xml = (
        f"{_XML}<manifest:manifest "
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        + "".join(
            f'<manifest:file-entry manifest:full-path="{escape(path)}" '
            f'manifest:media-type="{escape(media_type)}"/>'
            for path, media_type in entries
        )
        + "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
        archive.writestr("META-INF/manifest.xml", manifest_xml)
    return buffer.getvalue()


def odt_package(
    body: str,
    *,
    head: str = "",
    manifest: Sequence[tuple[str, str]] = (),
    parts: Mapping[str, str | bytes] | None = None,
) -> bytes:
    """A text document whose office:text is `body` as given (raw ODF XML; the office, text,
    table, draw, script, meta and xlink prefixes are declared), with `_odf`'s extras."""
    return _odf(
        ODT_TYPE, f"<office:text>{body}</office:text>", head=head, manifest=manifest, parts=parts
    )


def _ods_cell(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
    )


def _ods_rows(rows: Sequence[Sequence[object]]) -> str:
    return "".join(
        "<table:table-row>" + "".join(_ods_cell(cell) for cell in row) + "</table:table-row>"
        for row in rows
    )


def odt(paragraphs: Sequence[str], *, table: Sequence[Sequence[str]] | None = None) -> bytes:
    body = "".join(f"<text:p>{escape(text)}</text:p>" for text in paragraphs)
    if table:
        body += f'<table:table table:name="Tabela1">{_ods_rows(table)}</table:table>'
    return _odf(ODT_TYPE, f"<office:text>{body}</office:text>")


def ods(rows: Sequence[Sequence[object]], *, sheet: str = "Fleta1") -> bytes:
    return _odf(
        ODS_TYPE,
        f'<office:spreadsheet><table:table table:name="{escape(sheet)}">'
        f"{_ods_rows(rows)}</table:table></office:spreadsheet>",
    )


def xlsx(rows: Sequence[Sequence[object]], *, sheet: str = "Fleta1") -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Office packages with active or external content ------------------------------------------

REL = _REL  # officeDocument relationship types: f"{REL}/attachedTemplate", f"{REL}/hyperlink"
MS_REL = "http://schemas.microsoft.com/office/2006/relationships"  # f"{MS_REL}/vbaProject"
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # a compound file's start
# (type, target, external): one relationship of a .rels part.
Relationship = tuple[str, str, bool]


def _relationship_xml(number: int, relationship: Relationship) -> str:
    kind, target, external = relationship
    mode = ' TargetMode="External"' if external else ""
    return (
        f'<Relationship Id="rIdX{number}" Type="{escape(kind)}" '
        f'Target="{escape(target, {chr(34): "&quot;"})}"{mode}/>'
    )


def with_parts(
    package: bytes,
    *,
    parts: Mapping[str, str | bytes] | None = None,
    content_types: Mapping[str, str] | None = None,
    relationships: Mapping[str, Sequence[Relationship]] | None = None,
) -> bytes:
    """An Office package (docx(), xlsx(), ...) with `parts` added or replaced, an Override
    content type declared for each part of `content_types` ({"/word/x.bin": type}) and
    `relationships` added to .rels parts (created when missing). Existing parts keep their
    order, so libmagic still knows the package."""
    parts, content_types = dict(parts or {}), dict(content_types or {})
    relationships = dict(relationships or {})
    for rels_part in relationships:
        parts.setdefault(
            rels_part,
            f"{_XML}<Relationships "
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            "</Relationships>",
        )
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):

        def rewritten(name: str, data: bytes) -> bytes:
            if name == "[Content_Types].xml" and content_types:
                overrides = "".join(
                    f'<Override PartName="{escape(part)}" ContentType="{escape(kind)}"/>'
                    for part, kind in content_types.items()
                )
                data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
            if name in relationships:
                added = "".join(
                    _relationship_xml(number, relationship)
                    for number, relationship in enumerate(relationships[name])
                )
                data = data.replace(b"</Relationships>", added.encode() + b"</Relationships>")
            return data

        def encoded(data: str | bytes) -> bytes:
            return data.encode() if isinstance(data, str) else data

        for info in source.infolist():
            if info.filename in parts:
                data = encoded(parts.pop(info.filename))
            else:
                data = source.read(info)
            archive.writestr(info, rewritten(info.filename, data))
        for name, added in parts.items():
            archive.writestr(name, rewritten(name, encoded(added)))
    return buffer.getvalue()


def docx_with_remote_template(url: str = "https://templates.example.org/vendim.dotm") -> bytes:
    """Word's way of attaching a template: word/settings.xml names it, its relationship points
    outside the package (TargetMode="External"); Word fetches it on opening."""
    settings = (
        f'{_XML}<w:settings xmlns:w="{_W}" xmlns:r="{_REL}">'
        '<w:attachedTemplate r:id="rIdX0"/></w:settings>'
    )
    return with_parts(
        docx(["Vendim"]),
        parts={"word/settings.xml": settings},
        content_types={
            "/word/settings.xml": "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.settings+xml"
        },
        relationships={
            "word/_rels/document.xml.rels": [(f"{REL}/settings", "settings.xml", False)],
            "word/_rels/settings.xml.rels": [(f"{REL}/attachedTemplate", url, True)],
        },
    )


def docx_with_hidden_macro(*, part: str = "word/media/image7.png") -> bytes:
    """A plain .docx (its main part is not macro-enabled) carrying a VBA project under another
    name, found only by the content type declared for it (its bytes are no compound file)."""
    return with_parts(
        docx(["Vendim"]),
        parts={part: b'Attribute VB_Name = "ThisDocument"\r\nSub AutoOpen()\r\nEnd Sub\r\n'},
        content_types={f"/{part}": "application/vnd.ms-office.vbaProject"},
    )


def xlsx_with_external_link(path: str = "file:///\\\\server\\share\\buxheti.xlsx") -> bytes:
    """A workbook whose formulas read another workbook: the externalLink part and its
    relationship to the other file (TargetMode="External"), as Excel writes them."""
    link = (
        f'{_XML}<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><externalBook r:id="rIdX0"><sheetNames><sheetName val="Fleta1"/>'
        "</sheetNames></externalBook></externalLink>"
    )
    return with_parts(
        xlsx([["Buxheti", 12500]]),
        parts={"xl/externalLinks/externalLink1.xml": link},
        content_types={
            "/xl/externalLinks/externalLink1.xml": "application/vnd.openxmlformats-"
            "officedocument.spreadsheetml.externalLink+xml"
        },
        relationships={
            "xl/_rels/workbook.xml.rels": [
                (f"{REL}/externalLink", "externalLinks/externalLink1.xml", False)
            ],
            "xl/externalLinks/_rels/externalLink1.xml.rels": [
                (f"{REL}/externalLinkPath", path, True)
            ],
        },
    )


def pptx(*, macro: bool = False) -> bytes:
    """A minimal PresentationML package (one empty slide list); with `macro`, a .pptm's main
    content type and a VBA project."""
    main = (
        "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"
        if macro
        else "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    )
    content_types = _content_types(main, macro=macro).replace(
        "/word/document.xml", "/ppt/presentation.xml"
    )
    presentation = (
        f'{_XML}<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/'
        f'main" xmlns:r="{_REL}"><p:sldIdLst/></p:presentation>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels", _PACKAGE_RELS.replace("word/document.xml", "ppt/presentation.xml")
        )
        archive.writestr("ppt/presentation.xml", presentation)
        if macro:
            archive.writestr("ppt/vbaProject.bin", OLE2_HEADER)
    return buffer.getvalue()


# --- Plain text, and what must be refused -------------------------------------------------------


def text_in(encoding: str, text: str) -> bytes:
    """`text` encoded as given: "utf-8", "utf-8-sig" (with BOM), "cp1250", "cp1251", ..."""
    return text.encode(encoding)


def pe_executable() -> bytes:
    """A Windows PE32 executable header (DOS stub, PE signature, COFF and optional header),
    enough for libmagic to call it application/vnd.microsoft.portable-executable."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)  # e_lfanew: where the PE header is
    coff = struct.pack("<HHIIIHH", 0x014C, 1, 0, 0, 0, 0xE0, 0x0102)  # i386, 1 section, EXE
    optional = struct.pack("<H", 0x010B) + bytes(0xE0 - 2)  # PE32 magic
    return bytes(dos) + b"PE\0\0" + coff + optional + bytes(512)


def html_page() -> bytes:
    return (
        b'<!DOCTYPE html>\n<html lang="sq"><head><meta charset="utf-8"><title>Njoftim</title>'
        b"</head><body><h1>Njoftim</h1><script>alert(document.cookie)</script></body></html>\n"
    )


@functools.cache
def zip_bomb(declared_size: int = 256 * 1024 * 1024, *, docx_like: bool = False) -> bytes:
    """A real zip whose one big member inflates to `declared_size` bytes of zeros (deflate's
    best, about 1000:1: 256 MiB → 256 KB in about 1.5 s; cached, so tests can share it).
    Streamed into the archive in 1 MiB chunks, never held whole in memory. With `docx_like`
    it is shaped as a DOCX (libmagic says DOCX) whose word/document.xml is the big member."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        name = "zeros.bin"
        if docx_like:
            archive.writestr("[Content_Types].xml", _content_types(_DOCX_MAIN))
            archive.writestr("_rels/.rels", _PACKAGE_RELS)
            name = "word/document.xml"
        with archive.open(name, "w", force_zip64=True) as member:
            remaining = declared_size
            while remaining > 0:
                member.write(chunk[: min(len(chunk), remaining)])
                remaining -= len(chunk)
    return buffer.getvalue()
