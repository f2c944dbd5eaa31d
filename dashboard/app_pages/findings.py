"""Findings: what ``ropa check`` finds wrong with the records, by severity and rule, each
linked to its activity (select a finding, or an activity, to see the activity's record)."""

from __future__ import annotations

import pandas as pd
import ropa_ui
import streamlit as st
from figures import findings_figure, severity_colour

from checker.views.findings import activities_with_findings, findings_by_rule, findings_table
from checker.vocab.namespaces import local_id

model = ropa_ui.model()
findings = model.findings
rows = findings_table(model.graph, findings)

st.title("Findings")
st.markdown(
    "What the checker finds in the records: **violations** must be fixed, **warnings** "
    "should be, **info** is for the record. Each cites its article and the line to fix."
)
if not rows:
    st.success("No findings: the records pass every check.", icon=":material/check_circle:")
    st.stop()

counts = model.summary.findings
cols = st.columns(4)
for col, (severity, n) in zip(cols, counts.items(), strict=False):
    col.metric(f"{ropa_ui.SEVERITY_ICONS[severity]} {severity.capitalize()}s", n)
with_findings = activities_with_findings(model.graph, findings)
cols[3].metric("Activities with findings", f"{len(with_findings)} of {len(model.activities)}")

by_rule, by_activity = st.columns([1, 1], gap="large")
with by_rule:
    st.markdown("**By rule**")
    st.plotly_chart(
        findings_figure(findings_by_rule(findings)),
        key="findings_by_rule",
        config={"displaylogo": False},
    )
with by_activity:
    st.markdown("**Activities with findings**")
    ropa_ui.table(
        pd.DataFrame(
            [
                {
                    "Violations": a.violation,
                    "Warnings": a.warning,
                    "Info": a.info,
                    "Activity": a.name,
                }
                for a in with_findings
            ]
        ),
        wide=["Activity"],
        max_height=420,
        column_config={"Activity": st.column_config.TextColumn(width=300)},
    )

st.subheader("All findings")
f1, f2, f3 = st.columns([2, 3, 3])
severities = f1.multiselect("Severity", list(counts), default=list(counts), key="findings_severity")
rules = f2.multiselect(
    "Rule",
    sorted({r.rule for r in rows}),
    key="findings_rules",
    placeholder="Any",
)
search = f3.text_input("Search", key="findings_search", placeholder="activity, message, article")
words = search.casefold().split()
shown = [
    r
    for r in rows
    if r.severity in severities
    and (not rules or r.rule in rules)
    and all(
        w in f"{r.activity_name} {r.message} {r.article} {r.focus} {r.rule}".casefold()
        for w in words
    )
]
if not shown:
    st.info("No finding matches these filters.", icon=":material/search_off:")
else:
    st.caption(f"{len(shown)} of {len(rows)} findings · select a row to see its activity")
    frame = pd.DataFrame(
        [
            {
                "Severity": r.severity,
                "Rule": r.rule,
                "Activity": r.activity_name or "—",
                "Message": r.message,
                "Article": r.article,
                "Record": r.source,
                "Open": f"activities?activity={local_id(r.activity)}" if r.activity else None,
            }
            for r in shown
        ]
    )
    styled = frame.style.map(
        lambda v: f"color: {severity_colour(v)}; font-weight: 600", subset=["Severity"]
    )
    table = ropa_ui.table(
        styled,
        wide=["Activity", "Message"],
        on_select="rerun",
        selection_mode="single-row",
        key=f"findings_table_{len(shown)}_{hash((tuple(severities), tuple(rules), search))}",
        column_config={
            "Severity": st.column_config.TextColumn(width=90),
            "Activity": st.column_config.TextColumn(width="medium"),
            "Message": st.column_config.TextColumn(width="large"),
            "Open": st.column_config.LinkColumn(
                "Activity page", display_text="open ↗", help="The activity's full record"
            ),
        },
    )
    selected = table.selection.rows if hasattr(table, "selection") else []
    if selected and st.session_state.get("_last_finding") != (len(shown), selected[0]):
        st.session_state["_last_finding"] = (len(shown), selected[0])
        if shown[selected[0]].activity:
            st.session_state["finding_activity"] = shown[selected[0]].activity

st.divider()
choices = [a.activity for a in with_findings]
names = {a.activity: f"{a.name} ({a.total})" for a in with_findings}
if st.session_state.get("finding_activity") not in (None, *choices):
    st.session_state["finding_activity"] = None
picked = st.selectbox(
    "Activity with findings",
    [None, *choices],
    format_func=lambda iri: (
        "— pick an activity, or select a finding above —" if iri is None else names[iri]
    ),
    key="finding_activity",
)
if picked is not None:
    ropa_ui.show_activity(model, picked, link=True)
