"""Retention: how long each activity keeps each data category (GDPR Art. 30(1)(f)).

A timeline, one bar per activity and data category; what is kept indefinitely, delegated
to another unit, or has no retention recorded stands out.
"""

from __future__ import annotations

import pandas as pd
import ropa_ui
import streamlit as st
from figures import retention_figure

from checker.views.retention import ATTENTION_KINDS, RETENTION_KINDS

model = ropa_ui.model()
rows = model.retention

st.title("Retention")
st.markdown(
    "How long the data are kept, per activity and data category, as the records state it. "
    "**Indefinite**, **delegated** and **missing** retention stand out: they are what a DPO "
    "looks at first."
)

if not rows:
    st.info("These records have no processing activities, so no retention to show.")
    st.stop()

indefinite = [r for r in rows if r.kind == "indefinite"]
delegated = [r for r in rows if r.kind == "delegated"]
missing = [r for r in rows if r.kind == "missing"]
unspecified = [r for r in rows if r.kind == "unspecified"]
cols = st.columns(4)
for col, label, picked, help_text in (
    (cols[0], "Kept indefinitely", indefinite, "dpv:EndlessDuration"),
    (cols[1], "Retention delegated", delegated, "Another unit keeps and deletes the data"),
    (cols[2], "No retention recorded", missing, "GDPR Art. 30(1)(f): no time limit recorded"),
    (cols[3], "Period not given", unspecified, "The text mentions retention without a period"),
):
    acts = len({r.activity for r in picked})
    data_count = len({r.data_label for r in picked if r.data})
    col.metric(
        label,
        f"{acts} activit{'y' if acts == 1 else 'ies'}",
        f"{data_count} data categor{'y' if data_count == 1 else 'ies'}" if data_count else None,
        delta_color="off",
        delta_arrow="off",
        help=help_text,
        border=True,
    )

if indefinite:
    with st.container(border=True):
        st.markdown("**Kept indefinitely**")
        for data in sorted({r.data_label for r in indefinite}, key=str.casefold):
            acts = sorted({r.activity_name for r in indefinite if r.data_label == data})
            quote = next((r.quote for r in indefinite if r.data_label == data and r.quote), "")
            line = f"- **{ropa_ui.md(data)}**: " + ropa_ui.md("; ".join(acts))
            if quote:
                line += f"  \n  _“{ropa_ui.md(quote)}”_"
            st.markdown(line)

f1, f2, f3, f4 = st.columns([3, 2, 2, 2])
kinds = f1.multiselect(
    "Retention kinds",
    list(RETENTION_KINDS),
    default=list(RETENTION_KINDS),
    format_func=RETENTION_KINDS.get,
    key="retention_kinds",
)
attention = f2.toggle(
    "Attention only",
    key="retention_attention",
    help="Indefinite, delegated, missing, or without a period.",
)
order = f3.radio(
    "Order",
    ["attention", "activity", "longest"],
    format_func={
        "attention": "What needs attention first",
        "activity": "By activity",
        "longest": "Longest first",
    }.get,
    key="retention_order",
)
search = f4.text_input("Search", key="retention_search", placeholder="activity or data")
words = search.casefold().split()
shown = [
    r
    for r in rows
    if r.kind in kinds
    and (not attention or r.kind in ATTENTION_KINDS)
    and all(w in f"{r.activity_name} {r.data_label} {r.period}".casefold() for w in words)
]
if not shown:
    st.info("No retention matches these filters.", icon=":material/search_off:")
    st.stop()
rank = {kind: i for i, kind in enumerate(RETENTION_KINDS)}
if order == "attention":
    shown.sort(key=lambda r: rank[r.kind])  # stable: by activity within each kind
elif order == "longest":
    shown.sort(key=lambda r: -(r.years if r.years is not None else 1e9))

#: The most rows the timeline draws (in the order chosen); the table below has them all.
DRAWN = 300
drawn = shown[:DRAWN]
st.caption(
    f"{len(shown)} of {len(rows)} rows"
    + (f", the first {DRAWN} drawn (search or filter for others)" if len(shown) > DRAWN else "")
    + " · bars show years kept; hatched bars run on without an end; markers at zero have no "
    "length to draw. Hover for the register's words."
)
st.plotly_chart(retention_figure(drawn), key="retention_timeline", config={"displaylogo": False})

st.markdown("**The rows**")
ropa_ui.table(
    pd.DataFrame(
        [
            {
                "Activity": r.activity_name,
                "Data": r.data_label,
                "Retention": RETENTION_KINDS[r.kind],
                "Period": r.period,
                "Register says": r.quote,
                "Years": round(r.years, 2) if r.years is not None else None,
                "At most": r.maximum,
                "Event": r.event,
                "Delegated to": r.delegated_to,
                "Afterwards": r.after,
            }
            for r in shown
        ]
    ),
    wide=("Activity", "Data", "Period", "Register says"),
    # What a DPO reads first fits the page's width; the details follow to the right.
    column_config={
        "Activity": st.column_config.TextColumn(width=190),
        "Data": st.column_config.TextColumn(width=150),
        "Retention": st.column_config.TextColumn(width=130),
        "Period": st.column_config.TextColumn(width=140),
        "Register says": st.column_config.TextColumn(width=320),
    },
    most_lines=6,
)
