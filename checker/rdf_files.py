"""Read RDF files (Turtle, JSON-LD, N-Triples, N-Quads, TriG, RDF/XML) without touching the network.

rdflib would fetch a remote JSON-LD ``@context`` and an XML parser may resolve external
entities; both are refused here before parsing, with a message naming the file and line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from checker.errors import InputError
from checker.yamlload import decode_utf8

#: File extension -> rdflib parser name.
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


def _check_xml(text: str, name: str) -> None:
    match = _EXTERNAL_ENTITY.search(text)
    if match:
        raise InputError(
            "XML external entity or DTD (SYSTEM/PUBLIC) refused: ropa never reads files or "
            "URLs named inside the input",
            name,
            text.count("\n", 0, match.start()) + 1,
        )
    match = _NESTED_ENTITY.search(text)
    if match:
        raise InputError(
            "XML entity defined with other entities refused (entity expansion bomb); "
            "entities may only stand for plain text",
            name,
            text.count("\n", 0, match.start()) + 1,
        )


def _syntax_line(exc: Exception) -> int | None:
    get_line = getattr(exc, "getLineNumber", None)  # xml.sax.SAXParseException
    if callable(get_line):
        return int(get_line())
    match = re.search(r"line (\d+)", str(exc))
    if match:
        return int(match.group(1))
    for attr in ("line", "lineno"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    return None


def _syntax_message(exc: Exception) -> str:
    """The informative line of a parser's message (rdflib's start with 'at line N of <>:')."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("Bad syntax"):
            return line.split(" at ^", 1)[0]
    useful = [line for line in lines if not re.match(r"at line \d+ of <", line)]
    return (useful[0] if useful else type(exc).__name__)[:300]


def parse_rdf_file(graph: Graph, path: Path, name: str) -> None:
    """Parse one RDF file into ``graph``; the format comes from the extension.

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
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", name) from None
    text = decode_utf8(data, name)
    if fmt == "json-ld":
        _check_jsonld(text, name)
    if fmt == "xml":
        _check_xml(text, name)
    try:
        if fmt in ("trig", "nquads"):
            # Named graphs are merged: a ROPA is one graph. Parse into a dataset so no
            # quad of a named graph is lost, then add every triple.
            dataset = Dataset()
            dataset.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except RecursionError:
        raise InputError(f"{fmt} input nested too deeply to process", name) from None
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        raise InputError(
            f"{fmt} syntax error: {_syntax_message(exc)}", name, _syntax_line(exc)
        ) from None
