"""ropa-kg dashboard: the records of processing activities for a DPO to browse (read-only).

Pages, each at its own address: ``/flows`` (the flow map), ``/matrix`` (who holds what),
``/journey`` (a person's journey), ``/activities?activity=<id>``, ``/retention``,
``/findings``, ``/query``, ``/notice``; the bare address opens ``/flows``.

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
    page_icon=str(
        _HERE / "favicon.png"
    ),  # a local file: a :material/ icon is fetched from a font host
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
pages = {
    "flows": st.Page(ropa_ui.FLOWS, title="Flows", icon=":material/hub:", url_path="flows"),
    "matrix": st.Page(
        ropa_ui.MATRIX, title="Who holds what", icon=":material/grid_on:", url_path="matrix"
    ),
    "journey": st.Page(
        ropa_ui.JOURNEY, title="A person's journey", icon=":material/route:", url_path="journey"
    ),
    "activities": st.Page(
        ropa_ui.ACTIVITIES, title="Activities", icon=":material/list_alt:", url_path="activities"
    ),
    "retention": st.Page(
        ropa_ui.RETENTION, title="Retention", icon=":material/schedule:", url_path="retention"
    ),
    "findings": st.Page(
        ropa_ui.FINDINGS, title="Findings", icon=":material/report:", url_path="findings"
    ),
    "query": st.Page(ropa_ui.QUERY, title="Query", icon=":material/terminal:", url_path="query"),
    "notice": st.Page(
        ropa_ui.NOTICE, title="Notice", icon=":material/description:", url_path="notice"
    ),
}


def _start() -> None:
    """The address without a page opens Flows at its own address (``/flows``), with the
    address's filters (``/?data=pd:IPAddress``)."""
    st.switch_page(pages["flows"], query_params=st.query_params.to_dict())


# Every page has its own address; the bare address is a hidden page that moves on to /flows.
start = st.Page(_start, title="Flows", url_path="start", default=True, visibility="hidden")
st.navigation([start, *pages.values()]).run()
