"""The dashboard's figures (plotly), colours and symbols: drawing only.

Every value drawn comes from :mod:`checker.views` (tables, positions as numbers, Sankey
links); this module turns them into plotly figures, and reads a click on a figure back
(:func:`parse_selection`). Hover texts are plotly's HTML subset, escaped with
:func:`html.escape`.
"""

from __future__ import annotations

import html
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import plotly.graph_objects as go
from rdflib import Graph

from checker.views.findings import RuleCount
from checker.views.flowmap import FlowMap, Segment
from checker.views.flows import (
    KIND_NAMES,
    EdgeFacts,
    edge_facts,
    edge_kind,
    node_kind,
    node_label,
)
from checker.views.geometry import curve
from checker.views.layout import SankeyData
from checker.views.retention import RETENTION_KINDS, RetentionRow

#: Colours of the node kinds of the flow graph (colour-blind-safe Okabe-Ito palette).
KIND_COLOURS: dict[str, str] = {
    "data subject": "#009E73",
    "system": "#8C8C8C",
    "unit": "#0072B2",
    "controller": "#56B4E9",
    "processor": "#E69F00",
    "recipient": "#CC79A7",
    "other": "#B0B0B0",
}

#: Marker symbols of the node kinds.
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

#: Fills of the organisation's boxes, outermost first.
BOX_FILLS = ("rgba(0,114,178,0.04)", "rgba(0,114,178,0.06)", "rgba(0,114,178,0.08)")

#: Severity colours, worst first.
SEVERITY_COLOURS: dict[str, str] = {
    "violation": "#C0392B",
    "warning": "#E69F00",
    "info": "#0072B2",
}

#: Colours of the retention kinds: what needs attention stands out.
RETENTION_COLOURS: dict[str, str] = {
    "missing": "#C0392B",
    "indefinite": "#D55E00",
    "delegated": "#E69F00",
    "unspecified": "#9B59B6",
    "until-event": "#CC79A7",
    "calendar": "#56B4E9",
    "from-event": "#0072B2",
    "fixed": "#0072B2",
    "not-stored": "#009E73",
}


# --- text -------------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Text for a plotly label or hover (its HTML subset)."""
    return html.escape(text, quote=False)


def wrap(text: str, width: int = 24) -> str:
    """Wrap a label for a figure (``<br>`` between lines).

    >>> wrap("Information service for businesses", 20)
    'Information service<br>for businesses'
    """
    return "<br>".join(textwrap.wrap(text, width)) or text


def shorten(text: str, width: int = 60) -> str:
    """Cut a text to ``width`` characters with an ellipsis.

    >>> shorten("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def join(labels: Sequence[str], most: int = 3) -> str:
    """At most ``most`` labels, then how many more.

    >>> join(["a", "b", "c", "d"], 2)
    'a, b and 2 more'
    """
    if len(labels) <= most:
        return ", ".join(labels)
    return ", ".join(labels[:most]) + f" and {len(labels) - most} more"


# --- clicks -----------------------------------------------------------------------------------


def edge_key(a: str, b: str) -> str:
    """The id of an edge in figure selections: ``edge:<from> <to>`` (IRIs have no spaces)."""
    return f"edge:{a} {b}"


def edges_key(edges: Sequence[tuple[str, str]]) -> str:
    """The id of a segment's hand-overs: ``edge:<from> <to>|<from> <to>...``."""
    return "edge:" + "|".join(f"{a} {b}" for a, b in edges)


def node_key(node: str) -> str:
    """The id of a node in figure selections."""
    return f"node:{node}"


@dataclass(frozen=True)
class Selection:
    """What a click on the flow figure picked: a node, or the hand-overs (from, to) of a
    segment."""

    node: str | None = None
    edges: tuple[tuple[str, str], ...] = ()

    @property
    def edge(self) -> tuple[str, str] | None:
        """The first hand-over picked (None: no segment was clicked)."""
        return self.edges[0] if self.edges else None


