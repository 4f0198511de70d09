"""Documents: intake to extracted text and into the search index, type detection, OCR
throughput, memory of a big upload.

Files the scenarios store go to a temporary MEDIA_ROOT, removed afterwards. Text extraction is
not queued: `extract_version_text.delay_on_commit` is replaced while a scenario runs (it would
send a Celery message to the broker), and the scenario runs the extraction itself where it
measures it.
"""

import ctypes
import hashlib
import io
import itertools
import logging
import os
import random
import resource
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

import magic
from defusedxml import ElementTree
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from fpdf import FPDF
from PIL import Image

from config.wsgi import application
from documents import intake, services
from documents.extract import OCR_LANGUAGES, extract_text
from documents.models import DocumentVersion, TextStatus
from documents.tasks import extract_version_text
from roles.models import Institution, User
from search.models import SearchOutbox
from search.outbox import drain
from tests.documents import files

from . import SCALES, Context, Row, elapsed, latencies, p50_p95, scenario

# fpdf's font subsetting logs every glyph at INFO, which the settings' root logger prints.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Per scale: documents through the intake pipeline, and pages of each scanned PDF OCR'd.
INTAKE_DOCUMENTS = {"small": 50, "medium": 200, "large": 500}
OCR_PAGES = {"small": 1, "medium": 2, "large": 2}
UPLOAD_BYTES = 49 * 2**20  # under DOCUMENT_MAX_UPLOAD_SIZE (50 MiB)
MiB = 2**20

SQ = [
    "Qeveria e Republikës së Kosovës, në mbledhjen e mbajtur më {d} mars, miratoi vendimin",
    "për themelimin e grupit punues për koordinimin e komunikimit publik të institucioneve.",
    "Ministria e Administratës Publike obligohet të zbatojë këtë vendim brenda tridhjetë ditësh.",
    "Zyra e Kryeministrit do të njoftojë komunat dhe agjencitë e pavarura për çdo ndryshim.",
    "Vendimi hyn në fuqi në ditën e nënshkrimit dhe publikohet në Gazetën Zyrtare.",
]
SR = [
    "Vlada Republike Kosova je na sednici održanoj {d}. marta usvojila odluku o osnivanju",
    "radne grupe za koordinaciju javne komunikacije institucija. Ministarstvo je dužno da",
    "sprovede ovu odluku u roku od trideset dana. Влада Републике Косова обавештава општине.",
]


def _scale_name(ctx: Context) -> str:
    return next(name for name, scale in SCALES.items() if scale == ctx.scale)


def _paragraphs(i: int) -> list[str]:
    """Two paragraphs of Albanian and one of Serbian, made distinct by the document's number."""
    words = random.Random(i).sample(SQ[1].split(), 5)
    return [
        f"Nr. {i}/{uuid.UUID(int=i)}. " + " ".join(SQ[:3]).format(d=i % 28 + 1),
        " ".join(SQ[3:] + words),
        " ".join(SR).format(d=i % 28 + 1),
    ]


@contextmanager
def _media_and_no_queue(prefix: str) -> Iterator[list[int]]:
    """A temporary MEDIA_ROOT (removed afterwards) and `delay_on_commit` replaced by a list
    that collects the version ids the worker would have been sent."""
    queued: list[int] = []
    with (
        tempfile.TemporaryDirectory(prefix=prefix) as media,
        override_settings(MEDIA_ROOT=media),
        mock.patch.object(extract_version_text, "delay_on_commit", queued.append),
    ):
        assert Path(default_storage.path("x")).parent == Path(media), "storage ignored MEDIA_ROOT"
        yield queued


# --- document_intake ----------------------------------------------------------------------------

RAW_TABLE = """
    CREATE TABLE IF NOT EXISTS bench_raw_document (
        id bigserial PRIMARY KEY, institution_id bigint NOT NULL, filename text NOT NULL,
        path text NOT NULL, size bigint NOT NULL, sha256 char(64) NOT NULL, mime_type text NOT NULL,
        text text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())
"""
RAW_INSERT = """
    INSERT INTO bench_raw_document (institution_id, filename, path, size, sha256, mime_type, text)
    VALUES (%s, %s, %s, %s, %s, %s, %s)
"""
_W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"


