"""What the text of a cell maps to, only where the mapping is certain.

- Blank: empty cells, ``N/A``, ``-``, ``none`` (and their Finnish and French counterparts),
  and the ``missing: RULE-ID`` marks of ``ropa export`` add nothing.
- Several values in one cell are split: on line breaks, else on semicolons, else (for the
  columns that list short names) on commas.
- Vocabulary terms by exact label (case and spacing aside, an English plural allowed):
  ``pd:`` personal data categories, DPV data subject and purpose concepts, ``loc:``
  countries (also by ISO 3166 alpha-2 and alpha-3 code).
- GDPR articles by their number (``Art. 6(1)(c)``, ``6(1-c)``, ``6.1.c``, ``6 artiklan 1
  kohdan c alakohta``) or by the wording of the article (Art. 6(1)(a)-(f) and 9(2)(a)-(j)
  bases, transfer safeguards, rights) in English, Finnish or French.
- Retention phrases: ``30 days after account deletion`` (a period from an event), ``2 years
  at most``, ``until the end of the membership``, ``the current year plus 6 years``,
  ``indefinitely``, ``not stored``, ISO 8601 durations (``P2Y``).

Anything else stays the cell's own text: the importer makes it a concept of the register
and marks it unmapped, for the DPO to map later (``IMPORT-UNMAPPED``).

>>> split("CAN, USA, GBR", commas=True)
['CAN', 'USA', 'GBR']
>>> parse_retention("30 days after account deletion")
Retention(rule='from-event', duration='P30D', maximum=False, event='account deletion')
>>> gdpr_articles("Art. 6(1)(c) legal obligation and 9(2-h)")
['A6-1-c', 'A9-2-h']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from checker.graph.vocabulary import vocabulary

PD = "https://w3id.org/dpv/pd#"
DPV = "https://w3id.org/dpv#"
LOC = "https://w3id.org/dpv/loc#"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"

#: Cell texts that say "nothing here" (compared case-insensitively, trailing dot aside).
BLANKS = frozenset(
    {
        *("", "-", "–", "—", "n/a", "na", "n.a.", "none", "nil", "no", "not applicable"),
        *("ei", "ei ole", "ei sovellu", "ei sovelleta", "-"),
        *("non", "néant", "aucun", "aucune", "sans objet", "non applicable"),
    }
)


def is_blank(text: str) -> bool:
    """True when the cell adds nothing: empty, N/A, -, none, or an export's ``missing:`` mark.

    >>> [is_blank(t) for t in ("N/A", " - ", "None.", "missing: ART30-1-F-RETENTION", "HR")]
    [True, True, True, True, False]
    """
    norm = text.strip().casefold().rstrip(".")
    return norm in BLANKS or norm.startswith("missing:")


_BULLET = re.compile(r"^\s*(?:[-•*·▪–]|\d{1,2}[.)])\s+")


def split(text: str, *, commas: bool = False) -> list[str]:
    """The values of a multi-valued cell, without bullets and blanks, in order, once each.

    >>> split("• Name, address and phone"), split("Payroll; pensions")
    (['Name, address and phone'], ['Payroll', 'pensions'])
    """
    if "\n" in text or _BULLET.match(text):  # lines, or one bulleted line: no more splitting
        parts = text.split("\n")
    elif ";" in text:
        parts = text.split(";")
    elif commas:
        parts = text.split(",")
    else:
        parts = [text]
    values: list[str] = []
    for part in parts:
        value = _BULLET.sub("", part).strip().rstrip(";,").strip()
        if value and not is_blank(value) and value not in values:
            values.append(value)
    return values


def normalise(text: str) -> str:
    """Text for comparing labels: case, spacing, apostrophes and a trailing dot aside."""
    text = text.replace("’", "'").replace("‘", "'").casefold()
    return " ".join(text.split()).rstrip(".:")


# --- vocabulary labels ----------------------------------------------------------------------


@dataclass(frozen=True)
class LabelIndex:
    """Vocabulary terms by normalised label, one index per kind of term."""

    by_kind: dict[str, dict[str, str]]
    countries_alpha3: dict[str, str]

    def term(self, kind: str, text: str) -> str | None:
        """The CURIE of the one ``kind`` term labelled ``text`` (or its plural), else None."""
        return self.by_kind.get(kind, {}).get(normalise(text))


_KIND_QUERY = """
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?kind ?term ?label WHERE {
  VALUES (?kind ?top) {
    ("data" dpv:PersonalData) ("subject" dpv:HumanSubject) ("subject" dpv:DataSubject)
    ("purpose" dpv:Purpose) ("country" dpv:Country)
  }
  ?term (rdf:type|skos:broader)+ ?top .
  ?term skos:prefLabel|rdfs:label ?label .
  FILTER(isIRI(?term))
}
"""

_PREFIX = {PD: "pd:", DPV: "dpv:", LOC: "loc:", GDPR: "eu-gdpr:"}


def curie(iri: str) -> str | None:
    """The CURIE of an IRI in the pd, dpv, loc or eu-gdpr namespace."""
    for ns, prefix in _PREFIX.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_-]+", iri[len(ns) :]):
            return prefix + iri[len(ns) :]
    return None


def label_index(store: ox.Store) -> LabelIndex:
    """Index the vocabulary's terms by label: labels shared by two terms are left out."""
    seen: dict[str, dict[str, set[str]]] = {}
    for kind, term, label in store.query(_KIND_QUERY):
        name = curie(term.value)
        if name is None or (kind.value == "data" and not name.startswith("pd:")):
            continue
        if kind.value == "country" and not name.startswith("loc:"):
            continue
        labels = seen.setdefault(kind.value, {})
        key = normalise(label.value)
        labels.setdefault(key, set()).add(name)
        if kind.value in ("subject", "data") and not key.endswith("s"):
            labels.setdefault(key + "s", set()).add(name)
    by_kind = {
        kind: {label: next(iter(terms)) for label, terms in labels.items() if len(terms) == 1}
        for kind, labels in seen.items()
    }
    countries = by_kind.setdefault("country", {})
    for term in sorted({t for t in countries.values()}):
        code = term.removeprefix("loc:")
        if re.fullmatch(r"[A-Z]{2}", code):
            countries.setdefault(normalise(code), term)
    for alias, code in (("uk", "GB"), ("united kingdom", "GB"), ("united states", "US")):
        if f"loc:{code}" in countries.values():
            countries.setdefault(alias, f"loc:{code}")
    alpha3 = json.loads((Path(__file__).parent / "iso3166.json").read_text(encoding="utf-8"))
    known = set(countries.values())
    return LabelIndex(
        by_kind, {a3: f"loc:{a2}" for a3, a2 in alpha3.items() if f"loc:{a2}" in known}
    )


