"""RETENTION-UNCOVERED-DATA (warning): data of an activity that none of its retention rules covers.

GDPR Art. 30(1)(f) asks for the time limits for erasure "of the different categories of
data". A retention rule says which data it covers (``ropa:coversData``; records: the
``data`` of a retention entry); a rule that names none covers the whole activity. So an
activity whose rules all name their data, and between them leave some of its categories
out, records no time limit for those: each is one finding, at the activity's
``retention:`` key, naming the category.

Covered: a category a rule names, anything narrower (``skos:broader*``: a rule for
``pd:Contact`` covers ``pd:EmailAddress``), and the members of a data group a rule names.
A data group the activity lists is reported as the group when none of its members is
covered, else member by member. An activity with no retention rule at all is
ART30-1-F-RETENTION's business (a shape), not this rule's.

One finding per category, not per activity, so that a baseline accepts exactly the gaps it
names: a category added later without a time limit is a new finding.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.term import Node

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.vocab.concepts import Kinds
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, ROPA

RULE = "RETENTION-UNCOVERED-DATA"


def uncovered_data(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One warning per category of an activity's data that none of its retention rules covers."""
    findings = []
    known = Kinds(graph)
    for activity in sorted(index.activities, key=str):
        if not isinstance(activity, URIRef):
            continue
        rules = sorted(graph.objects(activity, DPV.hasStorageCondition), key=str)
        named = [set(graph.objects(rule, ROPA.coversData)) for rule in rules]
        if not rules or not all(named):
            continue  # no rule (another rule's gap), or one that covers the whole activity
        covered = set().union(*named)
        rule_names = ", ".join(sorted(label_of(graph, c) for c in covered))  # type: ignore[arg-type]
        for data in uncovered(graph, activity, covered, known):
            findings.append(
                finding_for(
                    graph,
                    index,
                    severity=Severity.WARNING,
                    rule=RULE,
                    message=f"Art. 30(1)(f): no retention rule of the activity covers "
                    f"{label_of(graph, data)}; its rules name the data they cover, and those "
                    f"are {rule_names}. Give the time limit for erasure of this category too "
                    "(records: add it to the data of a retention entry of the activity, or "
                    "give the activity a rule without data, which covers all of it).",
                    article="GDPR Art. 30(1)(f), Art. 5(1)(e)",
                    focus=activity,
                    path=DPV.hasStorageCondition,
                    value=data,
                )
            )
    return findings


def uncovered(
    graph: Graph, activity: URIRef, covered: set[Node], known: Kinds | None = None
) -> list[URIRef]:
    """The data of ``activity`` (its groups, as a whole or member by member, and its other
    categories) that nothing in ``covered`` covers, in IRI order (``known``: the graph's
    kinds, shared between the activities of one check)."""
    known = known or Kinds(graph)
    members = {m for c in covered for m in graph.objects(c, ROPA.includes)}

    def is_covered(data: Node) -> bool:
        return data in members or not covered.isdisjoint(known.of(data))

    found: set[Node] = set()
    grouped: set[Node] = set()
    for group in graph.objects(activity, ROPA.hasDataGroup):
        inside = set(graph.objects(group, ROPA.includes))
        grouped |= inside
        if is_covered(group):
            continue
        left = {m for m in inside if not is_covered(m)}
        found |= {group} if left == inside else left
    for data in set(graph.objects(activity, DPV.hasPersonalData)) - grouped:
        if not is_covered(data):
            found.add(data)
    return sorted((d for d in found if isinstance(d, URIRef)), key=str)
