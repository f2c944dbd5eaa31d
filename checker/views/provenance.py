"""The passages of the register description that facts derive from, as quotes.

Every fact of the records points at its passage (``prov:wasDerivedFrom``); the passage's
``oa:TextQuoteSelector`` holds the exact words, and its section and item say where they are.
A register kept in a spreadsheet (``ropa import``) cites cells instead: the passage's
``ropa:CellSelector`` names the sheet, row and column (``sheet 'Template', cell J12``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from checker.views.facts import text
from checker.vocab.labels import label_of
from checker.vocab.namespaces import OA, PROV, RDF, ROPA


@dataclass(frozen=True)
class Quote:
    """A passage of the register description that facts derive from."""

    iri: str
    number: int
    section: str
    section_order: int
    item: int | None
    line: int | None
    text: str
    cell: str = ""

    @property
    def where(self) -> str:
        """ "Section, item n (line m)"; for a spreadsheet's cell, "sheet 'Template', cell J12"."""
        if self.cell:
            return self.cell
        parts = [self.section or "Register description"]
        if self.item is not None:
            parts.append(f"item {self.item}")
        where = ", ".join(parts)
        return f"{where} (line {self.line})" if self.line is not None else where


def passages_of(graph: Graph, node: Node) -> set[URIRef]:
    """The passages ``node`` is derived from (prov:wasDerivedFrom)."""
    return {p for p in graph.objects(node, PROV.wasDerivedFrom) if isinstance(p, URIRef)}


def _number(value: Node | None) -> int | None:
    return int(value) if isinstance(value, Literal) and str(value).isdigit() else None


def cell_of(graph: Graph, passage: Node) -> str:
    """Where a passage's spreadsheet cell is: ``sheet 'Template', cell J12`` (``cell B4`` in
    a .csv file, which has no sheets); "" for a passage of a text.

    >>> from rdflib import BNode
    >>> g = Graph()
    >>> p, s = URIRef("https://e.org/p"), BNode()
    >>> for t in [(p, OA.hasSelector, s), (s, RDF.type, ROPA.CellSelector),
    ...           (s, ROPA.sheet, Literal("Template")), (s, ROPA.row, Literal(12)),
    ...           (s, ROPA.column, Literal("J"))]:
    ...     _ = g.add(t)
    >>> cell_of(g, p)
    "sheet 'Template', cell J12"
    """
    for selector in sorted(graph.objects(passage, OA.hasSelector), key=str):
        if (selector, RDF.type, ROPA.CellSelector) not in graph:
            continue
        row, column = graph.value(selector, ROPA.row), graph.value(selector, ROPA.column)
        if row is None or column is None:
            continue
        sheet = graph.value(selector, ROPA.sheet)
        cell = f"cell {column}{row}"
        return f"sheet '{sheet}', {cell}" if sheet is not None else cell
    return ""


def quote_of(graph: Graph, passage: URIRef, number: int = 0) -> Quote:
    """The exact text of a passage (its oa:TextQuoteSelector), with its section and item,
    or its spreadsheet cell."""
    exact_text = ""
    for selector in graph.objects(passage, OA.hasSelector):
        exact = graph.value(selector, OA.exact)
        if exact is not None and (
            OA.TextQuoteSelector in set(graph.objects(selector, RDF.type)) or not exact_text
        ):
            exact_text = str(exact)
    if not exact_text:
        exact_text = str(graph.value(passage, OA.exact) or label_of(graph, passage))
    section = graph.value(passage, ROPA.inSection)
    heading = ""
    order = 0
    if section is not None:
        heading = text(graph, section, ROPA.heading) or label_of(graph, section)
        order = _number(graph.value(section, ROPA.order)) or 0
    return Quote(
        iri=str(passage),
        number=number,
        section=heading,
        section_order=order,
        item=_number(graph.value(passage, ROPA.item)),
        line=_number(graph.value(passage, ROPA.documentLine)),
        text=exact_text,
        cell=cell_of(graph, passage),
    )


def quote_order(quote: Quote) -> tuple[int, int, int, str]:
    """The order of the register description: section, item, line (unplaced ones last)."""
    return (quote.section_order or 10**6, quote.item or 0, quote.line or 0, quote.iri)


def quotes_of(graph: Graph, node: Node) -> list[Quote]:
    """The quotes of every passage ``node`` derives from, in the register's order."""
    return sorted((quote_of(graph, p) for p in passages_of(graph, node)), key=quote_order)
