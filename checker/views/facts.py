"""Small readers of the built graph that every view shares.

Labels come from :func:`checker.vocab.labels.label_of` (never a bare IRI); the text of a
property is picked by the same language rule (:func:`checker.vocab.labels.pick`).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from checker.views.reading import ReadingStore
from checker.vocab.labels import Candidate, label_of, pick
from checker.vocab.namespaces import DPV, RDF, ROPA


def iris(graph: Graph, subject: Node, predicate: URIRef) -> list[URIRef]:
    """The IRI values of a property, sorted (literals and blank nodes left out)."""
    return sorted({o for o in graph.objects(subject, predicate) if isinstance(o, URIRef)})


def label(graph: Graph, node: Node) -> str:
    """The label of ``node`` (:func:`checker.vocab.labels.label_of`), found once per node on a
    graph read through :func:`checker.views.reading.reading_graph`."""
    store = graph.store
    if isinstance(store, ReadingStore):
        return store.remember(("label", node), lambda: label_of(graph, node))
    return label_of(graph, node)


def labels(graph: Graph, nodes: Iterable[Node]) -> list[str]:
    """The labels of ``nodes``, each once, sorted case-insensitively."""
    return sorted({label(graph, n) for n in nodes}, key=str.casefold)


def text(graph: Graph, subject: Node, predicate: URIRef, lang: str = "en") -> str:
    """The text value of a property in ``lang`` (else English, untagged, any), else ''.

    >>> from rdflib.namespace import RDFS
    >>> g = Graph()
    >>> n = URIRef("https://example.org/x")
    >>> _ = g.add((n, RDFS.comment, Literal("Tulli", lang="fi")))
    >>> text(g, n, RDFS.comment), text(g, n, RDFS.label)
    ('Tulli', '')
    """
    chosen = pick(
        (
            Candidate(str(o), o.language)
            for o in graph.objects(subject, predicate)
            if isinstance(o, Literal)
        ),
        lang,
    )
    return chosen.text if chosen else ""


def activities_of(graph: Graph) -> list[URIRef]:
    """Every processing activity (``dpv:Process``) with an IRI, in IRI order."""
    return sorted(a for a in set(graph.subjects(RDF.type, DPV.Process)) if isinstance(a, URIRef))


def record_source(graph: Graph, node: Node) -> str:
    """Where the records state ``node``: ``file:line``, the file alone, or '' (plain DPV)."""
    file = graph.value(node, ROPA.recordFile)
    line = graph.value(node, ROPA.recordLine)
    if file is None:
        return ""
    return f"{file}:{line}" if line is not None else str(file)
