"""The flow map: sources left, the organisation in nested boxes, recipients right.

A DPO reads the map from left to right: where personal data come from (data subjects,
systems and other parties that hand data in), the organisation's units that process them,
grouped by the hierarchy of the records (``part_of``: *Finnish Customs* > *Customer
services* > *Customer information service* > *General information service*, as nested
boxes), and who receives them (processors and recipients; those located outside the EU/EEA
are marked).

Placement, as numbers (the dashboard draws it, :mod:`dashboard.figures`):

- each party goes to a region: ``source``, ``organisation`` or ``recipient``, and inside
  it to a column by the longest path of hand-overs within the region (cycles broken by
  :func:`checker.views.layout.acyclic`);
- every node of the organisation has a row of its own, a box's nodes are contiguous, and
  the boxes are ordered by the barycentre of their nodes' partners;
- sources and recipients sit as near to the mean height of their partners as the rows
  allow (least squares under "one row apart": pool-adjacent-violators);
- a few sweeps reorder boxes and columns by barycentre, and the sweep whose drawing crosses
  the fewest edges (:func:`checker.views.geometry.crossings`) is kept.

Deterministic: every order is sorted, with labels and IRIs as tie-breakers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise

import networkx as nx
from rdflib import Graph, URIRef

from checker.views.facts import labels
from checker.views.flows import node_kind, node_label
from checker.views.geometry import Point, crossings
from checker.views.hierarchy import ancestors, parents
from checker.views.layout import acyclic
from checker.vocab.concepts import outside_eu_eea
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV

#: Node kinds that belong to the organisation (drawn in its boxes).
ORGANISATION_KINDS = ("unit", "controller")

#: The regions from left to right, with the titles the map gives them.
REGIONS: dict[str, str] = {
    "source": "Where the data come from",
    "organisation": "Who in the organisation handles them",
    "recipient": "Who receives them",
}

#: Horizontal room between regions and for the organisation's labels (in columns).
REGION_GAP = 0.9
LABEL_ROOM = 1.1
#: Vertical room (in rows) above a box's first row for its title, and below its last.
BOX_HEADER = 1.05
BOX_FOOTER = 0.35
#: Sweeps of reordering; crossings are counted after each while the map has at most
#: this many edges (counting is quadratic in the edges).
SWEEPS = 12
#: Boxes down to this depth (0: the top, a controller) have ports (see :class:`FlowMap`).
ENTRY_DEPTH = 1
COUNT_UP_TO = 300


@dataclass(frozen=True)
class Box:
    """A group of the organisation drawn as a box: a unit (or controller) and what is part
    of it. ``depth`` 0 is outermost; coordinates are those of :class:`FlowMap`."""

    group: str
    label: str
    depth: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Segment:
    """A curve of the map, from ``start`` to ``end`` (a node, or a box's port:
    ``in:<box>`` on its left border, ``out:<box>`` on its right), standing for the hand-overs
    ``edges`` of the flow graph."""

    start: str
    end: str
    edges: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FlowMap:
    """Where everything of the flow map goes.

    Attributes:
        positions: each node's (x, y); x grows to the right, y upwards (row 0 on top, at 0).
        regions: each node's region (a key of :data:`REGIONS`).
        boxes: the organisation's groups, outermost first.
        titles: each region's title and the x of its middle.
        outside: nodes located outside the EU/EEA (``dpv:hasLocation``), with the location.
        segments: the curves to draw. Hand-overs between a source or recipient and a unit
            inside a box of the organisation run through the box's port (edge
            concentration, as Graphviz's ``concentrate``): one curve from the source to
            the port, one from the port to each unit, so that two sources that reach the
            same ten units cross each other once, not forty-five times.
        ports: the position of each port.
        crossings: pairs of segments that cross in this drawing (None: not counted).
    """

    positions: dict[str, Point]
    regions: dict[str, str]
    boxes: tuple[Box, ...] = ()
    titles: tuple[tuple[str, float], ...] = ()
    outside: dict[str, str] = field(default_factory=dict)
    segments: tuple[Segment, ...] = ()
    ports: dict[str, Point] = field(default_factory=dict)
    crossings: int | None = None

    def point(self, key: str) -> Point:
        """Where a segment's end is: a node's position or a port's."""
        return self.positions[key] if key in self.positions else self.ports[key]

    @property
    def rows(self) -> float:
        """How many rows tall the map is (for the figure's height)."""
        ys = [y for _, y in self.positions.values()] + [b.y0 for b in self.boxes]
        return (max(ys) - min(ys) + 1) if ys else 0.0


