"""Write a built graph: N-Triples, Turtle or JSON-LD, deterministically.

The same graph gives the same bytes, so outputs can be reviewed and compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import to_canonical_graph

from checker.files import format_of
from checker.graph.store import bind_prefixes, ox_store

#: Output formats of ``ropa build -o``, by file extension.
OUTPUT_FORMATS = {".jsonld": "json-ld", ".nt": "nt", ".ttl": "longturtle"}


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
    memory = bind_prefixes(Graph())
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
    return format_of(path, OUTPUT_FORMATS)
