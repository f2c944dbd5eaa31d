"""Flows: who in the organisation handles which personal data, where from, where to.

The flow map (sources left, the organisation's units in nested boxes by their hierarchy,
recipients and processors right; lines as wide as the number of data categories they
carry), a Sankey diagram of the same edges, or a force-directed network; filtered by data
category, unit, processor, legal basis, register and special categories. A click on a node
or a line shows its details below. Filters can come from the address
(``/flows?data=pd:IPAddress&node=elisa``), so a view can be shared.

The map and the network are SVG drawn on the server (:mod:`map_svg`), put into the page by
a small component (:func:`ropa_ui.show_map`): the first page loads no charting library, so
it is drawn as soon as its script has run. A click (or Enter on a focused node or marker)
comes back as the element's key, read as plotly's selections were. The Sankey diagram is
plotly's.
"""

from __future__ import annotations

import pandas as pd
import ropa_ui
import streamlit as st
from figures import sankey_figure
from map_svg import flow_svg

from checker.views.flowmap import plain_map
from checker.views.flows import KIND_NAMES, FlowFilter, Option, node_detail, processing_units
from checker.views.flows import handlers as who_handles
from checker.views.layout import flow_layout, sankey_data
from checker.vocab.namespaces import local_id

model = ropa_ui.model()
graph, flows = model.graph, model.flows
summary = model.summary
options = model.options

st.title("Data flows")
st.markdown(
    "Who handles which personal data: **where it comes from** (left), **the units that "
    "process it**, grouped as the organisation is, and **where it goes** (right: recipients "
    "and processors). A line is as wide as the number of data categories it carries; the "
    "number on it counts them. Pick a data category to see only the paths it takes; click "
    "a node or a line for its details."
)

cols = st.columns(6)
cols[0].metric("Activities", summary.activities)
cols[1].metric("Units", summary.units)
cols[2].metric("Processors", summary.processors)
cols[3].metric("Recipients", summary.recipients)
cols[4].metric("Data categories", summary.data_categories)
cols[5].metric("Violations", summary.findings.get("violation", 0))


def _choices(found: tuple[Option, ...]) -> tuple[list[str], dict[str, str]]:
    return [o.iri for o in found], {o.iri: str(o) for o in found}


def _from_address(key: str, param: str, values: list[str]) -> None:
    """Preset a filter from the address once (``?data=pd:IPAddress,personal-identity-code``)."""
    raw = st.query_params.get(param)
    if raw is None or st.session_state.get(f"_applied_{key}") == raw:
        return
    st.session_state[f"_applied_{key}"] = raw
    picked = []
    for token in raw.split(","):
        token = token.strip()
        local = token.split(":", 1)[-1] if ":" in token and "//" not in token else token
        picked += [v for v in values if v == token or local_id(v) == local]
    st.session_state[key] = sorted(set(picked))


data_values, data_labels = _choices(options.data)
unit_values, unit_labels = _choices(options.units)
proc_values, proc_labels = _choices(options.processors)
basis_values, basis_labels = _choices(options.legal_bases)
register_values, register_labels = _choices(options.registers)
for key, param, values in (
    ("flow_data", "data", data_values),
    ("flow_units", "unit", unit_values),
    ("flow_processors", "processor", proc_values),
    ("flow_bases", "basis", basis_values),
    ("flow_registers", "register", register_values),
):
    _from_address(key, param, values)
if st.query_params.get("special") in ("1", "true") and "flow_special" not in st.session_state:
    st.session_state["flow_special"] = True

#: Typing narrows the choices to those containing the words, and Enter takes the first of
#: them: never every fuzzy match at once (filter_mode and select_all).
EXACT = {"filter_mode": "contains", "select_all": False}

#: What each filter does (its help), by its key.
FILTER_HELP = {
    "flow_data": "Shows the edges that carry the category or a narrower one (a broader "
    "category such as 'Finnish personal identity code' covers its kinds). The number is how "
    "many edges carry it.",
    "flow_units": "The activities of the unit (and of its sub-units) and the flows to and from it.",
    "flow_processors": "The activities that use the processor, and what reaches it.",
    "flow_bases": "The activities with this legal basis (the number counts activities).",
    "flow_registers": "The activities of these registers and the flows to and from their "
    "parties (the number counts activities).",
}


