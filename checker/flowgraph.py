"""The data-flow graph of a ROPA: who hands which personal data to whom.

Nodes are entities (organisational units, organisations, systems, data subjects); an edge
``a -> b`` says personal data go from ``a`` to ``b``. Edges come from two places:

- ``ropa:DataFlow`` records (sender, receiver, data, purposes, activity);
- each ``dpv:Process``: its data sources hand data to its units, and its units hand data
  to its recipients and processors (for an activity without units, the controller).

Each edge keeps the activities, data categories and purposes it carries, as IRIs. The
dashboard draws this graph; the flow rules walk it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from checker.labels import label_of

DPV = Namespace("https://w3id.org/dpv#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")


@dataclass
class EdgeData:
    """What one edge of the flow graph carries."""

    activities: set[str] = field(default_factory=set)
    data: set[str] = field(default_factory=set)
    purposes: set[str] = field(default_factory=set)
    conditions: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)  # "flow", "source", "recipient", "processor"


def _iris(graph: Graph, subject: URIRef, predicate: URIRef) -> set[str]:
    return {str(o) for o in graph.objects(subject, predicate) if isinstance(o, URIRef)}


def node_kind(graph: Graph, node: URIRef) -> str:
    """A coarse kind for display and rules: unit, processor, recipient, controller, ..."""
    types = set(graph.objects(node, RDF.type))
    if DPV.OrganisationalUnit in types:
        return "unit"
    if DPV.DataController in types:
        return "controller"
    if DPV.DataProcessor in types:
        return "processor"
    if ROPA.InformationSystem in types:
        return "system"
    if DPV.DataSubject in types:
        return "data subject"
    if types & {DPV.Recipient, DPV.Authority, DPV.Organisation, DPV.GovernmentalOrganisation}:
        return "recipient"
    return "other"


def flow_graph(graph: Graph) -> nx.DiGraph:
    """Build the flow graph of every activity and recorded flow in ``graph``.

    Returns a ``networkx.DiGraph`` whose nodes carry ``label`` and ``kind`` and whose edges
    carry an :class:`EdgeData` under ``"carries"``.
    """
    edges: dict[tuple[str, str], EdgeData] = defaultdict(EdgeData)
    for flow in graph.subjects(RDF.type, ROPA.DataFlow):
        sender, receiver = graph.value(flow, ROPA.sender), graph.value(flow, ROPA.receiver)
        if not isinstance(sender, URIRef) or not isinstance(receiver, URIRef):
            continue
        edge = edges[(str(sender), str(receiver))]
        edge.kinds.add("flow")
        edge.data |= _iris(graph, flow, DPV.hasPersonalData)
        edge.purposes |= _iris(graph, flow, DPV.hasPurpose)
        edge.activities |= _iris(graph, flow, ROPA.partOfActivity)
        edge.conditions |= {str(c) for c in graph.objects(flow, ROPA.condition)}
    for activity in graph.subjects(RDF.type, DPV.Process):
        if not isinstance(activity, URIRef):
            continue
        holders = _iris(graph, activity, DPV.hasOrganisationalUnit) or _iris(
            graph, activity, DPV.hasDataController
        )
        data = _iris(graph, activity, DPV.hasPersonalData)
        purposes = _iris(graph, activity, DPV.hasPurpose)
        links = [
            (s, h, "source") for s in _iris(graph, activity, DPV.hasDataSource) for h in holders
        ]
        processors = _iris(graph, activity, DPV.hasDataProcessor)
        recipients = _iris(graph, activity, DPV.hasRecipient) - processors
        links += [(h, p, "processor") for h in holders for p in processors]
        links += [(h, r, "recipient") for h in holders for r in recipients]
        for a, b, kind in links:
            if a == b:
                continue
            edge = edges[(a, b)]
            edge.kinds.add(kind)
            edge.activities.add(str(activity))
            edge.data |= data
            edge.purposes |= purposes
    result = nx.DiGraph()
    for (a, b), carries in sorted(edges.items()):
        for node in (a, b):
            if node not in result:
                ref = URIRef(node)
                result.add_node(node, label=label_of(graph, ref), kind=node_kind(graph, ref))
        result.add_edge(a, b, carries=carries)
    return result
