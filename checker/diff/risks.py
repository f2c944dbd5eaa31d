"""Changes that raise the risk to the data subjects: new processors, new countries, special
categories, flows leaving the controller, retention lengthened or removed, a legal basis or a
transfer safeguard removed, a DPIA withdrawn, a review cycle dropped or lengthened."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from rdflib import Graph, URIRef
from rdflib.term import Node

from checker.diff.model import LONGER, Change, Risk
from checker.diff.read import describe_flow, flows_of, label_in, values
from checker.graph.flows import node_kind
from checker.graph.retention import read_retention
from checker.vocab import durations
from checker.vocab.concepts import is_a, is_special_category, outside_eu_eea
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DCTERMS, DPV, EU_GDPR, ORG, RDF, ROPA

Triple = tuple[Node, Node, Node]


# --- Risks ------------------------------------------------------------------------------


def _controllers(graph: Graph) -> set[Node]:
    return set(graph.objects(None, DPV.hasDataController)) | set(
        graph.subjects(RDF.type, DPV.DataController)
    )


def is_internal(graph: Graph, node: Node) -> bool:
    """True for the controller and its organisational units (following ``org:subOrganizationOf``).

    A unit without a parent is the controller's: the records format makes every unit a unit
    of the controller. Anything else (a processor, a recipient, another authority, a
    system, a data subject) is outside.
    """
    controllers = _controllers(graph)
    seen: set[Node] = set()
    while node is not None and node not in seen:
        seen.add(node)
        if node in controllers:
            return True
        if DPV.OrganisationalUnit not in set(graph.objects(node, RDF.type)):
            return False
        parent = graph.value(node, ORG.subOrganizationOf)
        if parent is None:
            return True
        node = parent
    return True


def _special_data(graph: Graph | None, activity: Node) -> set[Node]:
    if graph is None:
        return set()
    return {
        d
        for d in graph.objects(activity, DPV.hasPersonalData)
        if isinstance(d, URIRef) and is_special_category(graph, d)
    }


def _locations(graph: Graph | None, activity: Node) -> dict[Node, set[Node]]:
    """Countries and regions the activity's data reach, each with the entities there."""
    if graph is None:
        return {}
    entities = {activity}
    for prop in (DPV.hasDataProcessor, DPV.hasRecipient, DPV.isImplementedUsingTechnology):
        entities |= set(graph.objects(activity, prop))
    entities |= {p for s in list(entities) for p in graph.objects(s, ROPA.providedBy)}
    entities |= {r for f in flows_of(graph, activity) for r in graph.objects(f, ROPA.receiver)}
    found: dict[Node, set[Node]] = defaultdict(set)
    for entity in entities:
        for location in graph.objects(entity, DPV.hasLocation):
            found[location].add(entity)
    return found


def _is_new_flow_out(old: Graph | None, new: Graph, flow: Node) -> bool:
    receiver = new.value(flow, ROPA.receiver)
    if receiver is None or is_internal(new, receiver):
        return False
    return old is None or old.value(flow, ROPA.receiver) != receiver


def flow_out_risks(
    old: Graph | None, new: Graph, flows: Iterable[Node], activity: Node | None, label: str
) -> list[Risk]:

    risks = []
    for flow in flows:
        if not _is_new_flow_out(old, new, flow):
            continue
        receiver = new.value(flow, ROPA.receiver)
        risks.append(
            Risk(
                "flow-out",
                str(activity) if activity is not None else "",
                label,
                str(flow),
                label_in([new], flow),
                f"{describe_flow(new, flow)}: the receiver, {label_of(new, receiver)} "  # type: ignore[arg-type]
                f"({node_kind(new, receiver)}), is not a unit of the controller.",  # type: ignore[arg-type]
            )
        )
    return risks