def _filter(
    where: object, label: str, key: str, values: list[str], placeholder: str = "Any"
) -> list[str]:
    """A multiselect filter of the page, its choices named by ``labels[key]``."""
    return where.multiselect(  # type: ignore[attr-defined,no-any-return]
        label,
        values,
        format_func=labels[key].get,
        key=key,
        placeholder=placeholder,
        help=FILTER_HELP[key],
        **EXACT,
    )


labels = {
    "flow_data": data_labels,
    "flow_units": unit_labels,
    "flow_processors": proc_labels,
    "flow_bases": basis_labels,
    "flow_registers": register_labels,
}
with st.container(border=True):
    f1, f2, f3 = st.columns([3, 2, 2])
    data = _filter(
        f1, "Data category", "flow_data", data_values, "Any: type to search, e.g. IP address"
    )
    units = _filter(f2, "Unit", "flow_units", unit_values)
    processors = _filter(f3, "Processor", "flow_processors", proc_values)
    g1, g2, g3 = st.columns([3, 2, 2])
    bases = _filter(g1, "Legal basis", "flow_bases", basis_values)
    registers: list[str] = []
    if register_values:
        registers = _filter(g2, "Register", "flow_registers", register_values, "All registers")
    special = g2.toggle(
        "Special-category data only",
        key="flow_special",
        help="Only edges that carry special categories of personal data (GDPR Art. 9(1)).",
    )
    view = g3.radio(
        "View",
        ["map", "sankey", "spring"],
        format_func={
            "map": "Map: sources → organisation → recipients",
            "sankey": "Sankey diagram",
            "spring": "Network: force-directed",
        }.get,
        key="flow_layout",
    )

flt = FlowFilter(
    data=frozenset(data),
    units=frozenset(units),
    processors=frozenset(processors),
    legal_bases=frozenset(bases),
    special_only=special,
    registers=frozenset(registers),
)
shown = model.shown(flt)

if flows.number_of_edges() == 0:
    st.info(
        "These records state no data flows: no source, recipient or processor is linked to "
        "a unit or controller of an activity. The other pages still show the activities.",
        icon=":material/info:",
    )
    st.stop()
if shown.number_of_edges() == 0:
    st.info(
        "No data flow matches these filters. Remove a filter, or pick a broader data category.",
        icon=":material/search_off:",
    )
    st.stop()

st.caption(
    f"Showing {shown.number_of_nodes()} of {flows.number_of_nodes()} parties and "
    f"{shown.number_of_edges()} of {flows.number_of_edges()} edges."
)

# The node shown in detail: a click on the figure, else the pick below, else the address.
nodes = sorted(shown.nodes, key=lambda n: (str(shown.nodes[n].get("label", n)).casefold(), n))
address_node = st.query_params.get("node")
if address_node and st.session_state.get("_applied_node") != address_node:
    st.session_state["_applied_node"] = address_node
    match = [n for n in nodes if n == address_node or local_id(n) == address_node]
    if match:
        st.session_state["flow_node"] = match[0]
if st.session_state.get("flow_node") not in (None, *nodes):
    st.session_state["flow_node"] = None

# A click on the map (a trigger of its component: there in the run the click started, and
# only then) picks the node or line shown in detail, over the pick below.
chart_key = f"flow_network_{view}"
clicked = ropa_ui.map_click(chart_key)
if clicked.node is not None and clicked.node in shown:
    st.session_state["flow_node"] = clicked.node
    st.session_state["flow_edges"] = ()
elif clicked.edges and all(shown.has_edge(*e) for e in clicked.edges):
    st.session_state["flow_edges"] = clicked.edges
    st.session_state["flow_node"] = None

if view == "sankey":
    st.plotly_chart(
        ropa_ui.memo(
            (model.fingerprint, "sankey", flt), lambda: sankey_figure(sankey_data(graph, shown))
        ),
        key="flow_sankey",
        config={"displaylogo": False},
    )
    st.caption(
        "Each band is one hand-over; its width is the number of data categories it "
        "carries. Hover for the categories and purposes; pick a node below for details."
    )
else:
    selected = st.session_state.get("flow_node")
    if view == "map":
        fmap = model.flow_map(flt)
        svg = ropa_ui.map_svg(model, flt, selected)
    else:
        fmap = plain_map(graph, shown, flow_layout(shown, "spring"))
        svg = ropa_ui.memo(
            (model.fingerprint, "spring", flt, selected),
            lambda: flow_svg(graph, shown, fmap, selected=selected),
        )
    ropa_ui.show_map(svg, chart_key)
    notes = []
    if fmap.boxes:
        notes.append(
            "Boxes are the organisation's units as the records nest them (part of); lines "
            "into or out of a box meet at its edge, then fan out to its units."
        )
    if fmap.outside:
        notes.append("A red ring: located outside the EU/EEA (its recorded location).")
    if notes:
        st.caption(" ".join(notes))

