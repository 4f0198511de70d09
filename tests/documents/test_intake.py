"""Intake of Office and OpenDocument packages: macros, ActiveX, OLE objects and content loaded
from elsewhere are refused (415, naming the reason) by what the parts are, not what they are
called; plain web links and embedded charts' workbooks are not."""

import io
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from documents import intake
from documents.models import Document
from tests.documents import files
from tests.documents.files import MS_REL, OLE2_HEADER, REL

DOCX, XLSX, ODT = intake.DOCX, intake.XLSX, intake.ODT
EMBEDDINGS = "word/_rels/document.xml.rels"


def inspected(content: bytes, name: str) -> intake.Inspected:
    return intake.inspect(io.BytesIO(content), name, len(content))


def refusal(content: bytes, name: str) -> intake.Refused:
    with pytest.raises(intake.Refused) as refused:
        inspected(content, name)
    return refused.value


# --- The reported files, through the API --------------------------------------------------------

REPORTED: list[tuple[str, Callable[[], bytes], str, str, str]] = [
    (
        "DOCX with a remote template",
        files.docx_with_remote_template,
        "vendim.docx",
        "external_template_not_allowed",
        "https://templates.example.org/vendim.dotm",
    ),
    (
        "DOCX with a macro part under another name",
        files.docx_with_hidden_macro,
        "vendim.docx",
        "macros_not_allowed",
        "",
    ),
    (
        "XLSX with an external workbook link",
        files.xlsx_with_external_link,
        "buxheti.xlsx",
        "external_links_not_allowed",
        "",
    ),
]


