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
from collections.abc import Sequence
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
    'office:version="1.3"'
)


def _odf(mimetype: str, body: str) -> bytes:
    """An OpenDocument package: `mimetype` first and stored, as the standard (and libmagic)
    requires, then content.xml and the manifest."""
    content = (
        f"{_XML}<office:document-content {_ODF_NS}>"
        f"<office:body>{body}</office:body></office:document-content>"
    )
    manifest = (
        f"{_XML}<manifest:manifest "
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


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
    return _odf("application/vnd.oasis.opendocument.text", f"<office:text>{body}</office:text>")


def ods(rows: Sequence[Sequence[object]], *, sheet: str = "Fleta1") -> bytes:
    return _odf(
        "application/vnd.oasis.opendocument.spreadsheet",
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
