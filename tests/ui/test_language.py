"""The interface speaks Albanian by default, Serbian in both scripts and English, and remembers
a person's choice; the catalogues are complete and the Cyrillic one is the Latin one transliterated.

The rendering tests need the compiled catalogues (`make messages`, part of `make setup`)."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from audit.models import AuditEntry
from roles.management.commands.transliterate_catalogue import (
    PROTECTED,
    UNCHANGED,
    comparable,
    convert,
    transliterate,
)
from roles.models import Institution, User

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOGUES = ("sq", "sr_Latn", "sr")
SERBIAN_PLURALS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);"
)
# The site title ("Institutional coordination") and the login page title in every language.
TITLE = {
    "sq": "Koordinimi institucional",
    "sr-latn": "Institucionalna koordinacija",
    "sr": "Институционална координација",
    "en": "Institutional coordination",
}
HOME = "/home/"
LOG_IN = {"sq": "Kyçu", "sr-latn": "Prijavi se", "sr": "Пријави се", "en": "Log in"}
WELCOME = {
    "sq": "Mirë se vini, Bojan Mitić",
    "sr-latn": "Dobro došli, Bojan Mitić",
    "sr": "Добро дошли, Bojan Mitić",
    "en": "Welcome, Bojan Mitić",
}


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "django.po"


def html_lang(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", response.content.decode())
    assert match, "the page has no <html lang=…>"
    return match.group(1).lower()


def assert_speaks(response, language: str) -> None:  # type: ignore[no-untyped-def]
    """The page is in `language` and in no other of the four."""
    assert response.status_code == 200
    html = response.content.decode()
    assert TITLE[language] in html
    for other, title in TITLE.items():
        if other != language:
            assert title not in html, f"{other} text on a page that should be {language}"
    assert html_lang(response) == language
    assert response.headers["Content-Language"].lower() == language


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues() -> None:
    for locale in CATALOGUES:
        po, mo = catalogue_path(locale), catalogue_path(locale).with_suffix(".mo")
        assert mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime, (
            f"{mo} is missing or older than its .po: run `make messages`"
        )


# --- 1 and 2: the language of a page ------------------------------------------------------------


def test_login_page_is_albanian_by_default(db: None) -> None:
    response = Client().get("/accounts/login/")
    assert_speaks(response, "sq")
    assert f"<title>{LOG_IN['sq']} · {TITLE['sq']}</title>" in response.content.decode()


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("sr-Latn", "sr-latn"),
        ("sr-latn,sr;q=0.9", "sr-latn"),
        ("sr-Latn-XK,sr;q=0.8,en;q=0.5", "sr-latn"),
        ("sr", "sr"),
        ("sr-RS", "sr"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("sq-XK", "sq"),
        ("de", "sq"),
    ],
)
def test_login_page_follows_accept_language(db: None, accept_language: str, language: str) -> None:
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert_speaks(response, language)
    assert f"<title>{LOG_IN[language]} · {TITLE[language]}</title>" in response.content.decode()


def test_language_switcher_offers_the_four_languages(db: None) -> None:
    html = Client().get("/accounts/login/").content.decode()
    for code in ("sq", "sr-latn", "sr", "en"):
        assert re.search(rf'<button[^>]*name="language"[^>]*value="{code}"', html), code


# --- 3: choosing a language ---------------------------------------------------------------------


def test_anonymous_choice_is_kept_in_the_language_cookie(db: None) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert settings.LANGUAGE_COOKIE_NAME == "language"
    assert_speaks(client.get("/accounts/login/"), "en")
    # The cookie wins over the browser's Accept-Language.
    assert_speaks(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="sq"), "en")
    assert not AuditEntry.objects.filter(action="user.language_set").exists()


def test_anonymous_cannot_choose_an_unknown_language(db: None) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "de", "next": "/accounts/login/"})
    # (Django's view still sets a "de" cookie, since Django itself ships German; the page
    # ignores it, as German is not one of the site's languages.)
    assert_speaks(client.get("/accounts/login/"), "sq")


def test_signed_in_choice_is_stored_audited_and_wins(demo: dict[str, User]) -> None:
    client = Client()
    assert client.login(username="kllokot.mayor", password="demo")
    assert_speaks(client.get(HOME, HTTP_ACCEPT_LANGUAGE="sq"), "sq")

    response = client.post("/i18n/setlang/", {"language": "en", "next": HOME})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    mayor = User.objects.get(username="kllokot.mayor")
    assert mayor.preferred_language == "en"
    entry = AuditEntry.objects.get(action="user.language_set")
    assert entry.actor == "kllokot.mayor"
    assert entry.object_id == str(mayor.pk)
    assert entry.data["new"] == {"preferred_language": "en"}
    assert entry.data["old"] == {"preferred_language": ""}

    # A fresh browser that asks for Albanian, even with an Albanian cookie: the stored
    # preference wins once the person is signed in.
    other = Client()
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "sq"
    assert other.login(username="kllokot.mayor", password="demo")
    page = other.get(HOME, HTTP_ACCEPT_LANGUAGE="sq")
    assert_speaks(page, "en")
    assert WELCOME["en"] in page.content.decode()
    assert "Municipality of Kllokot" in page.content.decode()


def test_signed_in_without_preference_follows_accept_language(demo: dict[str, User]) -> None:
    client = Client()
    assert client.login(username="kllokot.mayor", password="demo")
    for language, accept, institution in [
        ("sq", "sq", "Komuna e Kllokotit"),
        ("sr-latn", "sr-Latn", "Opština Klokot"),
        ("sr", "sr", "Општина Клокот"),
        ("en", "en", "Municipality of Kllokot"),
    ]:
        page = client.get(HOME, HTTP_ACCEPT_LANGUAGE=accept)
        assert_speaks(page, language)
        html = page.content.decode()
        assert WELCOME[language] in html
        assert institution in html


# --- 4: names of institutions -------------------------------------------------------------------


def test_institution_names_follow_the_language(demo: dict[str, User]) -> None:
    kllokot = Institution.objects.get(code="KLLOKOT")
    assert kllokot.name_in("sr") == "Општина Клокот"
    assert kllokot.name_in("sr-latn") == "Opština Klokot"
    assert kllokot.name_in("sq") == "Komuna e Kllokotit"
    assert kllokot.name_in("en") == "Municipality of Kllokot"
    with translation.override("sr"):
        assert str(kllokot) == "Општина Клокот"
    with translation.override("sr-latn"):
        assert str(kllokot) == "Opština Klokot"
    with translation.override("sq"):
        assert str(kllokot) == "Komuna e Kllokotit"


# --- 5: the catalogues --------------------------------------------------------------------------


@pytest.mark.parametrize("locale", CATALOGUES)
def test_catalogue_is_complete(locale: str) -> None:
    po = polib.pofile(str(catalogue_path(locale)))
    entries = [entry for entry in po if not entry.obsolete]
    assert len(entries) >= 70
    assert not po.metadata_is_fuzzy
    for entry in entries:
        assert "fuzzy" not in entry.flags, entry.msgid
        if entry.msgid_plural:
            assert entry.msgstr_plural and all(entry.msgstr_plural.values()), entry.msgid
        else:
            assert entry.msgstr.strip(), f"{locale}: {entry.msgid!r} is not translated"
        # Placeholders survive translation exactly.
        for source, translated in [
            (entry.msgid, entry.msgstr),
            *((entry.msgid_plural, text) for text in entry.msgstr_plural.values()),
        ]:
            if translated:
                assert sorted(PROTECTED.findall(source)) == sorted(PROTECTED.findall(translated)), (
                    locale,
                    source,
                    translated,
                )
    assert "text/plain; charset=UTF-8" in po.metadata["Content-Type"]
    expected_language = {"sq": "sq", "sr_Latn": "sr@latin", "sr": "sr"}[locale]
    assert po.metadata["Language"] == expected_language
    plurals = "nplurals=2; plural=(n != 1);" if locale == "sq" else SERBIAN_PLURALS
    assert po.metadata["Plural-Forms"] == plurals
    msgids = {entry.msgid: entry.msgstr for entry in entries}
    for msgid in (
        "Institutional coordination",
        "Audit log",
        "delegation",
        "acting official",
        "municipality",
        "ministry",
        "Welcome, %(name)s",
    ):
        assert msgid in msgids, f"{locale} lacks {msgid!r}"


def test_catalogues_use_the_administration_terms() -> None:
    sq = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue_path("sq")))}
    sr = {e.msgid: e.msgstr for e in polib.pofile(str(catalogue_path("sr_Latn")))}
    assert sq["Institutional coordination"] == TITLE["sq"]
    assert sr["Institutional coordination"] == TITLE["sr-latn"]
    assert (sq["municipality"], sr["municipality"]) == ("komunë", "opština")
    assert (sq["ministry"], sr["ministry"]) == ("ministri", "ministarstvo")
    assert (sq["institution"], sr["institution"]) == ("institucion", "institucija")
    assert (sq["delegation"], sr["delegation"]) == ("delegim", "delegiranje")
    assert (sq["acting official"], sr["acting official"]) == (
        "zyrtar në detyrë",
        "vršilac dužnosti",
    )
    assert sq["Audit log"].lower() == "regjistri i auditimit"
    assert sr["Audit log"].lower() == "revizorski dnevnik"


def test_cyrillic_catalogue_is_the_transliteration_of_the_latin_one() -> None:
    latin = polib.pofile(str(catalogue_path("sr_Latn")))
    cyrillic = polib.pofile(str(catalogue_path("sr")))
    assert comparable(cyrillic) == comparable(transliterate(latin))
    by_msgid = {(e.msgctxt, e.msgid): e for e in cyrillic}
    for entry in latin:
        converted = by_msgid[(entry.msgctxt, entry.msgid)]
        assert converted.msgstr == convert(entry.msgstr)
        assert converted.msgstr_plural == {k: convert(v) for k, v in entry.msgstr_plural.items()}
        # Nothing of the Latin script is left outside placeholders and markup.
        assert not re.search(r"[A-Za-zČĆŠŽĐčćšžđ]", UNCHANGED.sub("", converted.msgstr)), (
            converted.msgstr
        )


def test_transliteration_keeps_placeholders_and_markup() -> None:
    assert convert("Dobro došli, %(name)s") == "Добро дошли, %(name)s"
    assert convert("Njegov džep: %s od %d, {count} {{ name }}") == (
        "Његов џеп: %s од %d, {count} {{ name }}"
    )
    assert convert('<a href="/uputstvo">Uputstvo</a>&nbsp;&#8212; 100%%') == (
        '<a href="/uputstvo">Упутство</a>&nbsp;&#8212; 100%%'
    )
    assert convert("Ljubljana i NJIVA") == "Љубљана и ЊИВА"
    # Code the API takes as written: a Cyrillic `пресс_статемент` would be an unknown type.
    assert convert("vrsta (npr. `press_statement`)") == "врста (нпр. `press_statement`)"
    assert convert("Završava se pre date_from.") == "Завршава се пре date_from."
    # A file's extension as the person sees it on the file: `.доцx` would be half of each script.
    assert convert("Vord dokument (.docx), običan tekst (.txt)") == (
        "Ворд документ (.docx), обичан текст (.txt)"
    )
    # JSON the caller is told to send, as they must send it.
    assert convert('ili {"kind": "ministry"}.') == 'или {"kind": "ministry"}.'


def test_command_writes_and_checks_the_cyrillic_catalogue(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    source = tmp_path / "latin.po"
    latin = polib.POFile()
    latin.metadata = {
        "Language": "sr@latin",
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": SERBIAN_PLURALS,
    }
    latin.append(polib.POEntry(msgid="Municipality", msgstr="Opština"))
    latin.append(
        polib.POEntry(
            msgid="%(count)d decision",
            msgid_plural="%(count)d decisions",
            msgstr_plural={0: "%(count)d odluka", 1: "%(count)d odluke", 2: "%(count)d odluka"},
            flags=["python-format"],
        )
    )
    latin.save(str(source))
    target = tmp_path / "sr" / "django.po"
    call_command("transliterate_catalogue", source=str(source), target=str(target), stdout=None)
    written = polib.pofile(str(target))
    assert written.metadata["Language"] == "sr"
    assert written.find("Municipality").msgstr == "Општина"
    plural = written.find("%(count)d decision")
    assert plural.msgstr_plural == {
        0: "%(count)d одлука",
        1: "%(count)d одлуке",
        2: "%(count)d одлука",
    }
    call_command("transliterate_catalogue", source=str(source), target=str(target), check=True)
    plural.msgstr_plural[1] = "%(count)d odluke"
    written.save(str(target))
    with pytest.raises(CommandError):
        call_command("transliterate_catalogue", source=str(source), target=str(target), check=True)
