"""The search page and its CSV export: every official over what they may see, auditors over
every archive; values by name, registration numbers, sorted by relevance or date."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from documents.models import Kind
from roles.models import Institution
from workflows.flows import FLOWS

pytestmark = pytest.mark.django_db


def browser(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password="demo")
    return client


def test_auditors_search_the_archive_with_facets_snippets_and_csv(document_of) -> None:  # type: ignore[no-untyped-def]
    document_of("kllokot.mayor", "Vendimi për buxhetin", "Vendimi i Kuvendit për buxhetin =1+1")
    document_of("prishtine.mayor", "=HYPERLINK(1) buxheti", "Buxheti i Prishtinës", kind="report")
    page = browser("auditor").get("/search/", {"q": "buxhetin", "date_from": "2000-01-01"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="facets"' in html and "KLLOKOT" in html and "PRISHTINE" in html
    assert "<mark>buxhetin</mark>" in html
    assert "2 results" in html or "2 rezultat" in html or page.context["count"] == 2
    export = browser("auditor").get(
        "/search/export.csv", {"q": "buxheti"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    content = b"".join(export.streaming_content)  # type: ignore[attr-defined]
    # UTF-8 with a byte-order mark, so that a spreadsheet reads ë, ç and Cyrillic as such.
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Registration number",
        "Document or process",
        "Title",
        "Institution",
        "Kind",
        "Language",
        "Date",
        "Link",
    ]
    assert len(rows) == 3
    # Readable values: registration numbers, names, no codes and no scores.
    for row in rows[1:]:
        assert row[0].startswith(("KLLOKOT-", "PRISHTINE-")) and row[1] == "Document"
        assert row[3] in (
            Institution.objects.get(code="KLLOKOT").name_en,
            Institution.objects.get(code="PRISHTINE").name_en,
        )
        assert row[4] in ("decision", "report") or row[4] in (
            Kind.DECISION.label,
            Kind.REPORT.label,
        )
        assert row[5] == "Albanian" and row[7].startswith("http") and "/documents/" in row[7]
    # A title that a spreadsheet would run as a formula is exported as text.
    assert any(row[2] == "'=HYPERLINK(1) buxheti" for row in rows[1:])
    # The export is in the audit trail: who, which search, how many rows.
    [entry] = AuditEntry.objects.filter(action="search.exported")
    assert entry.actor == "auditor" and entry.object_type == "search"
    assert entry.data == {"parameters": {"q": "buxheti"}, "rows": 2}
    # A refused export leaves no entry.
    assert browser("auditor").get("/search/export.csv", {"kind": "bogus"}).status_code == 400
    assert AuditEntry.objects.filter(action="search.exported").count() == 1


def test_results_show_names_and_lead_to_their_pages(demo, document_of) -> None:  # type: ignore[no-untyped-def]
    """Kinds, process types and languages by name in the page's language (the facet links keep
    the codes); a process found leads to its page, as a document does to its own."""
    from search.outbox import drain

    from .conftest import make_process

    document = document_of("kllokot.mayor", "Raporti vjetor", "Raporti", kind="report")
    process = make_process(demo["kllokot.info"], "Raporti i njoftimeve", text_sq="Raporti")
    drain()
    client = browser("auditor")
    client.post("/i18n/setlang/", {"language": "en"})
    html = client.get("/search/", {"q": "raporti"}).content.decode()
    assert f'href="/documents/{document.pk}/"' in html
    assert f'href="/work/processes/{process.pk}/"' in html
    assert client.get(f"/work/processes/{process.pk}/").status_code == 200  # auditors see it
    assert "Press statement" in html and "report" in html and "Albanian" in html
    assert Institution.objects.get(code="KLLOKOT").name_en in html
    # The links' values stay codes.
    assert "kind=press_statement" in html and "language=sq" in html
    assert "institution=KLLOKOT" in html


def test_pages_say_where_the_reader_is(document_of) -> None:  # type: ignore[no-untyped-def]
    for number in range(21):
        document_of("kllokot.mayor", f"Vendimi {number}", "Vendimi i kuvendit")
    client = browser("auditor")
    client.post("/i18n/setlang/", {"language": "en"})
    first = client.get("/search/", {"q": "vendimi"}).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/search/", {"q": "vendimi", "page": "2"}).content.decode()
    assert "Page 2 of 2" in second and 'rel="next"' not in second and 'rel="prev"' in second
    assert '<ol id="results" start="21">' in second  # the 21st result is numbered 21


def test_the_page_refuses_bad_input_without_an_error_page(document_of) -> None:  # type: ignore[no-untyped-def]
    client = browser("auditor")
    assert client.get("/search/", {"q": "x" * 5000}).status_code == 400
    assert client.get("/search/", {"date_from": "nonsense"}).status_code == 400
    refused = client.get("/search/export.csv", {"kind": "bogus"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    # The reason as text, not Python's rendering of the error objects.
    assert refused.content.decode() == 'Kind: "bogus" is not a valid choice.'
    assert client.get("/search/", {"q": '"""'}).status_code == 200