@cache
def labels() -> LabelIndex:
    """The label index of the shipped vocabulary, made once per process."""

    return label_index(vocabulary().store)


def country(text: str, index: LabelIndex) -> str | None:
    """A ``loc:`` term for an ISO 3166 code or a country's name; None when not certain.

    >>> country("USA", labels()), country("Canada", labels()), country("Narnia", labels())
    ('loc:US', 'loc:CA', None)
    """
    code = text.strip()
    if re.fullmatch(r"[A-Z]{3}", code) and code in index.countries_alpha3:
        return index.countries_alpha3[code]
    return index.term("country", text)


# --- GDPR articles --------------------------------------------------------------------------

_ARTICLE_PATTERNS = (
    # 6(1)(c), 6 (1) (c), 6(1-c), Art. 9(2)(h)
    re.compile(r"(?<!\d)(6|9|46|49)\s*\(\s*([123])\s*(?:\)\s*\(|-)\s*([a-j])\s*\)", re.I),
    # 6.1.c, 6-1-c, article 6.1 c
    re.compile(r"(?<![\d.])(6|9|46|49)[.\-]([123])[.\-\s]\s*([a-j])\b", re.I),
    # 6 artiklan 1 kohdan c alakohta
    re.compile(r"(?<!\d)(6|9|46|49)\s+artiklan\s+([123])\s+kohdan\s+([a-j])\s+alakoh", re.I),
)
_ADEQUACY = re.compile(r"(?<!\d)45\s*(?:\(\s*3\s*\)|[.\-]3\b|\s+artiklan\s+3\s+kohta)", re.I)
_VALID = {
    "6": ("1", "abcdef"),
    "9": ("2", "abcdefghij"),
    "46": ("23", "abcdef"),
    "49": ("1", "abcdefg"),
}


