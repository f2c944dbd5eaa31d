"""Check a built graph: SHACL shapes, then the rules that SHACL cannot say well.

>>> from checker.graph.build import build
>>> result = check(build())
>>> result.findings[0].severity.label
'violation'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from checker.assets import asset_dir
from checker.check.findings import Finding, Severity, sort_findings
from checker.check.shacl_sparql import ShaclValidator, load_shapes
from checker.graph.store import ox_store, rdflib_term
from checker.vocab.labels import label_of

ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
DPV = Namespace("https://w3id.org/dpv#")

_SEVERITIES = {
    str(SH.Violation): Severity.VIOLATION,
    str(SH.Warning): Severity.WARNING,
    str(SH.Info): Severity.INFO,
}


@dataclass
class CheckResult:
    """The findings of one check, worst first."""

    findings: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for finding in self.findings:
            counts[finding.severity.label] += 1
        return counts

    def at_or_above(self, level: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= level]


@cache
def shapes_graph() -> Graph:
    """All shapes of ``shapes/*.ttl`` in rdflib, for pySHACL (the reference in tests and
    benchmarks; ``ropa check`` runs them compiled, see :func:`validator`)."""
    graph = Graph()
    for path in _shape_files():
        graph.parse(path, format="turtle")
    return graph


class SourceIndex:
    """Where each node of the graph was written: file, line and its activity."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.activities = set(graph.subjects(RDF.type, DPV.Process))

    @cached_property
    def flows(self) -> nx.DiGraph:
        """The flow graph, built once for all the rules that walk it."""
        from checker.graph.flows import flow_graph

        return flow_graph(self.graph)

    def where(self, node: URIRef) -> tuple[str | None, int | None]:
        for candidate in (node, *self._owners(node)):
            file = self.graph.value(candidate, ROPA.recordFile)
            line = self.graph.value(candidate, ROPA.recordLine)
            if file is not None:
                return str(file), int(line) if line is not None else None
        return None, None

    def _owners(self, node: URIRef) -> Iterable[URIRef]:
        # A duration node, a selector or a contact has no line of its own: use its owner's.
        for owner in sorted(self.graph.subjects(None, node)):
            if isinstance(owner, URIRef):
                yield owner

    def activity_of(self, node: URIRef) -> str | None:
        if node in self.activities:
            return str(node)
        for owner in self._owners(node):
            if owner in self.activities:
                return str(owner)
        return None


def finding_for(
    graph: Graph,
    index: SourceIndex,
    *,
    severity: Severity,
    rule: str,
    message: str,
    article: str,
    focus: URIRef,
    path: URIRef | None = None,
    value: URIRef | Literal | None = None,
) -> Finding:
    """Make a finding about ``focus``, filling in its label, records line and activity."""
    file, line = index.where(focus)
    return Finding(
        severity=severity,
        rule=rule,
        message=message,
        article=article,
        focus=str(focus),
        focus_label=label_of(graph, focus),
        path=str(path) if path is not None else None,
        value=None if value is None else "[]" if isinstance(value, BNode) else str(value),
        file=file,
        line=line,
        activity=index.activity_of(focus),
    )


@cache
def shapes_store() -> ox.Store:
    """All shapes of ``shapes/*.ttl``, parsed once."""
    return load_shapes(_shape_files())


@cache
def validator() -> ShaclValidator:
    """The shapes compiled to SPARQL, once per process (see :mod:`checker.check.shacl_sparql`)."""
    return ShaclValidator(shapes_store())


def _shape_files() -> list[Path]:
    return sorted(asset_dir("shapes").glob("*.ttl"))


@cache
def shape_meta() -> dict[str, tuple[str, str, str]]:
    """Rule id, article and English message of every shape, by IRI."""
    meta: dict[str, tuple[str, str, str]] = {}
    query = """
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?shape ?id ?article ?message WHERE {
          ?shape a ?kind . VALUES ?kind { sh:NodeShape sh:PropertyShape }
          OPTIONAL { ?shape <http://purl.org/dc/terms/identifier> ?id }
          OPTIONAL { ?shape <https://w3id.org/ropa-kg/ontology#article> ?article }
          OPTIONAL { ?shape sh:message ?message FILTER(lang(?message) IN ("en", "")) }
        } ORDER BY ?shape ?message"""
    for shape, rule, article, message in shapes_store().query(query):
        iri = shape.value
        if iri not in meta:
            meta[iri] = (
                rule.value if rule else iri.rsplit("#", 1)[-1],
                article.value if article else "",
                message.value if message else "",
            )
    return meta


def _named_owner(graph: Graph, node: BNode, depth: int = 0) -> URIRef | None:
    """A blank node is reported at the nearest named node that points at it.

    Its own id is random in every run, and findings must be deterministic.
    """
    for owner in sorted(graph.subjects(None, node), key=str):
        if isinstance(owner, URIRef):
            return owner
        if isinstance(owner, BNode) and depth < 5:
            named = _named_owner(graph, owner, depth + 1)
            if named is not None:
                return named
    return None


def shacl_findings(graph: Graph, index: SourceIndex) -> list[Finding]:
    """Validate ``graph`` against the shapes, as SPARQL on its store, into findings."""
    meta = shape_meta()
    findings = []
    for result in validator().validate(ox_store(graph)):
        focus = rdflib_term(result.focus)
        if isinstance(focus, BNode):
            focus = _named_owner(graph, focus)
        if focus is None:
            continue
        rule, article, message = meta[result.shape]
        findings.append(
            finding_for(
                graph,
                index,
                severity=_SEVERITIES[result.severity],
                rule=rule,
                message=message or rule,
                article=article,
                focus=focus,
                path=URIRef(result.path) if result.path else None,
                value=None if result.value is None else rdflib_term(result.value),
            )
        )
    return findings


def check(graph: Graph, *, owl: bool = False) -> CheckResult:
    """Run every rule over a built graph (see :func:`checker.graph.build.build`).

    Args:
        graph: the built graph.
        owl: also run the OWL consistency check (HermiT on Java; about a second more).
    """
    from checker.check.rules import python_rules

    index = SourceIndex(graph)
    findings = shacl_findings(graph, index)
    for rule in python_rules():
        findings.extend(rule(graph, index))
    if owl:
        from checker.check.rules.owl import owl_consistency

        findings.extend(owl_consistency(graph, index))
    return CheckResult(sort_findings(findings))