def _raw_text(path: str, mime_type: str) -> str:
    if mime_type == intake.PDF:
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True
        ).stdout.decode()
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml")
    return "\n".join(node.text or "" for node in ElementTree.fromstring(xml).iter(_W_T))


@scenario("document_intake")
def document_intake(ctx: Context) -> list[Row]:
    n = INTAKE_DOCUMENTS[_scale_name(ctx)]
    actor = User.objects.get(pk=ctx.data.member_id)
    institution = Institution.objects.get(pk=ctx.data.member_institution_id)
    # Built before any timing: half text PDFs, half DOCX, each text its own (no duplicates).
    made: list[tuple[str, str, bytes]] = []
    for i in range(n + 4):  # the first 4 of each side are the warm-up
        if i % 2:
            made.append((f"vendimi-{i}.docx", intake.DOCX, files.docx(_paragraphs(i))))
        else:
            made.append((f"vendimi-{i}.pdf", intake.PDF, files.pdf_with_text(_paragraphs(i))))
    # Seconds spent in each half of the pipeline, over the timed rounds only.
    ours_parts = {"store": 0.0, "text": 0.0}
    raw_parts = {"store": 0.0, "text": 0.0}

    with _media_and_no_queue("bench-intake-") as queued, tempfile.TemporaryDirectory() as folder:

        def ours(batch: list[tuple[str, str, bytes]]) -> None:
            for name, _, data in batch:
                start = time.perf_counter()
                services.document_create(
                    actor=actor,
                    institution=institution,
                    upload=ContentFile(data, name=name),
                    filename=name,
                    size=len(data),
                    title=f"Vendimi {name}",
                    kind="decision",
                )
                stored = time.perf_counter()
                status = extract_version_text(queued.pop())  # what the worker would run
                ours_parts["store"] += stored - start
                ours_parts["text"] += time.perf_counter() - stored
                assert status == TextStatus.DONE, (name, status)

        def raw(batch: list[tuple[str, str, bytes]]) -> None:
            for name, mime, data in batch:
                start = time.perf_counter()
                path = os.path.join(folder, uuid.uuid4().hex)
                with open(path, "wb") as file:
                    file.write(data)
                digest = hashlib.sha256(data).hexdigest()
                written = time.perf_counter()
                text = _raw_text(path, mime)
                extracted = time.perf_counter()
                with ctx.raw.transaction():
                    ctx.raw.execute(
                        RAW_INSERT, (institution.pk, name, path, len(data), digest, mime, text)
                    )
                raw_parts["store"] += written - start + time.perf_counter() - extracted
                raw_parts["text"] += extracted - written

        ctx.raw.execute(RAW_TABLE)
        try:
            ours(made[:4])
            raw(made[:4])
            drain()  # untimed: what other scenarios left, and the warm-up's rows
            for parts in (ours_parts, raw_parts):
                parts.update(store=0.0, text=0.0)
            # Five alternating rounds, so load elsewhere on the machine hits both sides alike.
            ours_s = raw_s = 0.0
            rounds = 5
            for r in range(rounds):
                part = slice(4 + r * n // rounds, 4 + (r + 1) * n // rounds)
                ours_s += elapsed(partial(ours, made[part]))
                raw_s += elapsed(partial(raw, made[part]))
            indexed = _steady_indexing(ctx, n, intake_rate=n / ours_s)
        finally:
            ctx.raw.execute("DROP TABLE bench_raw_document")
        texts = DocumentVersion.objects.filter(document__institution=institution)
        assert texts.filter(text__contains="Kosovës").count() >= n, "text not extracted"
    return [
        Row(
            "documents/s",
            n / ours_s,
            n / raw_s,
            "raw: per doc write file + sha256 + pdftotext or zip+XML read + one INSERT in its "
            f"own txn; ours: document_create + extract_version_text, sequential ({n} docs, "
            "half text PDF half DOCX, ~3 paragraphs each)",
            "≥ 25 docs/s",
        ),
        Row(
            "  of which: intake+registration docs/s",
            n / ours_parts["store"],
            n / raw_parts["store"],
            "the same runs: ours document_create (intake, register, store, grants, audit; one "
            "txn); raw file write + sha256 + INSERT",
        ),
        Row(
            "  of which: text extraction docs/s",
            n / ours_parts["text"],
            n / raw_parts["text"],
            "the same runs: ours extract_version_text (pdftotext under prlimit, pdfinfo only "
            "for scans, or DOCX XML, + UPDATE + audit); raw pdftotext or zip+XML read, no DB",
        ),
        indexed,
    ]


RAW_INDEX = """
    CREATE TEMP TABLE raw_index AS
    SELECT DISTINCT ON (d.id) d.id, d.title, v.text,
        to_tsvector('simple', lower(d.title)) || to_tsvector('simple', lower(v.text)) AS vector
    FROM documents_document d JOIN documents_documentversion v ON v.document_id = d.id
    WHERE d.id = ANY(%s) ORDER BY d.id, v.number DESC
"""


def _steady_indexing(ctx: Context, n: int, *, intake_rate: float) -> Row:
    """The search outbox the timed intake filled (each document queued at registration and
    again when its text arrived), drained as the worker drains it: keeping up means indexing
    at least as many documents per second as the intake registers and extracts."""
    queued = list(SearchOutbox.objects.values_list("object_id", flat=True).distinct())
    assert len(queued) >= n, (len(queued), n)
    seconds = elapsed(drain)
    assert not SearchOutbox.objects.exists()
    started = time.perf_counter()
    ctx.raw.execute(RAW_INDEX, (queued,))
    raw_seconds = time.perf_counter() - started
    ctx.raw.execute("DROP TABLE raw_index")
    return Row(
        "search indexing docs/s (outbox drain)",
        len(queued) / seconds,
        len(queued) / raw_seconds,
        f"the outbox of the timed intake ({len(queued)} documents), drained in bulk as the "
        "worker does; raw one INSERT … SELECT of title, text and their tsvector",
        f"≥ intake {intake_rate:.1f} docs/s",
    )


# --- type_detection -----------------------------------------------------------------------------


def _noise_pdf(size: int) -> bytes:
    """A text PDF carrying an incompressible (noise) image of about `size` bytes."""
    side = int((size / 3) ** 0.5)
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", fname=files.FONT)
    pdf.set_font("DejaVu", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 6, "\n".join(_paragraphs(1)))
    pdf.image(Image.frombytes("RGB", (side, side), random.randbytes(3 * side * side)), w=150)
    return bytes(pdf.output())


@scenario("type_detection")
def type_detection(ctx: Context) -> list[Row]:
    text = "\n".join(_paragraphs(7))
    samples = {
        intake.PDF: files.pdf_with_text(text),
        intake.DOCX: files.docx(_paragraphs(7)),
        intake.XLSX: files.xlsx([["Komuna", "Vendime"], ["Prishtinë", 12], ["Gračanica", 3]]),
        intake.ODT: files.odt(_paragraphs(7)),
        intake.ODS: files.ods([["Komuna", "Vendime"], ["Prizren", 7]]),
        intake.TEXT: files.text_in("utf-8", text),
        intake.PNG: files.png_with_text(SQ[0]),
        intake.JPEG: files.jpeg_with_text(SQ[0]),
        intake.TIFF: files.tiff_with_text(SQ[0]),
    }
    heads = [data[: intake.SNIFF_BYTES] for data in samples.values()]
    assert [intake.detect_type(head) for head in heads] == list(samples), "misdetected"
    ours_heads, raw_heads = itertools.cycle(heads), itertools.cycle(heads)
    # Alternating calls keep the two cycles on the same file.
    ours_ms, raw_ms = latencies(
        lambda: intake.detect_type(next(ours_heads)),
        lambda: magic.from_buffer(next(raw_heads), mime=True),
        ctx.scale.requests * len(heads),
    )
    (ours50, ours95), (raw50, raw95) = p50_p95(ours_ms), p50_p95(raw_ms)
    detect = "raw: magic.from_buffer(first 16 KiB, mime=True); 9 types (pdf docx xlsx odt ods txt"
    detect += " png jpeg tiff), same bytes"

    pdf = _noise_pdf(MiB)
    assert intake.inspect(io.BytesIO(pdf), "v.pdf", len(pdf)).mime_type == intake.PDF

    def raw_inspect() -> str:
        stream, digest = io.BytesIO(pdf), hashlib.sha256()
        magic.from_buffer(stream.read(intake.SNIFF_BYTES), mime=True)
        stream.seek(0)
        while chunk := stream.read(intake.CHUNK):
            digest.update(chunk)
        return digest.hexdigest()

    inspect_ms, raw_inspect_ms = latencies(
        lambda: intake.inspect(io.BytesIO(pdf), "vendimi.pdf", len(pdf)),
        raw_inspect,
        ctx.scale.requests,
    )
    return [
        Row("detect_type p50 ms", ours50, raw50, detect, "≤ 2 ms/file"),
        Row("detect_type p95 ms", ours95, raw95, detect, "≤ 2 ms/file"),
        Row(
            "inspect 1 MB PDF p95 ms",
            p50_p95(inspect_ms)[1],
            p50_p95(raw_inspect_ms)[1],
            f"raw: magic on the head + sha256 in 1 MiB chunks of the same {len(pdf) / MiB:.2f} "
            "MiB PDF (text + noise image), from memory",
        ),
    ]


# --- ocr ----------------------------------------------------------------------------------------

A4_300DPI = (2480, 3508)


def _scanned_a4(pages: int, seed: int) -> bytes:
    """A scan: A4 pages at 300 dpi, each a page of Albanian (and some Serbian) body text."""
    images = []
    for page in range(pages):
        lines = [p for i in range(4) for p in _paragraphs(seed * 100 + page * 10 + i)]
        text = files.render("\n".join(lines), width=A4_300DPI[0])
        sheet = Image.new("L", A4_300DPI, 255)
        sheet.paste(text, (0, 0))  # cut off below the page
        images.append(sheet.convert("RGB"))
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return buffer.getvalue()


_TOOL_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _raw_render(pdf: str, folder: str) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "300", "-gray", pdf, f"{folder}/p"], check=True)
    return sorted(str(page) for page in Path(folder).glob("p*.pgm"))