def gdpr_articles(text: str) -> list[str]:
    """The Art. 6(1), 9(2), 45(3), 46(2)/(3) and 49(1) points a text cites by number."""
    found: list[tuple[int, str]] = []
    for pattern in _ARTICLE_PATTERNS:
        for match in pattern.finditer(text):
            article, paragraph, point = match.group(1), match.group(2), match.group(3).lower()
            paragraphs, points = _VALID[article]
            if paragraph in paragraphs and point in points:
                found.append((match.start(), f"A{article}-{paragraph}-{point}"))
    for match in _ADEQUACY.finditer(text):
        found.append((match.start(), "A45-3"))
    result: list[str] = []
    for _, article in sorted(found):
        if article not in result:
            result.append(article)
    return result


#: Wordings of the Art. 6(1) bases (English, Finnish, French), normalised.
ART6_WORDINGS = {
    **dict.fromkeys(("consent", "suostumus", "consentement"), "A6-1-a"),
    **dict.fromkeys(
        ("contract", "performance of a contract", "sopimus", "contrat", "exécution d'un contrat"),
        "A6-1-b",
    ),
    **dict.fromkeys(("legal obligation", "lakisääteinen velvoite", "obligation légale"), "A6-1-c"),
    **dict.fromkeys(
        (
            *("vital interest", "vital interests", "elintärkeät edut"),
            *("elintärkeiden etujen suojaaminen", "intérêts vitaux"),
            "sauvegarde des intérêts vitaux",
        ),
        "A6-1-d",
    ),
    **dict.fromkeys(
        (
            *("public task", "public interest", "official authority"),
            *("yleistä etua koskeva tehtävä", "julkisen vallan käyttäminen"),
            *("mission d'intérêt public", "exécution d'une mission d'intérêt public"),
        ),
        "A6-1-e",
    ),
    **dict.fromkeys(
        (
            *("legitimate interest", "legitimate interests", "oikeutettu etu"),
            *("oikeutetut edut", "intérêt légitime", "intérêts légitimes"),
        ),
        "A6-1-f",
    ),
}

#: Wordings of the Art. 9(2) conditions (the ICO's and Fides' short names), normalised.
ART9_WORDINGS = {
    **dict.fromkeys(("explicit consent", "consent", "nimenomainen suostumus"), "A9-2-a"),
    **dict.fromkeys(("employment", "employment, social security and social protection"), "A9-2-b"),
    **dict.fromkeys(("vital interests", "vital interest"), "A9-2-c"),
    **dict.fromkeys(("not-for-profit bodies", "non-profit bodies"), "A9-2-d"),
    **dict.fromkeys(
        ("made public by the data subject", "public by data subject", "manifestly made public"),
        "A9-2-e",
    ),
    **dict.fromkeys(("legal claims", "legal claims or judicial acts"), "A9-2-f"),
    "substantial public interest": "A9-2-g",
    **dict.fromkeys(("medical", "health or social care", "health and social care"), "A9-2-h"),
    **dict.fromkeys(("public health", "public health interest"), "A9-2-i"),
    **dict.fromkeys(
        ("archiving, research and statistics", "archiving, research or statistics", "research"),
        "A9-2-j",
    ),
}

#: Wordings of the transfer mechanisms (Art. 45(3), 46(2)), normalised.
SAFEGUARD_WORDINGS = {
    **dict.fromkeys(
        (
            *("standard contractual clauses", "sccs", "scc", "standard data protection clauses"),
            *("clauses contractuelles types", "vakiosopimuslausekkeet"),
            "komission vakiosopimuslausekkeet",
        ),
        "A46-2-c",
    ),
    **dict.fromkeys(
        (
            *("binding corporate rules", "bcr", "bcrs", "règles d'entreprise contraignantes"),
            "yritystä koskevat sitovat säännöt",
        ),
        "A46-2-b",
    ),
    **dict.fromkeys(
        (
            *("adequacy decision", "adequacy", "décision d'adéquation"),
            *("riittävyyspäätös", "tietosuojan riittävyyttä koskeva päätös"),
        ),
        "A45-3",
    ),
}

