"""Compare two versions of a ROPA: what a change means for data protection.

:func:`diff_graphs` takes two built graphs (see :func:`checker.graph.build.build`) and returns a
:class:`Diff` value; :func:`render` writes it as text, JSON or a pull-request comment in
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
(:func:`compare_durations`). Changes that raise the risk to the data subjects come first
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

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.term import Node

from checker.check.findings import Finding, sort_findings
from checker.graph.retention import Retention, parse_duration, read_retention
from checker.markdown import table_cell
from checker.vocab.concepts import is_special_category, outside_eu_eea
from checker.vocab.labels import label_of

DPV = Namespace("https://w3id.org/dpv#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")

Triple = tuple[Node, Node, Node]

FORMATS = ("text", "json", "markdown")

#: Statements of the build's bookkeeping: where an entry or a quote was written.
IGNORED_PREDICATES = frozenset(
    {ROPA.recordFile, ROPA.recordLine, ROPA.documentLine, ROPA.item, OA.start, OA.end}
)

#: Types whose label the build always derives from other statements.
_DERIVED_LABEL_TYPES = frozenset(
    {
        ROPA.Passage,
        ROPA.Section,
        ROPA.RegisterDescription,
        OA.TextQuoteSelector,
        OA.TextPositionSelector,
    }
)

#: The aspects of an activity, in report order: key -> (property, words for people).
ASPECTS: dict[str, tuple[URIRef | None, str]] = {
    "name": (RDFS.label, "name"),
    "description": (DCTERMS.description, "description"),
    "units": (DPV.hasOrganisationalUnit, "units"),
    "purposes": (DPV.hasPurpose, "purposes"),
    "data_subjects": (DPV.hasDataSubject, "data subjects"),
    "personal_data": (DPV.hasPersonalData, "personal data"),
    "data_groups": (ROPA.hasDataGroup, "data groups"),
    "sources": (DPV.hasDataSource, "sources"),
    "recipients": (DPV.hasRecipient, "recipients"),
    "processors": (DPV.hasDataProcessor, "processors"),
    "controller": (DPV.hasDataController, "controller"),
    "systems": (DPV.isImplementedUsingTechnology, "systems"),
    "legal_bases": (DPV.hasLegalBasis, "legal bases"),
    "laws": (DPV.hasApplicableLaw, "laws"),
    "measures": (DPV.hasTechnicalOrganisationalMeasure, "measures"),
    "retention": (DPV.hasStorageCondition, "retention"),
    "flows": (ROPA.partOfActivity, "flows"),
    "derived_from": (PROV.wasDerivedFrom, "derived from"),
    "other": (None, "other statements"),
}
_ASPECT_ORDER = {key: i for i, key in enumerate(ASPECTS)}
#: Aspects compared as sets of values (added / removed).
_SET_ASPECTS = (
    "units",
    "purposes",
    "data_subjects",
    "personal_data",
    "data_groups",
    "sources",
    "recipients",
    "processors",
    "controller",
    "systems",
    "legal_bases",
    "laws",
    "measures",
    "derived_from",
)
_COVERED = frozenset(p for p, _ in ASPECTS.values() if p is not None)

#: Words for properties the vocabulary does not label.
PROPERTY_WORDS = {
    RDF.type: "type",
    RDF.value: "duration",
    RDFS.label: "name",
    DCTERMS.title: "title",
    DCTERMS.description: "description",
    DCTERMS.hasPart: "has part",
    DCTERMS.source: "source document",
    DCTERMS.language: "language",
    PROV.wasDerivedFrom: "derived from",
    OA.exact: "quote",
    OA.hasSelector: "selector",
    OA.hasSource: "source",
    ORG.subOrganizationOf: "part of",
}

#: Kinds of risk-raising change, in report order, with their titles.
RISK_TITLES = {
    "special-category": "New special-category data (GDPR Art. 9)",
    "external-processor": "New external processor (GDPR Art. 28)",
    "new-country": "New country (GDPR Chapter V)",
    "flow-out": "New flow out of the controller",
    "longer-retention": "Retention made longer (GDPR Art. 5(1)(e))",
}
_RISK_ORDER = {kind: i for i, kind in enumerate(RISK_TITLES)}

#: Verdicts of a retention comparison that make the data live longer.
LONGER = frozenset({"longer", "indefinite"})


# --- The diff model ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change to one aspect of a processing activity.

    Attributes:
        aspect: a key of :data:`ASPECTS` (``purposes``, ``retention``, ``flows``, ...).
        action: ``added``, ``removed``, ``changed``, ``renamed``; for retention also
            ``longer``, ``shorter`` or ``indefinite`` (it became indefinite).
        value: IRI of the value added or removed (a purpose, a processor, a retention rule,
            a flow), if the change has one.
        label: its label.
        old: the value before, in words (changes, renames and retention).
        new: the value after, in words.
        property: IRI of the property concerned.
    """

    aspect: str
    action: str
    value: str | None = None
    label: str = ""
    old: str | None = None
    new: str | None = None
    property: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (
            _ASPECT_ORDER[self.aspect],
            self.action,
            self.label,
            self.value or "",
            self.old or "",
            self.new or "",
        )


