"""Write a built graph: N-Triples, Turtle or JSON-LD, deterministically and at scale.

The same graph gives the same bytes, so outputs can be reviewed and compared. Every format
starts from the store's N-Triples (written by pyoxigraph): blank nodes get canonical labels
(:mod:`checker.graph.blank_nodes`), then the lines are sorted: N-Triples are those lines.
For Turtle and JSON-LD each subject's ``rdf:type`` comes first; Turtle is pyoxigraph's streaming writer over them, with
the prefixes the graph uses; JSON-LD is one node object per subject, in the same order,
with the same prefixes as its ``@context``. Nothing recurses, so nesting depth and graph
size cost no stack.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from checker.files import format_of
from checker.graph.blank_nodes import canonical_labels
from checker.graph.store import ox_store
from checker.vocab.namespaces import FOAF, QUERY_PREFIXES, RDF

#: Output formats of ``ropa build -o``, by file extension.
OUTPUT_FORMATS = {".jsonld": "json-ld", ".nt": "nt", ".ttl": "turtle"}

#: The prefixes Turtle and JSON-LD output may use (those the graph uses are declared).
OUTPUT_PREFIXES = dict(sorted({**QUERY_PREFIXES, "foaf": str(FOAF)}.items()))

_BLANK = "isBlank(?s) || isBlank(?o)"
_TYPE = f" <{RDF.type}> ".encode()
_TYPE_FIRST = b" <\x01> "  # sorts before any IRI; N-Triples escape a real U+0001


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise deterministically: the same graph gives the same bytes.

    Args:
        graph: the built graph.
        fmt: ``nt``, ``turtle`` or ``json-ld``.

    Raises:
        BlankNodeLimit: blank nodes too symmetric to label (see
            :mod:`checker.graph.blank_nodes`).
    """
    data = _ntriples(ox_store(graph))
    if fmt == "nt":
        return b"".join(line + b"\n" for line in sorted(data.splitlines()))
    lines = sorted(data.replace(_TYPE, _TYPE_FIRST).splitlines())
    data = b"".join(line + b"\n" for line in lines).replace(_TYPE_FIRST, _TYPE)
    prefixes = {name: ns for name, ns in OUTPUT_PREFIXES.items() if f"<{ns}".encode() in data}
    triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "turtle":
        return _turtle(triples, prefixes)
    if fmt == "json-ld":
        return _json_ld(triples, prefixes)
    raise ValueError(f"unknown output format {fmt!r}")


def _ntriples(store: ox.Store) -> bytes:
    """The graph's N-Triples, blank nodes canonically labelled, in no particular order."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    if b"_:" in data and store.query(f"ASK {{ ?s ?p ?o FILTER({_BLANK}) }}"):
        blank = list(_construct(store, _BLANK))
        labels = canonical_labels((str(t.subject), str(t.predicate), str(t.object)) for t in blank)
        data = ox.serialize(_construct(store, f"!({_BLANK})"), format=ox.RdfFormat.N_TRIPLES)
        data += ox.serialize(_relabel(blank, labels), format=ox.RdfFormat.N_TRIPLES)
    return data


def _construct(store: ox.Store, condition: str) -> Any:
    return store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER({condition}) }}")


def _relabel(triples: Iterable[ox.Triple], labels: dict[str, str]) -> Iterator[ox.Triple]:
    for t in triples:
        s, o = t.subject, t.object
        if isinstance(s, ox.BlankNode):
            s = ox.BlankNode(labels[s.value])
        if isinstance(o, ox.BlankNode):
            o = ox.BlankNode(labels[o.value])
        yield ox.Triple(s, t.predicate, o)


def _turtle(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Turtle from pyoxigraph's streaming writer, its prefix lines in our order (it
    writes them in an order of its own)."""
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    head = b"".join(f"@prefix {name}: <{ns}> .\n".encode() for name, ns in prefixes.items())
    written = data.split(b"\n", len(prefixes))
    assert sorted(written[: len(prefixes)]) == sorted(head.splitlines()), "prefix lines"
    return head + b"\n" + (written[-1] if prefixes else data)


def _json_ld(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """JSON-LD: a ``@context`` of the prefixes, then one node object per subject (in the
    order of the triples), its types as ``@type`` and each predicate's values in order."""
    namespaces = sorted(((ns, name) for name, ns in prefixes.items()), reverse=True)

    def compact(iri: str) -> str:
        for ns, name in namespaces:  # longest first among those sharing a start
            if iri.startswith(ns) and not iri[len(ns) :].startswith("//"):
                return f"{name}:{iri[len(ns) :]}"
        return iri

    def node_id(term: Any) -> str:
        return "_:" + term.value if isinstance(term, ox.BlankNode) else compact(term.value)

    def value(term: Any) -> Any:
        if not isinstance(term, ox.Literal):
            return {"@id": node_id(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == _XSD_STRING:
            return term.value
        return {"@value": term.value, "@type": compact(term.datatype.value)}

    nodes: list[str] = []
    subject: Any = None
    node: dict[str, Any] = {}
    for t in triples:
        if t.subject != subject:
            if node:
                nodes.append(json.dumps(node, ensure_ascii=False))
            subject, node = t.subject, {"@id": node_id(t.subject)}
        if t.predicate.value == _RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(t.object.value))
        else:
            node.setdefault(compact(t.predicate.value), []).append(value(t.object))
    if node:
        nodes.append(json.dumps(node, ensure_ascii=False))
    context = json.dumps({"@context": prefixes}, indent=1, ensure_ascii=False)
    body = ",\n  ".join(nodes)
    graph = f'"@graph": [\n  {body}\n ]' if nodes else '"@graph": []'
    return f"{context[:-2]},\n {graph}\n}}\n".encode()


_RDF_TYPE = str(RDF.type)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def output_format(path: Path) -> str:
    """The serialisation for an output path, from its extension."""
    return format_of(path, OUTPUT_FORMATS)