# --- who handles it ---------------------------------------------------------------------------
found = who_handles(shown)
if flt.data:
    st.subheader("Who handles the selected data")
    for kind in ("processor", "recipient", "system"):
        names = [label for _, label in found.get(kind, [])]
        st.markdown(f"**{KIND_NAMES[kind]} it reaches:** " + ropa_ui.md(", ".join(names) or "none"))
    names = [label for _, label in found.get("data subject", [])]
    st.markdown("**Collected from:** " + ropa_ui.md(", ".join(names) or "no source recorded"))
    uses = processing_units(graph, flt.data)
    st.markdown(f"**Units whose activities process it ({len(uses)})**")
    if uses:
        ropa_ui.table(
            pd.DataFrame(
                [
                    {"Unit": u.label, "Activities": "; ".join(a for _, a in u.activities)}
                    for u in uses
                ]
            ),
            wide=["Activities"],
            column_config={"Unit": st.column_config.TextColumn(width="medium")},
        )
    else:
        st.info("No activity records this data.")

# --- details -----------------------------------------------------------------------------------
st.subheader("Details")
picked_edges = [e for e in st.session_state.get("flow_edges") or () if shown.has_edge(*e)]
if picked_edges:
    with st.container(border=True):
        for a, b in picked_edges[:12]:
            outgoing = {e.partner: e for e in node_detail(graph, shown, a).outgoing}
            handed = outgoing[b]
            st.markdown(
                f"**{ropa_ui.md(shown.nodes[a].get('label', a))} → "
                f"{ropa_ui.md(handed.partner_label)}**"
            )
            st.markdown("**Data:** " + ropa_ui.md(", ".join(handed.data) or "not stated"))
            st.markdown("**Purposes:** " + ropa_ui.md(", ".join(handed.purposes) or "not stated"))
            for condition in handed.conditions:
                st.markdown("**Condition:** " + ropa_ui.md(condition))
            activities = sorted(shown.edges[a, b]["carries"].activities)
            if activities:
                st.markdown(f"**Activities ({len(activities)}):**")
                for activity in activities:
                    ropa_ui.activity_link(activity, label=ropa_ui.label(model, activity))
        if len(picked_edges) > 12:
            st.caption(f"and {len(picked_edges) - 12} more hand-overs on this line")
        if st.button("Close", key="clear_edge"):
            st.session_state["flow_edges"] = ()
            st.rerun()

picked = st.selectbox(
    "Details of",
    [None, *nodes],
    format_func=lambda n: (
        "— pick a node, or click one in the map —"
        if n is None
        else f"{shown.nodes[n].get('label', n)} ({shown.nodes[n].get('kind', 'other')})"
    ),
    key="flow_node",
)
if picked is not None:
    info = node_detail(graph, shown, picked)
    st.markdown(f"#### {ropa_ui.md(info.label)}")
    facts = [f"kind: **{info.kind}**"]
    if info.part_of:
        facts.append("part of " + ropa_ui.md(", ".join(info.part_of)))
    if info.parts:
        facts.append("has parts " + ropa_ui.md(", ".join(info.parts)))
    if info.location:
        facts.append("location " + ropa_ui.md(info.location))
    if info.source:
        facts.append(f"recorded at `{info.source}`")
    st.markdown(" · ".join(facts))
    left, right = st.columns(2, gap="large")
    for column, title, edges in (
        (left, "Receives from", info.incoming),
        (right, "Hands on to", info.outgoing),
    ):
        with column:
            st.markdown(f"**{title}**")
            if not edges:
                st.caption("nobody, in this view")
                continue
            ropa_ui.table(
                pd.DataFrame(
                    [
                        {
                            "Party": e.partner_label,
                            "Kind": e.partner_kind,
                            "Data": ", ".join(e.data) or "not stated",
                            "Purposes": ", ".join(e.purposes),
                        }
                        for e in edges
                    ]
                ),
                wide=["Data", "Purposes"],
                max_height=520,
            )
    if info.activities:
        st.markdown(f"**Activities on these edges ({len(info.activities)})**")
        for iri, label in info.activities:
            ropa_ui.activity_link(iri, label=label)
