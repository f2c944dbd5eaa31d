"""Who holds what: each unit, processor and recipient against each data category.

A square where the party handles the category in some activity, coloured by its legal
basis or by how long it is kept; a click on a square (or the two pickers below) opens the
activities behind it. ``/matrix?holder=elisa&data=pd:IPAddress`` opens a cell.
"""

from __future__ import annotations

import ropa_ui
import streamlit as st
from matrix_figure import holdings_figure, parse_cell, retention_text

from checker.views.retention import RETENTION_KINDS
from checker.vocab.namespaces import local_id

st.title("Who holds what")
st.markdown(
    "Every **data category** (rows) against every **unit** of the organisation, "
    "**processor** and **recipient** (columns): a square where the party handles the "
    "category in an activity. Colour the squares by legal basis or by retention, and click "
    "one to open the activities behind it."
)
model = ropa_ui.model()
matrix = model.holdings
if not matrix.cells:
    st.info("These records name no personal data handled by a unit or party.")
    st.stop()

roles = {"unit": "Units", "processor": "Processors", "recipient": "Recipients"}
c1, c2, c3 = st.columns([2, 3, 3])
colour_by = c1.radio(
    "Colour by",
    ["basis", "retention"],
    format_func={"basis": "Legal basis", "retention": "Retention"}.get,
    key="matrix_colour",
    horizontal=True,
)
EXACT = {"filter_mode": "contains", "select_all": False}  # Enter: the match, not all
shown_roles = c2.multiselect(
    "Parties", list(roles), default=list(roles), format_func=roles.get, key="matrix_roles", **EXACT
)
words = c3.text_input(
    "Data categories containing",
    key="matrix_data",
    placeholder="e.g. address",
    help="Only the columns whose name contains these words (case-insensitive).",
)

holders = [h for h in matrix.holders if h.role in shown_roles]
wanted = [w for w in words.casefold().split() if w]
columns = [(iri, label) for iri, label in matrix.data if all(w in label.casefold() for w in wanted)]
keep_h = {h.iri for h in holders}
keep_d = {iri for iri, _ in columns}
cells = {k: c for k, c in matrix.cells.items() if k[0] in keep_h and k[1] in keep_d}
holders = [h for h in holders if any(k[0] == h.iri for k in cells)]
columns = [(iri, label) for iri, label in columns if any(k[1] == iri for k in cells)]
if not cells:
    st.info("No square matches: show more parties, or other words.", icon=":material/search_off:")
    st.stop()
view = type(matrix)(tuple(holders), tuple(columns), cells)
st.caption(
    f"{len(holders)} parties × {len(columns)} data categories, {len(cells)} squares."
    + (
        " Red: no legal basis recorded; purple: several bases."
        if colour_by == "basis"
        else " Attention first: " + ", ".join(RETENTION_KINDS[k] for k in list(RETENTION_KINDS)[:4])
    )
)

chart = st.plotly_chart(
    ropa_ui.memo(
        (model.fingerprint, "matrix", colour_by, tuple(shown_roles), tuple(wanted)),
        lambda: holdings_figure(view, colour_by),
    ),
    key="matrix_chart",
    on_select="rerun",
    selection_mode="points",
    config={"displaylogo": False},
)

# The cell shown: a click, else the pickers, else the address.
by_id = {local_id(h.iri): h.iri for h in matrix.holders}
data_by_id = {local_id(iri): iri for iri, _ in matrix.data}
for key, param, lookup in (
    ("matrix_holder", "holder", by_id),
    ("matrix_pick_data", "data", data_by_id),
):
    raw = st.query_params.get(param)
    if raw and st.session_state.get(f"_applied_{key}") != raw:
        st.session_state[f"_applied_{key}"] = raw
        token = raw.split(":", 1)[-1] if ":" in raw and "//" not in raw else raw
        st.session_state[key] = lookup.get(token, raw if raw in lookup.values() else None)
points = []
try:
    points = list(st.session_state["matrix_chart"]["selection"]["points"])
except (KeyError, TypeError):
    points = []
clicked = parse_cell(points)
if clicked is not None and st.session_state.get("_matrix_click") != clicked:
    st.session_state["_matrix_click"] = clicked
    st.session_state["matrix_holder"], st.session_state["matrix_pick_data"] = clicked

names = {h.iri: h.label for h in matrix.holders}
data_names = dict(matrix.data)
p1, p2 = st.columns(2)
holder = p1.selectbox(
    "Party",
    [None, *[h.iri for h in matrix.holders]],
    format_func=lambda i: "— pick a party, or click a square —" if i is None else names[i],
    key="matrix_holder",
)
choices = [d for h, d in matrix.cells if h == holder] if holder else []
if st.session_state.get("matrix_pick_data") not in (None, *choices):
    st.session_state["matrix_pick_data"] = None
data = p2.selectbox(
    "Data category",
    [None, *sorted(choices, key=lambda d: data_names[d].casefold())],
    format_func=lambda i: "— pick a data category —" if i is None else data_names[i],
    key="matrix_pick_data",
)
cell = matrix.cell(holder, data) if holder and data else None
if cell is not None:
    with st.container(border=True):
        st.markdown(f"**{ropa_ui.md(names[holder])}** handles **{ropa_ui.md(data_names[data])}**")
        st.markdown("**Legal basis:** " + ropa_ui.md(", ".join(cell.bases) or "none recorded"))
        st.markdown("**Retention:** " + ropa_ui.md(retention_text(cell, 20)))
        st.markdown(f"**Activities ({len(cell.activities)}):**")
        for iri, name in cell.activities:
            ropa_ui.activity_link(iri, label=name)
