"""Retention rules as the graph states them: one reading for every view.

A retention rule (``dpv:hasStorageCondition``) has a duration node whose DPV class says how
the period is set (see ``checker/records/to_rdf.py``); :func:`read_retention` turns both into a
:class:`Retention`: its kind, the ISO 8601 duration, and English words. ``ropa diff``
compares them, the dashboard draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Node

from checker.vocab import durations
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, RDF, ROPA


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
    period = (durations.words(duration) or duration) if duration else duration
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