#: Wordings of the data subject rights (ICO, Fides, Finnish and French), normalised.
RIGHT_WORDINGS = {
    **dict.fromkeys(
        (
            *("access", "right of access", "right to access", "droit d'accès"),
            "oikeus saada pääsy tietoihin",
        ),
        "A15",
    ),
    **dict.fromkeys(
        (
            *("rectification", "right to rectification", "droit de rectification"),
            "oikeus tietojen oikaisemiseen",
        ),
        "A16",
    ),
    **dict.fromkeys(
        (
            *("erasure", "right to erasure", "right to be forgotten", "droit à l'effacement"),
            "oikeus tietojen poistamiseen",
        ),
        "A17",
    ),
    **dict.fromkeys(
        (
            *("restrict processing", "restriction of processing", "right to restrict processing"),
            *("right to restriction of processing", "droit à la limitation du traitement"),
            "oikeus käsittelyn rajoittamiseen",
        ),
        "A18",
    ),
    **dict.fromkeys(
        (
            *("portability", "data portability", "right to data portability"),
            *("droit à la portabilité", "oikeus siirtää tiedot järjestelmästä toiseen"),
        ),
        "A20",
    ),
    **dict.fromkeys(
        (
            *("object", "right to object", "droit d'opposition", "vastustamisoikeus"),
            "oikeus vastustaa käsittelyä",
        ),
        "A21",
    ),
    **dict.fromkeys(
        ("object to automated processing", "automated decision-making", "automated decisions"),
        "A22",
    ),
    **dict.fromkeys(("withdraw consent", "right to withdraw consent"), "A7-3"),
    **dict.fromkeys(
        (
            *("complaint", "right to complain", "right to lodge a complaint"),
            *("oikeus tehdä valitus valvontaviranomaiselle", "réclamation"),
        ),
        "A77",
    ),
}


@cache
def _dpv_label_terms() -> dict[str, str]:
    """DPV's own labels of the eu-gdpr terms ("Art 6(1-c) legal obligation", "A15 Right of
    Access"), normalised, so a cell that quotes a DPV label maps back to its term."""

    query = "SELECT ?t ?l WHERE { ?t <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    return {
        normalise(label.value): term.value.removeprefix(GDPR)
        for term, label in vocabulary().store.query(query)
        if term.value.startswith(GDPR)
    }


def gdpr_terms(text: str, wordings: dict[str, str]) -> list[str]:
    """``eu-gdpr:`` CURIEs a cell's value states: by article number, DPV label or wording."""
    articles = gdpr_articles(text)
    if not articles:
        norm = normalise(re.sub(r"^(the\s+)?right\s+(of|to)\s+", "right to ", text.strip()))
        for key in (normalise(text), norm, norm.removeprefix("right to ")):
            found = wordings.get(key) or _dpv_label_terms().get(key)
            if found:
                articles = [found]
                break
    return [f"eu-gdpr:{a}" for a in articles]


# --- retention ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """A retention phrase in our terms (the rules of docs/records.md)."""

    rule: str
    duration: str | None = None
    maximum: bool = False
    event: str | None = None  # counted from (from-event, calendar), until (until-event), or
    # the party retention is delegated to (delegated)


_UNITS = {
    **dict.fromkeys(("day", "days", "päivä", "päivää", "jour", "jours"), "D"),
    **dict.fromkeys(("week", "weeks", "viikko", "viikkoa", "semaine", "semaines"), "W"),
    **dict.fromkeys(("month", "months", "kuukausi", "kuukautta", "mois"), "M"),
    **dict.fromkeys(("year", "years", "vuosi", "vuotta", "an", "ans", "année", "années"), "Y"),
}
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirty": 30,
}
_PERIOD = re.compile(
    r"(\d+|"
    + "|".join(_NUMBERS)
    + r")\s*("
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r")\b"
)
_AT_MOST = re.compile(
    r"^(?:at most|up to|maximum of|maximum|max\.?|no longer than|enintään|"
    r"au maximum|au plus|jusqu'à)\s+|\s+(?:at most|maximum|max\.?|enintään|au maximum|au plus)$"
)
_FROM = re.compile(
    r"^(?:after|from|following|since|counted from|à compter de|à partir de|après)\s+(.+)$"
)
_FROM_FI = re.compile(r"^(.+?)\s+(?:jälkeen|alkaen|päättymisestä)$")
_UNTIL = re.compile(r"^(?:until|till|kunnes|jusqu'à|jusqu'au|jusqu'aux)\s+(.+)$")
_CALENDAR = re.compile(
    r"^(?:the\s+)?(?:current year|kuluva vuosi|l'année en cours|année en cours)\s*(?:plus|\+)\s*(.+)$"
)
_DELEGATED = re.compile(
    r"^(?:retention\s+)?delegated to\s+(.+)$|^(?:säilytys\s+)?siirretty\s+(.+?):lle$|"
    r"^(?:conservation\s+)?déléguée à\s+(.+)$"
)
_ISO = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
_INDEFINITE = frozenset(
    {"indefinitely", "indefinite", "permanently", "permanent", "pysyvästi", "indéfiniment"}
)
_NOT_STORED = frozenset(
    {
        "not stored",
        "not retained",
        "ei tallenneta",
        "ei säilytetä",
        "non conservé",
        "non conservées",
    }
)
_UNSPECIFIED = frozenset(
    {"unspecified period", "unspecified", "määrittelemätön aika", "durée non précisée"}
)


