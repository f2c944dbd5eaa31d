"""Shared parts of the dashboard's pages: the cached model, the sidebar, the error page and
the activity detail. Display only: every value comes from :mod:`checker.views`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import streamlit as st
from rdflib import URIRef

from checker import markdown
from checker.errors import RopaError
from checker.views.activities import ActivityDetail, activity_detail
from checker.views.model import Model, input_fingerprint, load_model
from checker.vocab.labels import label_of
from checker.vocab.namespaces import local_id

#: Environment variable holding the input paths (a JSON list), set by ``ropa dashboard``.
PATHS_ENV = "ROPA_DASHBOARD_PATHS"

#: The page files, for links between pages.
FLOWS = "app_pages/flows.py"
ACTIVITIES = "app_pages/activities.py"
RETENTION = "app_pages/retention.py"
FINDINGS = "app_pages/findings.py"
QUERY = "app_pages/query.py"
NOTICE = "app_pages/notice.py"

SEVERITY_ICONS = {
    "violation": ":material/error:",
    "warning": ":material/warning:",
    "info": ":material/info:",
}


def md(text: str) -> str:
    """Text from the records, escaped for Streamlit Markdown (:func:`checker.markdown.escape`)."""
    return markdown.escape(text, streamlit=True)


def input_paths() -> tuple[Path, ...]:
    """The records the dashboard shows (empty: the shipped register)."""
    raw = os.environ.get(PATHS_ENV, "").strip()
    if not raw:
        return ()
    return tuple(Path(p) for p in json.loads(raw))


@st.cache_resource(show_spinner="Building the graph and checking the records…", max_entries=4)
def _cached_model(paths: tuple[str, ...], fingerprint: str) -> Model:
    """The model of ``paths``; ``fingerprint`` (their content hash) keys the cache, so an
    edited record set is built again and an unchanged one never is."""
    del fingerprint  # only the cache key
    return load_model([Path(p) for p in paths])


def load() -> tuple[Model | None, str | None]:
    """The model of the input, or the message that says why it could not be built."""
    paths = input_paths()
    try:
        return _cached_model(tuple(str(p) for p in paths), input_fingerprint(paths)), None
    except RopaError as exc:
        return None, str(exc)
    except RecursionError:
        return None, "the input is nested too deeply to process"
    except MemoryError:
        return None, "the input is too large to process in memory"


def model() -> Model:
    """The model for a page (app.py has already shown the error page when there is none)."""
    loaded, error = load()
    if loaded is None:
        error_page(error or "unknown error")
        st.stop()
    return loaded


def error_page(message: str | None = None) -> None:
    """A clear page for records that cannot be built: the message names file and line."""
    if message is None:
        message = load()[1] or ""
    st.title("The records could not be loaded")
    st.error(f"**{md(message)}**", icon=":material/block:")
    paths = input_paths()
    shown = md(", ".join(str(p) for p in paths) or "the shipped register")
    st.markdown(
        f"The dashboard reads **{shown}**. Fix the file at the place named above, "
        "save it and reload this page (press **R**). The same message comes from "
        "`ropa build` and `ropa check`."
    )


def sidebar(current: Model) -> None:
    """The register's title, its size and its findings, on every page."""
    summary = current.summary
    with st.sidebar:
        st.markdown(f"### {summary.title}")
        paths = ", ".join(str(p) for p in current.paths) or "the shipped register (Finnish Customs)"
        st.caption(f"Records: {paths} · {len(current.graph):,} triples · read-only")
        counts = summary.findings
        st.markdown(
            "Findings: "
            + " ".join(
                severity_badge(s, f"{n} {s}{'s' if n != 1 else ''}") for s, n in counts.items()
            )
        )


def severity_badge(severity: str, text: str | None = None) -> str:
    """A coloured severity badge for Markdown (``text`` defaults to the severity)."""
    colour = {"violation": "red", "warning": "orange", "info": "blue"}.get(severity, "gray")
    return f":{colour}-badge[{text or severity}]"


def label(current: Model, iri: str) -> str:
    """The label of an IRI of the graph."""
    return label_of(current.graph, URIRef(iri))


def activity_link(activity: str, label: str = "Open in Activities") -> None:
    """A link to the Activities page showing ``activity`` (``?activity=<id>``)."""
    st.page_link(
        ACTIVITIES,
        label=label,
        icon=":material/open_in_new:",
        query_params={"activity": local_id(activity)},
    )


def show_activity(current: Model, activity: str, *, link: bool = False) -> ActivityDetail:
    """One activity's full record: facts with quote numbers, the quotes, its findings."""
    detail = activity_detail(current.graph, activity, current.findings)
    st.subheader(md(detail.name))
    meta = [f"id `{detail.id}`"]
    if detail.source:
        meta.append(f"recorded at `{detail.source}`")
    st.caption(" · ".join(meta))
    if detail.description:
        st.markdown(md(detail.description))
    if link:
        activity_link(activity)
    if detail.findings:
        with st.container(border=True):
            st.markdown(f"**{len(detail.findings)} finding(s) for this activity**")
            for f in detail.findings:
                where = f" (`{f.file}:{f.line}`)" if f.file and f.line else ""
                st.markdown(
                    f"{severity_badge(f.severity.label)} **{f.rule}**{where}: {md(f.message)}"
                )
    else:
        st.success("No findings for this activity.", icon=":material/check_circle:")
    facts, quotes = st.columns([3, 2], gap="large")
    with facts:
        st.markdown("**The record**")
        frame = pd.DataFrame(
            [
                {
                    "Field": fact.field,
                    "Value": fact.value + (f" ({fact.note})" if fact.note else ""),
                    "Quotes": " ".join(f"[{n}]" for n in fact.quotes) or "—",
                }
                for fact in detail.facts
            ]
        )
        if frame.empty:
            st.info("The records state nothing about this activity.")
        else:
            st.dataframe(
                frame,
                hide_index=True,
                width="stretch",
                height=min(36 * len(frame) + 40, 720),
                column_config={
                    "Field": st.column_config.TextColumn(width="small"),
                    "Value": st.column_config.TextColumn(width="large"),
                    "Quotes": st.column_config.TextColumn(
                        width="small", help="The passages of the register description, at right"
                    ),
                },
            )
            st.caption("— : a vocabulary term the activity's own passages state.")
    with quotes:
        st.markdown("**Where the register description says it**")
        if not detail.quotes:
            st.info("No passage of the register description backs this activity.")
        for quote in detail.quotes:
            st.markdown(f"**[{quote.number}]** {md(quote.where)}\n\n> {md(quote.text)}")
    return detail
