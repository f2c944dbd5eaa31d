"""Read RDF files (Turtle, JSON-LD, N-Triples, N-Quads, TriG, RDF/XML) without touching the network.

A JSON-LD parser may fetch a remote ``@context`` and an XML parser may resolve external
entities; both are refused here before parsing, with a message naming the file and line.
pyoxigraph parses (it fetches nothing itself either).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox

from checker.errors import InputError
from checker.files import decode_utf8, read_input

#: File extension -> format name (as error messages say it).
RDF_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

#: Parser name -> pyoxigraph format.
OX_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}

#: Deepest nesting accepted: ``[ ]`` and ``( )`` in Turtle and TriG, ``{ }`` and ``[ ]`` in
#: JSON-LD. Deeper is legal RDF but no record needs it, and the parsers and recursive
#: code downstream have limits of their own (Python's JSON parser near 1,000 levels, rdflib's
#: list and graph walkers lower): refusing here, with the file and line, comes first.
MAX_NESTING = 128

#: The longest single term (a string or an IRI) pyoxigraph's parsers take: 16 MB.
MAX_TERM_BYTES = 2**24

# An entity whose value refers to other entities is how "billion laughs" bombs expand.
_NESTED_ENTITY = re.compile(r"""<!ENTITY\s+%?\s*[^\s>]+\s+("[^"]*[&%][^"]*"|'[^']*[&%][^']*')""")
_EXTERNAL_ENTITY = re.compile(r"<!(ENTITY\s+%?\s*[^\s>]+|DOCTYPE\s+[^\s>\[]+)\s+(SYSTEM|PUBLIC)\b")


def _line_at(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _remote_contexts(value: Any) -> list[str]:
    """Every @context (or @import) given by reference rather than inline."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("@context", "@import"):
                refs = item if isinstance(item, list) else [item]
                found.extend(r for r in refs if isinstance(r, str))
                for r in refs:
                    if isinstance(r, dict):
                        found.extend(_remote_contexts(r))
            else:
                found.extend(_remote_contexts(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_remote_contexts(item))
    return found


class _DuplicateKey(Exception):
    """A JSON object with a key twice (found by :func:`_refuse_duplicates`)."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


def _duplicate_key(text: str) -> tuple[str, int, int]:
    """The first key given twice in one JSON object: (key, its line, the first one's line).

    Only called once the parser has found a duplicate, so its cost (a scan in Python)
    is paid only for bad input.
    """
    objects: list[dict[str, int] | None] = []  # None: an array
    previous = ""
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            objects.append({} if token == "{" else None)
        elif token in "}]":
            objects.pop()
        elif token == ":" and objects and objects[-1] is not None:
            key = json.loads(previous)
            line = text.count("\n", 0, match.start()) + 1
            if key in objects[-1]:
                return key, line, objects[-1][key]
            objects[-1][key] = line
        previous = token
    raise AssertionError("no duplicate key found")  # pragma: no cover - parser found one


def _check_jsonld(text: str, name: str) -> None:
    _check_nesting(text, name, _JSON_TOKEN, "{[}]")
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON syntax error: {exc.msg}", name, exc.lineno) from None
    except _DuplicateKey:
        key, line, first = _duplicate_key(text)
        raise InputError(
            f"duplicate key {key!r} in one JSON object (first on line {first}): "
            "JSON-LD keeps one of them silently, so ropa refuses both",
            name,
            line,
        ) from None
    if not isinstance(data, (dict, list)):
        raise InputError("a JSON-LD document is an object or an array", name, 1)
    remote = _remote_contexts(data)
    if remote:
        raise InputError(
            f"JSON-LD context {remote[0]!r} is a reference; ropa never fetches contexts "
            "(no network at run time): put the context inline",
            name,
            _line_at(text, remote[0]),
        )


#: What an XML input may not do, and why: read other files or URLs, or expand entities
#: into a bomb.
_XML_REFUSED = (
    (
        _EXTERNAL_ENTITY,
        "XML external entity or DTD (SYSTEM/PUBLIC) refused: ropa never reads files or "
        "URLs named inside the input",
    ),
    (
        _NESTED_ENTITY,
        "XML entity defined with other entities refused (entity expansion bomb); "
        "entities may only stand for plain text",
    ),
)


def _check_xml(text: str, name: str) -> None:
    for pattern, message in _XML_REFUSED:
        match = pattern.search(text)
        if match:
            raise InputError(message, name, text.count("\n", 0, match.start()) + 1)


_OX_ERROR = re.compile(
    r"^Parser error at line (\d+)[^:]*: (.*?)(?: \((?:[^()]*, )?line \d+\))?$", re.S
)


def parse_rdf_file(store: ox.Store, path: Path, name: str) -> None:
    """Parse one RDF file into the default graph of ``store``; the format comes from the
    extension. All or nothing: a file with an error adds no triple.

    Named graphs (TriG, N-Quads) are merged: a ROPA is one graph. pyoxigraph parses the
    file (ten times faster than rdflib) and its store keeps typed literals by value: a
    valid ``"P12M"^^xsd:duration`` reads back as ``"P1Y"``, an ``xsd:int`` as an
    ``xsd:integer``.

    Raises:
        InputError: unknown extension, missing file, not UTF-8, syntax error, a remote
            JSON-LD context or an XML external entity.
    """
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_FORMATS))
        raise InputError(
            f"unknown file type {path.suffix!r}; records are .yaml, RDF is {known}", name
        )
    data = read_input(path, name)
    text = decode_utf8(data, name)
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte order mark, as some editors write
    if fmt == "json-ld":
        _check_jsonld(text, name)
    elif fmt == "xml":
        _check_xml(text, name)
    elif fmt in ("turtle", "trig"):
        _check_nesting(text, name, _TURTLE_TOKEN, "[(])")
    base = path.resolve().as_uri()
    try:
        if OX_FORMATS[fmt].supports_datasets or _may_hold_triple_terms(text):
            quads = ox.parse(data, format=OX_FORMATS[fmt], base_iri=base)
            store.extend([_default_graph_quad(q, text, name) for q in quads])
        else:
            store.load(data, format=OX_FORMATS[fmt], base_iri=base, to_graph=ox.DefaultGraph())
    except SyntaxError as exc:
        match = _OX_ERROR.match(str(exc))
        message, line = (match.group(2), int(match.group(1))) if match else (str(exc), None)
        if fmt == "xml":
            line = _xml_error_line(text)
        elif line is not None:  # an error at the end of the file: its last line
            line = min(line, text.count("\n", 0, len(text.rstrip("\n"))) + 1)
        raise InputError(f"{fmt} syntax error: {message[:300]}", name, line) from None
    except MemoryError as exc:
        if "buffer maximal size" not in str(exc):
            raise
        raise InputError(
            f"a string or IRI longer than {MAX_TERM_BYTES // 2**20} MB, more than the RDF "
            "parser takes: refused",
            name,
            _long_term_line(text),
        ) from None


def _may_hold_triple_terms(text: str) -> bool:
    """Whether the text may hold RDF 1.2 triple terms (``<<( )>>``, ``<< >>``,
    ``rdf:parseType="Triple"``); a cheap test, the parsed quads tell for sure."""
    return "<<" in text or "Triple" in text


def _default_graph_quad(quad: ox.Quad, text: str, name: str) -> ox.Quad:
    """The quad in the default graph; a triple term (RDF 1.2) is refused: the graph is RDF
    1.1, which the checker, the notice and rdflib read."""
    for term in (quad.subject, quad.object):
        if isinstance(term, ox.Triple):
            raise InputError(
                "RDF 1.2 triple terms (<<( )>> or << >>) are not supported: the graph is RDF 1.1",
                name,
                _line_at(text, "<<"),
            )
    return ox.Quad(quad.subject, quad.predicate, quad.object)


def _long_term_line(text: str) -> int | None:
    """The line where a string, IRI or line longer than :data:`MAX_TERM_BYTES` starts."""
    for match in _TURTLE_TOKEN.finditer(text):
        if len(match.group().encode()) >= MAX_TERM_BYTES:
            return text.count("\n", 0, match.start()) + 1
    long_line = re.search(rf"[^\n]{{{MAX_TERM_BYTES // 4},}}", text)
    return text.count("\n", 0, long_line.start()) + 1 if long_line else None


_TURTLE_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>|#[^\n]*|[\[\]()]'
)


def _check_nesting(text: str, name: str, tokens: re.Pattern[str], brackets: str) -> None:
    """Refuse nesting deeper than :data:`MAX_NESTING`, naming the line where it gets too
    deep. ``tokens`` finds the brackets (and the strings, IRIs and comments they may be
    written in); ``brackets`` is the two opening then the two closing ones."""
    opening, closing = brackets[:2], brackets[2:]
    if sum(text.count(c) for c in opening) <= MAX_NESTING:
        return  # cannot nest deeper: no need to scan
    depth = 0
    for match in tokens.finditer(text):
        token = match.group()
        if token in opening:
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(
                    f"nested more than {MAX_NESTING} levels deep "
                    f"({opening[0]} {closing[0]} or {opening[1]} {closing[1]}): refused",
                    name,
                    text.count("\n", 0, match.start()) + 1,
                )
        elif token in closing:
            depth -= 1


def _xml_error_line(text: str) -> int | None:
    """The line of an XML well-formedness error (pyoxigraph's RDF/XML errors name none).

    External entities are refused before this runs (:func:`_check_xml`).
    """
    parser = expat.ParserCreate()
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        return exc.lineno
    return None