def _raw_ocr(pages: list[str]) -> str:
    return "\f".join(
        subprocess.run(
            ["tesseract", page, "-", "-l", OCR_LANGUAGES],
            capture_output=True,
            check=True,
            env=_TOOL_ENV,
        ).stdout.decode()
        for page in pages
    )


@contextmanager
def _tesseract_watch() -> Iterator[dict[str, int]]:
    """The most tesseract processes (children of this one) running at once, and the most
    threads any of them had, sampled every 20 ms."""
    seen = {"processes": 0, "threads": 0}
    stop = threading.Event()
    me = str(os.getpid())

    def sample() -> None:
        while not stop.wait(0.02):
            running = 0
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text()
                    comm, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")")[1]
                    if comm != "tesseract" or rest.split()[1] != me:
                        continue
                    status = Path(f"/proc/{pid}/status").read_text()
                except (OSError, ValueError):
                    continue
                running += 1
                threads = int(status.split("Threads:")[1].split()[0])
                seen["threads"] = max(seen["threads"], threads)
            seen["processes"] = max(seen["processes"], running)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join()


def _concurrently(jobs: list[Callable[[], object]]) -> tuple[float, float]:
    """Wall seconds for the jobs run in one thread each, and the CPU seconds their child
    processes used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    threads = [threading.Thread(target=job) for job in jobs]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


@scenario("ocr")
def ocr(ctx: Context) -> list[Row]:
    pages = OCR_PAGES[_scale_name(ctx)]
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        pdfs, rendered = [], []
        for seed in range(2):
            pdf = f"{folder}/scan-{seed}.pdf"
            Path(pdf).write_bytes(_scanned_a4(pages, seed))
            pdfs.append(pdf)
            os.mkdir(f"{folder}/{seed}")
            rendered.append(_raw_render(pdf, f"{folder}/{seed}"))  # the baseline's pages

        def ours(pdf: str) -> None:
            extraction = extract_text(pdf, intake.PDF)
            assert extraction.method == "ocr" and extraction.pages == pages, extraction
            assert "Kosov" in extraction.text, extraction.text[:300]

        one = elapsed(lambda: ours(pdfs[0]))
        raw_one = elapsed(lambda: _raw_ocr(rendered[0]))
        with _tesseract_watch() as ours_seen:
            wall, cpu = _concurrently([lambda: ours(pdfs[0]), lambda: ours(pdfs[1])])
        with _tesseract_watch() as raw_seen:
            raw_wall, raw_cpu = _concurrently(
                [lambda: _raw_ocr(rendered[0]), lambda: _raw_ocr(rendered[1])]
            )
    raw = (
        "raw: tesseract page.pgm - -l sqi+srp+srp_latn+eng (psm 3, OMP_THREAD_LIMIT=1) on pages "
        "pdftoppm -r 300 -gray rendered before the clock; ours: extract_text(pdf) = pdfinfo, "
        f"pdftotext, pdftoppm, tesseract --psm 1, under prlimit. A4 scans at 300 dpi, ~40 lines "
        f"of Albanian/Serbian each, {pages} page(s) per PDF"
    )
    two = "2 threads, one PDF each"
    return [
        Row("OCR pages/s, 1 job", pages / one, pages / raw_one, raw, "≥ 0.5/core"),
        Row("OCR pages/s, 2 jobs (aggregate)", 2 * pages / wall, 2 * pages / raw_wall, two),
        Row(
            "OCR pages per CPU-s, 2 jobs",
            2 * pages / cpu,
            2 * pages / raw_cpu,
            f"{two}: pages ÷ child CPU seconds (getrusage RUSAGE_CHILDREN), i.e. pages/s per "
            "busy core whatever else the machine runs",
            "≥ 0.5/core",
        ),
        Row(
            "cores busy, 2 jobs (CPU s / wall s)",
            cpu / wall,
            raw_cpu / raw_wall,
            f"{two}; most tesseract processes at once / most threads in one: ours "
            f"{ours_seen['processes']}/{ours_seen['threads']}, raw {raw_seen['processes']}/"
            f"{raw_seen['threads']}",
            "≤ 2",
        ),
    ]


# --- upload_memory ------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _write_noise_png(path: str, size: int) -> None:
    """A valid grey PNG of random pixels, about `size` bytes, written in pieces: the image
    data is stored, not compressed (noise would not compress anyway)."""
    width = 4096
    height = size // (width + 1)
    compressor = zlib.compressobj(0)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)))
        for start in range(0, height, 256):
            rows = b"".join(
                b"\0" + random.randbytes(width) for _ in range(min(256, height - start))
            )
            out.write(_png_chunk(b"IDAT", compressor.compress(rows)))
        out.write(_png_chunk(b"IDAT", compressor.flush()))
        out.write(_png_chunk(b"IEND", b""))


def _write_multipart(body: str, png: str, boundary: str, fields: dict[str, str]) -> None:
    with open(body, "wb") as out, open(png, "rb") as source:
        for name, value in fields.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{Path(png).name}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        )
        shutil.copyfileobj(source, out, MiB)
        out.write(f"\r\n--{boundary}--\r\n".encode())


def _rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def _trim() -> None:
    """Give freed heap back to the system (glibc), so the baseline RSS is what is in use."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _peak_rss(action: Callable[[], object]) -> tuple[int, int, int, float]:
    """RSS before `action`, the highest RSS sampled every 5 ms while it ran, the number of
    samples, and the seconds it took."""
    _trim()
    baseline = peak = _rss()
    samples = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, samples
        while not stop.wait(0.005):
            peak, samples = max(peak, _rss()), samples + 1

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        seconds = elapsed(action)
    finally:
        stop.set()
        sampler.join()
    return baseline, max(peak, _rss()), samples, seconds


