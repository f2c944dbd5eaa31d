"""DPIA-SCREENING (warning): an activity whose recorded facts meet the screening criteria
for a data protection impact assessment (GDPR Art. 35), with no DPIA recorded.

The criteria are those of the Article 29 Working Party's guidelines on DPIA (WP248 rev.01,
endorsed by the EDPB), read only from facts the records state in DPV terms:

1. evaluation or scoring (``dpv:EvaluationScoring``, ``dpv:Profiling``);
2. automated decision-making (``dpv:AutomatedDecisionMaking``: whether its effects are legal
   or similarly significant, the record cannot tell);
3. systematic monitoring (``dpv:SystematicMonitoring``);
4. sensitive data: special categories (Art. 9) or criminal-offence data (Art. 10,
   ``pd:Criminal``);
5. large scale (``dpv:LargeScaleProcessing``, large or huge numbers of data subjects or
   volumes of data, through ``dpv:hasScale``, ``dpv:hasDataSubjectScale``,
   ``dpv:hasDataVolume`` or as a context);
6. matching or combining datasets (``dpv:Match``, ``dpv:Combine``);
7. vulnerable data subjects (``dpv:VulnerableHuman`` and below it, children among them;
   employees, patients, asylum seekers, the elderly);
8. innovative use of technology (``dpv:InnovativeUseOfTechnology``);
9. processing that prevents data subjects from exercising a right or using a service or a
   contract: DPV 2.3 has no term for it, so no record fact meets it (never reported).

The concepts are read from the activity's purposes, processing (``dpv:hasProcessing``),
contexts (``dpv:hasContext``), its own types and the types of its systems; data and data
subjects from its categories (``checker.vocab.concepts.is_a``: the concept, a narrower one,
or an instance). WP248: processing meeting two or more criteria is in most cases likely to
result in a high risk. Art. 35(3) names three cases, each made of two criteria: (a) 1 with
2, (b) 4 with 5, (c) 3 with 5 (where the monitored area is publicly accessible, which the
record cannot tell). Where the controller is located in Finland (``loc:FI``), the Data
Protection Ombudsman's list under Art. 35(4) (21 December 2018) adds biometric, genetic or
location data processed with at least one other criterion; its other items (the Art. 14(5)
derogation, whistleblowing systems) have no record fact here.

A recorded DPIA (``dpv:hasImpactAssessment``; records: ``dpia``, any status, ``not-required``
with its reason) silences the finding. Severity warning (docs/rules.md): the law asks for the
assessment, the record is not required to carry it, so its absence is not evidenced rather
than breached; and whether the processing is likely to result in a high risk is the
controller's assessment, so the finding is worded as a prompt, never as a requirement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.check.rules.common import controllers
from checker.vocab.concepts import Kinds
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, LOC, PD

ARTICLE = "GDPR Art. 35(1), Art. 35(3), Art. 35(4); WP248 rev.01 III.B"


@dataclass(frozen=True)
class Criterion:
    """One screening criterion: its WP248 number and name, and the concepts that meet it."""

    number: int
    name: str
    concepts: tuple[URIRef, ...]
    where: str  # "context", "data" or "subjects": which facts of the activity are read


CRITERIA = (
    Criterion(1, "evaluation or scoring", (DPV.EvaluationScoring, DPV.Profiling), "context"),
    Criterion(2, "automated decision-making", (DPV.AutomatedDecisionMaking,), "context"),
    Criterion(3, "systematic monitoring", (DPV.SystematicMonitoring,), "context"),
    Criterion(4, "sensitive data", (PD.Criminal,), "data"),
    Criterion(
        5,
        "large scale",
        (
            DPV.LargeScaleProcessing,
            DPV.LargeScaleOfDataSubjects,
            DPV.HugeScaleOfDataSubjects,
            DPV.LargeDataVolume,
            DPV.HugeDataVolume,
        ),
        "context",
    ),
    Criterion(6, "matching or combining datasets", (DPV.Match, DPV.Combine), "context"),
    Criterion(
        7,
        "vulnerable data subjects",
        (
            DPV.VulnerableHuman,
            DPV.Employee,
            DPV.Patient,
            DPV.AsylumSeeker,
            DPV.ElderlyDataSubject,
        ),
        "subjects",
    ),
    Criterion(8, "innovative use of technology", (DPV.InnovativeUseOfTechnology,), "context"),
)

#: Art. 35(3): the cases the Regulation names, as pairs of WP248 criteria.
ART35_3 = (
    ((1, 2), "of Art. 35(3)(a) (systematic and extensive evaluation with automated decisions)"),
    ((4, 5), "of Art. 35(3)(b) (large-scale processing of special-category or criminal data)"),
    ((3, 5), "of Art. 35(3)(c) (if the monitored area is publicly accessible)"),
)

#: The Finnish Data Protection Ombudsman's Art. 35(4) list: these data with one criterion more.
FI_LIST_DATA = (
    (PD.Biometric, "biometric data"),
    (PD.Genetic, "genetic data"),
    (PD.Location, "location data"),
)

_CONTEXT_PROPERTIES = (DPV.hasPurpose, DPV.hasProcessing, DPV.hasContext)
_SCALE_PROPERTIES = (DPV.hasScale, DPV.hasDataSubjectScale, DPV.hasDataVolume)


def _context(graph: Graph, activity: Node) -> list[Node]:
    """What the activity says it does: purposes, processing, contexts, scales, its own
    types and its systems' types (as nodes: ``is_a`` reads their types itself)."""
    nodes: list[Node] = [activity]
    for prop in (*_CONTEXT_PROPERTIES, *_SCALE_PROPERTIES, DPV.isImplementedUsingTechnology):
        nodes.extend(graph.objects(activity, prop))
    return nodes


