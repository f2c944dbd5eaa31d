"""Several registers at once: which register each activity belongs to, and the hand-overs
that two registers record from both ends.

``ropa dashboard A B`` builds one graph of both inputs. A register is a ``dpv:ROPA``; its
activities are its ``dct:hasPart`` (our records), else the activities of its controller,
else, when the input has one register, every activity. Its parties are its controllers and
every unit inside them (``org:subOrganizationOf``) or named by its activities.

When register A discloses data to a party of register B (a recipient or processor of A's
activity that is B's controller, or one of its units) and register B records a party of A
as the source of its activity, both records describe one hand-over: :func:`join_registers`
draws it as one edge from A's unit to B's unit, of kind ``register``. A party is matched by
its IRI only (the same IRI in both inputs), never by its name: names are not identities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
from rdflib import Graph, URIRef

from checker.graph.flows import EdgeData
from checker.views.facts import activities_of, iris
from checker.views.hierarchy import ancestors, parents
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DCTERMS, DPV, RDF


@dataclass(frozen=True)
class Register:
    """One register (``dpv:ROPA``): its label, controllers, activities and parties."""

    iri: str
    label: str
    controllers: tuple[str, ...]
    activities: frozenset[str]
    parties: frozenset[str]


def registers(graph: Graph) -> list[Register]:
    """The registers of the graph, sorted by label (then IRI).

    >>> from checker.graph.build import build
    >>> [(r.label, len(r.activities)) for r in registers(build())]
    [('Processing of personal data in customer services', 50)]
    """
    ropas = sorted(r for r in set(graph.subjects(RDF.type, DPV.ROPA)) if isinstance(r, URIRef))
    acts = activities_of(graph)
    controllers = {r: [str(c) for c in iris(graph, r, DPV.hasDataController)] for r in ropas}
    owner: dict[str, str] = {}
    for ropa in ropas:
        for part in iris(graph, ropa, DCTERMS.hasPart):
            owner.setdefault(str(part), str(ropa))
    for act in acts:
        if str(act) in owner:
            continue
        mine = {str(c) for c in iris(graph, act, DPV.hasDataController)}
        matching = [r for r in ropas if mine & set(controllers[r])]
        if len(matching) == 1 or (not matching and len(ropas) == 1):
            owner[str(act)] = str((matching or ropas)[0])
    parent_of = parents(graph)
    result = []
    for ropa in ropas:
        own = frozenset(a for a, r in owner.items() if r == str(ropa))
        heads = set(controllers[ropa])
        for act in own:
            heads |= {str(c) for c in iris(graph, URIRef(act), DPV.hasDataController)}
        units = {str(u) for a in own for u in iris(graph, URIRef(a), DPV.hasOrganisationalUnit)}
        inside = {child for child in parent_of if heads & set(ancestors(parent_of, child))}
        result.append(
            Register(
                iri=str(ropa),
                label=label_of(graph, ropa),
                controllers=tuple(sorted(heads)),
                activities=own,
                parties=frozenset(heads | units | inside),
            )
        )
    return sorted(result, key=lambda r: (r.label.casefold(), r.iri))


def _side(node: str, parent_of: dict[str, str]) -> set[str]:
    """The node and everything it is part of."""
    return {node, *ancestors(parent_of, node)}


def _activity_data(graph: Graph, activity: str) -> tuple[set[str], set[str]]:
    act = URIRef(activity)
    return (
        {str(d) for d in iris(graph, act, DPV.hasPersonalData)},
        {str(p) for p in iris(graph, act, DPV.hasPurpose)},
    )


def _edges_of(flows: nx.DiGraph, kinds: Iterable[str]) -> list[tuple[str, str, EdgeData]]:
    wanted = set(kinds)
    return [
        (a, b, d["carries"])
        for a, b, d in sorted(flows.edges(data=True), key=lambda e: e[:2])
        if d["carries"].kinds & wanted
    ]


def join_registers(graph: Graph, flows: nx.DiGraph) -> nx.DiGraph:
    """The flow graph with each hand-over that two registers record from both ends as one
    edge (kind ``register``), from the disclosing unit to the receiving unit.

    The edges the two records made (unit -> the other register's party, and this
    register's party -> the other's unit) go when every activity on them is matched.
    With fewer than two registers, the flow graph as it is.
    """
    regs = registers(graph)
    if len(regs) < 2:
        return flows
    register_of = {a: r.iri for r in regs for a in r.activities}
    party_of: dict[str, set[str]] = defaultdict(set)
    for reg in regs:
        for party in reg.parties:
            party_of[party].add(reg.iri)
    parent_of = parents(graph)
    sources = _edges_of(flows, ["source"])
    joined: dict[tuple[str, str], EdgeData] = {}
    matched: dict[tuple[str, str], set[str]] = defaultdict(set)
    for holder, receiver, carries in _edges_of(flows, ["recipient", "processor"]):
        for act in sorted(carries.activities):
            home = register_of.get(act)
            for other in sorted(party_of.get(receiver, set()) - {home}):
                for source, taker, taken in sources:
                    if source not in _side(holder, parent_of) or receiver not in _side(
                        taker, parent_of
                    ):
                        continue
                    theirs = [b for b in sorted(taken.activities) if register_of.get(b) == other]
                    if not theirs or home is None:
                        continue
                    edge = joined.setdefault((holder, taker), EdgeData(kinds={"register"}))
                    for activity in (act, *theirs):
                        data, purposes = _activity_data(graph, activity)
                        edge.activities.add(activity)
                        edge.data |= data
                        edge.purposes |= purposes
                    matched[holder, receiver].add(act)
                    matched[source, taker].update(theirs)
    if not joined:
        return flows
    result = flows.copy()
    for (a, b), acts in matched.items():
        carries = flows.edges[a, b]["carries"]
        if carries.activities <= acts and carries.kinds <= {"source", "recipient", "processor"}:
            result.remove_edge(a, b)
    for (a, b), carries in sorted(joined.items()):
        if result.has_edge(a, b):
            old = result.edges[a, b]["carries"]
            carries = EdgeData(
                activities=old.activities | carries.activities,
                data=old.data | carries.data,
                purposes=old.purposes | carries.purposes,
                conditions=set(old.conditions),
                kinds=old.kinds | carries.kinds,
            )
        result.add_edge(a, b, carries=carries)
    result.remove_nodes_from([n for n in sorted(result.nodes) if result.degree(n) == 0])
    return result
