"""The flow map drawn on the server as one SVG document: no plotly.js on the first page.

:func:`flow_svg` draws a :class:`checker.views.flowmap.FlowMap` (the grouped map, or the
force-directed one of :func:`checker.views.flowmap.plain_map`): the organisation's boxes
with their titles, the regions' headings, the nodes by kind with their labels (fitted to
the room beside them, so that they do not overlap), the segments as curves as wide as the
number of data categories they carry (:func:`edge_width`) with an arrowhead where they
reach a node, a marker on each segment's middle with that number (or the categories, when
there are few segments), a red ring around the parties located outside the EU/EEA, the
selected node outlined, and a legend. Every text from the records is XML-escaped; hovers
are SVG ``<title>`` elements.

Each clickable element (a node with its label, a segment's marker) carries a ``data-key``
(:func:`node_key`, :func:`edges_key`) and is focusable; the page's component sends the key
of a click (or of Enter) back, and :func:`parse_key` reads it as the plotly map's
``customdata`` was read: the same keys, the same :class:`Selection`. Pure: no streamlit, no plotly; the same map gives the same bytes.
"""

from __future__ import annotations

import html
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
from drawing import KIND_COLOURS, join, shorten
from rdflib import Graph

from checker.views.flowmap import Box, FlowMap, Segment
from checker.views.flows import (
    KIND_NAMES,
    EdgeFacts,
    edge_facts,
    edge_kind,
    node_kind,
    node_label,
)
from checker.views.geometry import Point, controls, curve

#: Shapes of the node kinds.
KIND_SYMBOLS: dict[str, str] = {
    "data subject": "circle",
    "system": "hexagon",
    "unit": "circle",
    "controller": "star",
    "processor": "diamond",
    "recipient": "square",
    "other": "circle-open",
}

#: Colours of the edge kinds (what the edge stands for: :func:`checker.views.flows.edge_kind`),
#: in the order a segment of several kinds takes its colour.
EDGE_COLOURS: dict[str, str] = {
    "register": "#D55E00",
    "source": "#009E73",
    "flow": "#0072B2",
    "processor": "#E69F00",
    "recipient": "#CC79A7",
}

#: How the edge kinds are named in the legend.
EDGE_NAMES: dict[str, str] = {
    "register": "between registers",
    "source": "collected from a source",
    "flow": "handed between units",
    "processor": "to a processor",
    "recipient": "disclosed to a recipient",
}

#: Parties located outside the EU/EEA: their ring, label colour and legend name.
OUTSIDE_COLOUR = "#C0392B"
OUTSIDE_NAME = "Located outside the EU/EEA"
#: The legend's name of the segments' markers.
MARKER_NAME = "What is handed over (number of data categories; click)"

#: Fills of the organisation's boxes, outermost first.
BOX_FILLS = ("rgba(0,114,178,0.04)", "rgba(0,114,178,0.06)", "rgba(0,114,178,0.08)")

#: The drawing's width in its own units (the SVG scales to the page's width) and the
#: tallest a map is drawn (in the same units).
WIDTH = 1000
TALLEST = 4000
#: Font sizes of the labels, the headings and the markers' numbers, the labels' line
#: height, and the room one character takes, as a share of the font's size (an estimate,
#: for fitting texts: the dashboard's Source Sans averages 0.43 on the register's labels,
#: 0.48 in bold, and a short line of wide letters up to 0.52).
FONT = 12
HEADING = 14
SMALL = 10
LINE = 13
EM = 0.47
BOLD = 1.05  # bold text is that much wider
CHAR = EM * FONT
#: A label's room from its node's edge, and the most characters a label line holds.
GAP = 5
WRAP = 36
#: How far above and below a node (in the drawing's units) its label can reach others.
NEAR = 3 * LINE + 8
#: Above the map: one legend line's height.
LEGEND_LINE = 20

# --- clicks -----------------------------------------------------------------------------------


def edge_key(a: str, b: str) -> str:
    """The id of an edge in the map's clicks: ``edge:<from> <to>`` (IRIs have no spaces)."""
    return f"edge:{a} {b}"