@dataclass(frozen=True)
class ActivityDiff:
    """What changed in one processing activity.

    Attributes:
        iri: the activity's IRI (the same in both versions: activities match by IRI).
        label: its label in the new version (the old one if it was removed).
        status: ``added``, ``removed`` or ``changed``.
        changes: the changes, in :data:`ASPECTS` order; for an added activity, everything
            it holds; for a removed one, nothing.
        old_label: its label in the old version, when it was renamed.
    """

    iri: str
    label: str
    status: str
    changes: tuple[Change, ...] = ()
    old_label: str | None = None


@dataclass(frozen=True)
class Risk:
    """A change that raises the risk to the data subjects, to be reviewed first.

    Attributes:
        kind: a key of :data:`RISK_TITLES`.
        activity: IRI of the activity concerned ("" for a flow that belongs to none).
        activity_label: its label.
        value: IRI of what is new (the data category, processor, country, flow, rule).
        label: its label.
        detail: one sentence for the reviewer.
    """

    kind: str
    activity: str
    activity_label: str
    value: str
    label: str
    detail: str

    def sort_key(self) -> tuple[Any, ...]:
        return (_RISK_ORDER[self.kind], self.activity_label, self.activity, self.label, self.value)


@dataclass(frozen=True)
class Detail:
    """Values of one property of an entry that were added or removed."""

    property: str
    label: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryChange:
    """A change to an entry other than an activity: a party, a purpose, a retention rule,
    a passage, or a flow whose change the activity's report does not show.

    Attributes:
        iri: the entry's IRI.
        label: its label.
        kind: the label of its type (Organisation, Purpose, Passage, ...).
        status: ``added``, ``removed`` or ``changed``.
        details: for a changed entry, what changed, property by property.
    """

    iri: str
    label: str
    kind: str
    status: str
    details: tuple[Detail, ...] = ()


@dataclass(frozen=True)
class Diff:
    """The difference between two versions of a ROPA.

    Attributes:
        old: name of the old version (a path or a git revision), for the report.
        new: name of the new version.
        risks: risk-raising changes, to be reviewed first.
        activities: activities added, removed or changed, by label.
        flows: changes to flows that belong to no activity.
        entries: other entries added, removed or changed.
        introduced: findings of the new version that the old one did not have.
        resolved: findings of the old version that the new one no longer has.
    """

    old: str
    new: str
    risks: tuple[Risk, ...] = ()
    activities: tuple[ActivityDiff, ...] = ()
    flows: tuple[Change, ...] = ()
    entries: tuple[EntryChange, ...] = ()
    introduced: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()

    @property
    def equivalent(self) -> bool:
        """True when the versions state the same facts (reordering is no change)."""
        return not (self.activities or self.flows or self.entries)

    def summary(self) -> dict[str, int]:
        """Counts for a one-line verdict."""
        status = [a.status for a in self.activities]
        return {
            "activities_added": status.count("added"),
            "activities_removed": status.count("removed"),
            "activities_changed": status.count("changed"),
            "activities_renamed": sum(1 for a in self.activities if a.old_label is not None),
            "risks": len(self.risks),
            "flows_changed": len(self.flows),
            "entries_changed": len(self.entries),
            "findings_introduced": len(self.introduced),
            "findings_resolved": len(self.resolved),
        }

    def to_dict(self) -> dict[str, Any]:
        """A plain dictionary for JSON: the model as it is, findings as in ``ropa check``."""
        return {
            "old": self.old,
            "new": self.new,
            "equivalent": self.equivalent,
            "summary": self.summary(),
            "risks": [asdict(r) for r in self.risks],
            "activities": [asdict(a) for a in self.activities],
            "flows": [asdict(c) for c in self.flows],
            "entries": [asdict(e) for e in self.entries],
            "findings": {
                "introduced": [f.to_dict() for f in self.introduced],
                "resolved": [f.to_dict() for f in self.resolved],
            },
        }