def parse_selection(points: Iterable[Mapping[str, Any]]) -> Selection:
    """The first node or edge among the points of a figure selection (Streamlit's
    ``event.selection.points``), from their ``customdata``.

    >>> parse_selection([{"customdata": ["node:https://e.org/a"]}]).node
    'https://e.org/a'
    >>> parse_selection([{"customdata": "edge:https://e.org/a https://e.org/b"}]).edge
    ('https://e.org/a', 'https://e.org/b')
    >>> parse_selection([{"customdata": "edge:e:a e:b|e:c e:b"}]).edges
    (('e:a', 'e:b'), ('e:c', 'e:b'))
    >>> parse_selection([{"x": 1}])
    Selection(node=None, edges=())
    """
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if not isinstance(data, str):
            continue
        if data.startswith("node:"):
            return Selection(node=data[5:])
        if data.startswith("edge:") and " " in data:
            pairs = [tuple(p.split(" ", 1)) for p in data[5:].split("|") if " " in p]
            return Selection(edges=tuple((a, b) for a, b in pairs))
    return Selection()


# --- the flow map -----------------------------------------------------------------------------


def edge_label(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> str:
    """A short label of an edge for the figure: its data categories (at most two named).

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


def _segment_hover(
    flows: nx.DiGraph, facts: Mapping[tuple[str, str], EdgeFacts], segment: Segment
) -> str:
    lines = []
    for a, b in segment.edges[:6]:
        data = facts[a, b].data
        head = f"<b>{esc(node_label(flows, a))} → {esc(node_label(flows, b))}</b>"
        lines.append(head + (": " + esc(join(data, 4)) if data else ""))
    if len(segment.edges) > 6:
        lines.append(f"and {len(segment.edges) - 6} more hand-overs")
    lines.append("<i>click for details</i>")
    return "<br>".join(lines)


def _node_hover(flows: nx.DiGraph, node: str, outside: str = "") -> str:
    incoming = sorted(node_label(flows, n) for n in flows.predecessors(node))
    outgoing = sorted(node_label(flows, n) for n in flows.successors(node))
    lines = [f"<b>{esc(node_label(flows, node))}</b> ({node_kind(flows, node)})"]
    if outside:
        lines.append(f"Located outside the EU/EEA: {esc(outside)}")
    if incoming:
        lines.append("From: " + esc(join(incoming, 4)))
    if outgoing:
        lines.append("To: " + esc(join(outgoing, 4)))
    lines.append("<i>click for details</i>")
    return "<br>".join(lines)


#: Line widths by the number of data categories a line carries (at least that many).
WIDTHS = ((20, 8.0), (10, 6.0), (5, 4.2), (3, 3.0), (2, 2.2), (0, 1.5))


def edge_width(categories: int) -> float:
    """The width of a line: thicker the more data categories it carries, in six steps (so
    that a big map needs few traces).

    >>> edge_width(0), edge_width(4), edge_width(40)
    (1.5, 3.0, 8.0)
    """
    return next(width for least, width in WIDTHS if categories >= least)


def _segment_traces(
    fig: go.Figure,
    fmap: FlowMap,
    curves: Sequence[list[tuple[float, float]]],
    kinds: Sequence[str],
    widths: Sequence[float],
) -> None:
    """The segments, one line trace per kind and width, and one trace of arrowheads per
    kind where a segment reaches a node (not a port). A curve arrives horizontally
    (:func:`checker.views.geometry.curve`), so a head points right or left: one marker per
    head, not one per point of the curve (a big map has thousands of points)."""
    groups: dict[tuple[str, float], list[int]] = defaultdict(list)
    for i, (kind, width) in enumerate(zip(kinds, widths, strict=True)):
        groups[kind, width].append(i)
    shown: set[str] = set()
    for kind, width in sorted(groups, key=lambda k: (list(EDGE_COLOURS).index(k[0]), k[1])):
        lx: list[float | None] = []
        ly: list[float | None] = []
        for i in groups[kind, width]:
            lx += [p[0] for p in curves[i]] + [None]
            ly += [p[1] for p in curves[i]] + [None]
        fig.add_trace(
            go.Scatter(
                x=lx,
                y=ly,
                mode="lines",
                line={"color": EDGE_COLOURS[kind], "width": width},
                opacity=0.55,
                hoverinfo="skip",
                name=EDGE_NAMES[kind],
                legendgroup=kind,
                showlegend=kind not in shown,
            )
        )
        shown.add(kind)
    for kind in EDGE_COLOURS:
        ends = [
            i for i, k in enumerate(kinds) if k == kind and fmap.segments[i].end in fmap.positions
        ]
        if not ends:
            continue
        fig.add_trace(
            go.Scatter(
                x=[curves[i][-1][0] for i in ends],
                y=[curves[i][-1][1] for i in ends],
                mode="markers",
                marker={
                    "symbol": "arrow",
                    "size": [7 + widths[i] for i in ends],
                    "angle": [90 if curves[i][-1][0] >= curves[i][-2][0] else 270 for i in ends],
                    "color": EDGE_COLOURS[kind],
                },
                opacity=0.55,
                hoverinfo="skip",
                legendgroup=kind,
                showlegend=False,
            )
        )


def _node_traces(fig: go.Figure, flows: nx.DiGraph, fmap: FlowMap, selected: str | None) -> None:
    """The nodes, one clickable trace per kind (``customdata`` = :func:`node_key`), and
    a red ring around those located outside the EU/EEA."""
    for kind in KIND_NAMES:
        nodes = sorted(
            (n for n, k in flows.nodes(data="kind") if k == kind),
            key=lambda n: (node_label(flows, n).casefold(), n),
        )
        if not nodes:
            continue
        fig.add_trace(
            go.Scatter(
                x=[fmap.positions[n][0] for n in nodes],
                y=[fmap.positions[n][1] for n in nodes],
                mode="markers",
                name=KIND_NAMES[kind],
                marker={
                    "size": [13 + min(9, flows.degree(n)) for n in nodes],
                    "color": KIND_COLOURS[kind],
                    "symbol": KIND_SYMBOLS[kind],
                    "line": {
                        "width": [4 if n == selected else 1 for n in nodes],
                        "color": ["#111" if n == selected else "white" for n in nodes],
                    },
                },
                customdata=[node_key(n) for n in nodes],
                hovertext=[_node_hover(flows, n, fmap.outside.get(n, "")) for n in nodes],
                hoverinfo="text",
            )
        )
    outside = sorted(n for n in fmap.outside if n in flows)
    if outside:
        fig.add_trace(
            go.Scatter(
                x=[fmap.positions[n][0] for n in outside],
                y=[fmap.positions[n][1] for n in outside],
                mode="markers",
                name=OUTSIDE_NAME,
                marker={
                    "size": 30,
                    "symbol": "circle-open",
                    "color": OUTSIDE_COLOUR,
                    "line": {"width": 3},
                },
                hoverinfo="skip",
            )
        )


def _label_side(fmap: FlowMap, node: str) -> str:
    return "left" if fmap.regions.get(node) == "source" else "right"


def _node_labels(flows: nx.DiGraph, fmap: FlowMap) -> list[dict[str, Any]]:
    """Labels as annotations on a light background (edges do not hide them): sources
    write to the left of their node, everything else to the right."""
    labels = []
    for node, (x, y) in sorted(fmap.positions.items()):
        text = wrap(esc(node_label(flows, node)), 30)
        if node in fmap.outside:
            text += f"<br>⚠ outside the EU/EEA: {esc(fmap.outside[node])}"
        left = _label_side(fmap, node) == "left"
        labels.append(
            {
                "x": x,
                "y": y,
                "xref": "x",
                "yref": "y",
                "text": text,
                "showarrow": False,
                "font": {
                    "size": 11,
                    "color": OUTSIDE_COLOUR if node in fmap.outside else "#1a1a1a",
                },
                "bgcolor": "rgba(255,255,255,0.8)",
                "borderpad": 1,
                "xanchor": "right" if left else "left",
                "xshift": -12 if left else 12,
                "align": "right" if left else "left",
            }
        )
    return labels


#: Node labels are annotations on a light background up to this many nodes; beyond, text
#: traces (no background, but a browser draws them in a fraction of the time).
ANNOTATED_UP_TO = 120


def _label_traces(fig: go.Figure, labels: Sequence[Mapping[str, Any]]) -> None:
    """The labels of :func:`_node_labels` as two text traces (written left, written right)."""
    for side, position in (("right", "middle left"), ("left", "middle right")):
        mine = [a for a in labels if a["xanchor"] == side]
        if mine:
            fig.add_trace(
                go.Scatter(
                    x=[a["x"] for a in mine],
                    y=[a["y"] for a in mine],
                    mode="text",
                    text=["\u2002" + a["text"] + "\u2002" for a in mine],
                    textposition=position,
                    textfont={"size": 11, "color": [a["font"]["color"] for a in mine]},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )


def _boxes(fmap: FlowMap) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The organisation's boxes (shapes, outermost first) and their titles (annotations)."""
    shapes, titles = [], []
    for box in fmap.boxes:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": box.x0,
                "x1": box.x1,
                "y0": box.y1,
                "y1": box.y0,
                "line": {"color": "#8aa6c1", "width": 1},
                "fillcolor": BOX_FILLS[min(box.depth, len(BOX_FILLS) - 1)],
                "layer": "below",
            }
        )
        titles.append(
            {
                "x": box.x0,
                "y": box.y0,
                "xref": "x",
                "yref": "y",
                "text": f"<b>{esc(shorten(box.label, 70))}</b>",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "xshift": 4,
                "yshift": -2,
                "font": {"size": 11, "color": "#2c5377"},
            }
        )
    return shapes, titles


