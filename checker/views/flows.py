"""The flow graph as the pages show it: filters, their choices, who handles what, details.

The flow graph (:func:`checker.graph.flows.flow_graph`) has a node for every party (data
subjects, units, the controller, processors, recipients, systems) and an edge for every
hand-over, carrying the data categories, purposes and activities behind it. Data categories
and legal bases are matched with their narrower concepts (:mod:`checker.vocab.concepts`).

>>> from checker.views.model import load_model
>>> model = load_model([])
>>> ip = "https://w3id.org/dpv/pd#IPAddress"
>>> shown = filter_flows(model.graph, model.flows, FlowFilter(data=frozenset({ip})))
>>> sorted(label for _, label in handlers(shown)["processor"])
['Elisa Oyj', 'Fonecta Oy']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
from rdflib import Graph, URIRef

from checker.graph.flows import EdgeData
from checker.views.facts import activities_of, iris, label, labels, record_source
from checker.views.registers import Register, registers
from checker.vocab.concepts import broader, is_special_category, narrower
from checker.vocab.namespaces import DPV, ORG, RDF, local_id

#: How each node kind is named on the pages (plural, for legends and summaries), in the
#: order the pages list them.
KIND_NAMES: dict[str, str] = {
    "data subject": "Data subjects (sources)",
    "system": "Systems",
    "unit": "Organisational units",
    "controller": "Controller",
    "processor": "Processors",
    "recipient": "Recipients",
    "other": "Other",
}


def node_label(flows: nx.DiGraph, node: str) -> str:
    """The label of a node of the flow graph (its IRI if it has none)."""
    return str(flows.nodes[node].get("label", node))


def node_kind(flows: nx.DiGraph, node: str) -> str:
    """The kind of a node of the flow graph (a key of :data:`KIND_NAMES`)."""
    return str(flows.nodes[node].get("kind", "other"))


def edge_kind(flows: nx.DiGraph, a: str, b: str) -> str:
    """What an edge stands for: ``register`` (a hand-over two registers record from both
    ends), ``processor``, ``recipient``, ``source`` or ``flow`` (the first of these it is,
    when it is several)."""
    kinds = flows.edges[a, b]["carries"].kinds
    for kind in ("register", "processor", "recipient", "source", "flow"):
        if kind in kinds:
            return kind
    return "flow"


@dataclass(frozen=True)
class EdgeFacts:
    """What an edge carries, as sorted labels; ``data`` are those the filter matched."""

    data: tuple[str, ...]
    all_data: tuple[str, ...]
    purposes: tuple[str, ...]
    activities: tuple[str, ...]
    conditions: tuple[str, ...]
    kinds: tuple[str, ...]


def edge_facts(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> EdgeFacts:
    """The labels of what the edge ``a`` -> ``b`` carries.

    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", carries=EdgeData(data={"https://e.org/x"}, purposes={"https://e.org/p"}))
    >>> edge_facts(Graph(), g, "a", "b").data
    ('x',)
    """
    attrs = flows.edges[a, b]
    carries: EdgeData = attrs["carries"]
    matched = attrs.get("matched", frozenset(carries.data))

    def named(iris: Iterable[str]) -> tuple[str, ...]:
        return tuple(labels(graph, (URIRef(i) for i in iris)))

    return EdgeFacts(
        data=named(matched),
        all_data=named(carries.data),
        purposes=named(carries.purposes),
        activities=named(carries.activities),
        conditions=tuple(sorted(carries.conditions)),
        kinds=tuple(sorted(carries.kinds)),
    )


def edges(flows: nx.DiGraph) -> list[tuple[str, str, EdgeData]]:
    """The edges of a flow graph with what they carry, in (from, to) order."""
    return sorted(((a, b, d["carries"]) for a, b, d in flows.edges(data=True)), key=lambda e: e[:2])


# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowFilter:
    """What to show of the flow graph; empty sets do not filter.

    Attributes:
        data: data categories: an edge is shown when it carries one of them or a narrower one.
        units: organisational units: the edges of their activities (and of their sub-units'),
            and the flows to and from them.
        processors: the edges of the activities that use these processors, without the
            edges to other processors; and the flows to and from them.
        legal_bases: the edges of activities with one of these legal bases (or a narrower one).
        special_only: only edges carrying special-category data (GDPR Art. 9(1)).
        registers: the edges of these registers' activities (``dpv:ROPA``, when the input
            holds several) and the flows to and from their parties.
    """

    data: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    processors: frozenset[str] = frozenset()
    legal_bases: frozenset[str] = frozenset()
    special_only: bool = False
    registers: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return bool(
            self.data
            or self.units
            or self.processors
            or self.legal_bases
            or self.special_only
            or self.registers
        )


@dataclass(frozen=True)
class Option:
    """A choice of a filter: the term, its label, and how many edges it touches."""

    iri: str
    label: str
    count: int

    def __str__(self) -> str:
        return f"{self.label} ({self.count})"


def narrower_closure(graph: Graph, terms: Iterable[str]) -> set[str]:
    """The terms and every term narrower than them (:func:`checker.vocab.concepts.narrower`).

    >>> from checker.graph.build import build
    >>> code = "https://w3id.org/ropa-kg/ontology#FinnishPersonalIdentityCode"
    >>> sorted(local_id(t) for t in narrower_closure(build(), [code]))
    ['FinnishPersonalIdentityCode', 'personal-identity-code']
    """
    return {str(n) for term in terms for n in narrower(graph, URIRef(term))}


def broader_closure(graph: Graph, term: str) -> set[str]:
    """The term and everything broader than it (:func:`checker.vocab.concepts.broader`)."""
    return {str(n) for n in broader(graph, URIRef(term))}


def sub_units(graph: Graph, units: Iterable[str]) -> set[str]:
    """The units and every unit inside them (``org:subOrganizationOf``, at any depth)."""
    found = set(units)
    frontier = set(found)
    while frontier:
        frontier = {
            str(s)
            for unit in frontier
            for s in graph.subjects(ORG.subOrganizationOf, URIRef(unit))
            if isinstance(s, URIRef)
        } - found
        found |= frontier
    return found


def _options(graph: Graph, counts: Mapping[str, int]) -> list[Option]:
    options = [Option(iri, label(graph, URIRef(iri)), n) for iri, n in counts.items()]
    same = defaultdict(list)
    for option in options:
        same[option.label.casefold()].append(option)
    result = []
    for option in options:
        if len(same[option.label.casefold()]) > 1:  # the same label twice: add the id
            option = Option(option.iri, f"{option.label} [{local_id(option.iri)}]", option.count)
        result.append(option)
    return sorted(result, key=lambda o: (o.label.casefold(), o.iri))


def data_category_options(graph: Graph, flows: nx.DiGraph) -> list[Option]:
    """Every data category the flows carry, and every broader category, with the number of
    edges that carry it (or a narrower one). ``dpv:PersonalData`` itself is left out."""
    counts: dict[str, int] = defaultdict(int)
    ancestors: dict[str, set[str]] = {}
    for _, _, carries in edges(flows):
        covered: set[str] = set()
        for data in carries.data:
            if data not in ancestors:
                ancestors[data] = broader_closure(graph, data)
            covered |= ancestors[data]
        for term in covered:
            counts[term] += 1
    personal = str(DPV.PersonalData)
    kept = {
        term: n
        for term, n in counts.items()
        if term != personal and (term in ancestors or personal in broader_closure(graph, term))
    }
    return _options(graph, kept)


def unit_options(graph: Graph, flows: nx.DiGraph) -> list[Option]:
    """Organisational units on the flow graph, with their number of edges."""
    return _options(
        graph,
        {
            n: flows.degree(n)
            for n, kind in flows.nodes(data="kind")
            if kind in ("unit", "controller")
        },
    )


def processor_options(graph: Graph, flows: nx.DiGraph) -> list[Option]:
    """Processors on the flow graph, with their number of edges."""
    return _options(
        graph, {n: flows.degree(n) for n, kind in flows.nodes(data="kind") if kind == "processor"}
    )


def legal_basis_options(graph: Graph) -> list[Option]:
    """The legal bases of the activities, with their number of activities."""
    counts: dict[str, int] = defaultdict(int)
    for act in activities_of(graph):
        for basis in iris(graph, act, DPV.hasLegalBasis):
            counts[str(basis)] += 1
    return _options(graph, counts)


def register_options(registers: Iterable[Register]) -> list[Option]:
    """The registers of the input with their number of activities (none when only one:
    there is nothing to choose)."""
    found = [Option(r.iri, r.label, len(r.activities)) for r in registers]
    return found if len(found) > 1 else []


@dataclass(frozen=True)
class FlowOptions:
    """The choices of every filter of the Flows page."""

    data: tuple[Option, ...]
    units: tuple[Option, ...]
    processors: tuple[Option, ...]
    legal_bases: tuple[Option, ...]
    registers: tuple[Option, ...]


def flow_options(graph: Graph, flows: nx.DiGraph) -> FlowOptions:
    """Every filter's choices (computed once per graph by the model)."""
    return FlowOptions(
        data=tuple(data_category_options(graph, flows)),
        units=tuple(unit_options(graph, flows)),
        processors=tuple(processor_options(graph, flows)),
        legal_bases=tuple(legal_basis_options(graph)),
        registers=tuple(register_options(registers(graph))),
    )