def activity_risks(
    old: Graph | None, new: Graph, activity: Node, changes: Sequence[Change]
) -> list[Risk]:
    iri, label = str(activity), label_of(new, activity)  # type: ignore[arg-type]
    risks = []
    for data in sorted(_special_data(new, activity) - _special_data(old, activity), key=str):
        risks.append(
            Risk(
                "special-category",
                iri,
                label,
                str(data),
                label_of(new, data),  # type: ignore[arg-type]
                "The activity now processes special-category data: it needs an Art. 9(2) "
                "condition besides its Art. 6 basis, and the processors must be bound to it.",
            )
        )
    before = values(old, activity, DPV.hasDataProcessor)
    for processor in sorted(values(new, activity, DPV.hasDataProcessor) - before, key=str):
        if is_internal(new, processor):
            continue
        where = sorted(label_of(new, x) for x in new.objects(processor, DPV.hasLocation))
        risks.append(
            Risk(
                "external-processor",
                iri,
                label,
                str(processor),
                label_of(new, processor),  # type: ignore[arg-type]
                "A new party processes the data on the controller's behalf"
                + (f" (in {', '.join(where)})" if where else " (no location recorded)")
                + ": it needs an Art. 28(3) contract.",
            )
        )
    old_locations, new_locations = _locations(old, activity), _locations(new, activity)
    for location in sorted(set(new_locations) - set(old_locations), key=str):
        who = ", ".join(sorted(label_of(new, e) for e in new_locations[location]))
        outside = outside_eu_eea(new, location)
        risks.append(
            Risk(
                "new-country",
                iri,
                label,
                str(location),
                label_of(new, location),  # type: ignore[arg-type]
                f"Data now reach {label_of(new, location)} ({who})"  # type: ignore[arg-type]
                + (
                    ", outside the EU/EEA: a transfer needs a Chapter V mechanism."
                    if outside
                    else "."
                ),
            )
        )
    risks += flow_out_risks(old, new, flows_of(new, activity), activity, label)
    risks += retention_risks(new, activity, changes)
    risks += removal_risks(old, new, activity)
    risks += accountability_risks(old, new, activity)
    return risks


def retention_risks(new: Graph, activity: Node, changes: Sequence[Change]) -> list[Risk]:
    """Retention made longer (or indefinite), removed, or made unspecified (Art. 5(1)(e)).

    A rule removed, or replaced by one that gives no period, leaves the data without a
    recorded time limit for erasure (Art. 30(1)(f)): the records no longer say when they go.
    """
    iri, label = str(activity), label_of(new, activity)  # type: ignore[arg-type]
    remaining = values(new, activity, DPV.hasStorageCondition)
    risks = []
    for change in changes:
        if change.aspect != "retention":
            continue
        what = change.label if change.label not in ("", "[]") else None
        # read_retention words an indefinite rule "indefinitely", whatever its node.
        if change.action in LONGER or (change.action, change.new) == ("added", "indefinitely"):
            detail = f"The data are kept longer: {change.old or 'no rule'} → {change.new}."
            risks.append(
                Risk(
                    "longer-retention",
                    iri,
                    label,
                    change.value or "",
                    what or f"kept {change.new}",
                    detail,
                )
            )
        elif change.action == "removed" or _period_dropped(new, change):
            left = _retention_left(new, remaining)
            detail = (
                f"The activity no longer records its retention rule ({change.old}); {left}."
                if change.action == "removed"
                else f"The retention period is no longer given: {change.old} → {change.new}; "
                f"{left}."
            )
            risks.append(
                Risk(
                    "retention-removed",
                    iri,
                    label,
                    change.value or "",
                    what or f"kept {change.old}",
                    detail,
                )
            )
    return risks


def _retention_left(new: Graph, remaining: set[Node]) -> str:
    """What the activity's remaining retention rules still say, for a risk's detail."""
    if not remaining:
        return (
            "no retention rule is left, so nothing records when the data are erased (Art. 30(1)(f))"
        )
    if all(read_retention(new, r).kind in ("unspecified", "unknown") for r in remaining):
        return "no rule left gives a period, so nothing records when the data are erased (Art. 30(1)(f))"
    return "check that the rules left still cover every category of its data"


def _period_dropped(new: Graph, change: Change) -> bool:
    """A rule changed into one that gives no period ("a pre-determined time")."""
    if change.action != "changed" or change.value is None:
        return False
    now = read_retention(new, URIRef(change.value))
    return now.kind == "unspecified" and change.old != now.words


