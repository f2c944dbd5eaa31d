"""The dashboard's plotly figures and colours: the Sankey diagram, the retention timeline,
the findings by rule (the flow map is SVG: :mod:`map_svg`; the matrix: :mod:`matrix_figure`).

Every value drawn comes from :mod:`checker.views`; this module turns them into plotly
figures. Hover texts are plotly's HTML subset, escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go
from drawing import KIND_COLOURS, join, shorten

from checker.views.findings import RuleCount
from checker.views.layout import SankeyData
from checker.views.retention import RETENTION_KINDS, RetentionRow

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
