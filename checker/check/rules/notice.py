"""The privacy notice's own gaps as findings: what ``ropa notice`` cannot write from the
records, reported by ``ropa check`` too, so the two commands agree on every gap.

The shapes cover most items of GDPR Art. 13/14 (purposes, data, retention, sources, DPO,
...). These four rest on the notice's reading of the graph, so they ask the notice itself
(:func:`checker.notice.compose.notice_gaps`) rather than repeat it in SHACL:

- NOTICE-COMPLAINT: no supervisory authority can be named (Art. 13(2)(d), 14(2)(e));
- NOTICE-RIGHTS: a legal basis from which no data-subject rights follow (13(2)(b), 14(2)(c));
- NOTICE-REQUIREMENT: data collected from the data subject without the Art. 13(2)(e)
  statement (statutory or contractual requirement, and the consequences);
- NOTICE-RETENTION-CRITERION: a retention rule that states neither a period nor a
  criterion the notice can read (13(2)(a), 14(2)(a)); a rule that says it has an unstated
  period is RETENTION-UNSPECIFIED's.

No message assumes a country: the authority follows from the records.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.term import Node

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.notice.compose import notice_gaps
from checker.vocab.concepts import is_a
from checker.vocab.namespaces import DPV

#: Gap key -> (rule, severity, article, message).
RULES: dict[str, tuple[str, Severity, str, str]] = {
    "authority": (
        "NOTICE-COMPLAINT",
        Severity.WARNING,
        "GDPR Art. 13(2)(d), Art. 14(2)(e), Art. 77",
        "Art. 13(2)(d), 14(2)(e): the notice cannot name the supervisory authority to "
        "complain to. The records name none, the controller has no location in an EU/EEA "
        "country, and no legal obligation or public task of the controller rests on a "
        "Member State's law. Record the controller's location (records: location on the "
        "controller, e.g. loc:IE) or the authority itself (records: supervisory_authority on "
        "the register; DPV: dpv:hasAuthority).",
    ),
    "rights": (
        "NOTICE-RIGHTS",
        Severity.WARNING,
        "GDPR Art. 13(2)(b), Art. 14(2)(c)",
        "Art. 13(2)(b), 14(2)(c): no data-subject rights follow from this legal basis: it is "
        "none of GDPR Art. 6(1)(a)-(f) (nor narrower than one), and DPV gives it no rights "
        "(dpv:hasRight). Record the Art. 6(1) basis it rests on (skos:broader eu-gdpr:A6-1-c, "
        "...) so the notice can tell data subjects their rights.",
    ),
    "requirement": (
        "NOTICE-REQUIREMENT",
        Severity.WARNING,
        "GDPR Art. 13(2)(e)",
        "Art. 13(2)(e): the activity collects personal data from the data subjects but does "
        "not say whether providing them is a statutory or contractual requirement, or a "
        "requirement to enter into a contract, whether they are obliged to provide them, and "
        "what follows if they do not. Record it (records: provision with requirement "
        "statutory, contractual, contract-entry or voluntary, and consequences; DPV: "
        "dpv:hasNecessity).",
    ),
    "retention_period": (
        "NOTICE-RETENTION-CRITERION",
        Severity.WARNING,
        "GDPR Art. 13(2)(a), Art. 14(2)(a), Art. 30(1)(f)",
        "Art. 13(2)(a), 14(2)(a): the retention rule states neither a period nor a criterion "
        "the notice can give: no duration value, no event, no other known kind of duration "
        'and no name saying how long. State the period (rdf:value "P2Y"^^xsd:duration) or '
        "the criterion (a dpv:UntilEventDuration named after the event; records: the "
        "retention entry's rule).",
    ),
}


def notice_rules(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One finding per node the notice reports a gap about, for the keys of :data:`RULES`."""
    findings = []
    for key, nodes in notice_gaps(graph).items():
        if key not in RULES:
            continue
        rule, severity, article, message = RULES[key]
        for node in nodes:
            if key == "retention_period" and _unspecified(graph, node):
                continue  # RETENTION-UNSPECIFIED reports it
            if not isinstance(node, URIRef):
                continue
            findings.append(
                finding_for(
                    graph,
                    index,
                    severity=severity,
                    rule=rule,
                    message=message,
                    article=article,
                    focus=node,
                )
            )
    return findings


def _unspecified(graph: Graph, node: Node) -> bool:
    """A rule (or the activity holding one) whose duration is dpv:IndeterminateDuration."""
    rules = [node, *graph.objects(node, DPV.hasStorageCondition)]
    return any(
        is_a(graph, d, DPV.IndeterminateDuration)
        for rule in rules
        for d in graph.objects(rule, DPV.hasDuration)
    )