def edges_key(edges: Sequence[tuple[str, str]]) -> str:
    """The id of a segment's hand-overs: ``edge:<from> <to>|<from> <to>...``."""
    return "edge:" + "|".join(f"{a} {b}" for a, b in edges)


def node_key(node: str) -> str:
    """The id of a node in the map's clicks."""
    return f"node:{node}"


@dataclass(frozen=True)
class Selection:
    """What a click on the flow map picked: a node, or the hand-overs (from, to) of a
    segment."""

    node: str | None = None
    edges: tuple[tuple[str, str], ...] = ()

    @property
    def edge(self) -> tuple[str, str] | None:
        """The first hand-over picked (None: no segment was clicked)."""
        return self.edges[0] if self.edges else None


def parse_key(key: object) -> Selection:
    """The node or hand-overs of one ``data-key`` (nothing for anything else).

    >>> parse_key("node:https://e.org/a").node
    'https://e.org/a'
    >>> parse_key("edge:e:a e:b|e:c e:b").edges
    (('e:a', 'e:b'), ('e:c', 'e:b'))
    >>> parse_key(None)
    Selection(node=None, edges=())
    """
    if not isinstance(key, str):
        return Selection()
    if key.startswith("node:"):
        return Selection(node=key[5:])
    if key.startswith("edge:") and " " in key:
        pairs = [tuple(p.split(" ", 1)) for p in key[5:].split("|") if " " in p]
        return Selection(edges=tuple((a, b) for a, b in pairs))
    return Selection()


# --- what a segment carries -------------------------------------------------------------------