@dataclass(frozen=True)
class _ActivityFacts:
    units: frozenset[str]
    processors: frozenset[str]
    bases: frozenset[str]
    register: str


_FACTS: dict[int, tuple[Graph, dict[str, _ActivityFacts], dict[str, frozenset[str]]]] = {}


def _activity_facts(graph: Graph) -> tuple[dict[str, _ActivityFacts], dict[str, frozenset[str]]]:
    """Each activity's units, processors, legal bases (with broader ones) and register,
    and each register's parties; kept for the last few graphs (filters ask on every
    change, the graph does not change)."""
    kept = _FACTS.get(id(graph))
    if kept is not None and kept[0] is graph:
        return kept[1], kept[2]
    regs = registers(graph)
    register_of = {a: r.iri for r in regs for a in r.activities}
    facts = {}
    for act in activities_of(graph):
        bases: set[str] = set()
        for basis in iris(graph, act, DPV.hasLegalBasis):
            bases |= broader_closure(graph, str(basis))
        facts[str(act)] = _ActivityFacts(
            units=frozenset(str(u) for u in iris(graph, act, DPV.hasOrganisationalUnit)),
            processors=frozenset(str(p) for p in iris(graph, act, DPV.hasDataProcessor)),
            bases=frozenset(bases),
            register=register_of.get(str(act), ""),
        )
    parties = {r.iri: r.parties for r in regs}
    if len(_FACTS) > 4:
        _FACTS.clear()
    _FACTS[id(graph)] = (graph, facts, parties)
    return facts, parties