def _post(ctx: Context, body: str, boundary: str) -> dict[str, Any]:
    """POST the multipart body in `body` to /api/documents/ through the WSGI application
    itself, the request body read from the open file as a WSGI server would hand it over."""
    answer: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        answer["status"] = status
        return len  # the write() callable, which Django never uses

    with open(body, "rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/documents/",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            "CONTENT_LENGTH": str(os.path.getsize(body)),
            "HTTP_AUTHORIZATION": f"Token {ctx.data.token_key}",
            "wsgi.input": stream,
            "wsgi.errors": io.StringIO(),
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        response = application(environ, start_response)
        try:
            answer["body"] = b"".join(response)
        finally:
            response.close()  # type: ignore[attr-defined]
    assert answer["status"].startswith("201"), (answer["status"], answer["body"][:300])
    return answer


@scenario("upload_memory")
def upload_memory(ctx: Context) -> list[Row]:
    boundary = uuid.uuid4().hex
    fields = {"title": "Skanimi i madh", "kind": "report"}
    with (
        _media_and_no_queue("bench-upload-") as queued,
        tempfile.TemporaryDirectory(prefix="bench-upload-body-") as folder,
    ):
        small_png, small_body = f"{folder}/vogel.png", f"{folder}/small.multipart"
        png, body = f"{folder}/skanimi.png", f"{folder}/big.multipart"
        _write_noise_png(small_png, 3 * MiB)  # past FILE_UPLOAD_MAX_MEMORY_SIZE, as the big one
        _write_multipart(small_body, small_png, boundary, fields)
        _write_noise_png(png, UPLOAD_BYTES)
        _write_multipart(body, png, boundary, fields)
        assert intake.detect_type(Path(png).read_bytes()[: intake.SNIFF_BYTES]) == intake.PNG
        _post(ctx, small_body, boundary)  # warm-up: first-request imports and caches
        base, peak, samples, seconds = _peak_rss(lambda: _post(ctx, body, boundary))
        assert len(queued) == 2, queued
        stored = DocumentVersion.objects.get(pk=queued[-1])
        assert stored.size == os.path.getsize(png)
        assert stored.file.path.startswith(str(settings.MEDIA_ROOT)), stored.file.path

        def raw() -> str:
            digest = hashlib.sha256()
            with open(body, "rb") as stream:
                while chunk := stream.read(MiB):
                    digest.update(chunk)
            return digest.hexdigest()

        raw_base, raw_peak, raw_samples, raw_seconds = _peak_rss(raw)
        body_mib, png_mib = os.path.getsize(body) / MiB, os.path.getsize(png) / MiB
    label = (
        f"{body_mib:.1f} MiB multipart body ({png_mib:.1f} MiB noise PNG) POSTed to "
        "/api/documents/ by calling config.wsgi.application with "
        "wsgi.input = the body file on disk (no client copy in this process); VmRSS sampled "
        f"every 5 ms ({samples} samples over {seconds:.2f} s); raw: read the body file in 1 MiB "
        f"chunks + sha256 ({raw_samples} samples over {raw_seconds:.2f} s)"
    )
    return [
        Row(
            "RSS growth MB (peak - before)",
            (peak - base) / MiB,
            (raw_peak - raw_base) / MiB,
            label,
            "≤ 64 MB",
        ),
        Row("peak RSS MB (absolute)", peak / MiB, raw_peak / MiB, "the same runs, absolute peak"),
    ]