def removal_risks(old: Graph | None, new: Graph, activity: Node) -> list[Risk]:
    """A legal basis (Art. 6) or a transfer safeguard (Chapter V) the activity no longer records.

    A removed basis that is a transfer mechanism (adequacy, Art. 46 safeguards, Art. 49
    derogations: ``dpv:DataTransferLegalBasis``), and a removed measure that is a data
    transfer tool (standard contractual clauses, binding corporate rules:
    ``eu-gdpr:DataTransferTool``), are safeguards removed; any other removed basis is a
    legal basis removed. Whether the activity still needs them, the findings say.
    """
    if old is None:
        return []
    iri, label = str(activity), label_of(new, activity)  # type: ignore[arg-type]
    bases_left = values(new, activity, DPV.hasLegalBasis)
    risks = []
    for basis in sorted(values(old, activity, DPV.hasLegalBasis) - bases_left, key=str):
        name = label_of(old, basis)  # type: ignore[arg-type]
        if is_a(old, basis, DPV.DataTransferLegalBasis):
            risks.append(_safeguard_removed(iri, label, basis, name, "transfer mechanism"))
            continue
        left = ", ".join(sorted(label_of(new, b) for b in bases_left))  # type: ignore[arg-type]
        risks.append(
            Risk(
                "legal-basis-removed",
                iri,
                label,
                str(basis),
                name,
                f"The activity no longer rests on {name}"
                + (
                    f"; it now rests on {left}: check that this basis covers the processing "
                    "and that the notice and the data subjects' rights follow it (Art. 13(1)(c))."
                    if left
                    else "; no legal basis is left (Art. 6(1))."
                ),
            )
        )
    measures = DPV.hasTechnicalOrganisationalMeasure
    for measure in sorted(
        values(old, activity, measures) - values(new, activity, measures), key=str
    ):
        if is_a(old, measure, EU_GDPR.DataTransferTool):
            name = label_of(old, measure)  # type: ignore[arg-type]
            risks.append(_safeguard_removed(iri, label, measure, name, "data transfer tool"))
    return risks


def _safeguard_removed(iri: str, label: str, value: Node, name: str, kind: str) -> Risk:
    return Risk(
        "safeguard-removed",
        iri,
        label,
        str(value),
        name,
        f"The activity no longer records the {kind} {name}: a transfer outside the EU/EEA "
        "needs one (Art. 44-46, Art. 49); check that no data leave the EU/EEA, or record "
        "the mechanism that replaces it.",
    )


def _dpias(graph: Graph, activity: Node) -> set[Node]:
    """The activity's DPIAs, but those recorded as not required (``eu-gdpr:DPIANotRequired``)."""
    return {
        d
        for d in graph.objects(activity, DPV.hasImpactAssessment)
        if (d, DPV.hasStatus, EU_GDPR.DPIANotRequired) not in graph
    }


def _review(graph: Graph, activity: Node) -> tuple[str | None, str | None]:
    """The activity's last review date and interval, its own or else its register's."""
    nodes = (activity, *graph.subjects(DCTERMS.hasPart, activity))
    found = []
    for prop in (ROPA.lastReviewed, ROPA.reviewInterval):
        value = next((v for n in nodes for v in graph.objects(n, prop)), None)
        found.append(None if value is None else str(value))
    return found[0], found[1]


def accountability_risks(old: Graph | None, new: Graph, activity: Node) -> list[Risk]:
    """A DPIA withdrawn (removed, or now recorded as not required: Art. 35), and a review
    cycle dropped (no date or no interval left) or lengthened from the same last review
    (Art. 5(2), 24(1)). Compared as recorded, never against today's date: the diff of two
    versions is the same whenever it runs."""
    if old is None:
        return []
    iri, label = str(activity), label_of(new, activity)  # type: ignore[arg-type]
    risks = []
    if _dpias(old, activity) and not _dpias(new, activity):
        now = (
            "now recorded as not required"
            if (activity, DPV.hasImpactAssessment, None) in new
            else "no longer recorded"
        )
        risks.append(
            Risk(
                "dpia-withdrawn",
                iri,
                label,
                str(min(_dpias(old, activity), key=str)),
                "DPIA",
                f"The activity's data protection impact assessment is {now}: check that the "
                "processing is not likely to result in a high risk (Art. 35(1)), and record why "
                "(ropa check: DPIA-SCREENING).",
            )
        )
    (old_date, old_every), (new_date, new_every) = _review(old, activity), _review(new, activity)
    if old_date and old_every:
        if not (new_date and new_every):
            detail = "The record's review cycle is no longer recorded"
        elif new_date == old_date and (durations.compare(new_every, old_every) or 0) > 0:
            detail = (
                f"The review interval is longer ({old_every} → {new_every}) without a new review"
            )
        else:
            detail = ""
        if detail:
            risks.append(
                Risk(
                    "review-lapsed",
                    iri,
                    label,
                    iri,
                    "review cycle",
                    f"{detail}: nothing shows when the record is next checked against the "
                    "processing (Art. 5(2), 24(1)).",
                )
            )
    return risks
