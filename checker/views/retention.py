"""Retention as a table: how long each activity keeps each data category (GDPR Art. 30(1)(f)).

The kind of a rule comes from :func:`checker.graph.retention.read_retention`, its length in
years from :func:`checker.vocab.durations.years`, its words from the rule's own label or
:func:`checker.vocab.durations.words`. The dashboard draws these rows as a timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from checker.graph.retention import duration_node, read_retention
from checker.views.facts import activities_of, iris, label, labels, text
from checker.views.provenance import quotes_of
from checker.vocab import durations
from checker.vocab.concepts import narrower
from checker.vocab.namespaces import DPV, RDF, RDFS, ROPA

#: Retention kinds, in the order a DPO should look at them, with how the pages name them.
RETENTION_KINDS: dict[str, str] = {
    "missing": "No retention recorded",
    "indefinite": "Kept indefinitely",
    "delegated": "Retention delegated",
    "unspecified": "Period not given",
    "until-event": "Until an event",
    "calendar": "Current year plus a period",
    "from-event": "Period from an event",
    "fixed": "Fixed period",
    "not-stored": "Not stored",
}

#: Kinds that need a DPO's attention.
ATTENTION_KINDS = frozenset({"missing", "indefinite", "delegated", "unspecified"})


@dataclass(frozen=True)
class RetentionRow:
    """How long one activity keeps one data category (or all its data), by one rule."""

    activity: str
    activity_name: str
    data: str
    data_label: str
    rule: str
    rule_label: str
    kind: str
    years: float | None
    period: str
    maximum: bool = False
    event: str = ""
    delegated_to: str = ""
    after: str = ""
    quote: str = ""

    @property
    def indefinite(self) -> bool:
        return self.kind == "indefinite"

    @property
    def delegated(self) -> bool:
        return self.kind == "delegated"

    @property
    def not_stored(self) -> bool:
        return self.kind == "not-stored"

    @property
    def missing(self) -> bool:
        return self.kind == "missing"

    @property
    def attention(self) -> bool:
        """Indefinite, delegated, missing or without a period: look at it."""
        return self.kind in ATTENTION_KINDS


def retention_kind(graph: Graph, rule: Node) -> str:
    """The kind of a retention rule (see :func:`checker.graph.retention.read_retention`)."""
    kind = read_retention(graph, rule).kind
    return "unspecified" if kind == "unknown" else kind


def retention_words(graph: Graph, rule: Node) -> str:
    """A retention rule in short English words: its duration's label, else the period."""
    node = duration_node(graph, rule)
    kind = retention_kind(graph, rule)
    if kind == "delegated":
        to = labels(graph, graph.objects(node, ROPA.delegatedTo))
        return "delegated to " + ", ".join(to) if to else "delegated"
    if kind == "until-event":
        events = labels(graph, graph.objects(node, ROPA.untilEvent))
        return "until " + ", ".join(events).lower() if events else "until an event"
    words = text(graph, node, RDFS.label) if node != rule else ""
    if words:
        return words
    value = graph.value(node, RDF.value)
    if value is not None:
        return durations.words(str(value)) or str(value)
    return RETENTION_KINDS[kind].lower()


def storage_conditions(graph: Graph, activity: Node) -> list[Node]:
    """The retention rules of an activity (dpv:hasStorageCondition), named or blank, in a
    deterministic order (IRI; blank nodes by what they say)."""
    nodes = {
        o for o in graph.objects(activity, DPV.hasStorageCondition) if not isinstance(o, Literal)
    }
    return sorted(
        nodes,
        key=lambda n: (
            not isinstance(n, URIRef),
            str(n) if isinstance(n, URIRef) else "",
            retention_words(graph, n),
        ),
    )


def _missing(activity: URIRef, name: str) -> RetentionRow:
    return RetentionRow(
        activity=str(activity),
        activity_name=name,
        data="",
        data_label="all data of the activity",
        rule="",
        rule_label="",
        kind="missing",
        years=None,
        period="no retention recorded",
    )


def _rule_rows(graph: Graph, activity: URIRef, name: str, rule: Node) -> list[RetentionRow]:
    """The rows of one rule: one per data category it covers (none named: all data)."""
    node = duration_node(graph, rule)
    kind = retention_kind(graph, rule)
    value = graph.value(node, RDF.value)
    years = durations.years(str(value)) if value is not None else None
    if kind == "not-stored":
        years = 0.0
    events = labels(
        graph, [*graph.objects(node, ROPA.untilEvent), *graph.objects(node, ROPA.countedFrom)]
    )
    quotes = quotes_of(graph, rule)
    named = isinstance(rule, URIRef)
    covered: list[URIRef | None] = [*iris(graph, rule, ROPA.coversData)] or [None]
    return [
        RetentionRow(
            activity=str(activity),
            activity_name=name,
            data=str(data) if data is not None else "",
            data_label=label(graph, data) if data is not None else "all data of the activity",
            rule=str(rule) if named else "",
            rule_label=label(graph, rule) if named else "",
            kind=kind,
            years=years,
            period=retention_words(graph, rule),
            maximum=any(
                isinstance(v, Literal) and v.toPython() is True
                for v in graph.objects(node, ROPA.isMaximum)
            ),
            event=", ".join(events),
            delegated_to=", ".join(labels(graph, graph.objects(node, ROPA.delegatedTo))),
            after=text(graph, rule, ROPA.afterRetention),
            quote=quotes[0].text if quotes else "",
        )
        for data in covered
    ]


def covered_data(graph: Graph, term: str) -> frozenset[str]:
    """The data categories a rule that covers ``term`` (``ropa:coversData``) applies to: the
    term, what is narrower, and the members of a data group (``ropa:includes``).

    >>> from checker.graph.build import build
    >>> base = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
    >>> "https://w3id.org/dpv/pd#Name" in covered_data(build(), base + "private-identity-contact")
    True
    """
    found = {str(n) for n in narrower(graph, URIRef(term))}
    for member in iris(graph, URIRef(term), ROPA.includes):
        found |= {str(n) for n in narrower(graph, member)}
    return frozenset(found)


def retention_rows(graph: Graph) -> list[RetentionRow]:
    """One row per activity, retention rule and data category the rule covers.

    A rule that names no data (``ropa:coversData``) covers all the activity's data; an
    activity without any rule gets one row of kind ``missing``. Sorted by activity name,
    then data label.
    """
    rows = []
    for act in activities_of(graph):
        name = label(graph, act)
        rules = storage_conditions(graph, act)
        if not rules:
            rows.append(_missing(act, name))
        for rule in rules:
            rows.extend(_rule_rows(graph, act, name, rule))
    return sorted(
        rows,
        key=lambda r: (
            r.activity_name.casefold(),
            r.activity,
            r.data_label.casefold(),
            r.rule,
            r.period,
        ),
    )
