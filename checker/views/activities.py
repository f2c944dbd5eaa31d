"""Processing activities as a table, and one activity's full record with its quotes.

>>> from checker.views.model import load_model
>>> model = load_model([])
>>> [row.name for row in activities_table(model.graph, model.findings)][:1]
['Business consultation memorandums']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rdflib import Graph, URIRef
from rdflib.term import Node

from checker.check.findings import Finding
from checker.views.facts import activities_of, iris, labels, record_source, text
from checker.views.findings import findings_by_activity
from checker.views.provenance import Quote, passages_of, quote_of, quote_order
from checker.views.retention import retention_words, storage_conditions
from checker.vocab.concepts import is_special_category
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DCTERMS, DPV, RDF, ROPA, local_id


@dataclass(frozen=True)
class ActivityRow:
    """One processing activity in the activities table."""

    iri: str
    id: str
    name: str
    units: str
    purposes: str
    data_subjects: str
    data_categories: int
    special_data: bool
    legal_bases: str
    processors: str
    recipients: str
    retention: str
    findings: int
    worst: str
    source: str

    def text(self) -> str:
        """Everything searchable in the row, lower-cased."""
        return " ".join(
            str(v)
            for v in (
                self.id,
                self.name,
                self.units,
                self.purposes,
                self.data_subjects,
                self.legal_bases,
                self.processors,
                self.recipients,
                self.retention,
            )
        ).casefold()


def _named(graph: Graph, nodes: Sequence[Node]) -> str:
    return ", ".join(labels(graph, nodes))


def recipients_of(graph: Graph, activity: Node) -> list[URIRef]:
    """The recipients of an activity that are not its processors (dpv:DataProcessor is a
    dpv:Recipient: the records list processors on their own)."""
    processors = set(iris(graph, activity, DPV.hasDataProcessor))
    return [r for r in iris(graph, activity, DPV.hasRecipient) if r not in processors]


def activities_table(graph: Graph, findings: Sequence[Finding] = ()) -> list[ActivityRow]:
    """Every processing activity with its main facts, sorted by name (then IRI).

    ``retention`` reads "missing" when the activity has no retention rule.
    """
    by_activity = findings_by_activity(findings)
    rows = []
    for act in activities_of(graph):
        data = iris(graph, act, DPV.hasPersonalData)
        own = by_activity.get(str(act), [])
        worst = max((f.severity for f in own), default=None)
        rows.append(
            ActivityRow(
                iri=str(act),
                id=local_id(str(act)),
                name=label_of(graph, act),
                units=_named(graph, iris(graph, act, DPV.hasOrganisationalUnit)),
                purposes=_named(graph, iris(graph, act, DPV.hasPurpose)),
                data_subjects=_named(graph, iris(graph, act, DPV.hasDataSubject)),
                data_categories=len(data),
                special_data=any(is_special_category(graph, d) for d in data),
                legal_bases=_named(graph, iris(graph, act, DPV.hasLegalBasis)),
                processors=_named(graph, iris(graph, act, DPV.hasDataProcessor)),
                recipients=_named(graph, recipients_of(graph, act)),
                retention="; ".join(
                    retention_words(graph, r) for r in storage_conditions(graph, act)
                )
                or "missing",
                findings=len(own),
                worst=worst.label if worst is not None else "",
                source=record_source(graph, act),
            )
        )
    return sorted(rows, key=lambda r: (r.name.casefold(), r.iri))


def search_activities(rows: Sequence[ActivityRow], query: str) -> list[ActivityRow]:
    """The rows whose text contains every word of ``query`` (case-insensitive).

    >>> row = ActivityRow("i", "chat", "Chat", "", "", "", 0, False, "", "Elisa Oyj", "", "", 0, "", "")
    >>> [r.id for r in search_activities([row], "elisa CHAT")]
    ['chat']
    """
    words = query.casefold().split()
    return [r for r in rows if all(w in r.text() for w in words)]


#: The facts of an activity, in the order of GDPR Art. 30(1): field name and property.
ACTIVITY_FIELDS: tuple[tuple[str, URIRef], ...] = (
    ("Controller", DPV.hasDataController),
    ("Organisational units", DPV.hasOrganisationalUnit),
    ("Purposes", DPV.hasPurpose),
    ("Data subjects", DPV.hasDataSubject),
    ("Data groups", ROPA.hasDataGroup),
    ("Personal data", DPV.hasPersonalData),
    ("Sources", DPV.hasDataSource),
    ("Recipients", DPV.hasRecipient),
    ("Processors", DPV.hasDataProcessor),
    ("Systems", DPV.isImplementedUsingTechnology),
    ("Legal bases", DPV.hasLegalBasis),
    ("Laws", DPV.hasApplicableLaw),
    ("Measures", DPV.hasTechnicalOrganisationalMeasure),
    ("Retention", DPV.hasStorageCondition),
)


@dataclass(frozen=True)
class Fact:
    """One value of one field of an activity, with the quotes it comes from."""

    field: str
    value: str
    iri: str
    quotes: tuple[int, ...]
    note: str = ""


@dataclass(frozen=True)
class ActivityDetail:
    """One activity's full record: its facts, their quotes, its findings."""

    iri: str
    id: str
    name: str
    description: str
    source: str
    facts: tuple[Fact, ...]
    quotes: tuple[Quote, ...]
    findings: tuple[Finding, ...]

    def fields(self) -> list[str]:
        """The fields that have values, in order."""
        return list(dict.fromkeys(f.field for f in self.facts))