def flow_figure(
    graph: Graph,
    flows: nx.DiGraph,
    fmap: FlowMap,
    *,
    selected: str | None = None,
    edge_labels: bool | None = None,
    row_height: int = 40,
) -> go.Figure:
    """The flow map: the organisation's boxes, nodes by kind (one trace each, clickable,
    ``customdata`` = :func:`node_key`), the segments as curves as wide as the number of
    data categories they carry, coloured by what they stand for, and a clickable marker in
    the middle of each (``customdata`` = :func:`edges_key` of its hand-overs) showing
    that number; its hover lists the hand-overs and their data.

    ``edge_labels`` writes the data categories on the segments (default: when there are
    at most 30, where they stay readable).
    """
    fig = go.Figure()
    segments = fmap.segments
    facts = {(a, b): edge_facts(graph, flows, a, b) for s in segments for a, b in s.edges}
    data = [_segment_data(facts, s) for s in segments]
    texts = [_data_label(d) for d in data]
    if edge_labels is None:  # readable, and saying something the filter does not already
        edge_labels = len(segments) <= 30 and len(set(texts)) > 1
    steps = 16 if len(segments) <= 300 else 8  # a big map: half the points, as smooth to see
    curves = [curve(fmap.point(s.start), fmap.point(s.end), steps) for s in segments]
    kinds = [_segment_kind(flows, s) for s in segments]
    _segment_traces(fig, fmap, curves, kinds, [edge_width(len(d)) for d in data])
    middles = [points[len(points) // 2] for points in curves]
    fig.add_trace(
        go.Scatter(
            x=[m[0] for m in middles],
            y=[m[1] for m in middles],
            mode="markers+text",
            marker={
                "size": 15,
                "color": "rgba(255,255,255,0.9)",
                "line": {"width": 1, "color": "#777"},
            },
            text=texts if edge_labels else [str(len(d)) if d else "" for d in data],
            textposition="top center" if edge_labels else "middle center",
            textfont={"size": 10 if edge_labels else 9, "color": "#333"},
            customdata=[edges_key(s.edges) for s in segments],
            hovertext=[_segment_hover(flows, facts, s) for s in segments],
            hoverinfo="text",
            name="What is handed over (number of data categories; click)",
            showlegend=bool(segments),
        )
    )
    _node_traces(fig, flows, fmap, selected)
    shapes, titles = _boxes(fmap)
    xs = [p[0] for p in fmap.positions.values()] + [b.x1 for b in fmap.boxes] or [0.0]
    ys = [p[1] for p in fmap.positions.values()] + [b.y0 for b in fmap.boxes] or [0.0]
    top = max(ys) + 1.0
    heads = [
        {
            "x": x,
            "y": top,
            "xref": "x",
            "yref": "y",
            "text": f"<b>{esc(title)}</b>",
            "showarrow": False,
            "font": {"size": 13, "color": "#333"},
        }
        for title, x in fmap.titles
    ]
    # At once: one add_annotation call each is slow.
    labels = _node_labels(flows, fmap)
    if len(labels) > ANNOTATED_UP_TO:  # as text traces: hundreds of annotations draw slowly
        _label_traces(fig, labels)
        labels = []
    fig.update_layout(annotations=labels + titles + heads, shapes=shapes)
    span = (max(xs) - min(xs)) or 1.0
    margin = max(0.3 * span, 2.0)
    rows = (top - min(ys)) or 1.0
    fig.update_layout(
        height=int(min(4000, max(520, row_height * (rows + 2) + 90))),
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        clickmode="event+select",
        dragmode="pan",
        hovermode="closest",
        hoverlabel={"align": "left"},
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0, "font": {"size": 11}},
        # Room beside the outer columns for their labels (at least two columns' worth).
        xaxis={"visible": False, "range": [min(xs) - margin, max(xs) + margin]},
        yaxis={"visible": False, "range": [min(ys) - 1.0, top + 0.8]},
        plot_bgcolor="white",
    )
    return fig


# --- the Sankey diagram -----------------------------------------------------------------------


def _faded(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.35)"


def sankey_hover(data: SankeyData) -> list[str]:
    """The hover of each link: its data categories and purposes."""
    return [
        "Data: "
        + (esc(join(cats, 5)) or "not stated")
        + ("<br>Purposes: " + esc(join(purposes, 3)) if purposes else "")
        for cats, purposes in zip(data.data, data.purposes, strict=True)
    ]


def sankey_figure(data: SankeyData, *, height: int = 640) -> go.Figure:
    """The Sankey diagram of :func:`checker.views.layout.sankey_data`, nodes coloured by kind."""
    colours = [KIND_COLOURS.get(kind, "#999") for kind in data.kinds]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [shorten(x, 48) for x in data.labels],
                "color": colours,
                "pad": 12,
                "thickness": 16,
                "customdata": list(data.labels),
                "hovertemplate": "%{customdata}<extra></extra>",
            },
            link={
                "source": list(data.sources),
                "target": list(data.targets),
                "value": list(data.values),
                "color": [_faded(colours[t]) for t in data.targets],
                "customdata": sankey_hover(data),
                "hovertemplate": "%{source.customdata} → %{target.customdata}<br>%{customdata}<extra></extra>",
            },
        )
    )
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, font={"size": 12})
    return fig