def _facts(graph: Graph, activity: Node) -> dict[str, list[Node]]:
    return {
        "context": _context(graph, activity),
        "data": list(graph.objects(activity, DPV.hasPersonalData)),
        "subjects": list(graph.objects(activity, DPV.hasDataSubject)),
    }


def _meeting(known: Kinds, criterion: Criterion, nodes: Iterable[Node]) -> list[Node]:
    found = [n for n in nodes if any(known.is_a(n, c) for c in criterion.concepts)]
    if criterion.number == 4:
        found += [n for n in nodes if n not in found and known.is_special_category(n)]
    return found


def _names(graph: Graph, activity: Node, nodes: Iterable[Node]) -> str:
    """Labels of the facts, the activity itself named as "the activity's own type"."""
    names = sorted(
        {"the activity's own type" if n == activity else label_of(graph, n) for n in nodes}
    )
    return ", ".join(names)


def screen(
    graph: Graph, activity: Node, known: Kinds | None = None
) -> tuple[dict[int, list[Node]], list[str]]:
    """The WP248 criteria ``activity`` meets (number -> the facts meeting it), and the
    Art. 35(3) and Finnish Art. 35(4) cases among them (``known``: the graph's kinds, shared
    between the activities of one check)."""
    known = known or Kinds(graph)
    facts = _facts(graph, activity)
    met = {}
    for criterion in CRITERIA:
        found = _meeting(known, criterion, facts[criterion.where])
        if found:
            met[criterion.number] = found
    cases = [case for pair, case in ART35_3 if all(n in met for n in pair)]
    if _finnish(known, activity):
        for concept, name in FI_LIST_DATA:
            data = [d for d in facts["data"] if known.is_a(d, concept)]
            # one criterion more: met by a fact other than these data themselves
            if data and any(set(nodes) - set(data) for nodes in met.values()):
                names = _names(graph, activity, data)
                cases.append(
                    "on the Finnish Data Protection Ombudsman's Art. 35(4) list "
                    f"({name}: {names}, with a criterion more)"
                )
    return met, cases


def _finnish(known: Kinds, activity: Node) -> bool:
    """The activity's controller is located in Finland (loc:FI or a place within it)."""
    return any(
        place == LOC.FI or known.is_a(place, LOC.FI)
        for controller in controllers(known.graph, activity)
        for place in known.graph.objects(controller, DPV.hasLocation)
    )


def _has_dpia(known: Kinds, activity: Node) -> bool:
    return (activity, DPV.hasImpactAssessment, None) in known.graph or any(
        known.is_a(t, DPV.DPIA) for t in known.graph.objects(activity, RDF.type)
    )


def dpia_screening(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One warning per activity meeting two or more criteria, or an Art. 35(3)/(4) case,
    without a recorded DPIA, naming the criteria and the facts that meet them."""
    findings = []
    known = Kinds(graph)
    for activity in sorted(a for a in index.activities if isinstance(a, URIRef)):
        met, cases = screen(graph, activity, known)
        if (len(met) < 2 and not cases) or _has_dpia(known, activity):
            continue
        criteria = "; ".join(
            f"({c.number}) {c.name}: {_names(graph, activity, met[c.number])}"
            for c in CRITERIA
            if c.number in met
        )
        named = f" It may be a case {'; and '.join(cases)}." if cases else ""
        findings.append(
            finding_for(
                graph,
                index,
                severity=Severity.WARNING,
                rule="DPIA-SCREENING",
                message="Art. 35: a prompt for the DPO. The recorded facts meet "
                f"{len(met)} of the WP248 screening criteria for a data protection impact "
                f"assessment: {criteria}.{named} WP248 says processing meeting two or more "
                "criteria is in most cases likely to result in a high risk, so a DPIA is "
                "expected unless the controller assesses otherwise and records why. Whether "
                "one is legally required depends on facts the record does not settle. The "
                "record shows no DPIA: record it, or the decision that none is required "
                "with the reason (records: dpia with status, reference, date).",
                article=ARTICLE,
                focus=activity,
                path=DPV.hasImpactAssessment,
            )
        )
    return findings
