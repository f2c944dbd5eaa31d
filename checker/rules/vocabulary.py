"""VOCAB-UNKNOWN-TERM: a DPV term that DPV does not define (a typo such as ``dpv:Proces``).

SHACL's REF-DANGLING catches unknown terms used as values; this rule catches them where
shapes cannot look: as a class (``a dpv:Proces``) or as a property (``dpv:hasPurpse``).
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from checker.build import known_terms
from checker.check import SourceIndex, finding_for
from checker.findings import Finding, Severity

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
    """Classes and properties in the DPV namespaces that the vocabulary does not define."""
    known = known_terms()
    findings = []
    for s, p, o in graph:
        if not isinstance(s, URIRef):
            continue
        used = [(p, "property")] if str(p).startswith(DPV_NAMESPACES) else []
        if p == RDF.type and isinstance(o, URIRef) and str(o).startswith(DPV_NAMESPACES):
            used.append((o, "class"))
        for term, role in used:
            if str(term) in known:
                continue
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
                    path=p if role == "property" else RDF.type,
                    value=term,
                )
            )
    return findings