# --- retention --------------------------------------------------------------------------------


def unique(labels: list[str]) -> list[str]:
    """Make category labels unique (a figure axis merges equal ones) with invisible marks."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        count = seen.get(label, 0)
        seen[label] = count + 1
        result.append(label + "\u200b" * count)
    return result


def _retention_hover(row: RetentionRow) -> str:
    lines = [
        f"<b>{esc(row.activity_name)}</b>",
        f"Data: {esc(row.data_label)}",
        f"Retention: {esc(RETENTION_KINDS[row.kind])}: {esc(row.period)}",
    ]
    if row.rule_label:
        lines.append(f"Rule: {esc(shorten(row.rule_label, 90))}")
    if row.event:
        lines.append(f"Event: {esc(row.event)}")
    if row.after:
        lines.append(f"Afterwards: {esc(shorten(row.after, 90))}")
    if row.quote:
        lines.append("<i>“" + "<br>".join(textwrap.wrap(esc(row.quote), 80)) + "”</i>")
    return "<br>".join(lines)


#: Retention kinds drawn as bars (they have a length, or run on without an end).
_BAR_KINDS = ("fixed", "from-event", "calendar", "indefinite", "until-event")
#: Kinds whose bars run on without an end: hatched.
_ENDLESS = ("indefinite", "until-event")


def _retention_bars(kind: str, picked: list[tuple[str, RetentionRow]], end: float) -> go.Bar:
    return go.Bar(
        name=RETENTION_KINDS[kind],
        orientation="h",
        y=[label for label, _ in picked],
        x=[r.years if r.years is not None else end for _, r in picked],
        marker={
            "color": RETENTION_COLOURS[kind],
            "pattern": {"shape": "/" if kind in _ENDLESS else ""},
        },
        text=[
            ("∞ " if r.kind == "indefinite" else "")
            + r.period
            + (" (at most)" if r.maximum and "at most" not in r.period else "")
            for _, r in picked
        ],
        textposition="inside",
        insidetextanchor="start",
        textfont={"color": "#111" if kind in _ENDLESS else "white"},
        hovertext=[_retention_hover(r) for _, r in picked],
        hoverinfo="text",
    )


def _retention_markers(kind: str, picked: list[tuple[str, RetentionRow]]) -> go.Scatter:
    colour = RETENTION_COLOURS[kind]
    symbol = {"missing": "x", "not-stored": "circle-open"}.get(kind, "diamond")
    return go.Scatter(
        name=RETENTION_KINDS[kind],
        mode="markers+text",
        y=[label for label, _ in picked],
        x=[0.0] * len(picked),
        marker={"color": colour, "size": 13, "symbol": symbol, "line": {"width": 2}},
        text=[r.period for _, r in picked],
        textposition="middle right",
        textfont={"color": colour},
        hovertext=[_retention_hover(r) for _, r in picked],
        hoverinfo="text",
    )


def retention_figure(rows: Sequence[RetentionRow], *, width_labels: int = 70) -> go.Figure:
    """A timeline: one bar per row, as long as the data are kept.

    Indefinite and until-event retention run off the right edge; delegated, missing,
    unspecified and not-stored retention are markers at zero with their words, coloured
    so that what needs attention stands out.
    """
    known = [r.years for r in rows if r.years is not None]
    end = max([*known, 1.0]) * 1.15
    labels = unique([shorten(f"{r.activity_name} · {r.data_label}", width_labels) for r in rows])
    fig = go.Figure()
    for kind in RETENTION_KINDS:
        picked = [(label, r) for label, r in zip(labels, rows, strict=True) if r.kind == kind]
        if picked:
            trace = (
                _retention_bars(kind, picked, end)
                if kind in _BAR_KINDS
                else _retention_markers(kind, picked)
            )
            fig.add_trace(trace)
    fig.update_layout(
        barmode="overlay",
        height=max(320, 26 * len(rows) + 140),
        margin={"l": 10, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        xaxis={"title": "years kept", "range": [0, end], "zeroline": True, "side": "top"},
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(labels)),
            "range": [-0.6, len(labels) - 0.4],  # no autorange padding above the first row
            "automargin": True,
            "tickfont": {"size": 11},
        },
    )
    return fig


# --- findings ---------------------------------------------------------------------------------


def severity_colour(severity: str) -> str:
    """The colour of a severity (hex)."""
    return SEVERITY_COLOURS.get(severity, "#888888")


def findings_figure(counts: Sequence[RuleCount]) -> go.Figure:
    """Findings per rule as horizontal bars coloured by severity."""
    fig = go.Figure()
    order = [c.rule for c in counts]
    for severity, colour in SEVERITY_COLOURS.items():
        mine = [c for c in counts if c.severity == severity]
        if mine:
            fig.add_trace(
                go.Bar(
                    name=severity,
                    orientation="h",
                    y=[c.rule for c in mine],
                    x=[c.count for c in mine],
                    marker_color=colour,
                    text=[str(c.count) for c in mine],
                    textposition="outside",
                    customdata=[c.article for c in mine],
                    hovertemplate="%{y}: %{x} (%{customdata})<extra>" + severity + "</extra>",
                )
            )
    fig.update_layout(
        barmode="stack",
        height=max(260, 24 * len(counts) + 90),
        margin={"l": 10, "r": 30, "t": 30, "b": 30},
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(order)),
            "automargin": True,
        },
        xaxis={"title": "findings", "range": [0, max((c.count for c in counts), default=1) * 1.18]},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
    )
    return fig