def _duration(text: str) -> tuple[str, str] | None:
    """(ISO duration, rest of the text) for leading ``N unit`` periods, or None."""
    parts: dict[str, int] = {}
    pos = 0
    while True:
        match = _PERIOD.match(text, pos)
        if match is None:
            break
        number, unit = match.group(1), _UNITS[match.group(2)]
        parts[unit] = parts.get(unit, 0) + (int(number) if number.isdigit() else _NUMBERS[number])
        pos = match.end()
        joiner = re.match(r"\s*(?:and|ja|et|,)?\s*", text[pos:])
        if joiner and _PERIOD.match(text, pos + joiner.end()):
            pos += joiner.end()
            continue
        break
    if not parts:
        return None
    iso = "P" + "".join(f"{parts[u]}{u}" for u in "YMWD" if u in parts)
    return iso, text[pos:].strip(" ,")


def parse_retention(text: str) -> Retention | None:
    """A retention phrase as a rule; None when the phrase is not one we are sure of.

    >>> parse_retention("2 years at most")
    Retention(rule='fixed', duration='P2Y', maximum=True, event=None)
    >>> parse_retention("6 vuotta asiakkuuden päättymisen jälkeen")
    Retention(rule='from-event', duration='P6Y', maximum=False, event='asiakkuuden päättymisen')
    >>> parse_retention("As per policy") is None
    True
    """
    norm = " ".join(text.replace("’", "'").split()).rstrip(".")
    low = norm.casefold()
    if low in _INDEFINITE:
        return Retention("indefinite")
    if low in _NOT_STORED:
        return Retention("not-stored")
    if low in _UNSPECIFIED:
        return Retention("unspecified")
    if _ISO.match(norm):
        return Retention("fixed", norm)
    if match := _UNTIL.match(low):
        return Retention("until-event", event=norm[match.start(1) :])
    if match := _DELEGATED.match(low):
        start = next(match.start(i) for i in (1, 2, 3) if match.group(i) is not None)
        end = next(match.end(i) for i in (1, 2, 3) if match.group(i) is not None)
        return Retention("delegated", event=norm[start:end])
    if match := _CALENDAR.match(low):
        period = _duration(low[match.start(1) :])
        if period is None:
            return None
        iso, rest = period
        if not rest:
            return Retention("calendar", iso)
        offset = match.start(1) + low[match.start(1) :].index(rest)
        for pattern in (_FROM, _FROM_FI):
            counted = pattern.match(rest)
            if counted:
                start, end = offset + counted.start(1), offset + counted.end(1)
                return Retention("calendar", iso, event=norm[start:end])
        return None
    maximum = False
    stripped = _AT_MOST.sub("", low)
    while stripped != low:
        maximum = True
        low = stripped
        stripped = _AT_MOST.sub("", low)
    period = _duration(low)
    if period is None:
        return None
    iso, rest = period
    if not rest:
        return Retention("fixed", iso, maximum)
    offset = norm.casefold().index(rest) if rest in norm.casefold() else -1
    for pattern in (_FROM, _FROM_FI):
        counted = pattern.match(rest)
        if counted and offset >= 0:
            return Retention(
                "from-event",
                iso,
                maximum,
                event=norm[offset + counted.start(1) : offset + counted.end(1)],
            )
    return None
