"""Compare two versions of a ROPA: what a change means for data protection.

:func:`diff_graphs` takes two built graphs (see :func:`checker.graph.build.build`) and returns a
:class:`checker.diff.model.Diff` value; :func:`checker.diff.render.render` writes it as text, JSON or a pull-request comment in
Markdown. Graphs are compared, not text, so reordering or reformatting the records is no
change. Left out of the comparison, because the build derives them:

- where an entry was written (``ropa:recordFile``, ``ropa:recordLine``) and where a quote
  stands in the register description (``ropa:documentLine``, ``ropa:item``, ``oa:start``,
  ``oa:end``): re-wrapping a file moves them without changing a fact;
- labels the build makes up (of flows and retention rules without a name of their own, of
  duration nodes, passages, selectors and sections), the register's list of its activities,
  and the vocabulary's own descriptions of the terms used.

Per processing activity (``dpv:Process``, matched by IRI) the diff reports what was added,
removed, renamed or changed; retention periods are compared as ``xsd:duration`` values
(:func:`checker.vocab.durations.compare`). Changes that raise the risk to the data subjects come first
(:data:`RISK_TITLES`). The findings of :func:`checker.check.run.check` on both versions are
compared by :attr:`checker.check.findings.Finding.fingerprint`: introduced and resolved.

Not judged here: whether a change is lawful. A new processor is called out as a risk
whether or not its contract is recorded; the findings say whether the records are complete.

>>> from checker.graph.build import build
>>> graph = build()
>>> diff_graphs(graph, graph, old_findings=[], new_findings=[]).equivalent
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from checker.check.findings import Finding, sort_findings
from checker.check.run import check
from checker.diff.model import (
    ASPECTS,
    COVERED,
    DERIVED_LABEL_TYPES,
    IGNORED_PREDICATES,
    SET_ASPECTS,
    ActivityDiff,
    Change,
    Detail,
    Diff,
    EntryChange,
    Risk,
)
from checker.diff.read import (
    all_labels,
    describe_flow,
    flows_of,
    iri,
    label_in,
    label_words,
    property_label,
    values,
)
from checker.diff.risks import activity_risks, flow_out_risks
from checker.graph.blank_nodes import canonical_triples
from checker.graph.retention import Retention, read_retention
from checker.graph.vocabulary import vocabulary
from checker.vocab import durations
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DCTERMS, DPV, OA, RDF, RDFS, ROPA

Triple = tuple[Node, Node, Node]


# --- Retention ----------------------------------------------------------------------------


def _upper_bound(retention: Retention) -> tuple[int, Decimal] | None:
    parsed = durations.parse(retention.duration or "")
    if parsed is None:
        return None
    if retention.kind == "calendar":  # until the end of the current year, plus the period
        return parsed[0] + 12, parsed[1]
    return parsed


def compare_retention(old: Retention, new: Retention) -> str:
    """How a retention rule changed: ``same``, ``longer``, ``shorter``, ``indefinite``
    (it became indefinite) or ``changed`` (different, but not comparable in length).

    Lengths compare by the longest the data may be kept: a calendar rule "the current year
    plus P6Y" keeps up to P7Y. Periods counted from different events are not comparable.
    """
    if old == new:
        return "same"
    if new.kind == "indefinite":
        return "indefinite" if old.kind != "indefinite" else "changed"
    if old.kind == "indefinite":
        return "shorter"
    if old.kind == "not-stored" and new.kind != "not-stored":
        return "longer"
    if new.kind == "not-stored":
        return "shorter"
    old_bound, new_bound = _upper_bound(old), _upper_bound(new)
    if old_bound is None or new_bound is None or old.anchor != new.anchor:
        return "changed"
    order = durations.compare_parsed(new_bound, old_bound)
    return {1: "longer", -1: "shorter"}.get(order, "changed") if order is not None else "changed"


# --- Normalising a graph -------------------------------------------------------------------


def _derived_label_subjects(graph: Graph) -> set[Node]:
    """Subjects whose rdfs:label the build made up from other statements."""
    derived: set[Node] = set(graph.objects(None, DPV.hasDuration))
    for kind in DERIVED_LABEL_TYPES:
        derived.update(graph.subjects(RDF.type, kind))
    for flow in graph.subjects(RDF.type, ROPA.DataFlow):
        made_up = (
            f"{label_of(graph, graph.value(flow, ROPA.sender))} to "
            f"{label_of(graph, graph.value(flow, ROPA.receiver))}"
        )
        if all(str(label) == made_up for label in graph.objects(flow, RDFS.label)):
            derived.add(flow)
    for rule in graph.subjects(RDF.type, ROPA.RetentionRule):
        node = graph.value(rule, DPV.hasDuration)
        made_up = f"Retention: {label_of(graph, node)}"
        if node is not None and all(str(x) == made_up for x in graph.objects(rule, RDFS.label)):
            derived.add(rule)
    return derived


def normalise(graph: Graph) -> set[Triple]:
    """The statements of a graph that carry meaning (see the module docstring).

    Blank nodes are canonicalised (RDFC), so equal structures compare equal.
    """

    vocab = vocabulary()
    derived = _derived_label_subjects(graph)
    activities = set(graph.subjects(RDF.type, DPV.Process))
    registers = set(graph.subjects(RDF.type, DPV.ROPA))
    described: dict[Node, set[tuple[Node, Node]]] = {}
    triples: set[Triple] = set()
    for s, p, o in graph:
        if p in IGNORED_PREDICATES or (p == RDFS.label and s in derived):
            continue
        if p == DCTERMS.hasPart and s in registers and o in activities:
            continue
        if isinstance(s, URIRef) and str(s) in vocab.terms:
            if s not in described:
                described[s] = set(vocab.describe(s))
            if (p, o) in described[s]:
                continue
        triples.add((s, p, o))
    if any(isinstance(t, BNode) for triple in triples for t in triple):
        triples = canonical_triples(triples)
    return triples


# --- Reading an activity --------------------------------------------------------------------


def _name_changes(old: Graph | None, new: Graph, activity: Node) -> list[Change]:
    if old is None or all_labels(old, activity) == all_labels(new, activity):
        return []
    before, after = label_of(old, activity), label_of(new, activity)  # type: ignore[arg-type]
    if before == after:
        before, after = label_words(old, activity), label_words(new, activity)
    return [Change("name", "renamed", iri(activity), after, before, after, str(RDFS.label))]


def _description_changes(old: Graph | None, new: Graph, activity: Node) -> list[Change]:
    before = sorted(str(d) for d in values(old, activity, DCTERMS.description))
    after = sorted(str(d) for d in values(new, activity, DCTERMS.description))
    if before == after or old is None:
        return []
    return [
        Change(
            "description",
            "changed",
            old="\n".join(before) or None,
            new="\n".join(after) or None,
            property=str(DCTERMS.description),
        )
    ]


def _set_changes(
    old: Graph | None, new: Graph, activity: Node, aspect: str, graphs: Sequence[Graph | None]
) -> list[Change]:
    prop = ASPECTS[aspect][0]
    before, after = values(old, activity, prop), values(new, activity, prop)
    changes = [
        Change(aspect, "added", iri(v), label_in(graphs, v), property=str(prop))
        for v in after - before
    ]
    changes += [
        Change(aspect, "removed", iri(v), label_in(graphs[::-1], v), property=str(prop))
        for v in before - after
    ]
    return changes


def _retention_changes(old: Graph | None, new: Graph, activity: Node) -> list[Change]:
    prop = str(DPV.hasStorageCondition)
    before = values(old, activity, DPV.hasStorageCondition)
    after = values(new, activity, DPV.hasStorageCondition)
    pairs = [(r, r) for r in before & after]
    gone, came = before - after, after - before
    if len(gone) == 1 and len(came) == 1:  # one rule replaced by another: compare them
        pairs.append((next(iter(gone)), next(iter(came))))
        gone, came = set(), set()
    changes = []
    for old_rule, new_rule in pairs:
        assert old is not None
        was, now = read_retention(old, old_rule), read_retention(new, new_rule)
        verdict = compare_retention(was, now)
        if verdict != "same":
            label = label_in([new], new_rule)
            changes.append(
                Change("retention", verdict, iri(new_rule), label, was.words, now.words, prop)
            )
    for rule in came:
        now = read_retention(new, rule)
        changes.append(
            Change("retention", "added", iri(rule), label_in([new], rule), None, now.words, prop)
        )
    for rule in gone:
        assert old is not None
        was = read_retention(old, rule)
        changes.append(
            Change("retention", "removed", iri(rule), label_in([old], rule), was.words, None, prop)
        )
    return changes


def _flow_changes(
    old: Graph | None,
    new: Graph,
    activity: Node | None,
    changed_subjects: set[Node],
) -> list[Change]:
    prop = str(ROPA.partOfActivity)
    before, after = flows_of(old, activity), flows_of(new, activity)
    changes = [
        Change("flows", "added", iri(f), label_in([new], f), None, describe_flow(new, f), prop)
        for f in after - before
    ]
    if old is not None:
        changes += [
            Change(
                "flows", "removed", iri(f), label_in([old], f), describe_flow(old, f), None, prop
            )
            for f in before - after
        ]
        for flow in before & after:
            # Only what the words show; other statements of the flow are an entry change.
            if flow in changed_subjects and describe_flow(old, flow) != describe_flow(new, flow):
                changes.append(
                    Change(
                        "flows",
                        "changed",
                        iri(flow),
                        label_in([new], flow),
                        describe_flow(old, flow),
                        describe_flow(new, flow),
                        prop,
                    )
                )
    return changes


def _other_changes(
    activity: Node,
    only_old: dict[Node, set[Triple]],
    only_new: dict[Node, set[Triple]],
    graphs: Sequence[Graph | None],
    added: bool,
) -> list[Change]:
    """Statements about the activity that no aspect covers (types, provenance, DPV extras)."""
    changes = []
    for action, triples in (
        ("added", only_new.get(activity, set())),
        ("removed", only_old.get(activity, set())),
    ):
        for _, p, o in triples:
            if p in COVERED or p == DCTERMS.description:
                continue
            if added and (p, o) == (RDF.type, DPV.Process):
                continue
            label = f"{property_label(graphs, p)}: {label_in(graphs, o)}"
            changes.append(Change("other", action, iri(o), label, property=str(p)))
    return changes


def _activity_changes(
    old: Graph | None,
    new: Graph,
    activity: Node,
    only_old: dict[Node, set[Triple]],
    only_new: dict[Node, set[Triple]],
) -> list[Change]:
    graphs = (new, old)
    changes = _name_changes(old, new, activity) + _description_changes(old, new, activity)
    if old is None and (activity, DCTERMS.description, None) in new:
        changes.append(
            Change(
                "description",
                "added",
                new="\n".join(sorted(str(d) for d in new.objects(activity, DCTERMS.description))),
                property=str(DCTERMS.description),
            )
        )
    for aspect in SET_ASPECTS:
        if old is None and aspect == "derived_from":  # an added activity: its facts suffice
            continue
        changes += _set_changes(old, new, activity, aspect, graphs)
    changes += _retention_changes(old, new, activity)
    changed_subjects = set(only_old) | set(only_new)
    changes += _flow_changes(old, new, activity, changed_subjects)
    changes += _other_changes(activity, only_old, only_new, graphs, added=old is None)
    return sorted(set(changes), key=Change.sort_key)


# --- Entries that are not activities ---------------------------------------------------------

_PART_OF = (DPV.hasDuration, DPV.hasContact, OA.hasSelector)

_KIND_TYPES = (
    ROPA.Passage,
    DPV.OrganisationalUnit,
    DPV.DataController,
    DPV.DataProcessor,
    DPV.Recipient,
    DPV.Organisation,
    ROPA.InformationSystem,
    DPV.Law,
    DPV.DataSubject,
    ROPA.DataGroup,
    DPV.PersonalData,
    DPV.Purpose,
    ROPA.Event,
    ROPA.RetentionRule,
    DPV.TechnicalOrganisationalMeasure,
    DPV.ROPA,
    ROPA.RegisterDescription,
    ROPA.Section,
)


def _parents(triples: Iterable[Triple]) -> dict[Node, Node]:
    """For each node that is part of an entry, the node it belongs to: a duration node, a
    contact or a selector belongs to the entry that points at it, a blank node to the
    first node above it."""
    parents: dict[Node, Node] = {}
    for s, p, o in sorted(triples, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if (p in _PART_OF or isinstance(o, BNode)) and o not in parents and o != s:
            parents[o] = s
    return parents


def _owner(parents: dict[Node, Node], node: Node) -> Node:
    """The entry a node belongs to (see :func:`_parents`)."""
    seen = {node}
    while node in parents and parents[node] not in seen:
        node = parents[node]
        seen.add(node)
    return node


def _kind(graphs: Sequence[Graph], node: Node) -> str:
    for graph in graphs:
        types = set(graph.objects(node, RDF.type))
        for kind in _KIND_TYPES:
            if kind in types:
                return label_of(graph, kind)
        if types:
            return label_of(graph, sorted(types, key=str)[0])  # type: ignore[arg-type]
    return ""


def _entry_changes(
    old: Graph,
    new: Graph,
    only_old: dict[Node, set[Triple]],
    only_new: dict[Node, set[Triple]],
    skip: set[Node],
    old_subjects: set[Node],
    new_subjects: set[Node],
    parents: dict[Node, Node],
) -> list[EntryChange]:
    by_owner: dict[Node, dict[str, set[Triple]]] = defaultdict(lambda: defaultdict(set))
    for side, grouped in (("old", only_old), ("new", only_new)):
        for subject, triples in grouped.items():
            owner = _owner(parents, subject)
            if owner not in skip:
                by_owner[owner][side] |= triples
    entries = []
    for owner, sides in by_owner.items():
        graphs = (new, old) if owner in new_subjects else (old, new)
        label, kind = label_in(graphs, owner), _kind(graphs, owner)
        if owner not in old_subjects:
            entries.append(EntryChange(str(owner), label, kind, "added"))
            continue
        if owner not in new_subjects:
            entries.append(EntryChange(str(owner), label, kind, "removed"))
            continue
        props: dict[Node, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
        for side, index in (("new", 0), ("old", 1)):
            for _, p, o in sides.get(side, set()):
                props[p][index].add(label_in((new, old) if side == "new" else (old, new), o))
        details = tuple(
            Detail(
                str(p), property_label((new, old), p), tuple(sorted(added)), tuple(sorted(removed))
            )
            for p, (added, removed) in sorted(
                props.items(), key=lambda kv: (property_label((new, old), kv[0]), str(kv[0]))
            )
        )
        entries.append(EntryChange(str(owner), label, kind, "changed", details))
    return sorted(entries, key=lambda e: (e.status != "changed", e.kind, e.label, e.iri))


# --- The diff ----------------------------------------------------------------------------


def _group(triples: Iterable[Triple]) -> dict[Node, set[Triple]]:
    grouped: dict[Node, set[Triple]] = defaultdict(set)
    for triple in triples:
        grouped[triple[0]].add(triple)
    return grouped


def compare_findings(
    old: Sequence[Finding], new: Sequence[Finding]
) -> tuple[list[Finding], list[Finding]]:
    """Findings (introduced, resolved) between two versions, matched by fingerprint."""
    old_prints = {f.fingerprint for f in old}
    new_prints = {f.fingerprint for f in new}
    introduced = sort_findings([f for f in new if f.fingerprint not in old_prints])
    resolved = sort_findings([f for f in old if f.fingerprint not in new_prints])
    return introduced, resolved


def _activity_diffs(
    old: Graph,
    new: Graph,
    old_acts: set[URIRef],
    new_acts: set[URIRef],
    only_old: dict[Node, set[Triple]],
    only_new: dict[Node, set[Triple]],
) -> tuple[list[ActivityDiff], list[Risk]]:
    """The activities added, removed or changed, and the risks their changes raise."""
    activities: list[ActivityDiff] = []
    risks: list[Risk] = []
    for activity in new_acts:
        before = old if activity in old_acts else None
        changes = _activity_changes(before, new, activity, only_old, only_new)
        risks += activity_risks(before, new, activity, changes)
        if before is not None and not changes:
            continue
        renamed = next((c for c in changes if c.aspect == "name"), None)
        activities.append(
            ActivityDiff(
                str(activity),
                label_of(new, activity),
                "added" if before is None else "changed",
                tuple(changes),
                renamed.old if renamed else None,
            )
        )
    for activity in old_acts - new_acts:
        activities.append(ActivityDiff(str(activity), label_of(old, activity), "removed"))
    return activities, risks


def diff_graphs(
    old: Graph,
    new: Graph,
    *,
    old_name: str = "old",
    new_name: str = "new",
    old_findings: Sequence[Finding] | None = None,
    new_findings: Sequence[Finding] | None = None,
) -> Diff:
    """Compare two built graphs of a ROPA.

    Args:
        old: the graph of the old version (see :func:`checker.graph.build.build`).
        new: the graph of the new version.
        old_name: how the report names the old version (a path or a git revision).
        new_name: how the report names the new version.
        old_findings: the findings of the old version; None: run :func:`checker.check.run.check`.
        new_findings: the findings of the new version; None: run the check.

    Returns:
        The :class:`Diff`, every part sorted.
    """
    old_set, new_set = normalise(old), normalise(new)
    only_old, only_new = _group(old_set - new_set), _group(new_set - old_set)
    old_subjects = {s for s, _, _ in old_set}
    new_subjects = {s for s, _, _ in new_set}

    old_acts = {a for a in old.subjects(RDF.type, DPV.Process) if isinstance(a, URIRef)}
    new_acts = {a for a in new.subjects(RDF.type, DPV.Process) if isinstance(a, URIRef)}
    activities, risks = _activity_diffs(old, new, old_acts, new_acts, only_old, only_new)

    changed = set(only_old) | set(only_new)
    flows = sorted(set(_flow_changes(old, new, None, changed)), key=Change.sort_key)
    risks += flow_out_risks(old, new, flows_of(new, None) - flows_of(old, None), None, "")
    # Flows the activities (or the unattached list) report are not entries of their own.
    reported = {c.value for a in activities for c in a.changes if c.aspect == "flows"}
    reported |= {c.value for c in flows}
    reported_flows = {f for f in set(only_old) | set(only_new) if str(f) in reported}
    entries = _entry_changes(
        old,
        new,
        only_old,
        only_new,
        old_acts | new_acts | reported_flows,
        old_subjects,
        new_subjects,
        _parents(old_set | new_set),
    )

    if not (activities or flows or entries) and (old_findings is None or new_findings is None):
        old_findings = new_findings = []  # the same statements give the same findings
    if old_findings is None or new_findings is None:
        old_findings = check(old).findings if old_findings is None else old_findings
        new_findings = check(new).findings if new_findings is None else new_findings
    introduced, resolved = compare_findings(old_findings, new_findings)
    return Diff(
        old=old_name,
        new=new_name,
        risks=tuple(sorted(set(risks), key=Risk.sort_key)),
        activities=tuple(sorted(activities, key=lambda a: (a.label, a.iri))),
        flows=tuple(flows),
        entries=tuple(entries),
        introduced=tuple(introduced),
        resolved=tuple(resolved),
    )
