"""Build one RDF graph from records, DPV files and the vocabulary: the start of every pipeline.

>>> from checker.assets import default_records
>>> graph = build([default_records()])
>>> len(graph) > 1000
True
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from checker.assets import asset_dir, default_records
from checker.errors import InputError
from checker.rdf_files import RDF_FORMATS, parse_rdf_file
from checker.records import display_path, load_record_set
from checker.records_rdf import add_records

#: Output formats of ``ropa build -o``, by file extension.
OUTPUT_FORMATS = {".ttl": "longturtle", ".jsonld": "json-ld", ".nt": "nt"}

PREFIXES = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "legal-eu": "https://w3id.org/dpv/legal/eu#",
    "loc": "https://w3id.org/dpv/loc#",
    "tech": "https://w3id.org/dpv/tech#",
    "ropa": "https://w3id.org/ropa-kg/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "dct": "http://purl.org/dc/terms/",
}


def _bind(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


class Vocabulary:
    """The shipped vocabulary (``ontology/*.ttl``): our DPV subset and the ropa extension.

    Held in a pyoxigraph store, which parses it ten times faster than rdflib; only the
    descriptions of the terms a graph uses are copied into that graph (see
    :func:`add_vocabulary`).
    """

    def __init__(self) -> None:
        self.store = ox.Store()
        for path in sorted(asset_dir("ontology").glob("*.ttl")):
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        self.terms = frozenset(
            q.subject.value for q in self.store if isinstance(q.subject, ox.NamedNode)
        )

    def describe(self, term: URIRef) -> list[tuple[URIRef, URIRef | Literal]]:
        """(predicate, object) pairs the vocabulary states about ``term``."""
        if str(term) not in self.terms:
            return []
        return [
            (URIRef(q.predicate.value), _to_rdflib(q.object))
            for q in self.store.quads_for_pattern(ox.NamedNode(str(term)), None, None)
        ]


def _to_rdflib(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Any:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    return BNode(term.value)


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once per process."""
    return Vocabulary()


def known_terms() -> frozenset[str]:
    """IRIs the records may name as vocabulary terms: everything the vocabulary describes."""
    return vocabulary().terms


def build(paths: Sequence[Path] = ()) -> Graph:
    """Build one graph from record sets and RDF files, with the vocabulary merged in.

    Args:
        paths: record-set folders, YAML record files, or RDF files (Turtle, JSON-LD,
            N-Triples, N-Quads, TriG, RDF/XML). Empty: the shipped Finnish Customs register.

    Returns:
        The graph: the data, the vocabulary (labels and hierarchy) and the provenance.

    Raises:
        InputError: the first bad input, naming file and line.
    """
    graph = _bind(Graph())
    for path in paths or [default_records()]:
        name = display_path(path)
        if path.is_dir() or path.suffix.lower() in (".yaml", ".yml"):
            if not path.exists():
                raise InputError("file not found", name)
            add_records(graph, load_record_set(path, known_terms()))
        elif not path.exists():
            raise InputError("file not found", name)
        elif path.suffix.lower() in RDF_FORMATS:
            parse_rdf_file(graph, path, name)
        else:
            known = ", ".join(sorted(RDF_FORMATS))
            raise InputError(
                f"unknown file type {path.suffix!r}: give a records folder, .yaml, or {known}",
                name,
            )
    add_vocabulary(graph)
    return graph


def add_vocabulary(graph: Graph) -> None:
    """Add the vocabulary's description of every IRI the graph uses, and of its ancestors.

    So every IRI has a label, and ``sh:class`` / SPARQL paths can follow the hierarchy
    (``rdfs:subClassOf``, ``skos:broader``) without any inference at check time.
    """
    vocab = vocabulary()
    pending = {t for triple in graph for t in triple if isinstance(t, URIRef)}
    seen: set[URIRef] = set()
    while pending:
        term = pending.pop()
        if term in seen:
            continue
        seen.add(term)
        for p, o in vocab.describe(term):
            graph.add((term, p, o))
            if isinstance(o, URIRef):
                pending.add(o)
            pending.add(p)


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise deterministically: the same graph gives the same bytes.

    ``longturtle`` sorts subjects and predicates and canonicalises blank nodes itself. For
    N-Triples and JSON-LD, blank nodes are canonicalised first (RDFC-style, rdflib's
    ``to_canonical_graph``) and then lines, or JSON arrays, are sorted.
    """
    if fmt == "longturtle":
        return graph.serialize(format="longturtle", encoding="utf-8")
    if any(isinstance(t, BNode) for triple in graph for t in triple):
        canonical = _bind(Graph())
        canonical += to_canonical_graph(graph)
        graph = canonical
    if fmt == "nt":
        lines = sorted(set(graph.serialize(format="nt", encoding="utf-8").splitlines()))
        return b"\n".join(line for line in lines if line) + b"\n"
    doc = json.loads(graph.serialize(format="json-ld", encoding="utf-8"))
    return (
        json.dumps(_sorted_json(doc), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    ).encode()


def _sorted_json(value: Any, key: str = "") -> Any:
    """Sort every JSON array (but RDF lists, ``@list``) by its items' canonical text."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def output_format(path: Path) -> str:
    """The serialisation for an output path, from its extension."""
    fmt = OUTPUT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot write {path.suffix or 'a file without extension'}: "
            f"use {', '.join(sorted(OUTPUT_FORMATS))}",
            str(path),
        )
    return fmt


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a reader never sees half a file."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise InputError("output folder does not exist", str(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
