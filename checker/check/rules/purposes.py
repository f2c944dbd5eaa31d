"""ART6-4-FURTHER-PROCESSING (warning): data reused for a new purpose without a recorded
compatibility assessment.

An activity whose data come from the controller's own register, system or unit
(``dpv:hasDataSource``: the controller, a unit of it, or a system one of those provides)
processes data collected for another purpose: further processing. It is lawful only for a
purpose compatible with the original one, which the controller assesses (Art. 6(4),
5(1)(b)), unless it rests on consent or on a law that is a necessary and proportionate
measure (Art. 6(4), 23(1)). The record evidences either: a measure of type
``eu-gdpr:PurposeCompatibilityAssessment``, the outcome (``dpv:hasReuseCompatibility``,
e.g. ``eu-gdpr:PurposeCompatible``), or the provision (a law entry with a section).

Not reported: data from the data subjects, other organisations or systems nobody
provides in the records (no sign of reuse), and anonymised data reused (not personal
data, Recital 26: the records keep them out of the activity).
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.check.rules.common import (
    cites_specific_provision,
    controllers,
    has_measure,
    is_internal,
)
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, EU_GDPR


def _assessed(graph: Graph, activity: URIRef) -> bool:
    if (activity, DPV.hasReuseCompatibility, None) in graph:
        return True
    return has_measure(graph, activity, EU_GDPR.PurposeCompatibilityAssessment)


def further_processing(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One warning per activity that reuses internal data with nothing evidencing Art. 6(4)."""
    findings = []
    for activity in sorted(a for a in index.activities if isinstance(a, URIRef)):
        owners = controllers(graph, activity)
        sources = sorted(
            s for s in graph.objects(activity, DPV.hasDataSource) if is_internal(graph, s, owners)
        )
        if not sources or _assessed(graph, activity) or cites_specific_provision(graph, activity):
            continue
        names = ", ".join(label_of(graph, s) for s in sources)
        findings.append(
            finding_for(
                graph,
                index,
                severity=Severity.WARNING,
                rule="ART6-4-FURTHER-PROCESSING",
                message=f"Art. 6(4), 5(1)(b): the activity processes data that come from {names}, "
                "the controller's own register, system or unit: data collected for another "
                "purpose, processed further for this one. The record evidences no compatibility "
                "assessment (the link between the purposes, the context, the nature of the data, "
                "the consequences, the safeguards: Art. 6(4)(a)-(e)), nor the law that provides "
                "for the further processing as a necessary and proportionate measure. Record "
                "the assessment (a measure of type eu-gdpr:PurposeCompatibilityAssessment) or "
                "the provision (a law entry with its section).",
                article="GDPR Art. 6(4), Art. 5(1)(b)",
                focus=activity,
                path=DPV.hasDataSource,
            )
        )
    return findings