# --- Durations -----------------------------------------------------------------------------

# XSD 1.1 Part 2, appendix "Adding durations to dateTimes": two durations are ordered when
# adding them to each of these four dates orders the results the same way.
_REFERENCE_DATES = (
    datetime(1696, 9, 1),
    datetime(1697, 2, 1),
    datetime(1903, 3, 1),
    datetime(1903, 7, 1),
)


def _add(start: datetime, months: int, seconds: Decimal) -> datetime:
    year, month = divmod(start.month - 1 + months, 12)
    return start.replace(year=start.year + year, month=month + 1) + timedelta(
        seconds=float(seconds)
    )


def _compare_parsed(a: tuple[int, Decimal], b: tuple[int, Decimal]) -> int | None:
    signs = set()
    try:
        for start in _REFERENCE_DATES:
            x, y = _add(start, *a), _add(start, *b)
            signs.add((x > y) - (x < y))
    except (OverflowError, ValueError):  # beyond year 9999: compare by average lengths
        days_a = a[0] * Decimal("30.436875") + a[1] / 86400
        days_b = b[0] * Decimal("30.436875") + b[1] / 86400
        return (days_a > days_b) - (days_a < days_b)
    return signs.pop() if len(signs) == 1 else None


def compare_durations(a: str, b: str) -> int | None:
    """Compare two ``xsd:duration`` values: -1, 0 or 1, or None when they are not ordered.

    Months have no fixed length, so ``P1M`` and ``P30D`` are incomparable (XSD 1.1's
    partial order), while ``P1Y`` and ``P12M`` are equal.

    >>> compare_durations("P2Y", "P3Y"), compare_durations("P1Y", "P12M")
    (-1, 0)
    >>> compare_durations("P1M", "P30D") is None, compare_durations("P1M", "P32D")
    (True, -1)
    """
    pa, pb = parse_duration(a), parse_duration(b)
    if pa is None or pb is None:
        return None
    return _compare_parsed(pa, pb)


# --- Retention ----------------------------------------------------------------------------


def _upper_bound(retention: Retention) -> tuple[int, Decimal] | None:
    parsed = parse_duration(retention.duration or "")
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
    order = _compare_parsed(new_bound, old_bound)
    return {1: "longer", -1: "shorter"}.get(order, "changed") if order is not None else "changed"


# --- Normalising a graph -------------------------------------------------------------------


def _derived_label_subjects(graph: Graph) -> set[Node]:
    """Subjects whose rdfs:label the build made up from other statements."""
    derived: set[Node] = set(graph.objects(None, DPV.hasDuration))
    for kind in _DERIVED_LABEL_TYPES:
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
    from checker.graph.vocabulary import vocabulary

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
        canonical = Graph()
        for triple in triples:
            canonical.add(triple)
        triples = set(to_canonical_graph(canonical))
    return triples


# --- Reading an activity --------------------------------------------------------------------


def _values(graph: Graph | None, subject: Node, predicate: Node) -> set[Node]:
    if graph is None:
        return set()
    return set(graph.objects(subject, predicate))


def _label(graphs: Sequence[Graph | None], node: Node | None) -> str:
    """The label of a node in the first graph that labels it."""
    if isinstance(node, Literal):
        return str(node)
    for graph in graphs:
        if graph is not None and node is not None:
            label = label_of(graph, node)  # type: ignore[arg-type]
            if label != str(node):
                return label
    return "[]" if isinstance(node, BNode) else str(node)


def property_label(graphs: Sequence[Graph | None], prop: Node) -> str:
    """Words for a property: :data:`PROPERTY_WORDS`, its label, or its local name."""
    if prop in PROPERTY_WORDS:
        return PROPERTY_WORDS[prop]  # type: ignore[index]
    label = _label(graphs, prop)
    if label == str(prop):
        return re.split(r"[#/]", str(prop).rstrip("/#"))[-1]
    return label


def _iri(node: Node) -> str | None:
    return None if isinstance(node, BNode) else str(node)