def edge_label(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> str:
    """A short label of an edge: its data categories (at most two named).

    >>> from checker.graph.flows import EdgeData
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", carries=EdgeData(data={"x:1", "x:2", "x:3"}))
    >>> edge_label(Graph(), g, "a", "b")
    'x:1, x:2 +1'
    """
    facts = edge_facts(graph, flows, a, b)
    return _data_label(facts.data, facts.purposes)


def _data_label(data: Sequence[str], purposes: Sequence[str] = ()) -> str:
    if not data:
        return shorten(", ".join(purposes[:1]), 28)
    text = ", ".join(shorten(d, 24) for d in data[:2])
    return text + (f" +{len(data) - 2}" if len(data) > 2 else "")


def _segment_data(facts: Mapping[tuple[str, str], EdgeFacts], segment: Segment) -> tuple[str, ...]:
    """The data categories a segment carries (those the filter matched), as labels."""
    found: set[str] = set()
    for edge in segment.edges:
        found |= set(facts[edge].data)
    return tuple(sorted(found, key=str.casefold))


def _segment_kind(flows: nx.DiGraph, segment: Segment) -> str:
    kinds = {edge_kind(flows, a, b) for a, b in segment.edges}
    return next((k for k in EDGE_COLOURS if k in kinds), "flow")


def segment_hover(
    flows: nx.DiGraph, facts: Mapping[tuple[str, str], EdgeFacts], segment: Segment
) -> str:
    """A segment's hover: its hand-overs (at most six) with their data, one a line."""
    lines = []
    for a, b in segment.edges[:6]:
        data = facts[a, b].data
        head = f"{node_label(flows, a)} → {node_label(flows, b)}"
        lines.append(head + (": " + join(data, 4) if data else ""))
    if len(segment.edges) > 6:
        lines.append(f"and {len(segment.edges) - 6} more hand-overs")
    lines.append("click for details")
    return "\n".join(lines)


def node_hover(flows: nx.DiGraph, node: str, outside: str = "") -> str:
    """A node's hover: its label and kind, where it is if outside the EU/EEA, whom it
    receives from and hands on to."""
    incoming = sorted(node_label(flows, n) for n in flows.predecessors(node))
    outgoing = sorted(node_label(flows, n) for n in flows.successors(node))
    lines = [f"{node_label(flows, node)} ({node_kind(flows, node)})"]
    if outside:
        lines.append(f"Located outside the EU/EEA: {outside}")
    if incoming:
        lines.append("From: " + join(incoming, 4))
    if outgoing:
        lines.append("To: " + join(outgoing, 4))
    lines.append("click for details")
    return "\n".join(lines)


#: Line widths by the number of data categories a line carries (at least that many).
WIDTHS = ((20, 8.0), (10, 6.0), (5, 4.2), (3, 3.0), (2, 2.2), (0, 1.5))


def edge_width(categories: int) -> float:
    """The width of a line: thicker the more data categories it carries, in six steps.

    >>> edge_width(0), edge_width(4), edge_width(40)
    (1.5, 3.0, 8.0)
    """
    return next(width for least, width in WIDTHS if categories >= least)


# --- SVG text ---------------------------------------------------------------------------------


def xml(text: object) -> str:
    """Text for SVG content or an attribute value, escaped (``& < > " '``).

    >>> xml('<script>"a" & b</script>')
    '&lt;script&gt;&quot;a&quot; &amp; b&lt;/script&gt;'
    """
    return html.escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate, to a tenth (deterministic, short)."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _text_width(text: str, size: float = FONT) -> float:
    return len(text) * EM * size


# --- geometry of the drawing ------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """How the map's coordinates (x right, y up, rows of 1) become the SVG's."""

    x0: float
    sx: float
    y_top: float
    sy: float
    top: float  # the SVG y of the plot's top edge

    def x(self, x: float) -> float:
        return (x - self.x0) * self.sx

    def y(self, y: float) -> float:
        return self.top + (self.y_top - y) * self.sy

    def point(self, p: Point) -> Point:
        return self.x(p[0]), self.y(p[1])


def _frame(fmap: FlowMap, top: float, row_height: int) -> tuple[_Frame, float, float]:
    """The frame of the map (as the plotly figure had it: room beside the outer columns for
    their labels, a row above the top for the headings), the plot's height and the
    headings' y (in the map's coordinates)."""
    xs = [p[0] for p in fmap.positions.values()] + [b.x1 for b in fmap.boxes] or [0.0]
    ys = [p[1] for p in fmap.positions.values()] + [b.y0 for b in fmap.boxes] or [0.0]
    heading = max(ys) + 1.0
    span = (max(xs) - min(xs)) or 1.0
    margin = max(0.3 * span, 2.0)
    rows = (heading - min(ys)) or 1.0
    height = min(TALLEST, max(520, row_height * (rows + 2) + 90))
    lo, hi = min(ys) - 1.0, heading + 0.8
    frame = _Frame(
        x0=min(xs) - margin,
        sx=WIDTH / (max(xs) - min(xs) + 2 * margin),
        y_top=hi,
        sy=(height - 20) / (hi - lo),
        top=top + 10,
    )
    return frame, height, heading


def _radius(flows: nx.DiGraph, node: str) -> float:
    """Half a node's size: bigger the more partners it has (13 to 22 across)."""
    return (13 + min(9, int(flows.degree(node)))) / 2


def _shape(
    kind: str,
    cx: float,
    cy: float,
    r: float,
    fill: str,
    stroke: str = "#fff",
    width: float = 1.0,
    cls: str = "",
) -> str:
    """A node's shape (:data:`KIND_SYMBOLS`) centred on (cx, cy), about ``r`` in radius."""
    symbol = KIND_SYMBOLS.get(kind, "circle")
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{_n(width)}"'
    if symbol == "circle-open":
        paint = f'fill="#fff" stroke="{fill if stroke == "#fff" else stroke}" '
        paint += f'stroke-width="{_n(max(width, 2.0))}"'
    if cls:
        paint += f' class="{cls}"'
    if symbol in ("circle", "circle-open"):
        return f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" {paint}/>'
    if symbol == "square":
        s = r * 0.88
        return f'<rect x="{_n(cx - s)}" y="{_n(cy - s)}" width="{_n(2 * s)}" height="{_n(2 * s)}" {paint}/>'
    if symbol == "diamond":
        d = r * 1.15
        corners = [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)]
    elif symbol == "hexagon":
        corners = [(cx + r * c, cy + r * s) for c, s in _HEXAGON]
    else:  # star
        corners = [(cx + r * 1.2 * c, cy + r * 1.2 * s) for c, s in _STAR]
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in corners)
    return f'<polygon points="{points}" {paint}/>'


