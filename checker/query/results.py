"""Answers of queries as values, and their renderings: table, csv, json, markdown, turtle.

Results show a label beside every IRI: for each result column holding an IRI, a column
``<name>_label`` follows it, in every output format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from checker.errors import InputError
from checker.vocab.namespaces import QUERY_PREFIXES, compact

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Output formats of ``ropa query``.
FORMATS = ("table", "csv", "json", "markdown", "turtle")


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solutions:
    """The answer of a SELECT query (or of CONSTRUCT/DESCRIBE as subject-predicate-object)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]


@dataclass(frozen=True)
class Boolean:
    """The answer of an ASK query."""

    value: bool


@dataclass(frozen=True)
class Triples:
    """The answer of a CONSTRUCT or DESCRIBE query, sorted for stable output."""

    triples: tuple[ox.Triple, ...]


Result = Solutions | Boolean | Triples


def solutions_from(parsed: ox.QuerySolutions) -> Solutions:
    """Materialise pyoxigraph solutions."""
    names = tuple(v.value for v in parsed.variables)
    return Solutions(names, tuple(tuple(s[n] for n in names) for s in parsed))


def triples_from(data: bytes, media_type: str) -> Triples:
    """Parse a CONSTRUCT/DESCRIBE answer (N-Triples or Turtle), sorted by N-Triples text."""
    fmt = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip()) or ox.RdfFormat.TURTLE
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}
    return Triples(tuple(sorted(triples, key=str)))


def as_solutions(result: Result) -> Solutions:
    """CONSTRUCT/DESCRIBE triples as rows of ``subject predicate object``."""
    if isinstance(result, Triples):
        rows = tuple((t.subject, t.predicate, t.object) for t in result.triples)
        return Solutions(("subject", "predicate", "object"), rows)
    if isinstance(result, Solutions):
        return result
    raise TypeError("an ASK result has no rows")


def result_nodes(result: Result) -> set[ox.NamedNode]:
    """Every IRI in a result: the nodes that need labels."""
    if isinstance(result, Boolean):
        return set()
    return {t for row in as_solutions(result).rows for t in row if isinstance(t, ox.NamedNode)}


# --- output ----------------------------------------------------------------------------------


def labelled(result: Solutions, labels: Mapping[ox.NamedNode, str]) -> Solutions:
    """Add a ``<name>_label`` column after every column that holds an IRI.

    >>> e = ox.NamedNode("https://e.org/elisa")
    >>> labelled(Solutions(("who",), ((e,),)), {e: "Elisa Oyj"}).variables
    ('who', 'who_label')
    """
    columns: list[tuple[str, int | None]] = []
    for index, name in enumerate(result.variables):
        columns.append((name, index))
        label_name = f"{name}_label"
        has_iri = any(isinstance(row[index], ox.NamedNode) for row in result.rows)
        if has_iri and label_name not in result.variables:
            columns.append((label_name, -1 - index))
    rows = []
    for row in result.rows:
        cells: list[Term | None] = []
        for _, index in columns:
            if index is not None and index >= 0:
                cells.append(row[index])
            else:
                node = row[-1 - index]  # type: ignore[operator]
                text = labels.get(node) if isinstance(node, ox.NamedNode) else None
                cells.append(ox.Literal(text) if text is not None else None)
        rows.append(tuple(cells))
    return Solutions(tuple(name for name, _ in columns), tuple(rows))


def cell_text(term: Term | None, prefixes: Mapping[str, str] | None) -> str:
    """A term as table text: an IRI compacted with ``prefixes`` (whole when None)."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value if prefixes is None else compact(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


@dataclass
class _Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _cells(result: Solutions, prefixes: Mapping[str, str] | None) -> _Table:
    return _Table(
        list(result.variables),
        [[cell_text(t, prefixes) for t in row] for row in result.rows],
    )


def _text_table(table: _Table, width: int = 60) -> str:
    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    header = [cut(h) for h in table.header]
    rows = [[cut(c) for c in row] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    count = len(rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _markdown(table: _Table, result: Solutions) -> str:
    def cell(text: str, term: Term | None) -> str:
        text = " ".join(text.split()).replace("|", "\\|")
        return f"`{text}`" if isinstance(term, ox.NamedNode) and text else text

    lines = ["| " + " | ".join(table.header) + " |", "|" + "---|" * len(table.header)]
    for row, terms in zip(table.rows, result.rows, strict=True):
        lines.append("| " + " | ".join(cell(c, t) for c, t in zip(row, terms, strict=True)) + " |")
    count = len(table.rows)
    lines.append(f"\n{count} row{'' if count == 1 else 's'}.")
    return "\n".join(lines) + "\n"


def render(
    result: Result,
    fmt: str,
    labels: Mapping[ox.NamedNode, str],
    prefixes: Mapping[str, str] = QUERY_PREFIXES,
) -> str:
    """Render an answer: ``table`` for people, ``csv`` and ``json`` (SPARQL 1.1 results
    formats, with the label columns) for tools, ``markdown`` for documents and pull
    requests, ``turtle`` for CONSTRUCT and DESCRIBE.

    In ``table`` and ``markdown``, IRIs are shortened with ``prefixes``; ``csv`` and ``json``
    keep them whole.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "turtle":
        if not isinstance(result, Triples):
            raise InputError("--format turtle is for CONSTRUCT and DESCRIBE queries")
        named = {k: v for k, v in prefixes.items() if k}
        return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=named).decode()
    if isinstance(result, Boolean):
        word = "true" if result.value else "false"
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.value}) + "\n"
        return word + "\n"
    table_result = labelled(as_solutions(result), labels)
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(table_result.variables, row, strict=True) if t}
            for row in table_result.rows
        ]
        doc = {"head": {"vars": list(table_result.variables)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        table = _cells(table_result, None)
        writer.writerow(table.header)
        writer.writerows(table.rows)
        return out.getvalue()
    table = _cells(table_result, prefixes)
    if fmt == "markdown":
        return _markdown(table, table_result)
    return _text_table(table)
