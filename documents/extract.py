"""The text of an uploaded file, for search and for readers: pure functions, no Django.

`extract_text(path, mime_type)` reads the text layer of a PDF (OCR when it is a scan), the XML of
DOCX/ODT/XLSX/ODS packages, plain text in UTF-8 or the Windows code pages used in Kosovo, and
OCRs images in Albanian, Serbian (Cyrillic and Latin) and English. The files come from outside,
so every parser runs with bounds: XML through defusedxml, zip members capped by their declared
size (the zip reader never inflates past it), external tools with a timeout and an address-space
limit, and at most MAX_TEXT_CHARS characters kept.

Failures come in two kinds: `ExtractionFailed` (the file itself: damaged, password-protected,
not supported; retrying changes nothing) and `TransientExtractionError` (the machine: a tool timed
out under load, memory or file handles ran out, the file or temporary directory was missing).
"""

import errno
import os
import re
import string
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import iterparse
from openpyxl import Workbook, load_workbook

from .intake import DOCX, JPEG, ODS, ODT, PDF, PNG, TEXT, TIFF, XLSX

# About 5 MB of text: far more than any real document (a 500-page book is ~1.5 M characters).
MAX_TEXT_CHARS = 5_000_000
# The most one XML part of an office package may inflate to. A real DOCX's document.xml is a few
# MB; a zip bomb declares its size honestly or is cut off at the declared size by zipfile.
MAX_XML_PART_BYTES = 100 * 1024 * 1024
OCR_LANGUAGES = "sqi+srp+srp_latn+eng"
OCR_PAGE_TIMEOUT = 120  # seconds, per page, for tesseract and for pdftoppm
# A multi-page TIFF is OCR'd in one tesseract run whose pages are not known beforehand.
OCR_TIFF_TIMEOUT = 10 * OCR_PAGE_TIMEOUT
PDF_TEXT_TIMEOUT = 120
OCR_DPI = 300
# A page rendered for OCR is at most this many pixels on its long side (A3 at 300 dpi): a PDF
# whose page is metres wide is rendered at a lower resolution instead of into gigabytes.
MAX_PAGE_PIXELS = 5000
# A scanned PDF is OCR'd up to this page (≈5 s an A4 page): well within Redis's 1-hour visibility
# timeout, after which an unacknowledged (acks_late) task would be delivered a second time.
MAX_OCR_PAGES = 100
# Fewer non-blank characters than this per page, on average: the PDF's "text" is page numbers
# or stamps on scanned images, so it is OCR'd.
MIN_PDF_CHARS_PER_PAGE = 20
# Address-space cap of each external tool: tesseract and pdftoppm on a hostile image or page
# fail instead of taking the worker's memory (a normal A4 OCR run needs ~150 MB).
TOOL_MEMORY_BYTES = 2 * 1024**3
# OSErrors that say something about the machine, not the file.
TRANSIENT_ERRNOS = {
    errno.EAGAIN, errno.ENOMEM, errno.ENOSPC, errno.EDQUOT, errno.EMFILE, errno.ENFILE,
    errno.EBUSY, errno.EINTR, errno.EIO, errno.ENOENT, errno.ETIMEDOUT, errno.ESTALE,
}  # fmt: skip


@dataclass(frozen=True)
class Extraction:
    text: str
    method: str  # pdf_text, ocr, docx, odt, xlsx, ods, text:<encoding>
    pages: int  # pages of a PDF or image, sheets of a spreadsheet, 1 for flowing text


class ExtractionFailed(Exception):
    """The file cannot give text, now or later. `reason` is short, for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientExtractionError(Exception):
    """The machine could not do it now (timeout under load, memory, a missing file): retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def extract_text(path: str, mime_type: str) -> Extraction:
    kind = mime_type.split(";")[0].strip().lower()
    if kind not in _EXTRACTORS:
        raise ExtractionFailed(f"no text extraction for {kind or 'unknown'} files")
    extractor, label = _EXTRACTORS[kind]
    try:
        os.stat(path)  # a missing file is the storage's trouble, not the document's
        return extractor(path)
    except (ExtractionFailed, TransientExtractionError):
        raise
    except MemoryError as error:
        raise TransientExtractionError("out of memory") from error
    except OSError as error:
        if error.errno in TRANSIENT_ERRNOS:
            where = f": {error.filename}" if error.filename else ""
            raise TransientExtractionError(f"{error.strerror or error}{where}") from error
        raise ExtractionFailed(f"unreadable {label} file ({error})"[:300]) from error
    except Exception as error:
        # Whatever a parser raises on a file from outside (BadZipFile, ParseError, KeyError,
        # ValueError, openpyxl's own...) says the file is damaged: never retried.
        reason = f"damaged or unreadable {label} file ({type(error).__name__}: {error})"
        raise ExtractionFailed(reason[:300]) from error