_HEXAGON = (
    (1.0, 0.0),
    (0.5, 0.866),
    (-0.5, 0.866),
    (-1.0, 0.0),
    (-0.5, -0.866),
    (0.5, -0.866),
)
#: A five-pointed star, point up: outer and inner corners in turn.
_STAR = (
    (0.0, -1.0),
    (0.225, -0.309),
    (0.951, -0.309),
    (0.363, 0.118),
    (0.588, 0.809),
    (0.0, 0.382),
    (-0.588, 0.809),
    (-0.363, 0.118),
    (-0.951, -0.309),
    (-0.225, -0.309),
)


# --- labels -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Label:
    lines: tuple[str, ...]
    x: float
    y: float  # the middle of the label
    anchor: str  # "start" or "end"
    outside: bool

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        width = max((_text_width(t) for t in self.lines), default=0.0)
        x0 = self.x - width if self.anchor == "end" else self.x
        half = len(self.lines) * LINE / 2
        return x0, self.y - half, x0 + width, self.y + half


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _fit(text: str, chars: int, most: int) -> list[str]:
    """``text`` wrapped at ``chars``, at most ``most`` lines (the last cut with an ellipsis)."""
    lines = textwrap.wrap(text, chars) or [text]
    if len(lines) > most:
        rest = " ".join(lines[most - 1 :])
        lines = [*lines[: most - 1], shorten(rest, chars)]
    return lines


def _outermost(boxes: Sequence[Box], x: float, y: float) -> Box | None:
    inside = [b for b in boxes if b.x0 <= x <= b.x1 and b.y1 <= y <= b.y0]
    return min(inside, key=lambda b: (b.depth, b.group)) if inside else None