@dataclass(frozen=True)
class _Entry:
    """A fact before its quotes are numbered: the passages it derives from."""

    field: str
    value: str
    iri: str
    passages: frozenset[URIRef]
    note: str


def _values(graph: Graph, act: URIRef, prop: URIRef) -> list[Node]:
    if prop == DPV.hasStorageCondition:
        return storage_conditions(graph, act)
    if prop == DPV.hasRecipient:
        return list(recipients_of(graph, act))
    return list(iris(graph, act, prop))


def _entries(graph: Graph, act: URIRef) -> list[_Entry]:
    """The activity's facts in field order, each with the passages it should cite: those of
    the value that the activity also cites, else all the value's own; for a data category
    from a group, the group's."""
    own = passages_of(graph, act)
    members = {g: set(iris(graph, g, ROPA.includes)) for g in iris(graph, act, ROPA.hasDataGroup)}
    entries: list[_Entry] = []
    for name, prop in ACTIVITY_FIELDS:
        field_entries = []
        for value in _values(graph, act, prop):
            mine = passages_of(graph, value)
            if not mine and prop == DPV.hasPersonalData:
                mine = {
                    p for g, ms in members.items() if value in ms for p in passages_of(graph, g)
                }
            note = ""
            if prop == DPV.hasPersonalData and is_special_category(graph, value):
                note = "special category (Art. 9)"
            label = label_of(graph, value) if isinstance(value, URIRef) else ""
            if prop == DPV.hasStorageCondition:
                words = retention_words(graph, value)
                label, note = (label, words) if label else (words, "")
            iri = str(value) if isinstance(value, URIRef) else ""
            field_entries.append(_Entry(name, label, iri, frozenset((mine & own) or mine), note))
        entries.extend(sorted(field_entries, key=lambda e: (e.value.casefold(), e.iri)))
    return entries + _accountability(graph, act)


def _accountability(graph: Graph, act: URIRef) -> list[_Entry]:
    """Owner, review and DPIA (the activity's own, else its register's): facts of the
    controller's accountability, which the register description does not quote."""
    holders = (act, *graph.subjects(DCTERMS.hasPart, act))
    entries = []
    for name, prop in (
        ("Owner", DPV.hasResponsibleEntity),
        ("Last reviewed", ROPA.lastReviewed),
        ("Review interval", ROPA.reviewInterval),
    ):
        value = next((v for h in holders for v in graph.objects(h, prop)), None)
        if value is not None:
            label = label_of(graph, value) if isinstance(value, URIRef) else str(value)
            iri = str(value) if isinstance(value, URIRef) else ""
            entries.append(_Entry(name, label, iri, frozenset(), ""))
    for dpia in iris(graph, act, DPV.hasImpactAssessment):
        refs = ", ".join(sorted(str(r) for r in graph.objects(dpia, DCTERMS.identifier)))
        entries.append(_Entry("DPIA", label_of(graph, dpia), str(dpia), frozenset(), refs))
    return entries


def activity_detail(
    graph: Graph, activity: str, findings: Sequence[Finding] = ()
) -> ActivityDetail:
    """Everything the records say about one activity, and where the register says it.

    Each fact lists the numbers of its quotes: the passages the value itself derives from
    that the activity also cites; else all the value's own passages; for a data category
    from a group, the group's. Quotes are numbered in the order of the register
    description (section, item). Facts the register does not back with a passage have no
    quote number; the activity's own passages still state them.

    Raises:
        KeyError: ``activity`` is not a processing activity of the graph.
    """
    act = URIRef(activity)
    if (act, RDF.type, DPV.Process) not in graph:
        raise KeyError(activity)
    entries = _entries(graph, act)
    used = passages_of(graph, act) | {p for e in entries for p in e.passages}
    quotes = sorted((quote_of(graph, p) for p in used), key=quote_order)
    numbers = {q.iri: i for i, q in enumerate(quotes, start=1)}
    return ActivityDetail(
        iri=activity,
        id=local_id(activity),
        name=label_of(graph, act),
        description=text(graph, act, DCTERMS.description),
        source=record_source(graph, act),
        facts=tuple(
            Fact(
                e.field, e.value, e.iri, tuple(sorted(numbers[str(p)] for p in e.passages)), e.note
            )
            for e in entries
        ),
        quotes=tuple(replace(q, number=numbers[q.iri]) for q in quotes),
        findings=tuple(f for f in findings if f.activity == activity),
    )