def filter_flows(graph: Graph, flows: nx.DiGraph, flt: FlowFilter) -> nx.DiGraph:
    """The part of the flow graph that ``flt`` selects; nodes left without edges go.

    Each kept edge gets ``matched``: the data categories it carries that the data and
    special-category filters selected (all its data when neither is set). Filters of
    different kinds must all hold; the values of one filter are alternatives.
    """
    wanted = narrower_closure(graph, flt.data) if flt.data else set()
    units = sub_units(graph, flt.units) if flt.units else set()
    facts, register_parties = _activity_facts(graph)
    parties = {p for r in flt.registers for p in register_parties.get(r, ())}
    result = nx.DiGraph()
    for a, b, carries in edges(flows):
        data = set(carries.data)
        if wanted:
            data &= wanted
        if flt.special_only:
            data = {d for d in data if is_special_category(graph, URIRef(d))}
        if (wanted or flt.special_only) and not data:
            continue
        acts = [facts[x] for x in sorted(carries.activities) if x in facts]
        if units and not ({a, b} & units or any(f.units & units for f in acts)):
            continue
        if flt.processors:
            kind_b = flows.nodes[b].get("kind")
            if kind_b == "processor" and b not in flt.processors and a not in flt.processors:
                continue
            if not ({a, b} & flt.processors or any(f.processors & flt.processors for f in acts)):
                continue
        if flt.legal_bases and not any(f.bases & flt.legal_bases for f in acts):
            continue
        if flt.registers and not (
            {a, b} & parties or any(f.register in flt.registers for f in acts)
        ):
            continue
        for node in (a, b):
            if node not in result:
                result.add_node(node, **flows.nodes[node])
        result.add_edge(a, b, carries=carries, matched=frozenset(data))
    return result


# --- who handles it ---------------------------------------------------------------------------


def handlers(flows: nx.DiGraph) -> dict[str, list[tuple[str, str]]]:
    """The nodes of a (filtered) flow graph by kind: (IRI, label), sorted by label.

    On a graph filtered by a data category this answers "who handles it".
    """
    result: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KIND_NAMES}
    for node, attrs in flows.nodes(data=True):
        result.setdefault(attrs.get("kind", "other"), []).append((node, attrs.get("label", node)))
    return {k: sorted(v, key=lambda x: (x[1].casefold(), x[0])) for k, v in result.items()}


