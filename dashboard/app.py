"""ropa-kg dashboard: the records of processing activities for a DPO to browse (read-only).

Start it with ``ropa dashboard [PATH ...]``: the records come from the environment variable
``ROPA_DASHBOARD_PATHS`` (a JSON list of paths; empty or unset: the shipped register). The
graph is built and checked once and cached on the input's content hash (see
:mod:`ropa_ui`); every page is a thin view over :mod:`checker.views`, drawn by
:mod:`figures`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:  # the shared page helpers live beside this file
    sys.path.insert(0, str(_HERE))

import ropa_ui  # noqa: E402

st.set_page_config(
    page_title="ropa-kg: records of processing activities",
    page_icon=":material/account_tree:",
    layout="wide",
)

current, error = ropa_ui.load()
if current is None:
    page = st.Page(
        lambda: ropa_ui.error_page(error), title="Cannot load the records", url_path="error"
    )
    st.navigation([page], position="hidden").run()
    st.stop()

ropa_ui.sidebar(current)
pages = [
    st.Page(ropa_ui.FLOWS, title="Flows", icon=":material/hub:", default=True),
    st.Page(ropa_ui.ACTIVITIES, title="Activities", icon=":material/list_alt:"),
    st.Page(ropa_ui.RETENTION, title="Retention", icon=":material/schedule:"),
    st.Page(ropa_ui.FINDINGS, title="Findings", icon=":material/report:"),
    st.Page(ropa_ui.QUERY, title="Query", icon=":material/terminal:"),
    st.Page(ropa_ui.NOTICE, title="Notice", icon=":material/description:"),
]
st.navigation(pages).run()
