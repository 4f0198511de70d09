"""The search contract, run against every available backend (see conftest.backend)."""

import threading
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from documents import services
from documents.access import documents_visible
from documents.models import Document
from roles import permissions
from roles.models import Institution, User
from search import backends
from search.backends import BackendUnavailable
from search.models import SearchOutbox
from search.outbox import drain, enqueue
from tests.workflows.steps import statement_drafted
from workflows.selectors import processes_visible

from .conftest import ids, make_process, search

pytestmark = pytest.mark.django_db


def test_a_query_without_diacritics_finds_the_text_with_them(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    wanted = document_of(
        "kllokot.mayor",
        "Strategjia kombëtare për komunikim",
        "Çështjet e përgjegjësisë së Kuvendit Komunal",
    )
    document_of("kllokot.mayor", "Raport vjetor", "Buxheti i komunës për vitin")
    client = api_as("kllokot.mayor")
    for query in ("strategjia kombetare", "STRATEGJIA", "ceshtjet pergjegjesise", "Çështjet"):
        assert ids(search(client, q=query)) == {wanted.pk}, query


def test_either_script_and_either_spelling_finds_both_scripts(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    latin = document_of(
        "kllokot.mayor", "Odluka opštine", "Opština Gračanica usvojila je odluku", language="sr"
    )
    cyrillic = document_of(
        "kllokot.mayor", "Одлука општине", "Општина Грачаница усвојила је одлуку", language="sr"
    )
    document_of("kllokot.mayor", "Tjetër", "Asgjë e përbashkët")
    client = api_as("kllokot.mayor")
    # (Every Kllokot document carries "KLLOKOT" in its number: another place name here.)
    for query in ("Грачаница", "gracanica", "Graçanicë", "opstina", "општина", "odluka", "ОДЛУКА"):
        assert ids(search(client, q=query)) == {latin.pk, cyrillic.pk}, query


def test_inflected_forms_meet(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    forms = [
        document_of("kllokot.mayor", f"Dokument {n}", f"Kjo është {word} e komunës")
        for n, word in enumerate(["strategjia", "strategjisë", "strategjinë", "strategji"])
    ]
    serbian = [
        document_of("kllokot.mayor", f"Dokument sr {n}", f"Ovo je {word} opštine", language="sr")
        for n, word in enumerate(["strategija", "strategije", "strategiju", "стратегијом"])
    ]
    client = api_as("kllokot.mayor")
    for query in ("strategjia", "strategjisë", "strategjine", "strategji"):
        assert ids(search(client, q=query)) == {d.pk for d in forms}, query
    for query in ("strategija", "стратегије", "strategiji"):
        # `strateg*` meets the Albanian forms too: the same word.
        assert ids(search(client, q=query)) >= {d.pk for d in serbian}, query
    assert ids(search(client, q="strateg*")) == {d.pk for d in forms + serbian}


def test_phrases_and_prefixes(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    phrase = document_of("kllokot.mayor", "Plan", "Plani i komunikimit për mbledhjen e qeverisë")
    apart = document_of("kllokot.mayor", "Tjetër", "Komunikimit i mungon plani dhe mbledhja")
    client = api_as("kllokot.mayor")
    assert ids(search(client, q="plani komunikimit")) == {phrase.pk, apart.pk}
    assert ids(search(client, q='"plani i komunikimit"')) == {phrase.pk}
    assert ids(search(client, q='"plani i komunikimit" mbledhjen')) == {phrase.pk}
    assert ids(search(client, q="mbledhj*")) == {phrase.pk, apart.pk}
    # An unbalanced quote opens a phrase to the end of the query.
    assert ids(search(client, q='"plani i komunikimit')) == {phrase.pk}


def test_near_misses_find_the_closest_word(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    wanted = document_of("kllokot.mayor", "Strategjia", "Strategjia e komunikimit")
    assert ids(search(api_as("kllokot.mayor"), q="stratgjia")) == {wanted.pk}


def test_another_institutions_words_change_no_near_miss(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    """Whether a word is known, and what it is corrected to, depends only on what the caller
    may see: otherwise a misspelt search would tell whether another institution's files hold
    a word (a known word is not corrected; a closer word is chosen)."""
    wanted = document_of("kllokot.mayor", "Strategjia", "Strategjia e komunikimit")
    client = api_as("kllokot.mayor")
    queries = ["stratgjia", "strategjja", "strtegjia komunikimit", "komunikimt"]
    before = {query: ids(search(client, q=query)) for query in queries}
    assert all(wanted.pk in found for found in before.values()), before
    # Another institution's private files hold the very misspellings, and closer words.
    document_of(
        "prishtine.mayor",
        "Shënim i brendshëm",
        "stratgjia strategjja strtegjia komunikimt stratgjiat komunikimte",
    )
    assert {query: ids(search(client, q=query)) for query in queries} == before


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"""',
        '"unbalanced phrase',
        "AND",
        "OR NOT",
        "*",
        "***",
        "-",
        "+ - ( ) : ^ ~ { } [ ] ' \\",
        "NEAR(a b)",
        "title_norm:x",
        "acl : 1",
        "\x01\x02\x1f",
        "💥 ✓ ⁂",
        "a" * 1000,
        "vendim " * 140,
        "'; DROP TABLE search_searchentry; --",
        "%_%",
    ],
)
def test_odd_input_is_never_a_server_error(api_as, document_of, query: str) -> None:  # type: ignore[no-untyped-def]
    document_of("kllokot.mayor", "Vendim", "Vendimi i kuvendit")
    response = api_as("kllokot.mayor").get("/api/search/", {"q": query})
    assert response.status_code == 200, (query, response.content)
    assert set(response.json()) == {"count", "next", "previous", "results", "facets"}
    # Only the query that names the document finds it: operators or symbols alone find
    # nothing, rather than everything.
    assert response.json()["count"] == (1 if "vendim" in query else 0), query


def test_a_word_longer_than_any_indexed_one_finds_nothing(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    # Such a word is not indexed; dropping it from the query would find everything instead.
    document_of("kllokot.mayor", "Vendim", "Vendimi i kuvendit")
    client = api_as("kllokot.mayor")
    assert search(client, q="vendim")["count"] == 1
    for query in ("vendimi" + "x" * 70, "v" * 65 + "*", "vendim " + "a" * 500):
        assert search(client, q=query)["count"] == 0, query


def test_the_deepest_page_the_schema_admits_is_served(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    document_of("kllokot.mayor", "Vendim", "Vendimi i kuvendit")
    response = api_as("kllokot.mayor").get(
        "/api/search/", {"q": "vendim", "page": "100", "page_size": "100"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["results"] == [] and response.json()["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [("x" * 5000, "q"), ("vendim\x00", "q"), ("vendim " * 200, "q")],
    ids=["5000-characters", "nul", "1400-characters"],
)
def test_input_that_cannot_be_searched_is_a_400(api_as, backend, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.mayor").get("/api/search/", {"q": query})
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_facets_counts_and_snippets_leak_nothing_across_institutions(  # type: ignore[no-untyped-def]
    api_as, document_of
) -> None:
    own = document_of("kllokot.mayor", "Buxheti komunal", "Buxheti i Kllokotit për rrugët")
    secret_words = "Buxheti sekret për tenderin e fshehtë të Prishtinës"
    for n in range(3):
        document_of("prishtine.mayor", f"Buxheti {n}", secret_words, kind="report")
    kllokot = api_as("kllokot.mayor")
    page = search(kllokot, q="buxheti")
    assert page["count"] == 1 and ids(page) == {own.pk}
    assert page["facets"]["institution"] == {"KLLOKOT": 1}
    assert page["facets"]["kind"] == {"decision": 1}
    assert sum(page["facets"]["year"].values()) == 1
    assert "tender" not in str(page).lower() and "PRISHTINE" not in str(page)
    # Asking for the other institution outright, or for its words, shows nothing at all.
    for params in ({"q": "buxheti", "institution": "PRISHTINE"}, {"q": "tenderin fshehte"}):
        hidden = search(kllokot, **params)
        assert hidden["count"] == 0 and hidden["results"] == []
        assert all(counts == {} for counts in hidden["facets"].values())
    everything = search(api_as("auditor"), q="buxheti")
    assert everything["count"] == 4
    assert everything["facets"]["institution"] == {"PRISHTINE": 3, "KLLOKOT": 1}
    snippets = [hit["snippet"] for hit in everything["results"]]
    assert any("<mark>Buxheti</mark> sekret" in snippet for snippet in snippets)


def test_results_filters_pagination_and_shape(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        document_of("kllokot.mayor", f"Njoftim {n}", "Njoftim për shtyp", kind="press_statement")
    document_of("kllokot.mayor", "Njoftim sr", "Saopštenje za štampu njoftim", language="sr")
    client = api_as("kllokot.mayor")
    first = search(client, q="njoftim", page_size=2)
    assert first["count"] == 6 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    hit = first["results"][0]
    assert set(hit) == {
        "object_type",
        "id",
        "title",
        "snippet",
        "institution",
        "kind",
        "language",
        "date",
        "score",
    }
    assert hit["object_type"] == "document" and hit["institution"] == "KLLOKOT"
    last = search(client, q="njoftim", page_size=2, page=3)
    assert len(last["results"]) == 2 and last["next"] is None and last["previous"]
    assert search(client, q="njoftim", kind="press_statement")["count"] == 5
    assert search(client, q="njoftim", language="sr")["count"] == 1
    assert search(client, q="njoftim", type="process")["count"] == 0
    today = hit["date"]
    assert search(client, q="njoftim", date_from=today, date_to=today)["count"] == 6
    assert search(client, q="njoftim", date_to="2000-01-01")["count"] == 0
    assert search(client, q="njoftim", page=50)["results"] == []


def test_equal_scores_put_the_newest_first(api_as, document_of) -> None:  # type: ignore[no-untyped-def]
    newer = document_of("kllokot.mayor", "Vendim", "Vendimi i kuvendit")
    older = document_of("kllokot.mayor", "Vendim", "Vendimi i kuvendit")
    # Registered later, but dated earlier: the date decides, not the order of indexing.
    Document.objects.filter(pk=older.pk).update(created_at=datetime(2020, 3, 1, tzinfo=UTC))
    enqueue("document", [older.pk])
    drain()
    page = search(api_as("kllokot.mayor"), q="vendim")
    assert [hit["id"] for hit in page["results"]] == [newer.pk, older.pk]
    assert page["results"][0]["score"] == page["results"][1]["score"]


def test_results_without_snippets_are_the_same_results(demo, document_of) -> None:  # type: ignore[no-untyped-def]
    """What the CSV export asks for: the texts are not fetched, nothing else changes."""
    from search.selectors import search as run

    for n in range(3):
        document_of("kllokot.mayor", f"Raport {n}", f"Raporti vjetor i buxhetit {n}")
    asked = {"user": demo["kllokot.mayor"], "q": "buxheti", "filters": backends.Filters()}
    count, results, facets = run(**asked)
    bare_count, bare, bare_facets = run(**asked, snippets=False)
    assert (bare_count, bare_facets) == (count, facets) and count == 3
    assert [(r.id, r.title, r.score) for r in bare] == [(r.id, r.title, r.score) for r in results]
    assert all("<mark>" in r.snippet for r in results) and all(r.snippet == "" for r in bare)


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "bogus"},
        {"language": "xx"},
        {"type": "folder"},
        {"date_from": "2026-13-01"},
        {"date_from": "2026-02-02", "date_to": "2026-02-01"},
        {"page": "0"},
        {"page": "abc"},
        {"page_size": "1000"},
        {"page": "101"},
        {"institution": "KL LOKOT"},
        {"institution": "NOWHERE"},
        {"kind": ""},
        {"page": ""},
        {"date_from": ""},
    ],
)
def test_bad_parameters_are_400(api_as, backend, params: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    response = api_as("kllokot.mayor").get("/api/search/", {"q": "vendim", **params})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


def test_sharing_and_revoking_change_results(api_as, document_of, demo) -> None:  # type: ignore[no-untyped-def]
    shared = document_of(
        "prishtine.mayor", "Marrëveshja", "Marrëveshja ndërkomunale e ujësjellësit"
    )
    kllokot = api_as("kllokot.mayor")
    assert search(kllokot, q="ujesjellesit")["count"] == 0
    institution = Institution.objects.get(code="KLLOKOT")
    services.document_share(actor=demo["prishtine.mayor"], document=shared, institution=institution)
    assert SearchOutbox.objects.filter(object_id=shared.pk).exists()
    drain()
    page = search(kllokot, q="ujesjellesit")
    assert ids(page) == {shared.pk}
    assert page["facets"]["institution"] == {"PRISHTINE": 1}
    permissions.revoke(
        actor=demo["admin"],
        perm="documents.view_document",
        obj=shared,
        group=permissions.institution_group(institution),
    )
    drain()
    assert search(kllokot, q="ujesjellesit")["count"] == 0


def test_an_outage_of_the_backend_loses_nothing(api_as, document_of, demo, backend) -> None:  # type: ignore[no-untyped-def]
    from .conftest import upload

    search_backend = backends.get_backend()
    with mock.patch.object(
        search_backend, "index", side_effect=BackendUnavailable("connection refused")
    ):
        written = [
            upload(demo["kllokot.mayor"], f"Raporti {n}", "Raporti i auditimit") for n in range(3)
        ]
        with pytest.raises(BackendUnavailable):
            drain()
        assert SearchOutbox.objects.count() >= 3  # kept, with the attempt counted
        assert SearchOutbox.objects.filter(attempts__gte=1).exists()
        assert search(api_as("kllokot.mayor"), q="auditimit")["count"] == 0
    drain()  # the backend is back: the next drain catches up
    assert SearchOutbox.objects.count() == 0
    assert ids(search(api_as("kllokot.mayor"), q="auditimit")) == {d.pk for d in written}


def test_annulled_documents_leave_the_index(api_as, document_of, demo) -> None:  # type: ignore[no-untyped-def]
    document = document_of("kllokot.mayor", "Gabim", "Regjistrim i gabuar i ekspeditës")
    client = api_as("kllokot.mayor")
    assert ids(search(client, q="ekspedites")) == {document.pk}
    services.document_annul(actor=demo["kllokot.mayor"], document=document, reason="Gabim")
    drain()
    assert search(client, q="ekspedites")["count"] == 0
    assert search(api_as("auditor"), q="ekspedites")["count"] == 0


def test_new_versions_are_indexed(api_as, document_of, demo) -> None:  # type: ignore[no-untyped-def]
    import io

    from documents.extract import Extraction
    from documents.tasks import _record

    document = document_of("kllokot.mayor", "Projekt", "Versioni i parë")
    content = b"Versioni i dyte me hidrocentralin"

    def version_added() -> None:
        version = services.document_version_add(
            actor=demo["kllokot.mayor"],
            document=document,
            upload=io.BytesIO(content),
            filename="v2.txt",
            size=len(content),
        )
        _record(version.pk, Extraction(text=content.decode(), method="text:utf-8", pages=1))
        drain()

    version_added()
    client = api_as("kllokot.mayor")
    assert ids(search(client, q="hidrocentralin")) == {document.pk}
    assert ids(search(client, q="pare")) == {document.pk}  # the earlier version's text too
    version_added()  # the same file again: its text is in the snippet once
    [hit] = search(client, q="hidrocentralin")["results"]
    assert hit["snippet"].count("hidrocentralin") == 1, hit["snippet"]


def test_processes_are_indexed_with_their_texts(api_as, backend) -> None:  # type: ignore[no-untyped-def]
    info = api_as("kllokot.info")
    process = statement_drafted(
        info,
        "Njoftim për ujësjellësin",
        "Komuna njofton qytetarët për ndërprerjen e ujit",
        "Општина обавештава грађане о прекиду воде",
    )
    process_id = process["id"]
    drain()
    for query in ("nderprerjen", "obavestava gradjane", "prekidu", "ujesjellesin"):
        page = search(info, q=query)
        assert ids(page, "process") == {process_id}, query
        assert page["results"][0]["kind"] == "press_statement"
    assert search(info, q="prekidu", type="press-statement")["count"] == 1
    assert search(info, q="prekidu", type="document")["count"] == 0
    assert search(api_as("prishtine.info"), q="prekidu")["count"] == 0
    assert search(api_as("auditor"), q="prekidu")["count"] == 1
    # Its status in the API's words: a running process is `active`.
    assert process["status"] == "active"
    assert ids(search(info, q="prekidu active"), "process") == {process_id}
    assert search(info, q="prekidu new")["count"] == 0


def test_a_processs_codes_are_found_but_never_quoted(api_as, demo, backend) -> None:  # type: ignore[no-untyped-def]
    """The codes in a process's data (a role, a language) and its status word find it, but a
    snippet quotes only its texts: a code on a page reads as a code in any language."""
    process = make_process(demo["mf.comms"], "Njoftimi për ujin", text_sq="Ndërprerja e ujit")
    process.data["audience"] = "municipal_assembly"
    process.data["language"] = "sq"
    process.save()
    drain()
    client = api_as("mf.comms")
    for query in ("nderprerja", "municipal_assembly", "nderprerja active"):
        assert ids(search(client, q=query), "process") == {process.pk}, query
    for query in ("nderprerja", "ujin", "municipal_assembly"):
        [hit] = search(client, q=query)["results"]
        assert "Ndërprerja e ujit" in hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        for code in ("municipal_assembly", "active", " sq"):
            assert code not in hit["snippet"], (query, hit["snippet"])


def test_processes_saved_anywhere_are_indexed(api_as, demo, backend) -> None:  # type: ignore[no-untyped-def]
    """Whoever saves a process (viewflow, a flow, the admin), the outbox hears of it."""
    process = make_process(
        demo["mf.comms"],
        "Materiali për mbledhjen e qeverisë",
        text_sq="Plani i komunikimit",
        text_sr="Plan komunikacije",
    )
    process.data["communication_plan"] = {"key_messages": "Reforma e administratës publike"}
    process.save()
    drain()
    client = api_as("mf.comms")
    for query in ("reforma administrates", "mbledhjen qeverise", "komunikacije"):
        assert ids(search(client, q=query), "process") == {process.pk}, query
    assert search(api_as("kllokot.mayor"), q="reforma")["count"] == 0
    process.delete()
    drain()
    assert search(api_as("auditor"), q="reforma")["count"] == 0


def _visible_by_search(client: Any, object_type: str) -> set[int]:
    found: set[int] = set()
    page = 1
    while True:
        body = search(client, type=object_type, page_size=100, page=page)
        found |= ids(body, object_type)
        if not body["next"]:
            return found
        page += 1


def test_search_visibility_equals_the_access_rules(api_as, document_of, demo, delegation) -> None:  # type: ignore[no-untyped-def]
    """Every demo user finds exactly what documents_visible / processes_visible give them
    (less annulled documents, which leave the index)."""
    for username in ("kllokot.mayor", "prishtine.mayor", "mapl.legal", "mf.comms"):
        for n in range(2):
            document_of(username, f"Dokument {username} {n}", "Tekst")
    shared = document_of("prishtine.mayor", "Ndarë", "Tekst")
    services.document_share(
        actor=demo["prishtine.mayor"],
        document=shared,
        institution=Institution.objects.get(code="MAPL"),
    )
    annulled = document_of("mf.comms", "Anuluar", "Tekst")
    services.document_annul(actor=demo["mf.comms"], document=annulled, reason="x")
    make_process(demo["kllokot.info"], "Njoftim", text_sq="Tekst", text_sr="Tekst")
    make_process(demo["mf.comms"], "Material", text_sq="Tekst", text_sr="Tekst")
    drain()
    users: list[User] = [user for user in demo.values() if user.is_active]
    for user in users:
        client = api_as(user.username)
        expected_documents = set(
            documents_visible(user=user)
            .filter(registration__annulled_at__isnull=True)
            .values_list("pk", flat=True)
        )
        assert _visible_by_search(client, "document") == expected_documents, user.username
        expected_processes = set(processes_visible(user=user).values_list("pk", flat=True))
        assert _visible_by_search(client, "process") == expected_processes, user.username


@pytest.fixture
def delegation(demo):  # type: ignore[no-untyped-def]
    """kllokot.mayor delegates to mapl.registry (another institution): the deputy sees the
    principal's documents too, in search as in documents_visible."""
    from datetime import timedelta

    from django.utils import timezone

    from roles.models import Delegation

    now = timezone.now()
    return Delegation.objects.create(
        principal=demo["kllokot.mayor"],
        deputy=demo["mapl.registry"],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        reason="Test",
        created_by=demo["admin"],
    )


def test_rebuild_is_resumable_and_shows_progress(api_as, document_of, backend, capsys) -> None:  # type: ignore[no-untyped-def]
    from search.models import RebuildCheckpoint, SearchEntry

    docs = [document_of("kllokot.mayor", f"Arkivi {n}", "Arkivi i vjetër") for n in range(4)]
    if backend == "database":
        SearchEntry.objects.all().delete()
    search_backend = backends.get_backend()
    real_index = search_backend.index
    calls = {"n": 0}

    def failing_after_two(entries: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise BackendUnavailable("down")
        real_index(entries, **kwargs)

    with (
        mock.patch.object(search_backend, "index", side_effect=failing_after_two),
        pytest.raises(BackendUnavailable),
    ):
        call_command("rebuild_search_index", batch=1)
    checkpoint = RebuildCheckpoint.objects.get()
    assert checkpoint.done == 2 and checkpoint.last_id == docs[1].pk
    call_command("rebuild_search_index", batch=1)
    out = capsys.readouterr().out
    assert "resuming after document" in out and "search index rebuilt" in out
    assert "documents: up to id" in out
    assert not RebuildCheckpoint.objects.exists()
    assert ids(search(api_as("kllokot.mayor"), q="arkivi")) == {d.pk for d in docs}


@pytest.mark.django_db(transaction=True)
def test_rebuild_with_parallel_writers_resumes_after_the_batches_written_in_order(  # type: ignore[no-untyped-def]
    api_as, document_of, capsys
) -> None:
    """Outside a transaction the rebuild reads in one thread and writes in two: a failed
    batch leaves the checkpoint after the batches before it, whatever finished after it."""
    from search.models import RebuildCheckpoint, SearchEntry

    docs = [document_of("kllokot.mayor", f"Arkivi {n}", "Arkivi i vjetër") for n in range(6)]
    SearchEntry.objects.all().delete()
    search_backend = backends.get_backend()
    real_index = search_backend.index
    lock = threading.Lock()
    calls = {"n": 0}

    def third_fails(entries: Any, **kwargs: Any) -> None:
        with lock:
            calls["n"] += 1
            fails = calls["n"] == 3
        if fails:
            raise BackendUnavailable("down")
        real_index(entries, **kwargs)

    with (
        mock.patch.object(search_backend, "index", side_effect=third_fails),
        pytest.raises(BackendUnavailable),
    ):
        call_command("rebuild_search_index", batch=1, writers=2)
    checkpoint = RebuildCheckpoint.objects.get()
    assert (checkpoint.done, checkpoint.last_id) == (2, docs[1].pk)
    call_command("rebuild_search_index", batch=1, writers=2)
    assert "resuming after document" in capsys.readouterr().out
    assert not RebuildCheckpoint.objects.exists()
    assert ids(search(api_as("kllokot.mayor"), q="arkivi")) == {d.pk for d in docs}


def test_phrases_of_common_words_match_only_where_the_words_are_adjacent(  # type: ignore[no-untyped-def]
    api_as, document_of
) -> None:
    # Phrases of words found in most documents: only adjacency in this order matches.
    adjacent = document_of("kllokot.mayor", "Vendim", "Vendimi vlen në të gjitha komunat")
    apart = document_of("kllokot.mayor", "Mbledhje", "Në mbledhje morën pjesë të gjithë")
    reversed_ = document_of("kllokot.mayor", "Raport", "Raporti i dërguar të në zyrë")
    prefix = document_of("kllokot.mayor", "Ligj", "Kuvendi votoi për ligjin e ri")
    longer = document_of("kllokot.mayor", "Ligj 2", "Ai foli përkrah ligjin e vjetër")
    not_next = document_of("kllokot.mayor", "Ligj 3", "Për ligjet dhe për ligjin")
    serbian = document_of("kllokot.mayor", "Одлука", "Одлука је у складу са законом", language="sr")
    serbian_apart = document_of(
        "kllokot.mayor", "Odluka", "Je li ovo u skladu sa zakonom", language="sr"
    )
    client = api_as("kllokot.mayor")
    assert ids(search(client, q='"në të"')) == {adjacent.pk}
    assert ids(search(client, q='"ne te gjitha"')) == {adjacent.pk}
    assert ids(search(client, q='"të në"')) == {reversed_.pk}
    assert ids(search(client, q='"i dërguar të"')) == {reversed_.pk}
    # `për` is a prefix like every word of three letters or more: `përkrah ligjin` matches.
    assert ids(search(client, q='"për ligjin"')) == {prefix.pk, longer.pk, not_next.pk}
    assert ids(search(client, q='"ligjin e ri"')) == {prefix.pk}
    assert ids(search(client, q='"ligjin e"')) == {prefix.pk, longer.pk}
    assert ids(search(client, q='"dhe për ligjin"')) == {not_next.pk}
    assert ids(search(client, q='"për ligjin e"')) == {prefix.pk, longer.pk}
    assert ids(search(client, q='"je u skladu"')) == {serbian.pk}
    assert ids(search(client, q='"је у"')) == {serbian.pk}
    assert ids(search(client, q='"li ovo u"')) == {serbian_apart.pk}
    assert ids(search(client, q='"u skladu" "je li"')) == {serbian_apart.pk}
    assert ids(search(client, q='"u skladu sa"')) == {serbian.pk, serbian_apart.pk}
    assert search(client, q='"në gjitha"')["count"] == 0
    assert ids(search(client, q="në të")) == {adjacent.pk, apart.pk, reversed_.pk}