def regions_of(flows: nx.DiGraph) -> dict[str, str]:
    """The region of each node: the organisation's units and controllers, and any party
    that both receives from and hands back to them, are ``organisation``; a party that
    receives from the organisation is a ``recipient``; every other (data subjects, parties
    and systems that hand data in) a ``source``."""
    organisation = {n for n in flows.nodes if node_kind(flows, n) in ORGANISATION_KINDS}
    found = {}
    for node in flows.nodes:
        if node in organisation:
            found[node] = "organisation"
            continue
        receives = any(p in organisation for p in flows.predecessors(node))
        hands_back = any(s in organisation for s in flows.successors(node))
        if node_kind(flows, node) == "data subject" or not receives:
            found[node] = "source"
        else:
            found[node] = "organisation" if hands_back else "recipient"
    return found


def _columns(flows: nx.DiGraph, nodes: Iterable[str]) -> dict[str, int]:
    """Columns inside one region: one right of the furthest sender in the region."""
    sub = acyclic(flows.subgraph(nodes))
    column: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(sub):
        column[node] = 1 + max((column[p] for p in sub.predecessors(node)), default=-1)
    return column


def _isotonic(desired: list[float], gap: float = 1.0) -> list[float]:
    """Heights as near to ``desired`` as possible (least squares), in order, ``gap`` apart.

    >>> _isotonic([0.0, 0.2, 5.0])
    [-0.4, 0.6, 5.0]
    """
    shifted = [d - i * gap for i, d in enumerate(desired)]
    blocks: list[list[float]] = []  # [sum, count]
    for value in shifted:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    fitted = [total / count for total, count in blocks for _ in range(int(count))]
    return [round(z + i * gap, 9) for i, z in enumerate(fitted)]


@dataclass
class _Tree:
    """The organisation's groups: each group's children and which groups get a box."""

    children: dict[str, list[str]]
    roots: list[str]
    members: dict[str, list[str]]  # group -> flow nodes inside it (itself included)
    boxed: set[str]
    depth: dict[str, int]


def _tree(flows: nx.DiGraph, organisation: list[str], parent_of: Mapping[str, str]) -> _Tree:
    children: dict[str, set[str]] = defaultdict(set)
    roots: set[str] = set()
    members: dict[str, list[str]] = defaultdict(list)
    depth: dict[str, int] = {}
    for node in organisation:
        chain = [node, *ancestors(dict(parent_of), node)]
        for child, parent in pairwise(chain):
            children[parent].add(child)
        roots.add(chain[-1])
        for group in chain:
            members[group].append(node)
        for level, group in enumerate(reversed(chain)):
            depth[group] = min(depth.get(group, level), level)
    boxed = {g for g, inside in members.items() if any(n != g for n in inside)}
    return _Tree(
        children={g: sorted(c) for g, c in children.items()},
        roots=sorted(roots),
        members=dict(members),
        boxed=boxed,
        depth=depth,
    )