# --- External tools -----------------------------------------------------------------------------


# What the tools need of the environment; not the settings' secrets.
_TOOL_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TESSDATA_PREFIX")


def _run(
    args: list[str], *, timeout: float, limit: int = 2 * MAX_TEXT_CHARS
) -> tuple[int, bytes, str]:
    """Run a tool (no shell) under an address-space limit; give back its exit code, at most
    `limit` bytes of its output (the tool is stopped past that, which counts as success) and
    the end of its stderr."""
    # OMP_THREAD_LIMIT=1: tesseract's OpenMP would otherwise spread one run over every core,
    # and the worker (--concurrency=2 on 2 cores) runs two at once: 4+ busy, spin-waiting
    # threads on 2 cores. Measured on this machine, one A4 page took 3.8 s with one thread and
    # 22 s without the limit; the worker's concurrency is the parallelism.
    env = {name: os.environ[name] for name in _TOOL_ENVIRONMENT if name in os.environ}
    env["OMP_THREAD_LIMIT"] = "1"
    command = ["prlimit", f"--as={TOOL_MEMORY_BYTES}", "--", *args]
    timed_out = threading.Event()
    with tempfile.TemporaryFile() as stderr:
        try:
            process = subprocess.Popen(  # noqa: S603 (fixed tools, no shell)
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, env=env
            )
        except OSError as error:  # not installed, or no process or memory to start it
            raise TransientExtractionError(f"cannot run {args[0]}: {error.strerror}") from error

        def kill() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            assert process.stdout is not None
            output = process.stdout.read(limit)
            cut_off = bool(process.stdout.read(1))
            if cut_off:
                process.kill()  # enough text: the rest is dropped
            code = 0 if cut_off else process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if timed_out.is_set():
            raise TransientExtractionError(f"{args[0]} took longer than {timeout:.0f} s")
        stderr.seek(max(0, stderr.seek(0, os.SEEK_END) - 2000))
        errors = stderr.read().decode("utf-8", "replace").strip()
    return code, output, errors


def _last_line(errors: str) -> str:
    return errors.splitlines()[-1][:200] if errors else "no detail"


def _ocr(image: str, *, timeout: float, dpi: int | None = None) -> str:
    # --psm 1: page segmentation with orientation detection, so a page scanned upside down or
    # sideways is read too (with the default --psm 3 it gives noise), at no measurable cost.
    args = ["tesseract", image, "stdout", "-l", OCR_LANGUAGES, "--psm", "1"]
    if dpi is not None:
        args += ["--dpi", str(dpi)]
    code, output, errors = _run(args, timeout=timeout)
    if code != 0:
        raise ExtractionFailed(f"the image could not be read by OCR ({_last_line(errors)})")
    return output.decode("utf-8", "replace")


def _tidy(text: str) -> str:
    """Lines without trailing blanks; tesseract's and pdftotext's page breaks (form feeds) kept."""
    # split("\n"), not splitlines(), which would also split at form feeds.
    return "\n".join(line.rstrip() for line in text[:MAX_TEXT_CHARS].split("\n")).strip()


# --- PDF ----------------------------------------------------------------------------------------


def _pdf_info(path: str) -> tuple[int, list[tuple[float, float]]]:
    """The page count, and the size in points of the pages OCR would look at."""
    code, output, errors = _run(
        ["pdfinfo", "-f", "1", "-l", str(MAX_OCR_PAGES), path], timeout=PDF_TEXT_TIMEOUT
    )
    if code != 0:
        if "password" in errors.lower():
            raise ExtractionFailed("the PDF is password-protected")
        raise ExtractionFailed(f"damaged or unreadable PDF ({_last_line(errors)})")
    info = output.decode("utf-8", "replace")
    pages = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if pages is None or int(pages.group(1)) == 0:
        raise ExtractionFailed("the PDF has no pages")
    sizes = [
        (float(width), float(height))
        for width, height in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    ]
    return int(pages.group(1)), sizes


