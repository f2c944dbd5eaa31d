"""The "who holds what" matrix as a plotly figure, and a click on it read back.

Every value drawn comes from :func:`checker.views.matrix.holdings`; the shared helpers are
:mod:`drawing`'s (shortening) and :mod:`figures`' (escaping, retention colours).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import plotly.graph_objects as go
from drawing import join, shorten
from figures import RETENTION_COLOURS, esc, unique

from checker.views.matrix import NO_BASIS, SEVERAL_BASES, Holder, Holding, Holdings
from checker.views.retention import RETENTION_KINDS

# --- who holds what ---------------------------------------------------------------------------

#: Colours of the legal bases in the matrix, in order of use (Okabe-Ito, then greys).
BASIS_PALETTE = (
    "#0072B2",
    "#009E73",
    "#E69F00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#999999",
    "#666666",
)
#: Fixed colours of the matrix's special keys.
MATRIX_KEYS = {NO_BASIS: "#C0392B", SEVERAL_BASES: "#7B3294"}


def cell_key(holder: str, data: str) -> str:
    """The id of a matrix cell in figure selections: ``cell:<holder> <data>``."""
    return f"cell:{holder} {data}"


def parse_cell(points: Iterable[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The (holder, data) of the first matrix cell among the points of a selection.

    >>> parse_cell([{"customdata": "cell:https://e.org/u https://e.org/d"}])
    ('https://e.org/u', 'https://e.org/d')
    >>> parse_cell([{"customdata": ["node:x"]}]) is None
    True
    """
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if isinstance(data, str) and data.startswith("cell:") and " " in data:
            holder, category = data[5:].split(" ", 1)
            return holder, category
    return None


def _holder_label(holder: Holder) -> str:
    text = shorten(holder.label, 40)
    return text if holder.role == "unit" else f"{text} ({holder.role})"


def retention_text(cell: Holding, most: int = 6) -> str:
    """What a cell's activities say about retention, and the kind to look at first when
    they say several things (``30 days; no retention recorded: look first at no retention
    recorded``)."""
    kind = RETENTION_KINDS[cell.retention]
    if not cell.periods:
        return kind
    text = join(list(cell.periods), most)
    return text if len(cell.periods) == 1 else f"{text} (look first at: {kind.lower()})"


def _cell_hover(matrix: Holdings, cell: Holding, holder: str, data: str) -> str:
    lines = [f"<b>{esc(holder)}</b>", f"Data: {esc(data)}"]
    lines.append("Legal basis: " + esc(join(list(cell.bases), 3) or NO_BASIS))
    lines.append("Retention: " + esc(retention_text(cell, 3)))
    names = [name for _, name in cell.activities]
    lines.append(f"Activities ({len(names)}): " + esc(join(names, 3)))
    lines.append("<i>click to open the activities</i>")
    return "<br>".join(lines)


def holdings_figure(matrix: Holdings, colour_by: str = "basis") -> go.Figure:
    """Data categories (rows, their names in full) against units and parties (columns, in
    the hierarchy's order, then processors and recipients): a square where the column's
    party handles the row's category, coloured by its legal basis (``basis``) or by the
    retention kind a DPO should look at first (``retention``), with a legend even for one
    colour; ``customdata`` = :func:`cell_key`."""
    columns = unique([_holder_label(h) for h in matrix.holders])
    column_of = {h.iri: label for h, label in zip(matrix.holders, columns, strict=True)}
    rows = unique([shorten(label, 60) for _, label in matrix.data])
    row_of = {iri: label for (iri, _), label in zip(matrix.data, rows, strict=True)}
    names = {h.iri: h.label for h in matrix.holders}
    data_names = dict(matrix.data)
    if colour_by == "retention":
        key_of = {k: RETENTION_KINDS[k] for k in RETENTION_KINDS}
        colours = {RETENTION_KINDS[k]: c for k, c in RETENTION_COLOURS.items()}
        keys = [key_of[c.retention] for c in matrix.cells.values()]
        order = [RETENTION_KINDS[k] for k in RETENTION_KINDS]
    else:
        keys = [c.basis for c in matrix.cells.values()]
        counts = defaultdict(int)
        for key in keys:
            counts[key] += 1
        order = sorted(counts, key=lambda k: (k in MATRIX_KEYS, -counts[k], k.casefold()))
        palette = iter(BASIS_PALETTE * (len(order) // len(BASIS_PALETTE) + 1))
        colours = {k: MATRIX_KEYS.get(k) or next(palette) for k in order}
    fig = go.Figure()
    cells = list(matrix.cells.values())
    for name in order:
        picked = [c for c, k in zip(cells, keys, strict=True) if k == name]
        if not picked:
            continue
        fig.add_trace(
            go.Scatter(
                x=[column_of[c.holder] for c in picked],
                y=[row_of[c.data] for c in picked],
                mode="markers",
                name=shorten(name, 45),
                marker={"symbol": "square", "size": 14, "color": colours[name]},
                customdata=[cell_key(c.holder, c.data) for c in picked],
                hovertext=[
                    _cell_hover(matrix, c, names[c.holder], data_names[c.data]) for c in picked
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(
        height=max(360, 22 * len(rows) + 260),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        clickmode="event+select",
        hovermode="closest",
        hoverlabel={"align": "left"},
        showlegend=True,
        legend={
            "title": {"text": "Retention" if colour_by == "retention" else "Legal basis"},
            "yanchor": "top",
            "y": 1.0,
            "x": 1.01,
            "font": {"size": 11},
        },
        xaxis={
            "categoryorder": "array",
            "categoryarray": columns,
            "tickmode": "array",
            "tickvals": columns,
            "tickangle": -50,
            "side": "top",
            "tickfont": {"size": 11},
            "automargin": True,
            "showgrid": True,
            "gridcolor": "#eeeeee",
            "range": [-0.7, len(columns) - 0.3],
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(rows)),
            "tickmode": "array",
            "tickvals": rows,
            "tickfont": {"size": 11},
            "automargin": True,
            "showgrid": True,
            "gridcolor": "#eeeeee",
            "range": [-0.7, len(rows) - 0.3],
        },
        plot_bgcolor="white",
    )
    return fig