def _flows_of(graph: Graph | None, activity: Node | None) -> set[Node]:
    if graph is None:
        return set()
    flows = set(graph.subjects(RDF.type, ROPA.DataFlow))
    if activity is None:
        return {f for f in flows if graph.value(f, ROPA.partOfActivity) is None}
    return {f for f in flows if (f, ROPA.partOfActivity, activity) in graph}


def describe_flow(graph: Graph, flow: Node) -> str:
    """A flow in words: sender, receiver, data and purposes."""
    text = (
        f"{label_of(graph, graph.value(flow, ROPA.sender))} → "
        f"{label_of(graph, graph.value(flow, ROPA.receiver))}"
    )
    data = sorted(label_of(graph, d) for d in graph.objects(flow, DPV.hasPersonalData))
    purposes = sorted(label_of(graph, p) for p in graph.objects(flow, DPV.hasPurpose))
    if data:
        text += f": {', '.join(data)}"
    if purposes:
        text += f" (for {', '.join(purposes)})"
    conditions = sorted(str(c) for c in graph.objects(flow, ROPA.condition))
    if conditions:
        text += f", {'; '.join(conditions)}"
    return text


def _all_labels(graph: Graph | None, node: Node) -> set[tuple[str, str]]:
    if graph is None:
        return set()
    return {
        (str(x), getattr(x, "language", None) or "")
        for x in graph.objects(node, RDFS.label)
        if isinstance(x, Literal)
    }


def _label_words(graph: Graph, node: Node) -> str:
    main = label_of(graph, node)  # type: ignore[arg-type]
    others = sorted(f"{lang}: {text}" for text, lang in _all_labels(graph, node) if lang != "en")
    return main + (f" ({'; '.join(others)})" if others else "")


def _name_changes(old: Graph | None, new: Graph, activity: Node) -> list[Change]:
    if old is None or _all_labels(old, activity) == _all_labels(new, activity):
        return []
    before, after = label_of(old, activity), label_of(new, activity)  # type: ignore[arg-type]
    if before == after:
        before, after = _label_words(old, activity), _label_words(new, activity)
    return [Change("name", "renamed", _iri(activity), after, before, after, str(RDFS.label))]


def _description_changes(old: Graph | None, new: Graph, activity: Node) -> list[Change]:
    before = sorted(str(d) for d in _values(old, activity, DCTERMS.description))
    after = sorted(str(d) for d in _values(new, activity, DCTERMS.description))
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
    before, after = _values(old, activity, prop), _values(new, activity, prop)
    changes = [
        Change(aspect, "added", _iri(v), _label(graphs, v), property=str(prop))
        for v in after - before
    ]
    changes += [
        Change(aspect, "removed", _iri(v), _label(graphs[::-1], v), property=str(prop))
        for v in before - after
    ]
    return changes


def _retention_changes(old: Graph | None, new: Graph, activity: Node) -> list[Change]:
    prop = str(DPV.hasStorageCondition)
    before = _values(old, activity, DPV.hasStorageCondition)
    after = _values(new, activity, DPV.hasStorageCondition)
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
            label = _label([new], new_rule)
            changes.append(
                Change("retention", verdict, _iri(new_rule), label, was.words, now.words, prop)
            )
    for rule in came:
        now = read_retention(new, rule)
        changes.append(
            Change("retention", "added", _iri(rule), _label([new], rule), None, now.words, prop)
        )
    for rule in gone:
        assert old is not None
        was = read_retention(old, rule)
        changes.append(
            Change("retention", "removed", _iri(rule), _label([old], rule), was.words, None, prop)
        )
    return changes


