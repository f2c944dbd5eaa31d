"""Activities: every processing activity in a searchable, sortable table, and one
activity's full record with the passage of the register description each fact came from.

``?activity=<id>`` in the address opens that activity (the Findings and Flows pages link
here that way).
"""

from __future__ import annotations

import pandas as pd
import ropa_ui
import streamlit as st

from checker.views.activities import search_activities

model = ropa_ui.model()
rows = model.activities
by_iri = {r.iri: r for r in rows}
by_id = {r.id: r.iri for r in rows}

st.title("Processing activities")
st.markdown(
    f"The register records **{len(rows)} activities**. Search by any word (a unit, a "
    "processor, a purpose…), sort by a column's header, select a row, or pick an activity "
    "below to see its full record and where the register description says each fact."
)

# An activity named in the address (a link from another page) is selected once.
wanted = st.query_params.get("activity")
if wanted and st.session_state.get("_applied_activity") != wanted:
    st.session_state["_applied_activity"] = wanted
    if wanted in by_id:
        st.session_state["activity_pick"] = by_id[wanted]
    elif wanted in by_iri:
        st.session_state["activity_pick"] = wanted
    else:
        st.warning(f"No activity with the id `{ropa_ui.md(wanted)}` in these records.")

query = st.text_input(
    "Search activities",
    key="activity_search",
    placeholder="e.g. Elisa, chat, identity code, consent",
)
found = search_activities(rows, query) if query.strip() else rows
if not found:
    st.info(
        f"No activity matches “{query}”. Try fewer or other words.", icon=":material/search_off:"
    )
else:
    st.caption(f"{len(found)} of {len(rows)} activities")
    frame = pd.DataFrame(
        [
            {
                "Activity": r.name,
                "Units": r.units,
                "Purposes": r.purposes,
                "Data categories": r.data_categories,
                "Special data": r.special_data,
                "Legal bases": r.legal_bases,
                "Processors": r.processors,
                "Recipients": r.recipients,
                "Retention": r.retention,
                "Findings": r.findings,
                "Worst": r.worst,
                "Record": r.source,
            }
            for r in found
        ]
    )
    table = ropa_ui.table(
        frame,
        wide=("Activity", "Units", "Purposes", "Retention"),
        most_lines=5,
        on_select="rerun",
        selection_mode="single-row",
        key=f"activity_table_{len(found)}_{hash(query.strip().casefold())}",
        column_config={
            "Units": st.column_config.TextColumn(width="medium"),
            "Purposes": st.column_config.TextColumn(width="medium"),
            "Retention": st.column_config.TextColumn(width="medium"),
            "Data categories": st.column_config.NumberColumn(
                "Data", help="Number of personal data categories"
            ),
            "Special data": st.column_config.CheckboxColumn(
                "Art. 9", help="Processes special categories of personal data"
            ),
            "Findings": st.column_config.NumberColumn(help="Findings of ropa check"),
        },
    )
    selected = table.selection.rows if hasattr(table, "selection") else []
    if selected and st.session_state.get("_last_row") != (query, selected[0]):
        st.session_state["_last_row"] = (query, selected[0])
        st.session_state["activity_pick"] = found[selected[0]].iri

choices = [r.iri for r in rows]
if st.session_state.get("activity_pick") not in (None, *choices):
    st.session_state["activity_pick"] = None
picked = st.selectbox(
    "Activity",
    [None, *choices],
    format_func=lambda iri: "— pick an activity —" if iri is None else by_iri[iri].name,
    key="activity_pick",
)
if picked is None:
    st.info(
        "Pick an activity (or select a row) to see its full record.", icon=":material/touch_app:"
    )
else:
    if st.query_params.get("activity") != by_iri[picked].id:
        st.query_params["activity"] = by_iri[picked].id
        st.session_state["_applied_activity"] = by_iri[picked].id
    st.divider()
    ropa_ui.show_activity(model, picked)