class _Placer:
    """One flow graph's regions, columns and hierarchy, and the positions of an order."""

    def __init__(self, graph: Graph, flows: nx.DiGraph) -> None:
        self.graph = graph
        self.flows = flows
        self.region = regions_of(flows)
        by_region: dict[str, list[str]] = defaultdict(list)
        for node in sorted(flows.nodes):
            by_region[self.region[node]].append(node)
        self.by_region = by_region
        self.column = {}
        self.x: dict[str, float] = {}
        left = 0.0
        self.titles = []
        for region in REGIONS:
            nodes = by_region.get(region, [])
            if not nodes:
                continue
            # The organisation is one column: hand-overs between its units are arcs.
            columns = {n: 0 for n in nodes} if region == "organisation" else _columns(flows, nodes)
            width = max(columns.values()) + 1
            for node in nodes:
                self.column[node] = columns[node]
                self.x[node] = left + columns[node]
            self.titles.append((REGIONS[region], left + (width - 1) / 2))
            if region == "organisation":
                self.org_span = (left, left + width - 1)
            left += width - 1 + REGION_GAP + (LABEL_ROOM if region == "organisation" else 1)
        parent_of = parents(graph)
        self.tree = _tree(flows, by_region.get("organisation", []), parent_of)
        self.entry: dict[str, float] = {}
        self.ported = True
        self.label = {n: node_label(flows, n) for n in flows.nodes}
        for group in self.tree.members:
            if group not in self.label:
                self.label[group] = label_of(graph, URIRef(group))

    # --- the order of the organisation -------------------------------------------------------

    def initial_order(self) -> dict[str, list[str]]:
        """Children by label, and the outer columns by kind and label."""
        order = {
            g: sorted(c, key=lambda n: (self.label[n].casefold(), n))
            for g, c in self.tree.children.items()
        }
        order[""] = sorted(self.tree.roots, key=lambda n: (self.label[n].casefold(), n))
        for region in ("source", "recipient"):
            for column, nodes in self._outer_columns(region).items():
                order[f"{region}:{column}"] = sorted(
                    nodes, key=lambda n: (node_kind(self.flows, n), self.label[n].casefold(), n)
                )
        return order

    def _outer_columns(self, region: str) -> dict[int, list[str]]:
        columns: dict[int, list[str]] = defaultdict(list)
        for node in self.by_region.get(region, []):
            columns[self.column[node]].append(node)
        return dict(sorted(columns.items()))

    def rows(self, order: Mapping[str, list[str]]) -> tuple[dict[str, float], list[Box]]:
        """Rows of the organisation's nodes (boxes add room for their titles) and boxes."""
        row: dict[str, float] = {}
        boxes: list[Box] = []
        cursor = [0.0]

        def walk(group: str) -> None:
            boxed = group in self.tree.boxed
            if boxed:
                cursor[0] += BOX_HEADER
                top = cursor[0] - BOX_HEADER
            if self.region.get(group) == "organisation":
                row[group] = cursor[0]
                cursor[0] += 1
            for child in order.get(group, []):
                walk(child)
            if boxed:
                depth = self.tree.depth[group]
                inset = 0.12 * depth
                x0, x1 = self.org_span
                boxes.append(
                    Box(
                        group=group,
                        label=self.label[group],
                        depth=depth,
                        x0=x0 - 0.45 + inset,
                        y0=-top,
                        x1=x1 + LABEL_ROOM + 0.35 - inset,
                        y1=-(cursor[0] - 1 + BOX_FOOTER),
                    )
                )
                cursor[0] += BOX_FOOTER

        for root in order.get("", []):
            walk(root)
        boxes.sort(key=lambda b: (b.depth, -b.y0, b.group))
        return row, boxes

    # --- positions ----------------------------------------------------------------------------

    def positions(self, order: Mapping[str, list[str]]) -> tuple[dict[str, Point], list[Box]]:
        row, boxes = self.rows(order)
        self.entry = {n: (b.y0 + b.y1) / 2 for n, b in _entry_boxes(self.tree, boxes).items()}
        y = {n: -r for n, r in row.items()}
        height = max(row.values(), default=0.0)
        for region in ("source", "recipient"):  # first guess: spread over the height
            for column in self._outer_columns(region):
                nodes = order[f"{region}:{column}"]
                step = height / max(1, len(nodes) - 1) if len(nodes) > 1 else 0.0
                for i, node in enumerate(nodes):
                    y[node] = -(i * step if len(nodes) > 1 else height / 2)
        for _ in range(2):
            for region in ("recipient", "source"):
                columns = self._outer_columns(region)
                keys = sorted(columns, reverse=region == "source")
                for column in keys:
                    nodes = order[f"{region}:{column}"]
                    desired = [-self._centre(n, y) for n in nodes]
                    for node, height_ in zip(nodes, _isotonic(desired), strict=True):
                        y[node] = -height_
        return {n: (self.x[n], y[n]) for n in sorted(self.flows.nodes)}, boxes

    def _centre(self, node: str, y: Mapping[str, float]) -> float:
        """The mean height of a node's partners; a source or recipient sees a partner
        inside a box at the box's port."""
        outer = self.region[node] != "organisation" and self.ported
        near = [
            self.entry[m] if outer and m in self.entry else y[m]
            for m in (*self.flows.predecessors(node), *self.flows.successors(node))
        ]
        return sum(near) / len(near) if near else y[node]

    def reorder(self, order: dict[str, list[str]], y: Mapping[str, float]) -> dict[str, list[str]]:
        """Every box's children and every outer column sorted by their partners' heights."""
        centre = {n: self._centre(n, y) for n in self.flows.nodes}
        new: dict[str, list[str]] = {}
        for key, nodes in order.items():
            if key.startswith(("source:", "recipient:")):
                new[key] = sorted(nodes, key=lambda n: (-centre[n], self.label[n].casefold(), n))
                continue

            def weight(group: str) -> float:
                inside = self.tree.members.get(group, [])
                return sum(centre[n] for n in inside) / len(inside) if inside else 0.0

            new[key] = sorted(nodes, key=lambda g: (-weight(g), self.label[g].casefold(), g))
        return new