def test_facets_narrow_the_search_and_show_how_to_widen_it_again(document_of) -> None:  # type: ignore[no-untyped-def]
    document_of("kllokot.mayor", "Vendimi për buxhetin", "Buxheti i Kllokotit")
    document_of("prishtine.mayor", "Raporti për buxhetin", "Buxheti i Prishtinës", kind="report")
    client = browser("auditor")
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get("/search/", {"q": "buxhetin"})
    year = str(timezone.localdate().year)
    # A year is a date range (the API has no year filter), so the link narrows the search.
    [(_value, number, link)] = {n: v for n, _l, v in page.context["facets"]}["year"]
    assert number == 2 and f"date_from={year}-01-01" in link and f"date_to={year}-12-31" in link
    assert client.get(f"/search/?{link}").context["count"] == 2
    # A chosen facet shows, by name, with a link that drops it.
    narrowed = client.get("/search/", {"q": "buxhetin", "kind": "report"})
    assert narrowed.context["count"] == 1
    assert narrowed.context["chosen"] == [(Kind.REPORT.label, "q=buxhetin")]
    assert client.get("/search/?q=buxhetin").context["count"] == 2
    # Types by name, each once.
    types = dict(page.context["types"])
    assert list(types) == ["document", "process", *FLOWS] and types["process"] == "Processes"
    assert client.get("/search/", {"q": '"""'}).status_code == 200


def test_officials_search_only_what_they_may_see(document_of) -> None:  # type: ignore[no-untyped-def]
    own = document_of("kllokot.mayor", "Vendimi për ujësjellësin", "Ujësjellësi i Kllokotit")
    document_of("prishtine.mayor", "Vendimi për ujësjellësin e Prishtinës", "Ujësjellësi")
    client = browser("kllokot.info")
    client.post("/i18n/setlang/", {"language": "en"})
    assert "/search/" in client.get("/documents/").content.decode()  # in the menu
    page = client.get("/search/", {"q": "ujësjellësin"})
    assert page.status_code == 200 and page.context["count"] == 1
    html = page.content.decode()
    assert f'href="/documents/{own.pk}/"' in html
    assert own.registration.registration_number in html
    assert "Prishtinës" not in html
    export = b"".join(client.get("/search/export.csv", {"q": "ujësjellësin"}).streaming_content)  # type: ignore[attr-defined]
    assert len(list(csv.reader(io.StringIO(export.decode("utf-8-sig"))))) == 2


def test_results_sorted_by_relevance_or_by_date(document_of) -> None:  # type: ignore[no-untyped-def]
    older = document_of("kllokot.mayor", "Buxheti buxheti buxheti", "buxheti buxheti buxheti")
    newer = document_of("kllokot.mayor", "Raporti", "një fjalë për buxheti")
    client = browser("kllokot.mayor")
    by_relevance = [r[0].id for r in client.get("/search/", {"q": "buxheti"}).context["results"]]
    assert by_relevance == [older.pk, newer.pk]
    by_date = client.get("/search/", {"q": "buxheti", "sort": "date"}).context["results"]
    assert [r[0].id for r in by_date] in ([newer.pk, older.pk], [older.pk, newer.pk])
    assert by_date[0][0].date >= by_date[1][0].date
    refused = client.get("/search/", {"q": "buxheti", "sort": "title"}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        refused.status_code == 400 and "Sort: Choose relevance or date." in refused.content.decode()
    )


def test_people_of_no_institution_get_404(demo) -> None:  # type: ignore[no-untyped-def]
    from roles.models import User

    User.objects.create_user(username="visitor", password="demo")
    client = browser("visitor")
    assert client.get("/search/", {"q": "x"}).status_code == 404
    assert client.get("/search/export.csv", {"q": "x"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/search/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unreachable_backend_is_a_503_not_a_server_error(api_as) -> None:  # type: ignore[no-untyped-def]
    """An Elasticsearch cluster that is down: the API (in its error shape), the page and the
    export say the search is unavailable for now."""
    from unittest import mock

    from search.backends import BackendUnavailable, get_backend

    with mock.patch.object(get_backend(), "search", side_effect=BackendUnavailable("refused")):
        api = api_as("auditor").get("/api/search/", {"q": "buxheti"})
        page = browser("auditor").get("/search/", {"q": "buxheti"})
        export = browser("auditor").get("/search/export.csv", {"q": "buxheti"})
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "search_unavailable"
    assert page.status_code == 503 and 'id="results"' not in page.content.decode()
    assert export.status_code == 503


def test_a_result_leads_to_its_audit_trail(demo, document_of, api_as) -> None:  # type: ignore[no-untyped-def]
    """By the names search gives objects (`document`, `process`) as by the log's labels."""
    from search.outbox import drain

    from .conftest import make_process, search

    document = document_of("kllokot.mayor", "Vendimi për ujësjellësin", "ujësjellësi i ri")
    process = make_process(demo["kllokot.mayor"], "Ujësjellësi: njoftim")
    drain()
    auditor = api_as("auditor")
    results = search(auditor, q="ujësjellës")["results"]
    assert {(hit["object_type"], hit["id"]) for hit in results} == {
        ("document", document.pk),
        ("process", process.pk),
    }
    for hit in results:
        trail = auditor.get(f"/api/audit/?object_type={hit['object_type']}&object_id={hit['id']}")
        entries = trail.json()["results"]
        assert entries, hit
        labelled = entries[0]["object_type"]
        assert labelled in ("documents.document", "workflows.coordinationprocess")
        by_label = auditor.get(f"/api/audit/?object_type={labelled}&object_id={hit['id']}")
        assert by_label.json()["results"] == entries
    document_trail = auditor.get(f"/api/audit/?object_type=document&object_id={document.pk}")
    assert "document.registered" in [e["action"] for e in document_trail.json()["results"]]
