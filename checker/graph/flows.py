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
import pyoxigraph as ox
from rdflib import Graph, URIRef

from checker.graph.store import ox_store
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, RDF, ROPA


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


_FLOWS = """
SELECT ?flow ?sender ?receiver ?p ?o WHERE {
  ?flow a ropa:DataFlow ; ropa:sender ?sender ; ropa:receiver ?receiver .
  FILTER(isIRI(?sender) && isIRI(?receiver))
  OPTIONAL {
    VALUES ?p { dpv:hasPersonalData dpv:hasPurpose ropa:partOfActivity ropa:condition }
    ?flow ?p ?o .
  }
}"""

_ACTIVITIES = """
SELECT ?activity ?p ?o WHERE {
  ?activity a dpv:Process .
  VALUES ?p {
    dpv:hasOrganisationalUnit dpv:hasDataController dpv:hasPersonalData dpv:hasPurpose
    dpv:hasDataSource dpv:hasDataProcessor dpv:hasRecipient
  }
  ?activity ?p ?o .
  FILTER(isIRI(?activity) && isIRI(?o))
}"""

_PREFIXES = {"dpv": str(DPV), "ropa": str(ROPA)}


def flow_graph(graph: Graph) -> nx.DiGraph:
    """Build the flow graph of every activity and recorded flow in ``graph``.

    Returns a ``networkx.DiGraph`` whose nodes carry ``label`` and ``kind`` and whose edges
    carry an :class:`EdgeData` under ``"carries"``. The edges come from two SPARQL queries
    on the graph's store (a million-triple ROPA in a fraction of a second).
    """
    store = ox_store(graph)
    edges: dict[tuple[str, str], EdgeData] = defaultdict(EdgeData)
    for _, sender, receiver, p, o in store.query(_FLOWS, prefixes=_PREFIXES):
        edge = edges[(sender.value, receiver.value)]
        edge.kinds.add("flow")
        if p is None:
            continue
        if p.value == str(ROPA.condition):
            edge.conditions.add(o.value)
        elif isinstance(o, ox.NamedNode):
            {
                str(DPV.hasPersonalData): edge.data,
                str(DPV.hasPurpose): edge.purposes,
                str(ROPA.partOfActivity): edge.activities,
            }[p.value].add(o.value)
    about: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for activity, p, o in store.query(_ACTIVITIES, prefixes=_PREFIXES):
        about[activity.value][p.value].add(o.value)
    for activity, about_it in sorted(about.items()):
        values = {URIRef(p): objects for p, objects in about_it.items()}
        holders = values.get(DPV.hasOrganisationalUnit) or values.get(DPV.hasDataController, set())
        data = values.get(DPV.hasPersonalData, set())
        purposes = values.get(DPV.hasPurpose, set())
        sources = values.get(DPV.hasDataSource, set())
        links = [(s, h, "source") for s in sources for h in holders]
        processors = values.get(DPV.hasDataProcessor, set())
        recipients = values.get(DPV.hasRecipient, set()) - processors
        links += [(h, p, "processor") for h in holders for p in processors]
        links += [(h, r, "recipient") for h in holders for r in recipients]
        for a, b, kind in links:
            if a == b:
                continue
            edge = edges[(a, b)]
            edge.kinds.add(kind)
            edge.activities.add(activity)
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
