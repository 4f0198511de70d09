"""Synthetic Albanian and Serbian text for the search bench, and queries drawn from it.

Vocabulary: administrative roots of each language, each with derivational prefixes and suffixes
(Albanian `ri-`, `pa-`, `mos-`, `nën-` and `-im`, `-ues`, `-shëm`, `-or`; Serbian `pre-`,
`raz-`, `pod-` and `-ni`, `-sk`, `-ov`) make the stems (about 3,300 Albanian, 1,900 Serbian);
each stem takes the language's inflection endings (10 Albanian, 8 Serbian), so there are tens of
thousands of word forms, written with diacritics, and Serbian in Latin or Cyrillic.

Text: every word is a stop word (`dhe`, `për`, `i`, `za`, …) with probability 0.3, else a stem
drawn with Zipf's law (rank r has probability ∝ 1/r; ranks are a seeded shuffle of the stems)
in a uniformly drawn inflection. Two thirds of the documents are Albanian, one third Serbian
(half of those in Cyrillic). With 66 words per document a stem of rank r is in roughly
3.5/r % of all documents if Albanian and 1.9/r % if Serbian: a few common words (the top few
dozen stems) are in 5–40 %, the bulk between 0.05 % and 5 %.

Queries (seeded, never chosen by their speed): a query word is a stem drawn uniformly from its
language's stems (so a typical word, not a typical token), in a uniformly drawn inflection and,
for Serbian, script; the language is drawn 2:1 like the corpus. "two words" is two such words of
one language; "phrase" is 2–3 consecutive words (stop words included) cut at a random place
from a random generated document, in quotes; "filtered" is one word with a random kind, a
`date_from` in the corpus's first two years and the caller's institution. The engine
comparison adds (`more_queries`): "prefix", the first 3–5 letters of a uniformly drawn stem with
`*`; "browse", no words, only a date range of 30–730 days (the page and every facet over what
the range holds); "near miss", a query word of six letters or more with one inner letter
replaced by another of its letters so that it starts no word of the vocabulary (a typo: only a
correction finds anything). The bench prints how many documents each kind of query matched.
"""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from search.analysis import latin_to_cyrillic, normalize, parse_query

SEED = 20260611
STOP_SHARE = 0.3
TITLE_WORDS = 6
BODY_WORDS = 60
KINDS = ["decision", "report", "press_statement", "correspondence", "other"]
FIRST_DAY = date(2020, 1, 1)
DAYS = 2300


def _words(text: str) -> list[str]:
    return text.split()


ALBANIAN_ROOTS = _words(
    """
strategji komunik vendim kuvend komun buxhet qeveri ministri mbledhj plan raport zyr drejtori
ligj rregullor projekt konsult afat ankes kërkes dokument arkiv qytetar institucion shëndetësi
arsim rrug ujësjellës mjedis bujqësi ekonomi financ tender kontrat auditim transparenc
informacion publik medi deklarat njoftim material agjend zgjedhj votim kryetar këshill sekretar
punonjës pag tatim taks pron ndërtim lej urbanizëm kadastër shkoll mësues nxënës spital mjek
pacient polic siguri gjykat prokurori avokat vendbanim fshat qytet lagj banor familj fëmij
kultur sport turizëm investim zhvillim punësim biznes ndërmarrj energji ngrohj mbeturin pastrim
transport autobus parking ur kanal park gjelbërim pyll lum përmbytj zjarr emergjenc ndihm
subvencion grant pension minoritet komunitet gjuh përkthim barazi gjini drejtësi integrim
evropian marrëveshj protokoll memorandum vizit takim konferenc seanc procesverbal mocion
amendament opozit koalicion çështj shërbim regjistr certifikat licenc inspektim kontroll
"""
)
ALBANIAN_PREFIXES = ["", "ri", "pa", "mos", "nën"]
ALBANIAN_DERIVATIONS = ["", "im", "ues", "shëm", "or"]
ALBANIAN_ENDINGS = ["", "a", "i", "e", "it", "in", "ës", "ën", "ët", "ve"]
ALBANIAN_STOPWORDS = _words("dhe për në të i e me nga se si por edhe që një është nuk ka do")