def _flow_changes(
    old: Graph | None,
    new: Graph,
    activity: Node | None,
    changed_subjects: set[Node],
) -> list[Change]:
    prop = str(ROPA.partOfActivity)
    before, after = _flows_of(old, activity), _flows_of(new, activity)
    changes = [
        Change("flows", "added", _iri(f), _label([new], f), None, describe_flow(new, f), prop)
        for f in after - before
    ]
    if old is not None:
        changes += [
            Change("flows", "removed", _iri(f), _label([old], f), describe_flow(old, f), None, prop)
            for f in before - after
        ]
        for flow in before & after:
            # Only what the words show; other statements of the flow are an entry change.
            if flow in changed_subjects and describe_flow(old, flow) != describe_flow(new, flow):
                changes.append(
                    Change(
                        "flows",
                        "changed",
                        _iri(flow),
                        _label([new], flow),
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
            if p in _COVERED or p == DCTERMS.description:
                continue
            if added and (p, o) == (RDF.type, DPV.Process):
                continue
            label = f"{property_label(graphs, p)}: {_label(graphs, o)}"
            changes.append(Change("other", action, _iri(o), label, property=str(p)))
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
    for aspect in _SET_ASPECTS:
        if old is None and aspect == "derived_from":  # an added activity: its facts suffice
            continue
        changes += _set_changes(old, new, activity, aspect, graphs)
    changes += _retention_changes(old, new, activity)
    changed_subjects = set(only_old) | set(only_new)
    changes += _flow_changes(old, new, activity, changed_subjects)
    changes += _other_changes(activity, only_old, only_new, graphs, added=old is None)
    return sorted(set(changes), key=Change.sort_key)


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
    entities |= {r for f in _flows_of(graph, activity) for r in graph.objects(f, ROPA.receiver)}
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


def _flow_out_risks(
    old: Graph | None, new: Graph, flows: Iterable[Node], activity: Node | None, label: str
) -> list[Risk]:
    from checker.graph.flows import node_kind

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
                _label([new], flow),
                f"{describe_flow(new, flow)}: the receiver, {label_of(new, receiver)} "  # type: ignore[arg-type]
                f"({node_kind(new, receiver)}), is not a unit of the controller.",  # type: ignore[arg-type]
            )
        )
    return risks


