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
from checker.views.flows import KIND_NAMES, edge_facts, edge_kind, node_kind, node_label
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

#: Colours of the edge kinds (what the edge stands for: :func:`checker.views.flows.edge_kind`).
EDGE_COLOURS: dict[str, str] = {
    "source": "#009E73",
    "flow": "#0072B2",
    "processor": "#E69F00",
    "recipient": "#CC79A7",
}

#: How the edge kinds are named in the legend.
EDGE_NAMES: dict[str, str] = {
    "source": "collected from a source",
    "flow": "handed between units",
    "processor": "to a processor",
    "recipient": "disclosed to a recipient",
}

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


def node_key(node: str) -> str:
    """The id of a node in figure selections."""
    return f"node:{node}"


@dataclass(frozen=True)
class Selection:
    """What a click on the flow figure picked: a node, or an edge (from, to)."""

    node: str | None = None
    edge: tuple[str, str] | None = None


def parse_selection(points: Iterable[Mapping[str, Any]]) -> Selection:
    """The first node or edge among the points of a figure selection (Streamlit's
    ``event.selection.points``), from their ``customdata``.

    >>> parse_selection([{"customdata": ["node:https://e.org/a"]}]).node
    'https://e.org/a'
    >>> parse_selection([{"customdata": "edge:https://e.org/a https://e.org/b"}]).edge
    ('https://e.org/a', 'https://e.org/b')
    >>> parse_selection([{"x": 1}])
    Selection(node=None, edge=None)
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
            a, b = data[5:].split(" ", 1)
            return Selection(edge=(a, b))
    return Selection()


# --- the flow network -------------------------------------------------------------------------


def edge_label(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> str:
    """A short label of an edge for the figure: its data categories (at most two named).

    >>> from checker.graph.flows import EdgeData
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", carries=EdgeData(data={"x:1", "x:2", "x:3"}))
    >>> edge_label(Graph(), g, "a", "b")
    'x:1, x:2 +1'
    """
    facts = edge_facts(graph, flows, a, b)
    data = facts.data
    if not data:
        return shorten(", ".join(facts.purposes[:1]), 28)
    text = ", ".join(shorten(d, 24) for d in data[:2])
    return text + (f" +{len(data) - 2}" if len(data) > 2 else "")


def _edge_hover(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> str:
    facts = edge_facts(graph, flows, a, b)
    out = [f"<b>{esc(node_label(flows, a))} → {esc(node_label(flows, b))}</b>"]
    if facts.data:
        out.append("Data: " + esc(join(facts.data, 6)))
    if facts.purposes:
        out.append("Purposes: " + esc(join(facts.purposes, 4)))
    if facts.activities:
        out.append(f"Activities: {len(facts.activities)}")
    for condition in facts.conditions:
        out.append("Condition: " + esc(shorten(condition, 90)))
    return "<br>".join(out)


def _node_hover(flows: nx.DiGraph, node: str) -> str:
    incoming = sorted(node_label(flows, n) for n in flows.predecessors(node))
    outgoing = sorted(node_label(flows, n) for n in flows.successors(node))
    lines = [f"<b>{esc(node_label(flows, node))}</b> ({node_kind(flows, node)})"]
    if incoming:
        lines.append("From: " + esc(join(incoming, 4)))
    if outgoing:
        lines.append("To: " + esc(join(outgoing, 4)))
    lines.append("<i>click for details</i>")
    return "<br>".join(lines)


def curve(
    start: tuple[float, float], end: tuple[float, float], steps: int = 16
) -> list[tuple[float, float]]:
    """Points of an S-shaped cubic Bézier from ``start`` to ``end`` (horizontal tangents,
    as in a Sankey diagram); within one column, an arc bulging to the right."""
    (x0, y0), (x1, y1) = start, end
    dx = x1 - x0
    if abs(dx) < 1e-9:
        bulge = 0.25 + 0.15 * abs(y1 - y0)
        c1, c2 = (x0 + bulge, y0), (x1 + bulge, y1)
    else:
        c1, c2 = (x0 + dx * 0.5, y0), (x1 - dx * 0.5, y1)
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * x0 + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * x1,
                u**3 * y0 + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * y1,
            )
        )
    return points


def _text_position(x: float, left: float, span: float) -> str:
    if x <= left + 0.05 * span:
        return "middle left"
    if x >= left + 0.95 * span:
        return "middle right"
    return "top center"


def _edge_traces(
    fig: go.Figure, flows: nx.DiGraph, curves: Mapping[tuple[str, str], list[tuple[float, float]]]
) -> None:
    """The edges, one trace per edge kind, with an arrowhead near each edge's end."""
    for kind, colour in EDGE_COLOURS.items():
        lx: list[float | None] = []
        ly: list[float | None] = []
        heads: list[int] = []  # an arrowhead (plotly's "arrow" marker) near each edge's end
        for a, b in curves:
            if edge_kind(flows, a, b) != kind:
                continue
            points = curves[a, b]
            lx += [p[0] for p in points] + [None]
            ly += [p[1] for p in points] + [None]
            heads += [0] * (len(points) - 3) + [11, 0, 0, 0]
        if lx:
            fig.add_trace(
                go.Scatter(
                    x=lx,
                    y=ly,
                    mode="lines+markers",
                    line={"color": colour, "width": 1.5},
                    # "previous": each head points along the curve, away from the point
                    # before it; markers of size 0 are not drawn.
                    marker={
                        "symbol": "arrow",
                        "size": heads,
                        "angleref": "previous",
                        "color": colour,
                    },
                    opacity=0.6,
                    hoverinfo="skip",
                    name=EDGE_NAMES[kind],
                )
            )


