"""The shipped vocabulary (``ontology/*.ttl``): our DPV subset and the ropa extension.

Held in its own pyoxigraph store, loaded once per process. The build copies into each graph
the description of every term the graph uses (:func:`add_vocabulary`); the notice asks it
for facts of the law the graph need not carry (the authorities of a country); the records
loader and VOCAB-UNKNOWN-TERM ask it which terms exist (:func:`known_terms`).
"""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox
from rdflib import Literal, URIRef

from checker.assets import asset_dir
from checker.graph.store import rdflib_term


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

    def subjects_with(self, predicate: URIRef, obj: URIRef) -> list[URIRef]:
        """Terms the vocabulary states ``predicate obj`` of, in IRI order."""
        quads = self.store.quads_for_pattern(
            None, ox.NamedNode(str(predicate)), ox.NamedNode(str(obj))
        )
        return sorted(URIRef(q.subject.value) for q in quads if isinstance(q.subject, ox.NamedNode))


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once per process."""
    return Vocabulary()


def known_terms() -> frozenset[str]:
    """IRIs the records may name as vocabulary terms: everything the vocabulary describes."""
    return vocabulary().terms


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
