"""Coverage of a register description by the graph: which of its items some fact cites.

A register description (plain text, or HTML) is split into sections and items: in text, a
section starts at a line that is one of the graph's section headings (``ropa:heading``) and
every other non-empty line is an item, as :class:`checker.records.document.Document` splits it; in
HTML, every block element (paragraph, list item, heading, table cell, ...) is an item, and a
heading element starts a section (one the graph does not know, unless its text is one of the
graph's headings).

An item is *covered* when the quote (``oa:TextQuoteSelector`` / ``oa:exact``) of a passage
that at least one fact is derived from (``prov:wasDerivedFrom``) occurs in it; whitespace is
compared loosely, so a quote still matches an HTML rendering of the same text. Uncovered
items are either not yet modelled or say nothing that needs modelling: a DPO should look at
each. Quotes of the graph that the source no longer contains are listed too (the source
changed after the records were written).

A spreadsheet source (``.xlsx``, ``.ods``, ``.csv``: a register kept in a spreadsheet and
imported with ``ropa import``) is read by :mod:`checker.spreadsheet.read`: every sheet is a
section and every non-empty cell an item; an item is covered when a fact is derived from a
passage that names that very cell (``ropa:CellSelector``) and quotes its text.

>>> from checker.assets import default_records
>>> from checker.graph.build import build
>>> report = coverage(build(), default_records() / "register-description.txt")
>>> report.covered <= report.total
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from checker.errors import InputError
from checker.files import decode_utf8, read_input
from checker.records.document import Document
from checker.spreadsheet.read import SUFFIXES as SPREADSHEET_SUFFIXES
from checker.spreadsheet.read import column_letters, read_workbook
from checker.vocab.labels import label_of

_NS: Final = {
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "ropa": "https://w3id.org/ropa-kg/ontology#",
}

#: Every passage quote of the graph, with how many facts are derived from the passage.
QUOTES_QUERY: Final = prepareQuery(
    """
    SELECT ?passage ?quote (COUNT(DISTINCT ?fact) AS ?facts) WHERE {
      ?passage oa:hasSelector ?selector .
      ?selector a oa:TextQuoteSelector ; oa:exact ?quote .
      OPTIONAL { ?fact prov:wasDerivedFrom ?passage . }
    }
    GROUP BY ?passage ?quote
    """,
    initNs=_NS,
)

#: Every passage that names a spreadsheet cell: its sheet (none for CSV), row and column.
CELLS_QUERY: Final = prepareQuery(
    """
    SELECT ?passage ?sheet ?row ?column WHERE {
      ?passage oa:hasSelector ?selector .
      ?selector a ropa:CellSelector ; ropa:row ?row ; ropa:column ?column .
      OPTIONAL { ?selector ropa:sheet ?sheet }
    }
    """,
    initNs=_NS,
)

#: The section headings of the register descriptions in the graph.
HEADINGS_QUERY: Final = prepareQuery(
    """
    SELECT DISTINCT ?heading ?order WHERE {
      ?section a ropa:Section ; ropa:heading ?heading .
      OPTIONAL { ?section ropa:order ?order }
    }
    """,
    initNs=_NS,
)

#: Output formats of ``ropa coverage``.
FORMATS: Final = ("text", "json")

#: HTML elements whose text is one item (the innermost one wins).
_BLOCKS: Final = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "dd", "details"),
        *("div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "nav", "ol", "p", "pre"),
        *("section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    }
)
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED: Final = frozenset({"head", "script", "style", "template", "noscript"})


def normalise(text: str) -> str:
    """Collapse whitespace, so a quote matches the same words however they are laid out.

    >>> normalise("  two\\n years  at most ")
    'two years at most'
    """
    return " ".join(text.split())


@dataclass(frozen=True)
class SourceItem:
    """One item of the source: a non-empty line (text) or a block element (HTML)."""

    section: int  # index into SourceDocument.sections
    number: int  # 1-based within its section
    line: int  # for a spreadsheet cell: its row
    text: str
    cell: str | None = None  # a spreadsheet cell: its column and row ("C12")


@dataclass(frozen=True)
class SourceSection:
    """A section of the source; ``heading`` None for the text before the first heading."""

    heading: str | None
    in_graph: bool


@dataclass(frozen=True)
class SourceDocument:
    path: str
    sections: tuple[SourceSection, ...]
    items: tuple[SourceItem, ...]


class _BlockText(HTMLParser):
    """Collects the text of HTML block elements, one item per innermost block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, int, str]] = []  # (tag, line, text)
        self._open: list[str] = []
        self._buffer: list[str] = []
        self._line = 0
        self._skip = 0

    def _flush(self) -> None:
        text = normalise("".join(self._buffer))
        if text:
            self.blocks.append((self._open[-1] if self._open else "", self._line, text))
        self._buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif tag in _BLOCKS and not self._skip:
            self._flush()
            self._open.append(tag)
        elif tag == "br":
            self._buffer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS and not self._skip:
            self._flush()
            if tag in self._open:
                while self._open and self._open.pop() != tag:
                    pass

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not normalise("".join(self._buffer)) and data.strip():
            self._line = self.getpos()[0]
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _html_document(text: str, path: str, headings: Sequence[str]) -> SourceDocument:
    parser = _BlockText()
    parser.feed(text)
    parser.close()
    known = {normalise(h) for h in headings}
    sections = [SourceSection(None, False)]
    items: list[SourceItem] = []
    number = 0
    for tag, line, block in parser.blocks:
        if tag in _HEADINGS:
            sections.append(SourceSection(block, block in known))
            number = 0
            if block in known:
                continue  # a heading of the records is the section, not an item of it
        number += 1
        items.append(SourceItem(len(sections) - 1, number, line, block))
    return SourceDocument(path, tuple(sections), tuple(items))


