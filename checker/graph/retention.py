"""Retention rules as the graph states them: one reading for every view.

A retention rule (``dpv:hasStorageCondition``) has a duration node whose DPV class says how
the period is set (see ``checker/records/to_rdf.py``); :func:`read_retention` turns both into a
:class:`Retention`: its kind, the ISO 8601 duration, and English words. ``ropa diff``
compares them, the dashboard draws them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Graph, Namespace
from rdflib.namespace import RDF
from rdflib.term import Node

from checker.records.to_rdf import duration_words
from checker.vocab.labels import label_of

DPV = Namespace("https://w3id.org/dpv#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")

_DURATION = re.compile(
    r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: str) -> tuple[int, Decimal] | None:
    """An ISO 8601 / ``xsd:duration`` as (months, seconds); None when it is not one.

    >>> parse_duration("P1Y6M")
    (18, Decimal('0'))
    >>> parse_duration("P2W")
    (0, Decimal('1209600'))
    >>> parse_duration("two years") is None
    True
    """
    match = _DURATION.match(value.strip())
    if match is None or value.strip() in ("P", "-P") or value.strip().endswith("T"):
        return None
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    total_months = int(years or 0) * 12 + int(months or 0)
    total_seconds = (
        Decimal(int(weeks or 0) * 7 + int(days or 0)) * 86400
        + Decimal(int(hours or 0)) * 3600
        + Decimal(int(minutes or 0)) * 60
        + Decimal(seconds or 0)
    )
    if sign:
        return -total_months, -total_seconds
    return total_months, total_seconds


@dataclass(frozen=True)
class Retention:
    """How long a retention rule keeps the data, read from the graph.

    Attributes:
        kind: ``fixed``, ``from-event``, ``calendar``, ``until-event``, ``indefinite``,
            ``not-stored``, ``delegated``, ``unspecified`` or ``unknown``.
        duration: the ISO 8601 duration, if there is one.
        maximum: the duration is an upper limit ("at most").
        anchor: IRI of the event the period counts from or lasts until.
        words: the rule in English words, for the report.
    """

    kind: str
    duration: str | None
    maximum: bool
    anchor: str | None
    words: str = field(compare=False)  # renaming an event is no change of the period


def duration_node(graph: Graph, rule: Node) -> Node:
    node = graph.value(rule, DPV.hasDuration)
    return node if node is not None else rule


def read_retention(graph: Graph, rule: Node) -> Retention:
    """Read a retention rule (``dpv:hasStorageCondition``) and its duration node."""
    node = duration_node(graph, rule)
    types = set(graph.objects(node, RDF.type))
    value = graph.value(node, RDF.value)
    duration = str(value) if value is not None else None
    counted = graph.value(node, ROPA.countedFrom)
    until = graph.value(node, ROPA.untilEvent)
    maximum = any(v.toPython() is True for v in graph.objects(node, ROPA.isMaximum))
    period = duration_words(duration) if duration and parse_duration(duration) else duration
    at_most = "at most " if maximum else ""
    if DPV.EndlessDuration in types:
        kind, words = "indefinite", "indefinitely"
    elif ROPA.NotStored in types:
        kind, words = "not-stored", "not stored"
    elif ROPA.DelegatedRetention in types:
        to = sorted(label_of(graph, t) for t in graph.objects(node, ROPA.delegatedTo))
        kind, words = "delegated", "delegated" + (f" to {', '.join(to)}" if to else "")
    elif DPV.IndeterminateDuration in types:
        kind, words = "unspecified", "an unspecified period"
    elif ROPA.CurrentYearPlus in types and duration:
        kind, words = "calendar", f"the current year plus {period}"
    elif until is not None and not duration:
        kind, words = "until-event", f"until {label_of(graph, until)}"
    elif duration and counted is not None:
        kind, words = "from-event", f"{at_most}{period}"
    elif duration:
        kind, words = "fixed", f"{at_most}{period}"
    else:
        kind, words = "unknown", label_of(graph, rule)
    anchor = counted if counted is not None else until
    if anchor is not None and kind in ("from-event", "calendar"):
        words += f" from {label_of(graph, anchor)}"
    return Retention(kind, duration, maximum, str(anchor) if anchor else None, words)
