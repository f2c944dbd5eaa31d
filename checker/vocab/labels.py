"""Labels of graph nodes, for every view: no bare IRI where a label exists."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS, SKOS

#: DPV's own name property: plain DPV data often names organisations only with it.
DPV_HAS_NAME = Namespace("https://w3id.org/dpv#")["hasName"]


def label_of(graph: Graph, node: URIRef | Literal | None) -> str:
    """The English label of a node (rdfs:label, skos:prefLabel, then dpv:hasName), or the
    node itself.

    >>> g = Graph()
    >>> _ = g.add((URIRef("https://example.org/a"), DPV_HAS_NAME, Literal("Acme Oy")))
    >>> label_of(g, URIRef("https://example.org/a")), label_of(g, URIRef("https://example.org/b"))
    ('Acme Oy', 'https://example.org/b')
    """
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    best: str | None = None
    for prop in (RDFS.label, SKOS.prefLabel, DPV_HAS_NAME):
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and value.language in ("en", None):
                return str(value)
            best = best or str(value)
    return best or str(node)
