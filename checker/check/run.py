"""Check a built graph: SHACL shapes, then the rules that SHACL cannot say well.

>>> from checker.graph.build import build
>>> result = check(build())
>>> result.findings[0].severity.label
'violation'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rdflib import BNode, Graph, URIRef

from checker.check.context import SourceIndex, finding_for, named_owner
from checker.check.findings import Finding, Severity, sort_findings
from checker.check.organisation import OrganisationRules, rules_findings
from checker.check.rules import python_rules
from checker.check.rules.owl import owl_consistency
from checker.check.rules.review import review_findings
from checker.check.shacl_sparql import ShaclResult
from checker.check.shapes import shape_meta, validator
from checker.graph.store import ox_store, rdflib_term
from checker.vocab.namespaces import SH

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


def shacl_findings(
    graph: Graph, index: SourceIndex, results: list[ShaclResult] | None = None
) -> list[Finding]:
    """Validate ``graph`` against the shapes, as SPARQL on its store, into findings
    (``results``: the validation results, when a remote store computed them)."""
    meta = shape_meta()
    findings = []
    for result in validator().validate(ox_store(graph)) if results is None else results:
        focus = rdflib_term(result.focus)
        if isinstance(focus, BNode):
            focus = named_owner(graph, focus)
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


def check(
    graph: Graph,
    *,
    owl: bool = False,
    inputs: Sequence[str] = (),
    results: list[ShaclResult] | None = None,
    today: date | None = None,
    rules: OrganisationRules | None = None,
) -> CheckResult:
    """Run every rule over a built graph (see :func:`checker.graph.build.build`).

    Args:
        graph: the built graph.
        owl: also run the OWL consistency check (HermiT on Java; about a second more).
        inputs: the PATHs the graph was built from, as the user named them: a graph with
            no processing activity is reported against them (ART30-1-NO-ACTIVITY).
        results: the shapes' results, computed elsewhere (:mod:`checker.check.remote`).
        today: the date reviews are due against (REVIEW-OVERDUE); default: today.
        rules: the organisation's own shapes (:func:`checker.check.organisation.load_rules`).
    """
    index = SourceIndex(graph, inputs)
    findings = shacl_findings(graph, index, results)
    for rule in python_rules():
        findings.extend(rule(graph, index))
    findings.extend(review_findings(graph, index, today or date.today()))
    if rules is not None:
        findings.extend(rules_findings(rules, graph, index))
    if owl:
        findings.extend(owl_consistency(graph, index))
    return CheckResult(sort_findings(findings))