def _text_document(text: str, path: str, headings: Sequence[str]) -> SourceDocument:
    document = Document(text, {str(i): h for i, h in enumerate(headings)})
    found = sorted({int(i.section) for i in document.items if i.section is not None})
    index = {None: 0, **{str(h): n for n, h in enumerate(found, start=1)}}
    sections = [SourceSection(None, False)] + [SourceSection(headings[h], True) for h in found]
    items = []
    before = 0
    for item in document.items:
        if item.section is None:
            before += 1
        number = before if item.section is None else item.number
        items.append(SourceItem(index[item.section], number, item.line, item.text.strip()))
    return SourceDocument(path, tuple(sections), tuple(items))


def graph_headings(graph: Graph) -> list[str]:
    """The section headings the graph knows, in document order."""
    rows = graph.query(HEADINGS_QUERY)
    ordered = sorted(
        ((int(order) if order is not None else 0, str(heading)) for heading, order in rows),
        key=lambda oh: (oh[0], oh[1]),
    )
    return list(dict.fromkeys(h for _, h in ordered))


def read_source(path: Path, headings: Sequence[str]) -> SourceDocument:
    """Read a register description (``.html``/``.htm``: HTML; anything else: plain text).

    Raises:
        InputError: the file is missing, unreadable or not UTF-8.
    """
    name = str(path)
    data = read_input(path, name, missing="register description not found")
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return _spreadsheet_document(path, name)
    text = decode_utf8(data, name).replace("\r\n", "\n")
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return _html_document(text, name, headings)
    return _text_document(text, name, headings)


def _spreadsheet_document(path: Path, name: str) -> SourceDocument:
    """Every sheet a section (named by the sheet), every non-empty cell an item."""
    workbook = read_workbook(path, name)
    sections = [SourceSection(None, False)]
    items = []
    for sheet in workbook.sheets:
        sections.append(SourceSection(sheet.name, True))
        number = 0
        for row, cells in enumerate(sheet.rows, start=1):
            for column, text in enumerate(cells, start=1):
                if text.strip():
                    number += 1
                    cell = f"{column_letters(column)}{row}"
                    items.append(SourceItem(len(sections) - 1, number, row, text, cell))
    return SourceDocument(name, tuple(sections), tuple(items))