class _Labeller:
    """Places the nodes' labels: beside the node (sources to the left, every other to the
    right), wrapped to the room up to the next column or the box's edge, as many lines as
    the room to the next node above and below allows, and moved or cut where they would
    still cover a label already placed."""

    def __init__(self, flows: nx.DiGraph, fmap: FlowMap, frame: _Frame) -> None:
        self.flows = flows
        self.fmap = fmap
        self.frame = frame
        self.at = {n: frame.point(p) for n, p in sorted(fmap.positions.items())}
        self.placed: dict[int, list[tuple[float, float, float, float]]] = defaultdict(list)
        self.rows: dict[int, list[str]] = defaultdict(list)  # nodes by NEAR-high bands
        for node, (_, y) in self.at.items():
            self.rows[int(y // NEAR)].append(node)

    def _near(self, node: str) -> Iterator[tuple[str, float, float]]:
        """The other nodes less than :data:`NEAR` above or below ``node`` (and a few more)."""
        row = int(self.at[node][1] // NEAR)
        for band in (row - 1, row, row + 1):
            for other in self.rows.get(band, ()):
                if other != node:
                    yield other, *self.at[other]

    def _room(self, node: str, left: bool, band: float) -> float:
        """Room (SVG units) for a label beside ``node``: to the nearest node on that side
        within ``band`` above or below, to the edge of the organisation's box (a label may
        cross the edge of an inner box), or to the drawing's edge."""
        x, y = self.at[node]
        room = x if left else WIDTH - x
        for other, ox, oy in self._near(node):
            dx = (x - ox) if left else (ox - x)
            if dx > 1.0 and abs(oy - y) < band:
                room = min(room, dx - _radius(self.flows, other))
        if not left and self.fmap.regions.get(node) == "organisation":
            box = _outermost(self.fmap.boxes, *self.fmap.positions[node])
            if box is not None:
                room = min(room, self.frame.x(box.x1) - x)
        return room - _radius(self.flows, node) - GAP - 4

    def _most_lines(self, node: str, left: bool) -> int:
        """How many lines fit between the node's neighbours above and below (those in its
        column, whose labels are on the same side)."""
        x, y = self.at[node]
        gaps = [
            abs(oy - y)
            for other, ox, oy in self._near(node)
            if abs(ox - x) < 1.0 and self._left(other) == left
        ]
        gap = min(gaps, default=3 * LINE)
        return max(1, min(3, int((gap - 2) // LINE)))

    def _left(self, node: str) -> bool:
        return self.fmap.regions.get(node) == "source"

    def _collides(self, box: tuple[float, float, float, float]) -> bool:
        return any(
            _overlap(box, other)
            for cell in range(int(box[1] // 40), int(box[3] // 40) + 1)
            for other in self.placed.get(cell, ())
        )

    def occupy(self, box: tuple[float, float, float, float]) -> None:
        """Mark a rectangle of the drawing as taken (a label, a node, a marker)."""
        for cell in range(int(box[1] // 40), int(box[3] // 40) + 1):
            self.placed[cell].append(box)

    def _keep(self, label: _Label) -> _Label:
        self.occupy(label.bounds)
        return label

    def spot(self, points: Sequence[Point], above: float = 0.0) -> Point:
        """Where on a curve (its ``points``, in the drawing's units) a marker covers no
        label, node or other marker: the middle if it is free, else the free point nearest
        the middle (not an end), else the middle. ``above``: the width of a text written
        above the marker."""
        middle = len(points) // 2
        inner = range(1, len(points) - 1)
        for k in sorted(inner, key=lambda k: (abs(k - middle), k)):
            x, y = points[k]
            box = (x - 9, y - 9 - (14 if above else 0), x + 9, y + 9)
            wide = (x - above / 2, y - 20, x + above / 2, y - 8) if above else box
            if not self._collides(box) and not self._collides(wide):
                self.occupy(box)
                self.occupy(wide)
                return x, y
        x, y = points[middle]
        self.occupy((x - 9, y - 9, x + 9, y + 9))
        return x, y

    def label(self, node: str) -> _Label:
        x, y = self.at[node]
        text = node_label(self.flows, node)
        where = self.fmap.outside.get(node, "")
        left = self._left(node)
        most = self._most_lines(node, left)
        offset = _radius(self.flows, node) + GAP

        def make(left: bool, most: int) -> _Label:
            chars = max(10, min(WRAP, int(self._room(node, left, most * LINE / 2 + 8) / CHAR)))
            lines = _fit(text, chars, max(1, most - 1) if where else most)
            if where:
                lines.append(shorten(f"⚠ outside the EU/EEA: {where}", max(chars, 24)))
            return _Label(
                tuple(lines),
                x - offset if left else x + offset,
                y,
                "end" if left else "start",
                bool(where),
            )

        tries = [make(left, most), make(left, 1), make(not left, 1)]
        for label in tries:
            if not self._collides(label.bounds):
                return self._keep(label)
        return self._keep(tries[0])


def _label_svg(label: _Label) -> str:
    first = -(len(label.lines) - 1) * LINE / 2
    spans = "".join(
        f'<tspan x="{_n(label.x)}" y="{_n(label.y + first + i * LINE)}">{xml(line)}</tspan>'
        for i, line in enumerate(label.lines)
    )
    cls = "rm-label rm-outside" if label.outside else "rm-label"
    return f'<text class="{cls}" text-anchor="{label.anchor}">{spans}</text>'


# --- the drawing ------------------------------------------------------------------------------


def _legend(flows: nx.DiGraph, fmap: FlowMap, kinds: Iterable[str]) -> tuple[list[str], float]:
    """The legend above the map: node kinds, edge kinds, the ring, the markers; wrapped to
    the drawing's width. Returns its elements and its height."""
    items: list[tuple[str, str]] = []  # (the sample's SVG at (0, 0), name)
    present = {k for _, k in flows.nodes(data="kind")}
    for kind in KIND_NAMES:
        if kind in present:
            items.append((_shape(kind, 0, 0, 6, KIND_COLOURS[kind]), KIND_NAMES[kind]))
    for kind in EDGE_COLOURS:
        if kind in kinds:
            sample = (
                f'<path d="M-9 0H9" stroke="{EDGE_COLOURS[kind]}" stroke-width="3" opacity="0.7"/>'
            )
            items.append((sample, EDGE_NAMES[kind]))
    if fmap.outside:
        ring = f'<circle r="7" fill="none" stroke="{OUTSIDE_COLOUR}" stroke-width="2.5"/>'
        items.append((ring, OUTSIDE_NAME))
    if fmap.segments:
        marker = '<circle r="6.5" fill="#fff" stroke="#777"/>'
        items.append((marker, MARKER_NAME))
    parts, x, line = [], 0.0, 0
    for sample, name in items:
        width = 26 + _text_width(name) + 18
        if x > 0 and x + width > WIDTH:
            x, line = 0.0, line + 1
        y = LEGEND_LINE * line + LEGEND_LINE / 2
        parts.append(
            f'<g transform="translate({_n(x + 11)},{_n(y)})">{sample}</g>'
            f'<text x="{_n(x + 24)}" y="{_n(y)}" class="rm-legend">{xml(name)}</text>'
        )
        x += width
    return parts, LEGEND_LINE * (line + 1) + 6 if items else 0.0


def _box_title(fmap: FlowMap, box: Box, frame: _Frame) -> str:
    """A box's title as written on it: cut to the width of the outermost box around it."""
    outer = _outermost(fmap.boxes, box.x0, box.y0) or box
    chars = max(8, int((frame.x(outer.x1) - frame.x(box.x0) - 8) / (BOLD * CHAR)))
    return shorten(box.label, min(70, chars))


def _boxes(fmap: FlowMap, frame: _Frame) -> list[str]:
    """The organisation's boxes, outermost first, each with its title (cut to the width of
    the outermost box around it: an inner box's title may cross its own right edge)."""
    parts = []
    for box in fmap.boxes:
        x0, y0 = frame.point((box.x0, box.y0))
        x1, y1 = frame.point((box.x1, box.y1))
        fill = BOX_FILLS[min(box.depth, len(BOX_FILLS) - 1)]
        title = _box_title(fmap, box, frame)
        parts.append(
            f'<g class="rm-box"><title>{xml(box.label)}</title>'
            f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}" '
            f'fill="{fill}" stroke="#8aa6c1"/>'
            f'<text x="{_n(x0 + 4)}" y="{_n(y0 + FONT + 2)}" class="rm-box-title">{xml(title)}</text></g>'
        )
    return parts


def _headings(fmap: FlowMap, frame: _Frame, heading: float) -> list[str]:
    """The regions' titles over their columns, wrapped where a neighbour's is near."""
    xs = [frame.x(x) for _, x in fmap.titles]
    parts = []
    for i, (title, _) in enumerate(fmap.titles):
        room = min([abs(xs[i] - xs[j]) for j in (i - 1, i + 1) if 0 <= j < len(xs)] or [WIDTH / 2])
        chars = max(10, int((room - 16) / (BOLD * EM * HEADING)))
        lines = textwrap.wrap(title, chars) or [title]
        spans = "".join(
            f'<tspan x="{_n(xs[i])}" y="{_n(frame.y(heading) - (len(lines) - 1 - k) * (HEADING + 2))}">'
            f"{xml(line)}</tspan>"
            for k, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="middle" class="rm-heading">{spans}</text>')
    return parts


def _path(start: Point, end: Point, frame: _Frame) -> str:
    c1, c2 = controls(start, end)
    a, b, c, d = (frame.point(p) for p in (start, c1, c2, end))
    return (
        f"M{_n(a[0])} {_n(a[1])}C{_n(b[0])} {_n(b[1])} {_n(c[0])} {_n(c[1])} {_n(d[0])} {_n(d[1])}"
    )


def _arrow(tip: Point, rightwards: bool, size: float) -> str:
    """An arrowhead whose tip is at ``tip``, pointing right or left."""
    back = -size if rightwards else size
    x, y = tip
    return f"M{_n(x)} {_n(y)}L{_n(x + back)} {_n(y - size / 2)}L{_n(x + back)} {_n(y + size / 2)}Z"


#: The drawing's own style sheet (its classes begin ``rm-``: it is inline in the page).
STYLE = "".join(
    (
        f".rm-map{{font-family:var(--st-font,'Source Sans Pro',sans-serif);font-size:{FONT}px}}",
        ".rm-map text{fill:#1a1a1a}",
        ".rm-map .rm-label{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}",
        f".rm-map .rm-outside{{fill:{OUTSIDE_COLOUR}}}",
        ".rm-map .rm-box-title{font-weight:bold;fill:#2c5377}",
        f".rm-map .rm-heading{{font-weight:bold;font-size:{HEADING}px;fill:#333}}",
        f".rm-map .rm-count{{font-size:{SMALL}px;fill:#333}}",
        f".rm-map .rm-data{{font-size:{SMALL}px;fill:#333;paint-order:stroke;stroke:#fff;"
        "stroke-width:3px}",
        ".rm-map .rm-lines{pointer-events:none}",
        ".rm-map [data-key]{cursor:pointer;outline:none}",
        ".rm-map [data-key]:not([data-selected]):hover .rm-mark,"
        ".rm-map [data-key]:not([data-selected]):focus .rm-mark{stroke:#111;stroke-width:2px}",
        ".rm-map [data-key]:focus-visible .rm-label{text-decoration:underline}",
    )
)


def flow_svg(
    graph: Graph,
    flows: nx.DiGraph,
    fmap: FlowMap,
    *,
    selected: str | None = None,
    edge_labels: bool | None = None,
    row_height: int = 40,
) -> str:
    """The flow map as one SVG document (see the module's docstring).

    Args:
        graph: the register's graph (the edges' data categories and purposes).
        flows: the flow graph the map was laid out for (filtered, as shown).
        fmap: where everything goes (:func:`checker.views.flowmap.flow_map` or
            :func:`checker.views.flowmap.plain_map`).
        selected: the node to outline.
        edge_labels: write the data categories on the segments (default: when there are
            at most 30 segments that do not all say the same).
        row_height: the height of a row of the map, before the drawing is scaled to the
            page (at most :data:`TALLEST` in all).

    Returns:
        ``<svg ...>...</svg>``, ``WIDTH`` wide, scaling to its container's width.
    """
    segments = fmap.segments
    facts = {(a, b): edge_facts(graph, flows, a, b) for s in segments for a, b in s.edges}
    data = [_segment_data(facts, s) for s in segments]
    texts = [_data_label(d) for d in data]
    if edge_labels is None:  # readable, and saying something the filter does not already
        edge_labels = len(segments) <= 30 and len(set(texts)) > 1
    kinds = [_segment_kind(flows, s) for s in segments]
    legend, legend_height = _legend(flows, fmap, set(kinds))
    frame, height, heading = _frame(fmap, legend_height, row_height)
    total = legend_height + height

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rm-map" viewBox="0 0 {WIDTH} '
        f'{_n(total)}" width="100%" style="display:block;height:auto;max-width:{WIDTH * 3 // 2}px" '
        f'role="group" aria-label="Data flow map: {len(fmap.positions)} parties, '
        f'{len(segments)} lines">',
        f"<style>{STYLE}</style>",
        '<g class="rm-legend">',
        *legend,
        "</g>",
        *_boxes(fmap, frame),
    ]
    parts += _headings(fmap, frame, heading)

    # The lines, thickest last within a kind, and an arrowhead where one reaches a node.
    parts.append('<g class="rm-lines" fill="none" opacity="0.55">')
    heads: dict[str, list[str]] = defaultdict(list)
    for i in sorted(
        range(len(segments)), key=lambda i: (list(EDGE_COLOURS).index(kinds[i]), len(data[i]), i)
    ):
        segment, colour = segments[i], EDGE_COLOURS[kinds[i]]
        width = edge_width(len(data[i]))
        start, end = fmap.point(segment.start), fmap.point(segment.end)
        parts.append(
            f'<path d="{_path(start, end, frame)}" stroke="{colour}" stroke-width="{_n(width)}"/>'
        )
        if segment.end in fmap.positions:
            (x0, _), (x1, y1) = frame.point(curve(start, end, 16)[-2]), frame.point(end)
            rightwards = x1 >= x0
            reach = _radius(flows, segment.end) + 1
            tip = (x1 - reach if rightwards else x1 + reach, y1)
            heads[colour].append(_arrow(tip, rightwards, 7 + width))
    for colour in sorted(heads):
        parts.append(f'<path d="{"".join(heads[colour])}" fill="{colour}"/>')
    parts.append("</g>")

    # The nodes with their labels, in the legend's order of kinds, each clickable.
    labeller = _Labeller(flows, fmap, frame)
    order = {k: i for i, k in enumerate(KIND_NAMES)}
    nodes = sorted(
        fmap.positions,
        key=lambda n: (order.get(node_kind(flows, n), 99), node_label(flows, n).casefold(), n),
    )
    by_height = sorted(
        fmap.positions, key=lambda n: (-fmap.positions[n][1], fmap.positions[n][0], n)
    )
    labels = {n: labeller.label(n) for n in by_height}
    parts.append('<g class="rm-nodes">')
    for node in nodes:
        kind = node_kind(flows, node)
        cx, cy = frame.point(fmap.positions[node])
        picked = node == selected
        where = fmap.outside.get(node, "")
        ring = (
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="15" fill="none" stroke="{OUTSIDE_COLOUR}" '
            'stroke-width="3" class="rm-ring"/>'
            if where
            else ""
        )
        shape = _shape(
            kind,
            cx,
            cy,
            _radius(flows, node),
            KIND_COLOURS.get(kind, KIND_COLOURS["other"]),
            "#111" if picked else "#fff",
            4 if picked else 1,
            "rm-mark",
        )
        state = ' aria-pressed="true" data-selected="true"' if picked else ""
        parts.append(
            f'<g class="rm-node" data-key="{xml(node_key(node))}" data-kind="{xml(kind)}" '
            f'tabindex="0" role="button" aria-label="{xml(node_label(flows, node))}"{state}>'
            f"<title>{xml(node_hover(flows, node, where))}</title>"
            f"{ring}{shape}{_label_svg(labels[node])}</g>"
        )
    parts.append("</g>")

    # A marker on each segment, at its middle or the free point nearest it: what it
    # carries; click for the hand-overs.
    for node in nodes:
        x, y = frame.point(fmap.positions[node])
        r = _radius(flows, node) + 1
        labeller.occupy((x - r, y - r, x + r, y + r))
    for box in fmap.boxes:  # the boxes' titles
        x, y = frame.point((box.x0, box.y0))
        labeller.occupy((x, y, x + 8 + _text_width(_box_title(fmap, box, frame)), y + FONT + 4))
    parts.append('<g class="rm-segments">')
    for i, segment in enumerate(segments):
        points = curve(fmap.point(segment.start), fmap.point(segment.end), 12)
        above = _text_width(texts[i], SMALL) if edge_labels else 0.0
        mx, my = labeller.spot([frame.point(p) for p in points], above)
        count = str(len(data[i])) if data[i] else ""
        inside = "" if edge_labels else count
        text = (
            f'<text x="{_n(mx)}" y="{_n(my - 12)}" text-anchor="middle" class="rm-data">'
            f"{xml(texts[i])}</text>"
            if edge_labels
            else ""
        )
        hover = segment_hover(flows, facts, segment)
        parts.append(
            f'<g class="rm-seg" data-key="{xml(edges_key(segment.edges))}" '
            f'data-count="{len(data[i])}" data-width="{_n(edge_width(len(data[i])))}" '
            f'tabindex="0" role="button" aria-label="{xml(hover.splitlines()[0])}">'
            f"<title>{xml(hover)}</title>"
            f'<circle cx="{_n(mx)}" cy="{_n(my)}" r="7.5" fill="#fff" fill-opacity="0.9" '
            'stroke="#777" class="rm-mark"/>'
            f'<text x="{_n(mx)}" y="{_n(my)}" text-anchor="middle" dominant-baseline="central" '
            f'class="rm-count">{inside}</text>{text}</g>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
