"""The notice as data: sections of paragraphs, lists and tables made of phrases and terms.

A line of the notice is a tuple of parts: fixed text (``str``), a :class:`Term` taken from
the graph (with the language it was found in) or a :class:`Link` the notice makes itself.
The renderers (:mod:`checker.notice.render`) escape each part for their format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from checker.notice.phrases import PHRASES

#: What each gap is missing, by key: the articles of the GDPR that require it (in order).
GAP_ARTICLES: Final = {
    "controller": "13(1)(a), 14(1)(a)",
    "controller_contact": "13(1)(a), 14(1)(a)",
    "dpo": "13(1)(b), 14(1)(b)",
    "purpose": "13(1)(c), 14(1)(c)",
    "legal_basis": "13(1)(c), 14(1)(c)",
    "special_condition": "9(2), 13(1)(c), 14(1)(c)",
    "legitimate_interest": "13(1)(d), 14(2)(b)",
    "personal_data": "14(1)(d)",
    "transfer_safeguards": "13(1)(f), 14(1)(f)",
    "processor_location": "30(1)(e)",
    "retention": "13(2)(a), 14(2)(a)",
    "retention_period": "13(2)(a), 14(2)(a)",
    "rights": "13(2)(b), 14(2)(c)",
    "authority": "13(2)(d), 14(2)(e)",
    "requirement": "13(2)(e)",
    "sources": "14(2)(f)",
}

_ARTICLE = re.compile(r"(\d+)(?:\((\d+)\))?(?:\(([a-z])\))?")


def cited_articles(articles: str, lang: str) -> str:
    """GDPR articles as ``GAP_ARTICLES`` cites them, the way the official text in ``lang``
    cites them (Swedish "13.1 b", Finnish "13 artiklan 1 kohdan b alakohta").

    >>> cited_articles("9(2), 13(1)(c)", "sv")
    '9.2, 13.1 c'
    >>> cited_articles("9(2), 13(1)(c)", "fi")
    '9 artiklan 2 kohta, 13 artiklan 1 kohdan c alakohta'
    """
    if lang not in ("fi", "sv"):
        return articles
    cited = []
    for article in articles.split(", "):
        match = _ARTICLE.fullmatch(article)
        if match is None:  # not a citation of this form: as it is
            cited.append(article)
            continue
        number, paragraph, point = match.groups()
        if lang == "sv":
            cited.append(
                number + (f".{paragraph}" if paragraph else "") + (f" {point}" if point else "")
            )
        elif point:
            cited.append(f"{number} artiklan {paragraph} kohdan {point} alakohta")
        else:
            cited.append(
                f"{number} artiklan {paragraph} kohta" if paragraph else f"{number} artikla"
            )
    return ", ".join(cited)


@dataclass(frozen=True)
class Term:
    """A value from the graph, in the language it was found in.

    ``fallback`` is true when the graph has no text in the notice's language and the notice
    shows another one (usually English); HTML marks such text with its ``lang``.
    """

    text: str
    lang: str
    fallback: bool = False
    iri: str = ""


@dataclass(frozen=True)
class Link:
    """A link the notice makes itself (``mailto:``), with the address as its text."""

    text: str
    href: str


Part = str | Term | Link
Line = tuple[Part, ...]


@dataclass(frozen=True)
class Paragraph:
    text: Line


@dataclass(frozen=True)
class Item:
    text: Line
    children: tuple[Line, ...] = ()
    strong: bool = False


@dataclass(frozen=True)
class BulletList:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Line, ...]
    rows: tuple[tuple[Line, ...], ...]


@dataclass(frozen=True)
class Fields:
    """Labelled values (the first layer of the notice): ``(label, value)`` pairs."""

    items: tuple[tuple[Line, Line], ...]


Block = Paragraph | BulletList | Table | Fields


@dataclass(frozen=True)
class Subsection:
    """Blocks under an optional heading; ``collapsible`` ones a reader opens (HTML
    ``<details>``), with ``anchor`` as their id."""

    heading: Line | None
    blocks: tuple[Block, ...]
    collapsible: bool = False
    anchor: str = ""


@dataclass(frozen=True)
class Section:
    """One section of the notice; ``from_register`` when its heading is the register's own."""

    anchor: str
    heading: Line
    subsections: tuple[Subsection, ...]
    from_register: bool = False
    kind: str = "normal"  # "summary", "gaps" and "language" sections are marked in the output
    collapsible: bool = False  # a second-layer section: closed until the reader opens it


@dataclass(frozen=True)
class Gap:
    """An item Articles 13/14 require that the graph lacks; ``subjects`` say where."""

    key: str
    articles: str
    subjects: tuple[Term, ...] = ()

    def message(self) -> str:
        """The gap in English, for diagnostics on stderr."""
        text = f"GDPR Art. {self.articles}: {PHRASES['en']['gap.' + self.key]}"
        if self.subjects:
            text += f" ({len(self.subjects)}: " + "; ".join(s.text for s in self.subjects) + ")"
        return text


@dataclass(frozen=True)
class Notice:
    """A privacy notice, ready to render."""

    lang: str
    title: Line
    intro: tuple[Line, ...]
    sections: tuple[Section, ...]
    gaps: tuple[Gap, ...]
    fallback_terms: tuple[Term, ...]
    footer: tuple[Line, ...]


# --- Building lines from phrases ---------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, **values: Part | Line) -> Line:
    """Fill a phrase's ``{placeholders}`` with parts or lines.

    >>> fill("Acts: {value}.", value=(Term("Customs Act", "en"), " (304/2016)"))
    ('Acts: ', Term(text='Customs Act', lang='en', fallback=False, iri=''), ' (304/2016)', '.')
    """
    parts: list[Part] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > pos:
            parts.append(template[pos : match.start()])
        value = values[match.group(1)]
        parts.extend(value if isinstance(value, tuple) else (value,))
        pos = match.end()
    if pos < len(template):
        parts.append(template[pos:])
    return tuple(parts)


def join(lines: Iterable[Line | Part], sep: str = "; ") -> Line:
    """Join lines (or single parts) with a separator (terms may hold commas: "; ")."""
    parts: list[Part] = []
    for i, line in enumerate(lines):
        if i:
            parts.append(sep)
        parts.extend(line if isinstance(line, tuple) else (line,))
    return tuple(parts)


def plain(line: Line) -> str:
    """The text of a line without markup (for sorting and diagnostics)."""
    return "".join(p if isinstance(p, str) else p.text for p in line)


_NORDIC = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})  # after z


def sort_key(line: Line | Term) -> tuple[str, str]:
    """Sort key of a text: case-insensitive, with å, ä, ö after z as Finnish and Swedish sort.

    >>> sorted(["Öljy", "ala", "Ärrä", "Zeta"], key=lambda t: sort_key((t,)))
    ['ala', 'Zeta', 'Ärrä', 'Öljy']
    """
    text = line.text if isinstance(line, Term) else plain(line)
    return (text.casefold().translate(_NORDIC), text)
