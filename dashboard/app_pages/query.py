"""Query: a read-only, time-limited SPARQL console over the built graph, with the saved
queries of ``checker/query/queries/``. Updates are refused before anything runs; answers show a
label beside every IRI and download as CSV. The queries run through
:func:`checker.query.ask.ask`, the function ``ropa query`` runs them with."""

from __future__ import annotations

import pandas as pd
import ropa_ui
import streamlit as st

from checker.errors import RopaError
from checker.query.ask import ask
from checker.query.library import saved_queries
from checker.query.results import Boolean
from checker.query.text import QuerySyntaxError, QueryText, QueryTimeout, UpdateRefused

model = ropa_ui.model()
library = saved_queries()
CUSTOM = ""

st.title("SPARQL console")
st.markdown(
    "Ask the graph anything, or start from a saved query. **Read-only**: an update "
    "(INSERT, DELETE, LOAD, …) is refused and nothing is changed; a query is stopped at its "
    "time limit. The prefixes `dpv:`, `pd:`, `eu-gdpr:`, `ropa:`, `prov:`, `oa:`, `rdfs:`, "
    "`skos:` … need no declaration."
)

wanted = st.query_params.get("q")
if wanted in library and st.session_state.get("_applied_q") != wanted:
    st.session_state["_applied_q"] = wanted
    st.session_state["query_saved"] = wanted

if "query_saved" not in st.session_state:
    st.session_state["query_saved"] = next(
        (n for n in ("processors-personal-data", *library) if n in library), CUSTOM
    )
name = st.selectbox(
    "Saved query",
    [*library, CUSTOM],
    format_func=lambda n: "— your own query —" if n == CUSTOM else library[n].title,
    key="query_saved",
)
saved = library.get(name)
if saved is not None:
    st.caption(saved.description)

with st.form("query_form", border=True):
    text = st.text_area(
        "SPARQL",
        value=saved.text
        if saved is not None
        else "SELECT ?activity WHERE { ?activity a dpv:Process }",
        height=260,
        key=f"query_text_{name or 'custom'}",
    )
    binds: dict[str, str] = {}
    if saved is not None and saved.parameters:
        params = st.columns(len(saved.parameters))
        for column, param in zip(params, saved.parameters, strict=True):
            binds[param.name] = column.text_input(
                f"?{param.name}",
                value=param.default or param.example or "",
                help="An IRI in <…>, a CURIE (pd:IPAddress), an entry's id or its label.",
                key=f"query_param_{name}_{param.name}",
            )
    c1, c2 = st.columns([1, 4])
    timeout = c1.number_input(
        "Time limit (s)", min_value=1.0, max_value=60.0, value=10.0, step=1.0, key="query_timeout"
    )
    run = st.form_submit_button("Run", type="primary", icon=":material/play_arrow:")

# A saved query runs as soon as it is picked; an edited or own query when asked.
auto = saved is not None and text == saved.text
if not (run or auto):
    st.info("Write a query and press **Run**.", icon=":material/keyboard:")
    st.stop()

# The saved query as it is binds its parameters; an edited one runs as written.
query = QueryText(
    text,
    f"{name}.rq" if saved is not None else "query",
    saved if saved is not None and text == saved.text else None,
)
try:
    answer = ask(
        query,
        model.engine,
        binds={k: v for k, v in binds.items() if v.strip()},
        timeout=float(timeout),
    )
except UpdateRefused as exc:
    st.error(f"**Refused.** {ropa_ui.md(str(exc))}", icon=":material/block:")
    st.stop()
except QuerySyntaxError as exc:
    st.error("**The query does not parse.**", icon=":material/warning:")
    st.code(str(exc), language=None)
    st.stop()
except QueryTimeout as exc:
    st.warning(f"**Stopped.** {ropa_ui.md(str(exc))}", icon=":material/timer_off:")
    st.stop()
except RopaError as exc:
    st.error(ropa_ui.md(str(exc)), icon=":material/warning:")
    st.stop()

if isinstance(answer.result, Boolean):
    st.metric("ASK answers", "yes" if answer.result.value else "no")
    st.stop()

columns, rows = answer.table()
st.caption(f"{len(rows)} row(s) in {answer.seconds * 1000:.0f} ms")
if not rows:
    st.info("The query matched nothing in these records.", icon=":material/search_off:")
else:
    st.dataframe(
        pd.DataFrame(list(rows), columns=list(columns)),
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Download CSV",
        answer.render("csv").encode("utf-8"),
        file_name=f"{name or 'query'}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="query_csv",
    )