def _cells(graph: Graph) -> dict[str, tuple[str, str]]:
    """Passage IRI -> (sheet, cell) of every passage that names a spreadsheet cell."""
    found = {}
    for passage, sheet, row, column in graph.query(CELLS_QUERY):
        found[str(passage)] = (str(sheet) if sheet is not None else "", f"{column}{row}")
    return found


@dataclass(frozen=True)
class Quote:
    passage: str
    label: str
    text: str
    facts: int


@dataclass(frozen=True)
class ItemCoverage:
    item: SourceItem
    passages: tuple[str, ...]  # passages cited by facts whose quote is in the item
    uncited: tuple[str, ...] = ()  # words of a cited item that no cited quote spans

    @property
    def covered(self) -> bool:
        return bool(self.passages)


_WORDS = re.compile(r"\w{2,}")


def uncited_text(text: str, quotes: Sequence[str]) -> tuple[str, ...]:
    """The parts of ``text`` outside every quote that hold words (bullets and dots do not).

    >>> uncited_text("We help. We advise. Call us.", ["We help.", "Call us."])
    ('We advise.',)
    """
    marked = [False] * len(text)
    for quote in quotes:
        start = text.find(quote) if quote else -1
        while start != -1:
            marked[start : start + len(quote)] = [True] * len(quote)
            start = text.find(quote, start + 1)
    fragments, current = [], []
    for char, is_marked in zip(text, marked, strict=True):
        if is_marked:
            fragments.append("".join(current))
            current = []
        else:
            current.append(char)
    fragments.append("".join(current))
    return tuple(f.strip(" •-–") for f in fragments if _WORDS.search(f))


@dataclass(frozen=True)
class CoverageReport:
    """Which items of a source the graph's provenance covers."""

    source: SourceDocument
    items: tuple[ItemCoverage, ...]
    missing_quotes: tuple[Quote, ...]  # cited quotes that no item contains

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def covered(self) -> int:
        return sum(1 for i in self.items if i.covered)

    @property
    def in_full(self) -> int:
        """Cited items whose every word is inside a cited quote."""
        return sum(1 for i in self.items if i.covered and not i.uncited)

    def section_counts(self) -> list[tuple[SourceSection, int, int]]:
        """(section, covered items, items) for each section that has items."""
        counts = []
        for index, section in enumerate(self.source.sections):
            mine = [i for i in self.items if i.item.section == index]
            if mine or section.in_graph:
                counts.append((section, sum(1 for i in mine if i.covered), len(mine)))
        return counts


def quotes(graph: Graph) -> list[Quote]:
    """Every passage quote of the graph, sorted by passage."""
    found = [
        Quote(str(passage), label_of(graph, passage), str(quote), int(facts))
        for passage, quote, facts in graph.query(QUOTES_QUERY)
        if isinstance(passage, URIRef) and isinstance(quote, Literal)
    ]
    return sorted(found, key=lambda q: (q.passage, q.text))


def coverage(graph: Graph, source_path: Path) -> CoverageReport:
    """Which items of the register description at ``source_path`` some fact of ``graph`` cites.

    Args:
        graph: a built graph with provenance (passages and ``prov:wasDerivedFrom``).
        source_path: the register description, plain text or HTML.

    Returns:
        The :class:`CoverageReport`.

    Raises:
        InputError: the source cannot be read.
    """
    source = read_source(source_path, graph_headings(graph))
    cited = [q for q in quotes(graph) if q.facts > 0]
    normalised = [(q, normalise(q.text)) for q in cited]
    cells = _cells(graph)
    items = []
    found: set[str] = set()
    for item in source.items:
        text = normalise(item.text)
        inside = [(q, n) for q, n in normalised if n and n in text]
        if item.cell is not None:  # a cell is covered by the passages that name it, only
            here = (source.sections[item.section].heading or "", item.cell)
            inside = [(q, n) for q, n in inside if cells.get(q.passage) == here]
        passages = sorted({q.passage for q, _ in inside})
        found.update(passages)
        rest = uncited_text(text, [n for _, n in inside]) if inside else ()
        items.append(ItemCoverage(item, tuple(passages), rest))
    missing = tuple(q for q in cited if q.passage not in found)
    return CoverageReport(source, tuple(items), missing)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _heading(section: SourceSection) -> str:
    if section.heading is None:
        return "(before the first heading)"
    return (
        section.heading if section.in_graph else f"{section.heading} (not a section in the graph)"
    )


