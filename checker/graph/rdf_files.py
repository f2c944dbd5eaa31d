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


def _check_jsonld(text: str, name: str) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"JSON syntax error: {exc.msg}", name, exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to process", name) from None
    if not isinstance(data, (dict, list)):
        raise InputError("a JSON-LD document is an object or an array", name, 1)
    try:
        remote = _remote_contexts(data)
    except RecursionError:
        raise InputError("JSON-LD nested too deeply to process", name) from None
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
        _check_nesting(text, name)
    base = path.resolve().as_uri()
    try:
        if OX_FORMATS[fmt].supports_datasets:
            quads = ox.parse(data, format=OX_FORMATS[fmt], base_iri=base)
            store.extend([ox.Quad(q.subject, q.predicate, q.object) for q in quads])
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


#: Deepest nesting of ``[ ]`` and ``( )`` accepted in Turtle and TriG. Deeper is legal RDF
#: but no record needs it, and recursive code downstream (canonical blank node labels,
#: pretty Turtle) would run out of stack on it.
MAX_NESTING = 256

_TURTLE_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>|#[^\n]*|[\[\]()]'
)


def _check_nesting(text: str, name: str) -> None:
    if text.count("(") + text.count("[") <= MAX_NESTING:
        return  # cannot nest deeper: no need to scan
    depth = 0
    for match in _TURTLE_TOKEN.finditer(text):
        token = match.group()
        if token in "[(":
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(
                    f"nested more than {MAX_NESTING} levels deep ([ ] or ( )): refused",
                    name,
                    text.count("\n", 0, match.start()) + 1,
                )
        elif token in "])":
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