@dataclass(frozen=True)
class DataUse:
    """Who processes a data category: a unit (or the controller, for activities that name
    no unit) and its activities that process it."""

    holder: str
    label: str
    activities: tuple[tuple[str, str], ...]


def _named_sorted(graph: Graph, nodes: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(IRI, label) of each node, sorted by label, then IRI."""
    return tuple(
        sorted(((n, label(graph, URIRef(n))) for n in nodes), key=lambda x: (x[1].casefold(), x[0]))
    )


def processing_units(graph: Graph, data: Iterable[str]) -> list[DataUse]:
    """The units whose activities process any of ``data`` (or a narrower category), each
    with those activities; an activity without a unit counts for its controller.

    >>> from checker.graph.build import build
    >>> code = "https://w3id.org/ropa-kg/ontology#FinnishPersonalIdentityCode"
    >>> "E-services of the customer services" in [u.label for u in processing_units(build(), [code])]
    True
    """
    wanted = narrower_closure(graph, data)
    by_holder: dict[str, set[str]] = defaultdict(set)
    for act in activities_of(graph):
        if not {str(d) for d in graph.objects(act, DPV.hasPersonalData)} & wanted:
            continue
        holders = iris(graph, act, DPV.hasOrganisationalUnit) or iris(
            graph, act, DPV.hasDataController
        )
        for holder in holders:
            by_holder[str(holder)].add(str(act))
    rows = []
    for iri, acts in by_holder.items():
        name = label(graph, URIRef(iri))
        if (URIRef(iri), RDF.type, DPV.OrganisationalUnit) not in graph:
            name += " (no unit recorded)"
        rows.append(DataUse(iri, name, _named_sorted(graph, acts)))
    return sorted(rows, key=lambda r: (r.label.casefold(), r.holder))


# --- details ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeDetail:
    """One edge at a node: the partner, and what the edge carries."""

    partner: str
    partner_label: str
    partner_kind: str
    data: tuple[str, ...]
    purposes: tuple[str, ...]
    activities: tuple[str, ...]
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class NodeDetail:
    """A node of the flow graph: what it is, what it receives, what it hands on."""

    iri: str
    label: str
    kind: str
    part_of: tuple[str, ...]
    parts: tuple[str, ...]
    incoming: tuple[EdgeDetail, ...]
    outgoing: tuple[EdgeDetail, ...]
    activities: tuple[tuple[str, str], ...]
    location: str = ""
    source: str = ""


def _edge_details(
    graph: Graph, flows: nx.DiGraph, pairs: Iterable[tuple[str, str]], partner: int
) -> tuple[EdgeDetail, ...]:
    """The edges ``pairs`` seen from one end; ``partner`` is the index of the other end."""
    details = []
    for a, b in pairs:
        other = (a, b)[partner]
        facts = edge_facts(graph, flows, a, b)
        details.append(
            EdgeDetail(
                partner=other,
                partner_label=node_label(flows, other),
                partner_kind=node_kind(flows, other),
                data=facts.data,
                purposes=facts.purposes,
                activities=facts.activities,
                conditions=facts.conditions,
            )
        )
    return tuple(sorted(details, key=lambda e: (e.partner_label.casefold(), e.partner)))


def node_detail(graph: Graph, flows: nx.DiGraph, node: str) -> NodeDetail:
    """What the (filtered) flow graph says about ``node``, with its records entry.

    Raises:
        KeyError: the node is not on the flow graph.
    """
    if node not in flows:
        raise KeyError(node)
    ref = URIRef(node)
    acts: set[str] = set()
    for a, b in (*flows.in_edges(node), *flows.out_edges(node)):
        acts |= flows.edges[a, b]["carries"].activities
    return NodeDetail(
        iri=node,
        label=node_label(flows, node),
        kind=node_kind(flows, node),
        part_of=tuple(labels(graph, graph.objects(ref, ORG.subOrganizationOf))),
        parts=tuple(labels(graph, graph.subjects(ORG.subOrganizationOf, ref))),
        incoming=_edge_details(graph, flows, [(p, node) for p in flows.predecessors(node)], 0),
        outgoing=_edge_details(graph, flows, [(node, s) for s in flows.successors(node)], 1),
        activities=_named_sorted(graph, acts),
        location=", ".join(labels(graph, graph.objects(ref, DPV.hasLocation))),
        source=record_source(graph, ref),
    )