def _activity_risks(
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
    before = _values(old, activity, DPV.hasDataProcessor)
    for processor in sorted(_values(new, activity, DPV.hasDataProcessor) - before, key=str):
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
    risks += _flow_out_risks(old, new, _flows_of(new, activity), activity, label)
    for change in changes:
        if change.aspect != "retention":
            continue
        # read_retention words an indefinite rule "indefinitely", whatever its node.
        if change.action in LONGER or (change.action, change.new) == ("added", "indefinitely"):
            risks.append(
                Risk(
                    "longer-retention",
                    iri,
                    label,
                    change.value or "",
                    change.label if change.label not in ("", "[]") else f"kept {change.new}",
                    f"The data are kept longer: {change.old or 'no rule'} → {change.new}.",
                )
            )
    return risks


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
        label, kind = _label(graphs, owner), _kind(graphs, owner)
        if owner not in old_subjects:
            entries.append(EntryChange(str(owner), label, kind, "added"))
            continue
        if owner not in new_subjects:
            entries.append(EntryChange(str(owner), label, kind, "removed"))
            continue
        props: dict[Node, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
        for side, index in (("new", 0), ("old", 1)):
            for _, p, o in sides.get(side, set()):
                props[p][index].add(_label((new, old) if side == "new" else (old, new), o))
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
        risks += _activity_risks(before, new, activity, changes)
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
    risks += _flow_out_risks(old, new, _flows_of(new, None) - _flows_of(old, None), None, "")
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
        from checker.check.run import check

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


# --- Rendering ---------------------------------------------------------------------------

_SIGN = {"added": "+", "removed": "-", "changed": "~", "renamed": "~"}
_VERDICT = {
    "longer": "longer",
    "shorter": "shorter",
    "indefinite": "became indefinite",
    "changed": "changed",
    "added": "added",
    "removed": "removed",
}


def _rule_name(change: Change) -> str:
    """The name of a retention rule, unless the build made it up from the period."""
    if change.label in ("", "[]") or change.label.startswith("Retention: "):
        return ""
    return f" ({change.label})"


def _for_display(activity: ActivityDiff) -> list[Change]:
    """The changes of an activity as the reports show them: a changed activity's legal
    bases on one line, before and after."""
    bases = [c for c in activity.changes if c.aspect == "legal_bases"]
    if activity.status != "changed" or not bases:
        return list(activity.changes)
    merged = Change(
        "legal_bases",
        "changed",
        old="; ".join(c.label for c in bases if c.action == "removed") or "none",
        new="; ".join(c.label for c in bases if c.action == "added") or "none",
        property=bases[0].property,
    )
    return sorted(
        [c for c in activity.changes if c.aspect != "legal_bases"] + [merged],
        key=Change.sort_key,
    )


def _change_words(change: Change) -> str:
    """One change in words, without the aspect."""
    if change.aspect == "name":
        return f"renamed: {change.old} → {change.new}"
    if change.aspect == "retention":
        words = {
            "added": f"+ {change.new}",
            "removed": f"- {change.old} (removed)",
        }.get(change.action, f"{_VERDICT[change.action]}: {change.old} → {change.new}")
        return words + _rule_name(change)
    if change.aspect == "flows":
        if change.action == "changed":
            return f"~ {change.old} ⇒ {change.new}"
        return f"{_SIGN[change.action]} {change.new or change.old}"
    if change.action == "changed":
        return f"{change.old} → {change.new}"
    if change.aspect == "description":
        return f"+ {change.new}"
    return f"{_SIGN[change.action]} {change.label}"


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _headline(diff: Diff) -> str:
    """One line: what changed, how many risks, findings introduced and resolved."""
    if diff.equivalent:
        return f"No change: {diff.old} and {diff.new} state the same records."
    s = diff.summary()
    acts = [
        f"{s[f'activities_{status}']} {status}"
        for status in ("added", "removed", "changed")
        if s[f"activities_{status}"]
    ]
    parts = [f"activities: {', '.join(acts) or 'none changed'}"]
    if diff.flows:
        parts.append(_count(len(diff.flows), "other flow", "other flows"))
    if diff.entries:
        parts.append(_count(len(diff.entries), "other entry", "other entries"))
    parts.append(_count(s["risks"], "risk-raising change", "risk-raising changes"))
    parts.append(
        f"{_count(s['findings_introduced'], 'finding', 'findings')} introduced, "
        f"{s['findings_resolved']} resolved"
    )
    return "; ".join(parts)


def _finding_where(f: Finding) -> str:
    if f.file is None:
        return ""
    return f"{f.file}:{f.line}" if f.line else f.file


def render_text(diff: Diff) -> str:
    """The diff for a terminal: risks first, then activities, entries and findings."""
    lines = [f"ropa diff {diff.old} → {diff.new}", _headline(diff), ""]
    if diff.risks:
        lines.append("Risk-raising changes")
        for r in diff.risks:
            where = f" — {r.activity_label}" if r.activity_label else ""
            lines.append(f"  ! {RISK_TITLES[r.kind]}: {r.label}{where}")
            lines.append(f"      {r.detail}")
        lines.append("")
    if diff.activities:
        lines.append("Activities")
        for a in diff.activities:
            lines.append(f"  {_SIGN[a.status]} {a.label}  <{a.iri}>  ({a.status})")
            for c in _for_display(a):
                lines.append(f"      {ASPECTS[c.aspect][1]}: {_change_words(c)}")
        lines.append("")
    if diff.flows:
        lines.append("Flows not tied to an activity")
        lines += [f"  {_change_words(c)}" for c in diff.flows]
        lines.append("")
    if diff.entries:
        lines.append("Other entries")
        for e in diff.entries:
            lines.append(f"  {_SIGN[e.status]} {e.kind}: {e.label}  <{e.iri}>")
            for d in e.details:
                values = [f"+ {v}" for v in d.added] + [f"- {v}" for v in d.removed]
                lines.append(f"      {d.label}: {'; '.join(values)}")
        lines.append("")
    for title, findings in (
        ("Findings introduced", diff.introduced),
        ("Findings resolved", diff.resolved),
    ):
        if not findings:
            continue
        lines.append(f"{title} ({len(findings)})")
        for f in findings:
            where = f"  at {_finding_where(f)}" if _finding_where(f) else ""
            lines.append(f"  {f.severity.label.upper():9} {f.rule} [{f.focus_label}]{where}")
            lines.append(f"            {f.message}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(diff: Diff) -> str:
    """The diff as one JSON object, for tools (see :meth:`Diff.to_dict`)."""
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _short(iri: str) -> str:
    """The last segment of an IRI: the entry's id in the records."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


_MD_SIGN = {"added": "➕", "removed": "➖", "changed": "✏️", "renamed": "✏️"}
_MD_SEVERITY = {"violation": "🛑", "warning": "⚠️", "info": "ℹ️"}


def _md_change(change: Change) -> str:
    if change.aspect == "name":
        return f"renamed from *{table_cell(change.old)}*"
    if change.aspect == "retention":
        if change.action == "added":
            return f"➕ {table_cell(change.new)}"
        if change.action == "removed":
            return f"➖ {table_cell(change.old)} (removed)"
        arrow = "⬆️ " if change.action in LONGER else "⬇️ " if change.action == "shorter" else ""
        return (
            f"{arrow}**{_VERDICT[change.action]}**: {table_cell(change.old)} → {table_cell(change.new)}"
            + _rule_name(change)
        )
    if change.aspect == "flows":
        if change.action == "changed":
            return f"✏️ {table_cell(change.old)} ⇒ {table_cell(change.new)}"
        return f"{_MD_SIGN[change.action]} {table_cell(change.new or change.old)}"
    if change.action == "changed":
        return f"{table_cell(change.old)} → {table_cell(change.new)}"
    if change.aspect == "description":
        return f"➕ {table_cell(change.new)}"
    return f"{_MD_SIGN[change.action]} {table_cell(change.label)}"


def _md_findings(title: str, findings: Sequence[Finding]) -> list[str]:
    if not findings:
        return []
    lines = [
        f"#### {title} ({len(findings)})",
        "",
        "| | Rule | Activity or entity | Finding | Where |",
        "|---|---|---|---|---|",
    ]
    for f in findings:
        where = f"`{_finding_where(f)}`" if _finding_where(f) else ""
        lines.append(
            f"| {_MD_SEVERITY[f.severity.label]} | `{f.rule}` | {table_cell(f.focus_label)} | {table_cell(f.message)} | {where} |"
        )
    return [*lines, ""]


def render_markdown(diff: Diff) -> str:
    """The diff as a pull-request comment: verdict, risks, activities, findings."""
    lines = [f"### ROPA changes: `{diff.old}` → `{diff.new}`", ""]
    if diff.equivalent:
        lines += ["**No change:** the two versions state the same records.", ""]
        return "\n".join(lines)
    s = diff.summary()
    acts = [
        f"{s[f'activities_{status}']} {status}"
        for status in ("added", "removed", "changed")
        if s[f"activities_{status}"]
    ]
    lines += [
        f"**Activities: {', '.join(acts) or 'none changed'}**"
        + (
            f" · {_count(len(diff.entries), 'other entry', 'other entries')}"
            if diff.entries
            else ""
        )
        + f" · ⚠️ **{_count(s['risks'], 'risk-raising change', 'risk-raising changes')}**"
        f" · 🛑 **{_count(s['findings_introduced'], 'finding', 'findings')} introduced**"
        f" · ✅ {s['findings_resolved']} resolved",
        "",
    ]
    if diff.risks:
        lines += [
            "#### ⚠️ Risk-raising changes",
            "",
            "| Change | What | Activity | Why it matters |",
            "|---|---|---|---|",
        ]
        for r in diff.risks:
            lines.append(
                f"| {RISK_TITLES[r.kind]} | **{table_cell(r.label)}** | {table_cell(r.activity_label) or '—'} | {table_cell(r.detail)} |"
            )
        lines.append("")
    if diff.activities:
        lines += ["#### Activities", ""]
        for a in diff.activities:
            lines.append(
                f"- {_MD_SIGN[a.status]} **{table_cell(a.label)}** ({a.status}) `{_short(a.iri)}`"
            )
            for c in _for_display(a):
                lines.append(f"  - {ASPECTS[c.aspect][1]}: {_md_change(c)}")
        lines.append("")
    if diff.flows:
        lines += ["#### Flows not tied to an activity", ""]
        lines += [f"- {_md_change(c)}" for c in diff.flows]
        lines.append("")
    lines += _md_findings("🛑 Findings introduced", diff.introduced)
    lines += _md_findings("✅ Findings resolved", diff.resolved)
    if diff.entries:
        lines += [
            f"<details><summary>Other entries changed ({len(diff.entries)})</summary>",
            "",
        ]
        for e in diff.entries:
            lines.append(
                f"- {_MD_SIGN[e.status]} {table_cell(e.kind)}: **{table_cell(e.label)}** ({e.status})"
            )
            for d in e.details:
                values = [f"➕ {table_cell(v)}" for v in d.added] + [
                    f"➖ {table_cell(v)}" for v in d.removed
                ]
                lines.append(f"  - {table_cell(d.label)}: {'; '.join(values)}")
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def render(fmt: str, diff: Diff) -> str:
    """Render in one of :data:`FORMATS`."""
    if fmt == "text":
        return render_text(diff)
    if fmt == "json":
        return render_json(diff)
    if fmt == "markdown":
        return render_markdown(diff)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
