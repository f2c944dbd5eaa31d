"""A person's journey: what the register does with the data of one group of data subjects.

Pick a group (``/journey?subject=private-customers``): which personal data are collected
about them, from where, which units handle them and for what, who receives them, how long
each piece is kept and on which legal basis, with the register's own words. It is also the
answer to a subject-access request (GDPR Art. 15): download it as Markdown.
"""

from __future__ import annotations

import pandas as pd
import ropa_ui
import streamlit as st

from checker.views.journey import RELATIONS, Step, journey_markdown
from checker.vocab.namespaces import local_id

model = ropa_ui.model()
groups = model.subjects
by_iri = {g.iri: g for g in groups}

st.title("A person's journey")
st.markdown(
    "Pick a group of data subjects to follow their data through the register: **what is "
    "collected**, **from where**, **which units** handle it, **who receives it**, **how "
    "long** each piece is kept and **on which legal basis**, each with the register's own "
    "words. It is also the answer to a subject-access request (GDPR Art. 15)."
)
if not groups:
    st.info("These records name no data subjects.")
    st.stop()

wanted = st.query_params.get("subject")
if wanted and st.session_state.get("_applied_subject") != wanted:
    st.session_state["_applied_subject"] = wanted
    match = [g.iri for g in groups if wanted in (g.iri, local_id(g.iri))]
    if match:
        st.session_state["journey_subject"] = match[0]
    else:
        st.warning(f"No data subject group `{ropa_ui.md(wanted)}` in these records.")
subject = st.selectbox(
    "Data subjects",
    [None, *by_iri],
    format_func=lambda i: "— pick a group —" if i is None else str(by_iri[i]),
    key="journey_subject",
    help="The number counts the activities that concern the group.",
)
if subject is None:
    st.info("Pick a group of data subjects, e.g. customers.", icon=":material/touch_app:")
    st.stop()
if st.query_params.get("subject") != local_id(subject):
    st.query_params["subject"] = local_id(subject)
    st.session_state["_applied_subject"] = local_id(subject)

trip = model.journey(subject)
if not trip.steps:
    st.info("No activity of the records concerns this group.")
    st.stop()

cols = st.columns(4)
cols[0].metric("Activities", len(trip.steps))
cols[1].metric("Personal data", len(trip.items))
cols[2].metric("Units", len(trip.field_values("Organisational units")))
cols[3].metric(
    "Recipients and processors",
    len(set(trip.field_values("Recipients")) | set(trip.field_values("Processors"))),
)

st.subheader("At a glance")
ropa_ui.table(
    pd.DataFrame(
        [
            {
                "Personal data": item.label,
                "Collected from": ", ".join(item.sources) or "not recorded",
                "Handled by": ", ".join(item.units) or "not recorded",
                "Received by": ", ".join(item.receivers) or "nobody recorded",
                "Kept": "; ".join(item.kept) or "not recorded",
                "Legal basis": ", ".join(item.bases) or "not recorded",
            }
            for item in trip.items
        ]
    ),
    wide=["Personal data", "Collected from", "Handled by", "Received by", "Kept", "Legal basis"],
    # Six columns side by side in the page's width: no column hidden to the right.
    column_config={
        name: st.column_config.TextColumn(width=148)
        for name in ("Personal data", "Collected from", "Handled by", "Received by", "Kept")
    }
    | {"Legal basis": st.column_config.TextColumn(width=140)},
)
st.download_button(
    "Download as Markdown (for a subject-access request)",
    journey_markdown(trip),
    file_name=f"journey-{local_id(subject)}.md",
    mime="text/markdown",
    icon=":material/download:",
)

st.subheader("Activity by activity, with the register's words")


def show_step(step: Step) -> None:
    """One activity: each fact with the numbers of its quotes, retention in the register's
    words, and a link to the activity."""
    with st.container(border=True):
        st.markdown(f"**{ropa_ui.md(step.name)}**")
        if step.relation:
            st.caption(step.relation)
        for field, told in step.fields:
            if not told:
                continue
            shown = ", ".join(
                ropa_ui.md(t.value)
                + (f" ({ropa_ui.md(t.note)})" if t.note else "")
                + (" " + "".join(f"[{n}]" for n in t.quotes) if t.quotes else "")
                for t in told
            )
            st.markdown(f"**{field}:** {shown}")
        for kept in step.kept:
            if kept.kind == "missing":
                st.markdown("**Kept:** no retention recorded (GDPR Art. 30(1)(f))")
                continue
            line = f"**Kept** ({ropa_ui.md(kept.data)}): {ropa_ui.md(kept.period)}"
            if kept.quote:
                line += f"\n\n> {ropa_ui.md(kept.quote)}"
            st.markdown(line)
        ropa_ui.activity_link(step.activity)


for kind, title in RELATIONS.items():
    steps = [s for s in trip.steps if s.kind == kind]
    if not steps:
        continue
    if kind == "subject":
        st.markdown(f"**{title} ({len(steps)})**")
        for step in steps:
            show_step(step)
    else:
        with st.expander(
            f"{title} ({len(steps)})", expanded=not any(s.kind == "subject" for s in trip.steps)
        ):
            for step in steps:
                show_step(step)

st.subheader("Where the register says it")
for quote in trip.quotes:
    st.markdown(f"**[{quote.number}]** {ropa_ui.md(quote.where)}\n\n> {ropa_ui.md(quote.text)}")
