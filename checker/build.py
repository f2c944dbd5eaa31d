"""Build one RDF graph from records, DPV files and the vocabulary: the start of every pipeline.

The graph lives in a pyoxigraph store (parsing and SPARQL at native speed) and is handed
on as an rdflib :class:`~rdflib.Graph` over that store (oxrdflib), so Python code reads it
with rdflib's API while SPARQL and the SHACL rules run on the store itself
(:func:`ox_store`).

>>> from checker.assets import default_records
>>> graph = build([default_records()])
>>> len(graph) > 1000
True
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.query import Result

from checker.assets import asset_dir, default_records
from checker.errors import InputError
from checker.rdf_files import RDF_FORMATS, parse_rdf_file
from checker.records import display_path, load_record_set
from checker.records_rdf import add_records
from checker.spreadsheet.read import SUFFIXES as SPREADSHEET_SUFFIXES
from checker.spreadsheet.to_records import load_spreadsheet_records

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
        self.nodes = sorted(
            {q.subject for q in self.store if isinstance(q.subject, ox.NamedNode)},
            key=str,
        )
        self.terms = frozenset(node.value for node in self.nodes)

    def describe(self, term: URIRef) -> list[tuple[URIRef, URIRef | Literal]]:
        """(predicate, object) pairs the vocabulary states about ``term``."""
        if str(term) not in self.terms:
            return []
        return [
            (URIRef(q.predicate.value), rdflib_term(q.object))
            for q in self.store.quads_for_pattern(ox.NamedNode(str(term)), None, None)
        ]


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """The rdflib term of a pyoxigraph term; a plain literal stays plain (no xsd:string)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once per process."""
    return Vocabulary()


def known_terms() -> frozenset[str]:
    """IRIs the records may name as vocabulary terms: everything the vocabulary describes."""
    return vocabulary().terms


class _Store(OxigraphStore):
    """oxrdflib's store, giving plain literals back as rdflib writes them.

    pyoxigraph types a plain literal ``xsd:string`` (RDF 1.1); rdflib keeps
    ``Literal("x")`` and ``Literal("x", datatype=XSD.string)`` apart, and our code, like
    most rdflib code, compares with the former.
    """

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        for (s, p, o), contexts in super().triples(triple_pattern, context):
            yield (s, p, _plain(o)), contexts

    def query(self, *args: Any, **kwargs: Any) -> Result:
        result = super().query(*args, **kwargs)
        if result.type == "SELECT":
            rows = result.bindings
            result.bindings = ({k: _plain(v) for k, v in row.items()} for row in rows)
        elif result.type == "CONSTRUCT":
            triples = list(result.graph)
            result.graph = Graph()
            result.graph += ((s, p, _plain(o)) for s, p, o in triples)
        return result


def _plain(term: Any) -> Any:
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


class StoreGraph(Graph):
    """An rdflib graph whose triples live in a pyoxigraph store, the default graph of it."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self.ox = ox.Store() if store is None else store
        super().__init__(store=_Store(store=self.ox), identifier=DATASET_DEFAULT_GRAPH_ID)
        _bind(self)

    def __len__(self) -> int:
        return len(self.ox)  # the store holds the default graph only