def _entry_boxes(tree: _Tree, boxes: Iterable[Box]) -> dict[str, Box]:
    """The box each node of the organisation is entered through: its outermost box below
    the top (a top-level unit has none: its hand-overs are drawn straight)."""
    entry = {}
    for box in sorted(boxes, key=lambda b: b.depth):
        if box.depth > ENTRY_DEPTH:
            continue
        for node in tree.members.get(box.group, []):
            entry[node] = box
    return entry


def segments(
    flows: nx.DiGraph, regions: Mapping[str, str], entry: Mapping[str, Box]
) -> tuple[list[Segment], dict[str, Point]]:
    """The curves of the map and the ports they run through (see :class:`FlowMap`)."""
    pieces: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    ports: dict[str, Point] = {}
    for a, b in sorted(flows.edges):
        into = entry.get(b) if regions[a] != "organisation" else None
        out_of = entry.get(a) if regions[b] != "organisation" else None
        if into is not None:
            port = f"in:{into.group}"
            ports[port] = (into.x0, (into.y0 + into.y1) / 2)
            pieces[a, port].append((a, b))
            pieces[port, b].append((a, b))
        elif out_of is not None:
            port = f"out:{out_of.group}"
            ports[port] = (out_of.x1, (out_of.y0 + out_of.y1) / 2)
            pieces[a, port].append((a, b))
            pieces[port, b].append((a, b))
        else:
            pieces[a, b].append((a, b))
    return [Segment(a, b, tuple(e)) for (a, b), e in sorted(pieces.items())], ports


def plain_map(graph: Graph, flows: nx.DiGraph, positions: Mapping[str, Point]) -> FlowMap:
    """A map of given positions (a force-directed layout): no boxes, straight hand-overs."""
    return FlowMap(
        positions=dict(positions),
        regions=regions_of(flows),
        outside=_locations(graph, flows),
        segments=tuple(Segment(a, b, ((a, b),)) for a, b in sorted(flows.edges)),
    )


def _locations(graph: Graph, flows: nx.DiGraph) -> dict[str, str]:
    """Nodes located outside the EU/EEA, with their locations' labels."""
    found = {}
    for node in sorted(flows.nodes):
        places = [
            p for p in graph.objects(URIRef(node), DPV.hasLocation) if outside_eu_eea(graph, p)
        ]
        if places:
            found[node] = ", ".join(labels(graph, places))
    return found


def flow_map(graph: Graph, flows: nx.DiGraph, *, count: bool = True) -> FlowMap:
    """The grouped, layered map of a (filtered) flow graph.

    ``count``: count the crossings of each sweep (only up to :data:`COUNT_UP_TO` edges)
    and keep the sweep with the fewest; else keep the last sweep.

    >>> from checker.views.model import load_model
    >>> model = load_model([])
    >>> fmap = flow_map(model.graph, model.flows)
    >>> x = {n: p[0] for n, p in fmap.positions.items()}
    >>> base = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
    >>> x[base + "private-customers"] < x[base + "general-information-service"] < x[base + "elisa"]
    True
    >>> boxes = [b.label for b in fmap.boxes]
    >>> boxes[0], "Customer information service" in boxes
    ('Finnish Customs', True)
    """
    if flows.number_of_nodes() == 0:
        return FlowMap({}, {})
    placer = _Placer(graph, flows)
    edges = sorted(flows.edges)
    counting = count and len(edges) <= COUNT_UP_TO
    order = placer.initial_order()
    best: tuple[int, FlowMap] | None = None
    for sweep in range(SWEEPS):
        placer.ported = bool(sweep % 2)
        positions, boxes = placer.positions(order)
        drawn, ports = segments(flows, placer.region, _entry_boxes(placer.tree, boxes))
        crossed = (
            crossings([(p.start, p.end) for p in drawn], {**positions, **ports})
            if counting
            else None
        )
        if best is None or (crossed or 0) < best[0]:
            fmap = FlowMap(
                positions=positions,
                regions=placer.region,
                boxes=tuple(boxes),
                titles=tuple(placer.titles),
                segments=tuple(drawn),
                ports=ports,
                crossings=crossed,
            )
            best = (crossed or 0, fmap)
        order = placer.reorder(order, {n: p[1] for n, p in positions.items()})
    assert best is not None
    return replace(best[1], outside=_locations(graph, flows))
