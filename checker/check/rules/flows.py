"""Rules about paths through the flow graph (see :mod:`checker.graph.flows`).

FLOW-SPECIAL-TO-PROCESSOR (info): special-category data (Art. 9(1)) may reach an external
processor. For the record: the processor contract (Art. 28(3)) and the Art. 9(2) condition
must cover them; the shapes ART28-3-CONTRACT and ART9-2-CONDITION report when they are
missing.

FLOW-THIRD-COUNTRY-CHAIN: personal data reach an entity located outside the EU/EEA through
a processor or its systems (sub-processing, Art. 28(2), 28(4)); Chapter V (Art. 44-46)
needs a transfer mechanism. Locations that are not recorded are TRANSFER-LOCATION-UNKNOWN's
business (a shape), not this rule's: this one fires only on a recorded third country, and
not for an activity that records a transfer mechanism (a transfer legal basis such as
eu-gdpr:A45-3 or A46-2-c, or a data transfer tool such as standard contractual clauses as a
measure), as TRANSFER-THIRD-COUNTRY accepts them.
"""

from __future__ import annotations

import networkx as nx
from rdflib import Graph, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.check.rules.common import has_measure
from checker.vocab.concepts import is_a, is_special_category, outside_eu_eea
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, EU_GDPR, ROPA


def special_to_processor(graph: Graph, index: SourceIndex) -> list[Finding]:
    flows = index.flows
    findings = []
    special_data: dict[str, bool] = {}
    for a, b, attrs in flows.edges(data=True):
        carries = attrs["carries"]
        if flows.nodes[b]["kind"] != "processor":
            continue
        for d in carries.data - special_data.keys():
            special_data[d] = is_special_category(graph, URIRef(d))
        special = sorted(d for d in carries.data if special_data[d])
        if not special:
            continue
        for activity in sorted(carries.activities) or [a]:
            findings.append(
                finding_for(
                    graph,
                    index,
                    severity=Severity.INFO,
                    rule="FLOW-SPECIAL-TO-PROCESSOR",
                    message=f"Special-category data ({', '.join(label_of(graph, URIRef(d)) for d in special)}) "
                    f"may reach the processor {flows.nodes[b]['label']}. Make sure the Art. 28(3) "
                    "contract and an Art. 9(2) condition cover them, or keep them from the processor.",
                    article="GDPR Art. 9(1), Art. 28(3)",
                    focus=URIRef(activity),
                    path=DPV.hasDataProcessor,
                    value=URIRef(b),
                )
            )
    return findings


def has_transfer_mechanism(graph: Graph, activity: URIRef) -> bool:
    """A Chapter V mechanism is recorded for ``activity`` (``rs:HasTransferMechanism``)."""
    bases = graph.objects(activity, DPV.hasLegalBasis)
    if any(is_a(graph, basis, DPV.DataTransferLegalBasis) for basis in bases):
        return True
    return has_measure(graph, activity, EU_GDPR.DataTransferTool)


def third_country_chain(graph: Graph, index: SourceIndex) -> list[Finding]:
    flows = index.flows.copy()
    # A processor's systems are where its processing happens: follow ropa:providedBy back.
    for system in graph.subjects(ROPA.providedBy, None):
        provider = graph.value(system, ROPA.providedBy)
        if str(provider) in flows and isinstance(system, URIRef):
            flows.add_edge(str(provider), str(system), carries=None)
            flows.nodes[str(system)].setdefault("kind", "system")
    findings = []
    for processor in [n for n, k in flows.nodes(data="kind") if k == "processor"]:
        activities = sorted(
            {
                act
                for _, _, c in flows.in_edges(processor, data="carries")
                if c
                for act in c.activities
                if not has_transfer_mechanism(graph, URIRef(act))
            }
        )
        # The processor itself is TRANSFER-THIRD-COUNTRY's (a shape); this rule follows the chain.
        for reached in sorted(nx.descendants(flows, processor)):
            for location in graph.objects(URIRef(reached), DPV.hasLocation):
                if not outside_eu_eea(graph, location):
                    continue
                for activity in activities:
                    findings.append(
                        finding_for(
                            graph,
                            index,
                            severity=Severity.VIOLATION,
                            rule="FLOW-THIRD-COUNTRY-CHAIN",
                            message=f"Personal data reach {label_of(graph, URIRef(reached))} in "
                            f"{label_of(graph, location)}, outside the EU/EEA, through the processor "
                            f"{label_of(graph, URIRef(processor))}. Record the transfer and its "
                            "mechanism (adequacy Art. 45, safeguards Art. 46) or stop the transfer.",
                            article="GDPR Art. 44-46, Art. 28(4), Art. 30(1)(e)",
                            focus=URIRef(activity),
                            path=DPV.hasDataProcessor,
                            value=URIRef(reached),
                        )
                    )
    return findings