SERBIAN_ROOTS = _words(
    """
strategij komunikacij odluk skupštin opštin budžet vlad ministarstv sednic plan izveštaj
kancelarij direkcij zakon pravilnik projekt konsultacij rok žalb zahtev dokument arhiv građan
institucij zdravstv obrazovanj put vodovod sredin poljoprivred ekonomij finansij tender ugovor
revizij transparentnost informacij javnost medij saopštenj obaveštenj materijal izbor glasanj
predsednik savet sekretar zaposlen plat porez taks imovin izgradnj dozvol urbanizm katastar
škol učitelj učenik bolnic lekar pacijent policij bezbednost sud tužilaštv advokat naselj sel
grad stanovnik porodic kultur sport turizm investicij razvoj zapošljavanj preduzeć energij
grejanj otpad čišćenj prevoz autobus parking most kanal park zelenil šum rek poplav požar pomoć
subvencij penzij manjin zajednic jezik prevod ravnopravnost pravd integracij sporazum protokol
memorandum poset sastank konferencij zapisnik predlog amandman birač opozicij koalicij
"""
)
SERBIAN_PREFIXES = ["", "pre", "raz", "pod"]
SERBIAN_DERIVATIONS = ["", "ni", "sk", "ov"]
SERBIAN_ENDINGS = ["", "a", "e", "i", "u", "om", "ama", "ima"]
SERBIAN_STOPWORDS = _words("i u na za od do sa je su da se koji kao ili ne što")


@dataclass
class Language:
    code: str
    stopwords: list[str]
    stems: list[str]  # in Zipf rank order, most frequent first
    endings: list[str]
    cyrillic: bool = False  # it may be written in Cyrillic too

    @cached_property
    def forms(self) -> list[str]:
        """Every word form as written (Latin): the stop words, then each stem × ending."""
        return self.stopwords + [stem + ending for stem in self.stems for ending in self.endings]

    @cached_property
    def cyrillic_forms(self) -> list[str]:
        return [latin_to_cyrillic(form) for form in self.forms]

    @cached_property
    def norms(self) -> list[str]:
        return [normalize(form) for form in self.forms]

    @cached_property
    def cum_weights(self) -> list[float]:
        """Cumulative probabilities of `forms` (stop words and stems Zipf-distributed, the
        endings of a stem equally likely)."""
        stop = [1 / rank for rank in range(1, len(self.stopwords) + 1)]
        content = [1 / rank for rank in range(1, len(self.stems) + 1)]
        stop_sum, content_sum = sum(stop), sum(content)
        weights = [STOP_SHARE * w / stop_sum for w in stop] + [
            (1 - STOP_SHARE) * w / content_sum / len(self.endings)
            for w in content
            for _ in self.endings
        ]
        return list(itertools.accumulate(weights))

    def picks(self, rng: random.Random, count: int) -> list[int]:
        return rng.choices(range(len(self.forms)), cum_weights=self.cum_weights, k=count)

    def written(self, cyrillic: bool) -> list[str]:
        return self.cyrillic_forms if cyrillic else self.forms

    def share_of_stem(self, rank: int) -> float:
        """The probability that one word of a text is the stem of this rank (1-based)."""
        content = self.cum_weights[len(self.stopwords) - 1] if self.stopwords else 0.0
        first = len(self.stopwords) + (rank - 1) * len(self.endings)
        last = first + len(self.endings) - 1
        before = self.cum_weights[first - 1] if first else 0.0
        assert before >= content
        return self.cum_weights[last] - before


def _stems(roots: list[str], prefixes: list[str], derivations: list[str]) -> list[str]:
    """In frequency rank order: the plain roots, then the roots with one affix, then with two
    (as in real text, derived words are rarer), each group in a seeded random order."""
    rng = random.Random(SEED)
    ranked: list[str] = []
    for affixes in (0, 1, 2):
        group = [
            prefix + root + suffix
            for root in roots
            for prefix in prefixes
            for suffix in derivations
            if bool(prefix) + bool(suffix) == affixes
        ]
        rng.shuffle(group)
        ranked += [stem for stem in dict.fromkeys(group) if stem not in ranked]
    return ranked


ALBANIAN = Language(
    "sq",
    ALBANIAN_STOPWORDS,
    _stems(ALBANIAN_ROOTS, ALBANIAN_PREFIXES, ALBANIAN_DERIVATIONS),
    ALBANIAN_ENDINGS,
)
SERBIAN = Language(
    "sr",
    SERBIAN_STOPWORDS,
    _stems(SERBIAN_ROOTS, SERBIAN_PREFIXES, SERBIAN_DERIVATIONS),
    SERBIAN_ENDINGS,
    cyrillic=True,
)

LANGUAGES = [ALBANIAN, SERBIAN]


def language_of(number: int) -> tuple[Language, bool]:
    """Document `number`'s language and whether it is in Cyrillic: 2/3 Albanian, 1/3 Serbian,
    half of the Serbian in Cyrillic."""
    if number % 3:
        return ALBANIAN, False
    return SERBIAN, number % 6 == 0


@dataclass
class Text:
    language: str
    title: str
    body: str
    title_norm: str
    body_norm: str