@pytest.mark.parametrize(
    ("label", "make", "name", "code", "named"), REPORTED, ids=[case[0] for case in REPORTED]
)
def test_the_reported_files_are_refused_with_415_and_nothing_stored(  # type: ignore[no-untyped-def]
    api_as, label, make, name, code, named
) -> None:
    response = api_as("kllokot.assembly").post(
        "/api/documents/",
        {"title": "Vendim", "kind": "decision", "file": SimpleUploadedFile(name, make())},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 415, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert named in error["message"]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sq", "shabllonin"),
        ("sr-latn", "šablon"),
        ("sr", "шаблон"),
        ("en", "template"),
    ],
)
def test_the_refusal_names_its_reason_in_the_callers_language(api_as, language, words) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.assembly").post(
        "/api/documents/",
        {
            "title": "Vendim",
            "kind": "decision",
            "file": SimpleUploadedFile("vendim.docx", files.docx_with_remote_template()),
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 415
    message = response.json()["error"]["message"]
    assert words in message.lower() and "templates.example.org/vendim.dotm" in message


# --- Each class, in each format -----------------------------------------------------------------


def _docx(**changes: object) -> Callable[[], bytes]:
    return lambda: files.with_parts(files.docx(["Vendim"]), **changes)  # type: ignore[arg-type]


def _xlsx(**changes: object) -> Callable[[], bytes]:
    return lambda: files.with_parts(files.xlsx([["Buxheti", 1]]), **changes)  # type: ignore[arg-type]


def _odt(body: str = "<text:p>Vendim</text:p>", **extras: object) -> Callable[[], bytes]:
    return lambda: files.odt_package(body, **extras)  # type: ignore[arg-type]


ODF_OLE = "application/vnd.sun.star.oleobject"
SECTION = (
    '<text:section text:name="S1"><text:section-source xlink:href="{}" '
    'xlink:type="simple"/></text:section>'
)
REFUSED: list[tuple[str, Callable[[], bytes], str, str]] = [
    # Office: by content type, whatever the part is called.
    (
        "docm main part",
        lambda: files.docx(["Vendim"], macro=True),
        "v.docx",
        "macros_not_allowed",
    ),
    (
        "VBA project signature",
        _docx(
            parts={"word/a.dat": b"x"},
            content_types={"/word/a.dat": "application/vnd.ms-office.vbaProjectSignature"},
        ),
        "v.docx",
        "macros_not_allowed",
    ),
    (
        "Excel 4.0 macro sheet",
        _xlsx(
            parts={"xl/sheets/s2.xml": "<xm:macrosheet xmlns:xm='urn:x'/>"},
            content_types={"/xl/sheets/s2.xml": "application/vnd.ms-excel.macrosheet+xml"},
        ),
        "b.xlsx",
        "macros_not_allowed",
    ),
    (
        "xlsm main part",
        _xlsx(
            content_types={
                "/xl/workbook.xml": "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
            }
        ),
        "b.xlsx",
        "macros_not_allowed",
    ),
    (
        "ActiveX control",
        _docx(
            parts={"word/media/pic.png": "<ax:ocx xmlns:ax='urn:x'/>"},
            content_types={"/word/media/pic.png": "application/vnd.ms-office.activeX+xml"},
        ),
        "v.docx",
        "active_content_not_allowed",
    ),
    (
        "ActiveX relationship",
        _docx(relationships={EMBEDDINGS: [(f"{MS_REL}/activeXControlBinary", "a.bin", False)]}),
        "v.docx",
        "active_content_not_allowed",
    ),
    (
        "OLE object by content type",
        _docx(
            parts={"word/embeddings/e1.dat": b"not a compound file"},
            content_types={
                "/word/embeddings/e1.dat": "application/vnd.openxmlformats-officedocument.oleObject"
            },
        ),
        "v.docx",
        "ole_objects_not_allowed",
    ),
    (
        "OLE compound file under an image's name and type",
        _docx(
            parts={"word/media/image1.png": OLE2_HEADER},
            content_types={"/word/media/image1.png": "image/png"},
        ),
        "v.docx",
        "ole_objects_not_allowed",
    ),
    (
        "legacy .xls embedded",
        _xlsx(
            parts={"xl/embeddings/old.xls": b"x"},
            content_types={"/xl/embeddings/old.xls": "application/vnd.ms-excel"},
        ),
        "b.xlsx",
        "ole_objects_not_allowed",
    ),
    (
        "OLE link to a remote object (Follina)",
        _docx(relationships={EMBEDDINGS: [(f"{REL}/oleObject", "http://x.example/a!", True)]}),
        "v.docx",
        "ole_objects_not_allowed",
    ),
    # Office: every external relationship but a web link.
    (
        "linked remote image (Office)",
        _docx(relationships={EMBEDDINGS: [(f"{REL}/image", "http://x.example/p.png", True)]}),
        "v.docx",
        "external_links_not_allowed",
    ),
    (
        "sub-document on a share",
        _docx(relationships={EMBEDDINGS: [(f"{REL}/subDocument", r"\\srv\s\a.docx", True)]}),
        "v.docx",
        "external_links_not_allowed",
    ),
    (
        "hyperlink to a protocol handler",
        _docx(relationships={EMBEDDINGS: [(f"{REL}/hyperlink", "ms-msdt:/id x", True)]}),
        "v.docx",
        "external_links_not_allowed",
    ),
    (
        "hyperlink to a file (Office)",
        _xlsx(
            relationships={
                "xl/worksheets/_rels/sheet1.xml.rels": [
                    (f"{REL}/hyperlink", "file:///C:/Windows/x.exe", True)
                ]
            }
        ),
        "b.xlsx",
        "external_links_not_allowed",
    ),
    (
        "remote template in a spreadsheet",
        _xlsx(
            relationships={
                "xl/_rels/workbook.xml.rels": [(f"{REL}/attachedTemplate", "http://x/t", True)]
            }
        ),
        "b.xlsx",
        "external_template_not_allowed",
    ),
    # A package inside a package is checked too.
    (
        "macro-enabled package embedded in a document",
        _docx(
            parts={"word/embeddings/Workbook1.xlsx": files.pptx(macro=True)},
            content_types={
                "/word/embeddings/Workbook1.xlsx": "application/vnd.openxmlformats-"
                "officedocument.spreadsheetml.sheet"
            },
        ),
        "v.docx",
        "macros_not_allowed",
    ),
    (
        "linked workbook embedded in a document",
        _docx(parts={"word/embeddings/Workbook1.xlsx": files.xlsx_with_external_link()}),
        "v.docx",
        "external_links_not_allowed",
    ),
    (
        "plain zip embedded in a document",
        _docx(parts={"word/embeddings/a.zip": files.zip_bomb(2**10)}),
        "v.docx",
        "ole_objects_not_allowed",
    ),
    # OpenDocument.
    (
        "Basic library",
        _odt(
            manifest=[("Basic/Standard/Module1.xml", "text/xml")],
            parts={"Basic/Standard/Module1.xml": "<script:module xmlns:script='urn:x'/>"},
        ),
        "v.odt",
        "macros_not_allowed",
    ),
    (
        "macro bound to an event",
        _odt(
            head=(
                "<office:scripts><office:event-listeners><script:event-listener "
                'script:language="ooo:script" script:event-name="dom:load" '
                'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;'
                'location=document"/></office:event-listeners></office:scripts>'
            )
        ),
        "v.odt",
        "macros_not_allowed",
    ),
    (
        "hyperlink that runs a macro",
        _odt('<text:p><text:a xlink:href="vnd.sun.star.script:M.Main">klik</text:a></text:p>'),
        "v.odt",
        "macros_not_allowed",
    ),
    (
        "OLE object by media type",
        _odt(manifest=[("Object 1", ODF_OLE)], parts={"Object 1": b"x"}),
        "v.odt",
        "ole_objects_not_allowed",
    ),
    (
        "OLE compound file by its bytes",
        _odt(parts={"Object 2": OLE2_HEADER}),
        "v.odt",
        "ole_objects_not_allowed",
    ),
    (
        "draw:object-ole",
        _odt(
            '<text:p><draw:frame><draw:object-ole xlink:href="./Object 3"/></draw:frame></text:p>'
        ),
        "v.odt",
        "ole_objects_not_allowed",
    ),
    (
        "applet",
        _odt('<text:p><draw:frame><draw:applet draw:code="A.class"/></draw:frame></text:p>'),
        "v.odt",
        "active_content_not_allowed",
    ),
    (
        "linked section",
        _odt(SECTION.format("file:///C:/Users/zyra/vendim.odt")),
        "v.odt",
        "external_links_not_allowed",
    ),
    (
        "linked section beside the document",
        _odt(SECTION.format("../sekret.odt")),
        "v.odt",
        "external_links_not_allowed",
    ),
    (
        "linked object",
        _odt(
            '<text:p><draw:frame><draw:object xlink:href="http://x.example/o.ods"/></draw:frame>'
            "</text:p>"
        ),
        "v.odt",
        "external_links_not_allowed",
    ),
    (
        "linked remote image (OpenDocument)",
        _odt(
            '<text:p><draw:frame><draw:image xlink:href="https://x.example/p.png"/></draw:frame>'
            "</text:p>"
        ),
        "v.odt",
        "external_links_not_allowed",
    ),
    (
        "linked table",
        lambda: files._odf(
            files.ODS_TYPE,
            '<office:spreadsheet><table:table table:name="T"><table:table-source '
            'xlink:href="file:///srv/buxheti.ods" table:table-name="Fleta1"/></table:table>'
            "</office:spreadsheet>",
        ),
        "b.ods",
        "external_links_not_allowed",
    ),
    (
        "DDE link",
        lambda: files._odf(
            files.ODS_TYPE,
            "<office:spreadsheet><table:dde-links><table:dde-link><office:dde-source "
            'office:dde-application="cmd" office:dde-topic="/c calc" office:dde-item="x"/>'
            "</table:dde-link></table:dde-links></office:spreadsheet>",
        ),
        "b.ods",
        "external_links_not_allowed",
    ),
    (
        "hyperlink to a file (OpenDocument)",
        _odt('<text:p><text:a xlink:href="file:///C:/x.exe">klik</text:a></text:p>'),
        "v.odt",
        "external_links_not_allowed",
    ),
    (
        "template loaded from elsewhere",
        _odt(
            parts={
                "meta.xml": '<office:document-meta xmlns:office="urn:oasis:names:tc:'
                'opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:'
                'xmlns:meta:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"><office:meta>'
                '<meta:template xlink:href="http://x.example/t.ott" xlink:type="simple"/>'
                "</office:meta></office:document-meta>"
            }
        ),
        "v.odt",
        "external_template_not_allowed",
    ),
    (
        "encrypted parts",
        lambda: files.with_parts(
            files.odt_package("<text:p>x</text:p>"),
            parts={
                "META-INF/manifest.xml": '<manifest:manifest xmlns:manifest="urn:oasis:names:'
                'tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path='
                '"content.xml" manifest:media-type="text/xml"><manifest:encryption-data/>'
                "</manifest:file-entry></manifest:manifest>"
            },
        ),
        "v.odt",
        "encrypted_document",
    ),
]


@pytest.mark.parametrize(
    ("label", "make", "name", "code"), REFUSED, ids=[case[0] for case in REFUSED]
)
def test_each_class_is_refused_with_415(label, make, name, code) -> None:  # type: ignore[no-untyped-def]
    refused = refusal(make(), name)
    assert (refused.status, refused.code) == (415, code), refused.message


ACCEPTED: list[tuple[str, Callable[[], bytes], str, str]] = [
    (
        "web and e-mail hyperlinks",
        _docx(
            relationships={
                EMBEDDINGS: [
                    (f"{REL}/hyperlink", "https://gzk.rks-gov.net/ActDetail.aspx?ActID=2682", True),
                    (f"{REL}/hyperlink", "mailto:info@kllokot.example", True),
                ]
            }
        ),
        "v.docx",
        DOCX,
    ),
    (
        "a chart's workbook embedded in a document",
        _docx(
            parts={"word/embeddings/Microsoft_Excel_Worksheet.xlsx": files.xlsx([["Viti", 2026]])},
            content_types={
                "/word/embeddings/Microsoft_Excel_Worksheet.xlsx": "application/vnd."
                "openxmlformats-officedocument.spreadsheetml.sheet"
            },
            relationships={
                "word/charts/_rels/chart1.xml.rels": [
                    (f"{REL}/package", "../embeddings/Microsoft_Excel_Worksheet.xlsx", False)
                ]
            },
        ),
        "v.docx",
        DOCX,
    ),
    (
        "web hyperlink, internal image and an empty office:scripts",
        _odt(
            '<text:p><text:a xlink:href="https://kk.rks-gov.net/">Komuna</text:a></text:p>'
            '<text:p><text:a xlink:href="#Kreu">lart</text:a></text:p>'
            '<text:p><draw:frame><draw:image xlink:href="Pictures/logo.png"/></draw:frame>'
            '<draw:frame><draw:object xlink:href="./Object 1"/></draw:frame></text:p>',
            head="<office:scripts/>",
            parts={
                "Pictures/logo.png": files.png_with_text("K"),
                "Object 1/content.xml": "<x/>",
                "Configurations2/accelerator/current.xml": "",
            },
        ),
        "v.odt",
        ODT,
    ),
]


@pytest.mark.parametrize(
    ("label", "make", "name", "mime_type"), ACCEPTED, ids=[case[0] for case in ACCEPTED]
)
def test_ordinary_documents_are_accepted(label, make, name, mime_type) -> None:  # type: ignore[no-untyped-def]
    assert inspected(make(), name).mime_type == mime_type


def test_the_check_is_generic_presentations_included() -> None:
    """PPTX is not on the allow-list (refused by type), but the package check knows it too."""
    assert refusal(files.pptx(), "p.pptx").code == "type_not_allowed"
    intake.check_package(io.BytesIO(files.pptx()))
    with pytest.raises(intake.Refused) as macro:
        intake.check_package(io.BytesIO(files.pptx(macro=True)))
    assert macro.value.code == "macros_not_allowed"
    linked = files.with_parts(
        files.pptx(),
        relationships={
            "ppt/slides/_rels/slide1.xml.rels": [(f"{REL}/video", "http://x.example/v", True)]
        },
    )
    with pytest.raises(intake.Refused) as refused:
        intake.check_package(io.BytesIO(linked))
    assert refused.value.code == "external_links_not_allowed"


def test_a_bomb_inside_a_document_is_found_without_inflating_it() -> None:
    nested = files.with_parts(
        files.docx(["Vendim"]), parts={"word/embeddings/b.docx": files.zip_bomb(docx_like=True)}
    )
    assert refusal(nested, "v.docx").status == 413


def test_what_the_check_inflates_counts_against_the_limit() -> None:
    """Each package's central directory is within the limit, but reading the outer package's
    parts, the embedded package and its parts is more in all: the check stops."""
    inner = files.docx(["Vendim"])
    nested = files.with_parts(files.docx(["Vendim"]), parts={"word/embeddings/d.docx": inner})

    def declared(package: bytes) -> int:
        return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(package)).infolist())

    limit = max(declared(nested), declared(inner)) + 100
    with override_settings(DOCUMENT_MAX_UNCOMPRESSED_SIZE=limit):
        assert refusal(nested, "v.docx").status == 413
    with override_settings(DOCUMENT_MAX_UNCOMPRESSED_SIZE=2 * limit):
        assert inspected(nested, "v.docx").mime_type == DOCX