def ox_store(graph: Graph) -> ox.Store:
    """The pyoxigraph store of a built graph; a copy for a graph held elsewhere."""
    if isinstance(graph, StoreGraph):
        return graph.ox
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def build(paths: Sequence[Path] = ()) -> StoreGraph:
    """Build one graph from record sets and RDF files, with the vocabulary merged in.

    Args:
        paths: record-set folders, YAML record files, RDF files (Turtle, JSON-LD,
            N-Triples, N-Quads, TriG, RDF/XML), or spreadsheets in a regulator's layout
            (.xlsx, .ods, .csv; see :mod:`checker.spreadsheet`). Empty: the shipped Finnish
            Customs register.

    Returns:
        The graph: the data, the vocabulary (labels and hierarchy) and the provenance.

    Raises:
        InputError: the first bad input, naming file and line.
    """
    store = ox.Store()
    for path in paths or [default_records()]:
        name = display_path(path)
        if path.is_dir() or path.suffix.lower() in (".yaml", ".yml"):
            if not path.exists():
                raise InputError("file not found", name)
            add_records(store, load_record_set(path, known_terms()))
        elif not path.exists():
            raise InputError("file not found", name)
        elif path.suffix.lower() in SPREADSHEET_SUFFIXES:
            add_records(store, load_spreadsheet_records(path, known_terms()))
        elif path.suffix.lower() in RDF_FORMATS:
            parse_rdf_file(store, path, name)
        else:
            known = ", ".join(sorted(RDF_FORMATS) + list(SPREADSHEET_SUFFIXES))
            raise InputError(
                f"unknown file type {path.suffix!r}: give a records folder, .yaml, or {known}",
                name,
            )
    add_vocabulary(store)
    return StoreGraph(store)


def add_vocabulary(store: ox.Store) -> None:
    """Add the vocabulary's description of every term the data use, and of its ancestors.

    So every IRI has a label, and ``sh:class`` / SPARQL paths can follow the hierarchy
    (``rdfs:subClassOf``, ``skos:broader``) without any inference at check time. A term is
    used when it is a subject, predicate or object of the data: one index look-up per
    vocabulary term, whatever the size of the data.
    """
    vocab = vocabulary()
    pending = [term for term in vocab.nodes if _used(store, term)]
    seen: set[ox.NamedNode] = set()
    quads: list[ox.Quad] = []
    while pending:
        term = pending.pop()
        if term in seen:
            continue
        seen.add(term)
        for quad in vocab.store.quads_for_pattern(term, None, None):
            quads.append(quad)
            pending.append(quad.predicate)
            if isinstance(quad.object, ox.NamedNode):
                pending.append(quad.object)
    store.extend(quads)


def _used(store: ox.Store, term: ox.NamedNode) -> bool:
    return any(
        True
        for pattern in ((term, None, None), (None, term, None), (None, None, term))
        for _ in store.quads_for_pattern(*pattern, ox.DefaultGraph())
    )


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise deterministically: the same graph gives the same bytes.

    N-Triples come from the store, blank nodes canonically relabelled, lines sorted. ``longturtle`` sorts subjects and
    predicates and canonicalises blank nodes itself. For JSON-LD, blank nodes are
    canonicalised first (rdflib's ``to_canonical_graph``) and then JSON arrays are sorted.
    """
    if fmt == "nt":
        return _ntriples(ox_store(graph))
    if fmt == "longturtle":
        return graph.serialize(format="longturtle", encoding="utf-8")
    memory = _bind(Graph())
    memory += to_canonical_graph(graph) if _has_blank_nodes(ox_store(graph)) else graph
    doc = json.loads(memory.serialize(format="json-ld", encoding="utf-8"))
    return (
        json.dumps(_sorted_json(doc), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    ).encode()


_BLANK = "isBlank(?s) || isBlank(?o)"


def _has_blank_nodes(store: ox.Store) -> bool:
    return bool(store.query(f"ASK {{ ?s ?p ?o FILTER({_BLANK}) }}"))


def _ntriples(store: ox.Store) -> bytes:
    def construct(condition: str) -> Any:
        return store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER({condition}) }}")

    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    if b"_:" in data and _has_blank_nodes(store):
        # Only the triples with blank nodes need canonical labels (rdflib's RDFC-style
        # to_canonical_graph, in Python: a runaway chain is a RecursionError, not a crash).
        blank = Graph()
        blank.parse(
            data=ox.serialize(construct(_BLANK), format=ox.RdfFormat.N_TRIPLES), format="nt"
        )
        data = ox.serialize(construct(f"!({_BLANK})"), format=ox.RdfFormat.N_TRIPLES)
        data += to_canonical_graph(blank).serialize(format="nt", encoding="utf-8")
    return b"\n".join(sorted(set(data.splitlines()) - {b""})) + b"\n"


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