def _where(item: SourceItem, section: str) -> str:
    if item.cell is not None:
        return f"{section}, cell {item.cell}"
    return f"line {item.line}, {section}, item {item.number}"


def render_text(report: CoverageReport) -> str:
    """The report for people: totals, each section, then every item to look at."""
    sections = report.section_counts()
    headed = [(s, covered) for s, covered, _ in sections if s.heading is not None]
    covered_sections = sum(1 for _, covered in headed if covered)
    lines = [
        f"Coverage of {report.source.path}: {report.covered} of {report.total} items "
        f"({_percent(report.covered, report.total)}) are cited by at least one fact, "
        f"{report.in_full} of them in full; {covered_sections} of {len(headed)} sections "
        "have a cited item.",
        "",
    ]
    for section, covered, total in sections:
        lines.append(f"  {covered:>3} of {total:<3} {_heading(section)}")
    uncovered = [i for i in report.items if not i.covered]
    if uncovered:
        lines += [
            "",
            "Not cited by any fact (not yet modelled, or nothing to model; look at each):",
        ]
        for entry in uncovered:
            item = entry.item
            section = _heading(report.source.sections[item.section])
            lines.append(f"  {_where(item, section)}: {item.text}")
    partial = [i for i in report.items if i.covered and i.uncited]
    if partial:
        lines += ["", "Cited in part; the rest of the item is not cited by any fact:"]
        for entry in partial:
            item = entry.item
            section = _heading(report.source.sections[item.section])
            rest = " … ".join(entry.uncited)
            lines.append(f"  {_where(item, section)}: {rest}")
    if report.missing_quotes:
        lines += ["", "Quotes of the graph that the source does not contain (has it changed?):"]
        for quote in report.missing_quotes:
            lines.append(f"  {quote.passage}: {quote.text}")
    return "\n".join(lines) + "\n"


def to_json(report: CoverageReport) -> dict[str, Any]:
    """The report as plain data (the ``--format json`` document)."""
    sections = []
    for index, section in enumerate(report.source.sections):
        mine = [i for i in report.items if i.item.section == index]
        if not mine and not section.in_graph:
            continue
        sections.append(
            {
                "heading": section.heading,
                "in_graph": section.in_graph,
                "items": len(mine),
                "covered": sum(1 for i in mine if i.covered),
                "entries": [
                    {
                        "number": i.item.number,
                        "line": i.item.line,
                        **({"cell": i.item.cell} if i.item.cell is not None else {}),
                        "text": i.item.text,
                        "covered": i.covered,
                        "passages": list(i.passages),
                        "uncited": list(i.uncited),
                    }
                    for i in mine
                ],
            }
        )
    return {
        "source": report.source.path,
        "items": report.total,
        "covered": report.covered,
        "covered_in_full": report.in_full,
        "sections": sections,
        "missing_quotes": [{"passage": q.passage, "quote": q.text} for q in report.missing_quotes],
    }


def render(report: CoverageReport, fmt: str = "text") -> str:
    """Render the report as ``text`` or ``json``.

    Raises:
        InputError: unknown format.
    """
    if fmt == "text":
        return render_text(report)
    if fmt == "json":
        return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
    raise InputError(f"no coverage format {fmt!r}: use {', '.join(FORMATS)}")
