"""Labels of graph nodes, for every view: no bare IRI where a label exists."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS


def label_of(graph: Graph, node: URIRef | Literal | None) -> str:
    """The English label of a node (rdfs:label, then skos:prefLabel), or the node itself."""
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    best: str | None = None
    for prop in (RDFS.label, SKOS.prefLabel):
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and value.language in ("en", None):
                return str(value)
            best = best or str(value)
    return best or str(node)
