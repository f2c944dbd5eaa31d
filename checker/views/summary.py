"""The headline numbers of a register, for the top of every page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
from rdflib import Graph

from checker.check.findings import Finding, Severity
from checker.views.facts import activities_of, labels
from checker.vocab.namespaces import DPV, RDF


@dataclass(frozen=True)
class RegisterSummary:
    """Headline numbers of a register, for the top of the pages."""

    title: str
    activities: int
    units: int
    processors: int
    recipients: int
    data_categories: int
    findings: dict[str, int]


def register_summary(
    graph: Graph, flows: nx.DiGraph, findings: Sequence[Finding]
) -> RegisterSummary:
    """Counts a DPO looks at first: activities, units, processors, data, findings."""
    titles = labels(graph, graph.subjects(RDF.type, DPV.ROPA))
    acts = activities_of(graph)
    data = {d for a in acts for d in graph.objects(a, DPV.hasPersonalData)}
    kinds = [k for _, k in flows.nodes(data="kind")]
    # As text: an rdflib IRI never equals the same IRI as a plain string (a flow graph node).
    units = {str(u) for a in acts for u in graph.objects(a, DPV.hasOrganisationalUnit)}
    units |= {str(n) for n, k in flows.nodes(data="kind") if k == "unit"}
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        counts[finding.severity.label] += 1
    return RegisterSummary(
        title="; ".join(titles) or "Records of processing activities",
        activities=len(acts),
        units=len(units),
        processors=kinds.count("processor"),
        recipients=kinds.count("recipient"),
        data_categories=len(data),
        findings=counts,
    )