def _pdf(path: str) -> Extraction:
    code, output, errors = _run(
        ["pdftotext", "-layout", "-enc", "UTF-8", path, "-"], timeout=PDF_TEXT_TIMEOUT
    )
    if code != 0:
        if "password" in errors.lower():
            raise ExtractionFailed("the PDF is password-protected")
        raise ExtractionFailed(f"damaged or unreadable PDF ({_last_line(errors)})")
    text = output.decode("utf-8", "replace")
    # pdftotext ends every page with a form feed: the text layer's own page count, so a PDF
    # with text needs no second tool run (pdfinfo is asked only when OCR is needed).
    if len(re.sub(r"\s+", "", text)) >= MIN_PDF_CHARS_PER_PAGE * max(text.count("\f"), 1):
        return Extraction(_tidy(text), "pdf_text", max(text.count("\f"), 1))
    pages, sizes = _pdf_info(path)
    # A scan: each page rendered and OCR'd in turn, so one page image at a time is on disk.
    sizes = sizes or [(595.0, 842.0)] * min(pages, MAX_OCR_PAGES)
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ocr-") as folder:
        image = Path(folder) / "page"
        for number, (width, height) in enumerate(sizes, start=1):
            dpi = max(1, min(OCR_DPI, int(MAX_PAGE_PIXELS * 72 / max(width, height, 1))))
            # Grey PGM, not PNG: PNG compression took 3.4 of pdftoppm's 3.8 s for an A4 page,
            # for a file deleted right after (the PGM is ~9 MB, one at a time).
            code, _, errors = _run(
                ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(number), "-l", str(number),
                 "-singlefile", path, str(image)],
                timeout=OCR_PAGE_TIMEOUT,
            )  # fmt: skip
            if code != 0:
                raise ExtractionFailed(f"page {number} of the PDF cannot be rendered")
            texts.append(_ocr(f"{image}.pgm", timeout=OCR_PAGE_TIMEOUT, dpi=dpi))
            if sum(map(len, texts)) >= MAX_TEXT_CHARS:
                break
    return Extraction(_tidy("\f".join(texts)), "ocr", pages)


def _image(path: str, *, timeout: float = OCR_PAGE_TIMEOUT) -> Extraction:
    text = _ocr(path, timeout=timeout)
    # tesseract puts a form feed between pages (a multi-page TIFF).
    return Extraction(_tidy(text), "ocr", text.count("\f") + 1)


def _tiff(path: str) -> Extraction:
    return _image(path, timeout=OCR_TIFF_TIMEOUT)


# --- Office packages ----------------------------------------------------------------------------