def _node_traces(
    fig: go.Figure,
    flows: nx.DiGraph,
    positions: Mapping[str, tuple[float, float]],
    selected: str | None,
) -> None:
    """The nodes, one clickable trace per kind (``customdata`` = :func:`node_key`)."""
    for kind in KIND_NAMES:
        nodes = sorted(
            (n for n, k in flows.nodes(data="kind") if k == kind),
            key=lambda n: (node_label(flows, n).casefold(), n),
        )
        if not nodes:
            continue
        sizes = [13 + min(15, 1.5 * flows.degree(n)) for n in nodes]
        fig.add_trace(
            go.Scatter(
                x=[positions[n][0] for n in nodes],
                y=[positions[n][1] for n in nodes],
                mode="markers",
                name=KIND_NAMES[kind],
                marker={
                    "size": sizes,
                    "color": KIND_COLOURS[kind],
                    "symbol": KIND_SYMBOLS[kind],
                    "line": {
                        "width": [4 if n == selected else 1 for n in nodes],
                        "color": ["#111" if n == selected else "white" for n in nodes],
                    },
                },
                customdata=[node_key(n) for n in nodes],
                hovertext=[_node_hover(flows, n) for n in nodes],
                hoverinfo="text",
            )
        )


def _node_labels(
    flows: nx.DiGraph, positions: Mapping[str, tuple[float, float]], left: float, span: float
) -> list[dict[str, Any]]:
    """Labels as annotations, on a light background so that edges do not hide them; the
    outer columns write outwards, the middle ones above the node."""
    labels = []
    for node, (x, y) in sorted(positions.items()):
        where = _text_position(x, left, span)
        label = {
            "x": x,
            "y": y,
            "xref": "x",
            "yref": "y",
            "text": wrap(esc(node_label(flows, node)), 26),
            "showarrow": False,
            "font": {"size": 11, "color": "#1a1a1a"},
            "bgcolor": "rgba(255,255,255,0.78)",
            "borderpad": 1,
            "align": "center",
        }
        if where == "middle left":
            label.update(xanchor="right", xshift=-12, align="right")
        elif where == "middle right":
            label.update(xanchor="left", xshift=12, align="left")
        else:
            label.update(yanchor="bottom", yshift=9)
        labels.append(label)
    return labels


def flow_figure(
    graph: Graph,
    flows: nx.DiGraph,
    positions: Mapping[str, tuple[float, float]],
    *,
    selected: str | None = None,
    edge_labels: bool | None = None,
    height: int | None = None,
) -> go.Figure:
    """The flow network: nodes by kind (one trace each, clickable, ``customdata`` =
    :func:`node_key`), curved edges with arrowheads coloured by what they stand for, and
    a clickable marker in the middle of each edge (``customdata`` = :func:`edge_key`)
    whose hover lists the data and purposes.

    ``edge_labels`` writes the data categories on the edges (default: when there are at
    most 30 edges, where they stay readable). ``height`` defaults to one that gives the
    fullest column room for its labels.
    """
    fig = go.Figure()
    edges = sorted(flows.edges)
    texts = [edge_label(graph, flows, a, b) for a, b in edges]
    if edge_labels is None:  # readable, and saying something the filter does not already
        edge_labels = len(edges) <= 30 and len(set(texts)) > 1
    xs = [p[0] for p in positions.values()] or [0.0]
    span = (max(xs) - min(xs)) or 1.0
    if height is None:
        column: dict[float, int] = defaultdict(int)
        for x, _ in positions.values():
            column[round(x, 6)] += 1
        height = int(min(1800, max(560, 72 * max(column.values(), default=1) + 120)))
    curves = {(a, b): curve(positions[a], positions[b]) for a, b in edges}
    _edge_traces(fig, flows, curves)
    middles = [curves[a, b][len(curves[a, b]) // 2] for a, b in edges]
    fig.add_trace(
        go.Scatter(
            x=[m[0] for m in middles],
            y=[m[1] for m in middles],
            mode="markers+text" if edge_labels else "markers",
            marker={"size": 8, "color": "rgba(90,90,90,0.30)", "symbol": "circle"},
            text=texts if edge_labels else None,
            textposition="top center",
            textfont={"size": 10, "color": "#444"},
            customdata=[edge_key(a, b) for a, b in edges],
            hovertext=[_edge_hover(graph, flows, a, b) for a, b in edges],
            hoverinfo="text",
            name="What is handed over (click)",
            showlegend=bool(edges),
        )
    )
    _node_traces(fig, flows, positions, selected)
    # At once: one add_annotation call each is slow.
    fig.update_layout(annotations=_node_labels(flows, positions, min(xs), span))
    pad = 0.22 * span
    ys = [p[1] for p in positions.values()] or [0.0]
    ypad = 0.06 * ((max(ys) - min(ys)) or 1.0)
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        clickmode="event+select",
        dragmode="pan",
        hovermode="closest",
        hoverlabel={"align": "left"},
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0, "font": {"size": 11}},
        xaxis={"visible": False, "range": [min(xs) - pad, max(xs) + pad]},
        yaxis={"visible": False, "range": [min(ys) - ypad, max(ys) + ypad]},
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


def _unique(labels: list[str]) -> list[str]:
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
    labels = _unique([shorten(f"{r.activity_name} · {r.data_label}", width_labels) for r in rows])
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
