"""The graph's store: a pyoxigraph store, read through rdflib's API (oxrdflib).

pyoxigraph parses and answers SPARQL at native speed; Python code that walks the graph uses
rdflib's API over the same store (:class:`StoreGraph`), and SPARQL and the compiled SHACL
shapes run on the store itself (:func:`ox_store`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result

from checker.vocab.namespaces import PREFIXES, XSD


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the graph's prefixes (:data:`checker.vocab.namespaces.PREFIXES`) to ``graph``."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


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
        bind_prefixes(self)

    def __len__(self) -> int:
        return len(self.ox)  # the store holds the default graph only


def ox_store(graph: Graph) -> ox.Store:
    """The pyoxigraph store of a built graph; a copy for a graph held elsewhere."""
    if isinstance(graph, StoreGraph):
        return graph.ox
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store