class _Text:
    """Lines of text, up to MAX_TEXT_CHARS in all."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.size = 0

    @property
    def full(self) -> bool:
        return self.size >= MAX_TEXT_CHARS

    def add(self, line: str) -> None:
        line = line[: max(0, MAX_TEXT_CHARS - self.size)]
        self.lines.append(line)
        self.size += len(line) + 1

    def __str__(self) -> str:
        return "\n".join(self.lines).strip()


@contextmanager
def _package(path: str, label: str) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise ExtractionFailed(f"damaged {label} file (not a valid zip package)") from error
    with archive:
        for info in archive.infolist():
            # Only XML is parsed; pictures and embedded files may be as big as they are.
            if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART_BYTES:
                raise ExtractionFailed(
                    f"the {label} is too large to index: {info.filename} expands to "
                    f"{info.file_size // 2**20} MB (at most {MAX_XML_PART_BYTES // 2**20} MB)"
                )
        yield archive


def _units(stream: IO[bytes], tags: set[str]) -> Iterator[Element]:
    """Each complete element with one of `tags` (a paragraph, a row) of an XML stream, in
    document order. What was handed out, and everything outside such units, is dropped from
    the tree as parsing goes, so memory stays flat however long the document."""
    stack: list[Element] = []
    open_units = 0
    for event, element in iterparse(stream, events=("start", "end")):
        if event == "start":
            stack.append(element)
            open_units += element.tag in tags
            continue
        stack.pop()
        if element.tag in tags:
            open_units -= 1
            yield element
        elif open_units:
            continue  # inside a unit not finished yet: still needed
        if stack:
            stack[-1].remove(element)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD_PARTS = re.compile(r"word/(header\d*|footer\d*|footnotes|endnotes)\.xml")


def _word_paragraph(paragraph: Element) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t":  # not w:delText (deleted in tracked changes), w:instrText
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _docx(path: str) -> Extraction:
    text = _Text()
    with _package(path, "DOCX") as archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise ExtractionFailed("damaged DOCX file (no word/document.xml)")
        # The body, then headers, footers and notes: table cells and text boxes are
        # paragraphs too, one line each.
        for name in ["word/document.xml", *sorted(filter(_WORD_PARTS.fullmatch, names))]:
            with archive.open(name) as stream:
                for paragraph in _units(stream, {f"{_W}p"}):
                    text.add(_word_paragraph(paragraph))
                    if text.full:
                        return Extraction(str(text), "docx", 1)
    return Extraction(str(text), "docx", 1)


_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _odf_text(element: Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_TEXT}s":  # a run of spaces, written as a count
            parts.append(" " * min(int(child.get(f"{_TEXT}c", "1")), 100))
        elif child.tag == f"{_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            parts.append("\n")
        else:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt(path: str) -> Extraction:
    text = _Text()
    with _package(path, "ODT") as archive, archive.open("content.xml") as stream:
        for paragraph in _units(stream, {f"{_TEXT}p", f"{_TEXT}h"}):
            text.add(_odf_text(paragraph))
            if text.full:
                break
    return Extraction(str(text), "odt", 1)


def _ods_cell(cell: Element) -> str:
    shown = "\n".join(_odf_text(p) for p in cell if p.tag in (f"{_TEXT}p", f"{_TEXT}h"))
    return (
        shown or cell.get(f"{_OFFICE}string-value") or cell.get(f"{_OFFICE}value") or ""
    ).strip()


def _ods(path: str) -> Extraction:
    """One line per row, cells separated by tabs; a blank line between sheets. A cell or row
    repeated (table:number-*-repeated, how ODS writes a million empty rows) is read once."""
    text, sheets = _Text(), 0
    cells = {f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"}
    with _package(path, "ODS") as archive, archive.open("content.xml") as stream:
        for unit in _units(stream, {f"{_TABLE}table-row", f"{_TABLE}table"}):
            if unit.tag == f"{_TABLE}table":
                sheets += 1
                text.add("")
                continue
            values = (_ods_cell(cell) for cell in unit if cell.tag in cells)
            row = "\t".join(value for value in values if value)
            if row:
                text.add(row)
            if text.full:
                break
    return Extraction(str(text), "ods", max(1, sheets))


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _xlsx(path: str) -> Extraction:
    with _package(path, "XLSX"):
        pass  # the size check; openpyxl reads the zip itself
    text = _Text()
    # A file object, not the path: openpyxl refuses a path without an .xlsx suffix, and the
    # stored files have none. It parses through defusedxml when that is installed (it is).
    with open(path, "rb") as file:
        workbook = load_workbook(file, read_only=True, data_only=True)
        try:
            return _xlsx_rows(workbook, text)
        finally:
            workbook.close()


def _xlsx_rows(workbook: Workbook, text: _Text) -> Extraction:
    sheets = workbook.worksheets
    for sheet in sheets:
        # The stored dimensions may claim A1:XFD1048576; without them rows are not padded.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for row in sheet.iter_rows(values_only=True):
            line = "\t".join(_cell(value) for value in row if value not in (None, ""))
            if line:
                text.add(line)
            if text.full:
                return Extraction(str(text), "xlsx", len(sheets))
        text.add("")
    return Extraction(str(text), "xlsx", len(sheets))


# --- Plain text ---------------------------------------------------------------------------------

_BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]


def _plain(path: str) -> Extraction:
    with open(path, "rb") as file:
        data = file.read(2 * MAX_TEXT_CHARS)
        truncated = bool(file.read(1))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Extraction(_tidy(data.decode(encoding, "replace")), f"text:{encoding}", 1)
    try:
        return Extraction(_tidy(data.decode("utf-8")), "text:utf-8", 1)
    except UnicodeDecodeError as error:
        # Cut off inside a character at the read limit: still UTF-8.
        if truncated and error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return Extraction(_tidy(data[: error.start].decode("utf-8")), "text:utf-8", 1)
    encoding = _legacy_encoding(data)
    return Extraction(_tidy(data.decode(encoding, "replace")), f"text:{encoding}", 1)


_CYRILLIC_1251 = bytes(range(0xC0, 0x100))  # а–я and А–Я in cp1251
_ASCII_LETTERS = string.ascii_letters.encode()


def _legacy_encoding(data: bytes) -> str:
    """The Windows code page a non-UTF-8 text from Kosovo's offices was written in.

    cp1251 when most letters are Cyrillic: there а–я and А–Я are every byte from 0xC0 up, of
    which a Latin text has only its few accented letters. Otherwise cp1250: it holds Albanian
    (ë and ç at the same bytes as in cp1252) and Serbian Latin (č ć đ, whose bytes cp1252 reads
    as è æ ð); cp1252 only for bytes cp1250 leaves undefined. (charset-normalizer, tried
    first, read short Serbian Latin as cp1252 and a lone Cyrillic word as cp1250.)
    """
    cyrillic = len(data) - len(data.translate(None, _CYRILLIC_1251))
    latin = len(data) - len(data.translate(None, _ASCII_LETTERS))
    if cyrillic > latin:
        return "cp1251"
    try:
        data.decode("cp1250")
    except UnicodeDecodeError:
        return "cp1252"
    return "cp1250"


_EXTRACTORS: dict[str, tuple[Callable[[str], Extraction], str]] = {
    PDF: (_pdf, "PDF"),
    DOCX: (_docx, "DOCX"),
    ODT: (_odt, "ODT"),
    XLSX: (_xlsx, "XLSX"),
    ODS: (_ods, "ODS"),
    TEXT: (_plain, "text"),
    PNG: (_image, "PNG"),
    JPEG: (_image, "JPEG"),
    TIFF: (_tiff, "TIFF"),
}
SUPPORTED_TYPES = frozenset(_EXTRACTORS)