def text(rng: random.Random, number: int, title_words: int, body_words: int) -> Text:
    language, cyrillic = language_of(number)
    picks = language.picks(rng, title_words + body_words)
    written, norms = language.written(cyrillic), language.norms
    title, body = picks[:title_words], picks[title_words:]
    return Text(
        language.code,
        " ".join(written[i] for i in title).capitalize(),
        " ".join(written[i] for i in body),
        " ".join(norms[i] for i in title),
        " ".join(norms[i] for i in body),
    )


@dataclass
class Document:
    number: int
    text: Text
    institution: int  # index into the caller's list of institutions
    kind: str
    date: date


@dataclass
class Corpus:
    """`count` documents, generated in order from one seed; a few bodies are kept (a uniform
    sample) to cut phrase queries from."""

    count: int
    institutions: int
    seed: int = SEED
    samples: list[str] = field(default_factory=list)

    def documents(self) -> Iterator[Document]:
        rng = random.Random(self.seed)
        keep = random.Random(self.seed + 1)
        for number in range(1, self.count + 1):
            generated = Document(
                number,
                text(rng, number, TITLE_WORDS, BODY_WORDS),
                rng.randrange(self.institutions),
                rng.choice(KINDS),
                FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
            )
            if keep.random() < 500 / self.count:
                self.samples.append(generated.text.body)
            yield generated


def query_word(rng: random.Random) -> str:
    """A word someone searches for: a uniformly drawn stem of a 2:1 drawn language, in a
    uniformly drawn inflection (and script)."""
    language = ALBANIAN if rng.random() < 2 / 3 else SERBIAN
    return _word_of(rng, language)


def _word_of(rng: random.Random, language: Language) -> str:
    word = rng.choice(language.stems) + rng.choice(language.endings)
    return latin_to_cyrillic(word) if language.cyrillic and rng.random() < 0.5 else word


def queries(
    samples: list[str], home: str, count: int, seed: int = SEED
) -> dict[str, list[dict[str, str]]]:
    """`count` queries of each kind, as /api/search/ parameters (see the module docstring)."""
    rng = random.Random(seed + 2)
    mix: dict[str, list[dict[str, str]]] = {
        "one word": [],
        "two words": [],
        "phrase": [],
        "filtered": [],
    }
    for _ in range(count):
        mix["one word"].append({"q": query_word(rng)})
        language = ALBANIAN if rng.random() < 2 / 3 else SERBIAN
        mix["two words"].append({"q": f"{_word_of(rng, language)} {_word_of(rng, language)}"})
        words = rng.choice(samples).split()
        length = rng.choice([2, 3])
        start = rng.randrange(len(words) - length + 1)
        mix["phrase"].append({"q": '"' + " ".join(words[start : start + length]) + '"'})
        day = FIRST_DAY + timedelta(days=rng.randrange(730))
        mix["filtered"].append(
            {
                "q": query_word(rng),
                "kind": rng.choice(KINDS),
                "date_from": day.isoformat(),
                "institution": home,
            }
        )
    return mix


def more_queries(count: int, seed: int = SEED) -> dict[str, list[dict[str, str]]]:
    """`count` queries of each kind the engine comparison adds (see the module docstring)."""
    rng = random.Random(seed + 4)
    vocabulary = sorted(
        {word for language in LANGUAGES for norm in language.norms for word in norm.split()}
    )
    mix: dict[str, list[dict[str, str]]] = {"prefix": [], "browse": [], "near miss": []}
    for _ in range(count):
        language = ALBANIAN if rng.random() < 2 / 3 else SERBIAN
        mix["prefix"].append({"q": rng.choice(language.stems)[: rng.choice([3, 4, 5])] + "*"})
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        span = timedelta(days=rng.randrange(30, 731))
        mix["browse"].append({"date_from": day.isoformat(), "date_to": (day + span).isoformat()})
        while True:
            word = _word_of(rng, ALBANIAN if rng.random() < 2 / 3 else SERBIAN)
            if len(word) < 6:
                continue
            at = rng.randrange(1, len(word) - 1)
            # Another letter of the same word: a typo, in the word's own script.
            others = sorted(set(word) - {word[at]})
            typo = word[:at] + rng.choice(others) + word[at + 1 :]
            terms = parse_query(typo).terms
            if terms and not any(term.matches(known) for term in terms for known in vocabulary):
                break
        mix["near miss"].append({"q": typo})
    return mix


def doc_share(rank: int, language: Language, documents_share: float) -> float:
    """The expected share of all documents containing the stem of this rank (for the docs)."""
    p = language.share_of_stem(rank)
    return documents_share * (1 - (1 - p) ** (TITLE_WORDS + BODY_WORDS))
