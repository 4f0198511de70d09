"""Derive the Serbian Cyrillic catalogue (``sr``) from the Serbian Latin one (``sr_Latn``).

Translators edit only ``config/locale/sr_Latn/LC_MESSAGES/django.po``; this command rewrites
``config/locale/sr/LC_MESSAGES/django.po`` from it, every msgstr converted to Cyrillic with
``config.text.latin_to_cyrillic``, so the two scripts never drift. Placeholders (``%(name)s``,
``%s``, ``{name}``), JSON an API client sends (``{"kind": "ministry"}``), HTML tags, HTML
entities, code in backticks (parameter values such as `press_statement`, which the API's
schema documents and callers type as written), bare
parameter names (``date_from``) and file names' extensions in brackets (``(.docx)``) are left
exactly as they are.

    manage.py transliterate_catalogue          # write sr from sr_Latn
    manage.py transliterate_catalogue --check  # fail if sr is not the transliteration of sr_Latn
"""

import re
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.text import latin_to_cyrillic

# Spans that must reach the Cyrillic catalogue unchanged, tried left to right.
PROTECTED = re.compile(
    r"""
      %\([^)]*\)[#0+\-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]  # %(name)s, %(n)d
    | %[#0+\-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]        # %s, %d, %%
    | \{\{.*?\}\}                                                        # {{ name }}
    | \{[^{}\s]*\}                                                       # {name}, {0}, {}
    | \{"[^{}]*\}                                                         # {"kind": "ministry"}
    | <[^<>]*>                                                           # <a href="…">, </b>
    | &(?:[A-Za-z][A-Za-z0-9]*|\#\d+|\#[xX][0-9A-Fa-f]+);               # &nbsp; &#8212;
    | `[^`]*`                                                            # `press_statement`
    """,
    re.VERBOSE,
)
# Kept in Latin too, though a translation need not repeat them: parameter names (`date_from`),
# the values and formats an API client writes as they are (`true`, `JSON`, `U+…`) and the
# extensions of file names, which a person finds written so on their files (`(.docx)`).
UNCHANGED = re.compile(
    PROTECTED.pattern
    + r"""
    | \b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b
    | \b(?:true|false|null|JSON|URL|username|password|slug)\b | \bU\+
    | \(\.[a-z0-9]{2,5}\)
    """,
    re.VERBOSE,
)

TARGET_LANGUAGE = "sr"
GENERATED_NOTE = (
    "Serbian (Cyrillic) interface catalogue.\n"
    "Generated from sr_Latn/LC_MESSAGES/django.po by `manage.py transliterate_catalogue`:\n"
    "do not edit by hand; edit the Latin catalogue and run the command again."
)


def convert(text: str) -> str:
    """Latin-script Serbian to Cyrillic, protected spans (placeholders, markup) untouched."""
    out: list[str] = []
    position = 0
    for match in UNCHANGED.finditer(text):
        out.append(latin_to_cyrillic(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(latin_to_cyrillic(text[position:]))
    return "".join(out)


def transliterate(latin: polib.POFile) -> polib.POFile:
    """A new catalogue: the same entries, headers and flags, every msgstr in Cyrillic."""
    cyrillic = polib.POFile(wrapwidth=latin.wrapwidth, encoding="utf-8", check_for_duplicates=False)
    cyrillic.header = GENERATED_NOTE
    cyrillic.metadata = {
        **latin.metadata,
        "Language": TARGET_LANGUAGE,
        "Content-Type": "text/plain; charset=UTF-8",
    }
    cyrillic.metadata_is_fuzzy = latin.metadata_is_fuzzy
    for entry in latin:
        kwargs: dict[str, Any] = {
            "msgid": entry.msgid,
            "msgctxt": entry.msgctxt,
            "msgstr": convert(entry.msgstr),
            "comment": entry.comment,
            "tcomment": entry.tcomment,
            "occurrences": list(entry.occurrences),
            "flags": list(entry.flags),
            "previous_msgctxt": entry.previous_msgctxt,
            "previous_msgid": entry.previous_msgid,
            "previous_msgid_plural": entry.previous_msgid_plural,
            "obsolete": entry.obsolete,
        }
        if entry.msgid_plural:
            kwargs["msgid_plural"] = entry.msgid_plural
            kwargs["msgstr_plural"] = {
                index: convert(text) for index, text in entry.msgstr_plural.items()
            }
        cyrillic.append(polib.POEntry(**kwargs))
    return cyrillic


def comparable(catalogue: polib.POFile) -> tuple[object, ...]:
    """What must agree between two catalogues, whatever their line wrapping or dates."""
    entries = sorted(
        (
            entry.msgctxt or "",
            entry.msgid,
            entry.msgid_plural or "",
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
            entry.obsolete,
            "fuzzy" in entry.flags,
        )
        for entry in catalogue
    )
    metadata = tuple(catalogue.metadata.get(key, "") for key in ("Language", "Plural-Forms"))
    return (metadata, tuple(entries))


def default_locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


class Command(BaseCommand):
    help = "Write the Serbian Cyrillic catalogue (sr) as the transliteration of sr_Latn."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--source", help="sr_Latn .po file (default: in LOCALE_PATHS[0])")
        parser.add_argument("--target", help="sr .po file (default: in LOCALE_PATHS[0])")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit with an error if the target is not up to date.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        locale_dir = default_locale_dir()
        source = Path(options["source"] or locale_dir / "sr_Latn" / "LC_MESSAGES" / "django.po")
        target = Path(options["target"] or locale_dir / "sr" / "LC_MESSAGES" / "django.po")
        if not source.is_file():
            raise CommandError(f"No Serbian Latin catalogue at {source}.")
        expected = transliterate(polib.pofile(str(source), wrapwidth=78))
        if options["check"]:
            current = polib.pofile(str(target)) if target.is_file() else None
            if current is None or comparable(current) != comparable(expected):
                raise CommandError(
                    f"{target} is not the transliteration of {source}: "
                    "run `manage.py transliterate_catalogue`."
                )
            self.stdout.write(f"{target} is up to date.")
            return
        text = str(expected)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {target}.")
