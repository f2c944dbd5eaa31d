"""VOCAB-UNKNOWN-TERM: a DPV term that DPV does not define (a typo such as ``dpv:Proces``).

SHACL's REF-DANGLING catches unknown terms used as values; this rule catches them where
shapes cannot look: as a class (``a dpv:Proces``) or as a property (``dpv:hasPurpse``).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.graph.store import ox_store
from checker.graph.vocabulary import known_terms
from checker.vocab.namespaces import RDF

DPV_NAMESPACES = (
    "https://w3id.org/dpv#",
    "https://w3id.org/dpv/pd#",
    "https://w3id.org/dpv/legal/eu/gdpr#",
    "https://w3id.org/dpv/legal/eu#",
    "https://w3id.org/dpv/loc#",
    "https://w3id.org/dpv/tech#",
    "https://w3id.org/ropa-kg/ontology#",
)


def unknown_terms(graph: Graph, index: SourceIndex) -> list[Finding]:
    """Classes and properties in the DPV namespaces that the vocabulary does not define.

    The store answers which distinct properties and classes the graph uses (a few hundred,
    whatever its size); only the unknown ones are followed to the nodes that use them.
    """
    known = known_terms()
    store = ox_store(graph)
    used = [(p, "property") for p in _distinct(store, "SELECT DISTINCT ?t { ?s ?t ?o }")]
    used += [(c, "class") for c in _distinct(store, "SELECT DISTINCT ?t { ?s a ?t }")]
    findings = []
    for term, role in sorted(used):
        if not term.startswith(DPV_NAMESPACES) or term in known:
            continue
        pattern = (
            (None, URIRef(term), None) if role == "property" else (None, RDF.type, URIRef(term))
        )
        for s in sorted({s for s, _, _ in graph.triples(pattern) if isinstance(s, URIRef)}):
            findings.append(
                finding_for(
                    graph,
                    index,
                    severity=Severity.VIOLATION,
                    rule="VOCAB-UNKNOWN-TERM",
                    message=f"Unknown {role} {term}: W3C DPV 2.3 does not define it. "
                    "Check the spelling against https://w3id.org/dpv.",
                    article="GDPR Art. 30(1) (a record must be intelligible)",
                    focus=s,
                    path=URIRef(term) if role == "property" else RDF.type,
                    value=URIRef(term),
                )
            )
    return findings


def _distinct(store: ox.Store, query: str) -> list[str]:
    return [row[0].value for row in store.query(query) if isinstance(row[0], ox.NamedNode)]
