"""Shared parts of the dashboard's pages: the cached model, the sidebar, the error page,
tables that wrap, and the activity detail. Display only: every value comes from
:mod:`checker.views`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import TypeVar

import pandas as pd
import streamlit as st
from map_svg import Selection, flow_svg, parse_key
from pandas.io.formats.style import Styler
from rdflib import URIRef

from checker import markdown
from checker.errors import RopaError
from checker.views.activities import ActivityDetail, activity_detail
from checker.views.flows import FlowFilter
from checker.views.model import Model, cached_model
from checker.vocab.labels import label_of
from checker.vocab.namespaces import local_id

T = TypeVar("T")

#: Environment variable holding the input paths (a JSON list), set by ``ropa dashboard``.
PATHS_ENV = "ROPA_DASHBOARD_PATHS"

#: The page files, for links between pages.
FLOWS = "app_pages/flows.py"
MATRIX = "app_pages/matrix.py"
JOURNEY = "app_pages/journey.py"
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


def load() -> tuple[Model | None, str | None]:
    """The model of the input, or the message that says why it could not be built.

    Models are kept per content hash of the input
    (:func:`checker.views.model.cached_model`): ``ropa dashboard`` builds and warms it
    before its server answers, so a page finds it ready; an edited input is built again.
    """
    paths = input_paths()
    try:
        with st.spinner("Building the graph and checking the records…", show_time=True):
            return cached_model(paths), None
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


_MEMO: dict[Hashable, object] = {}


def memo(key: Hashable, make: Callable[[], T]) -> T:
    """A value made once per key and kept (the 64 most recent): the figures of a model's
    views, so a rerun that changes nothing in a figure does not draw it again.
    ``dashboard/serve.py`` puts the first page's figure here before the server answers."""
    value = _MEMO.pop(key) if key in _MEMO else make()
    _MEMO[key] = value
    while len(_MEMO) > 64:
        del _MEMO[next(iter(_MEMO))]
    return value  # type: ignore[return-value]


def map_svg(current: Model, flt: FlowFilter, selected: str | None = None) -> str:
    """The flow map of what ``flt`` shows as SVG (:func:`map_svg.flow_svg`), drawn once per
    model, filter and selected node."""
    return memo(
        (current.fingerprint, "map", flt, selected),
        lambda: flow_svg(
            current.graph, current.shown(flt), current.flow_map(flt), selected=selected
        ),
    )


#: The flow map's component: it puts the server's SVG into the page (no iframe, no
#: library), and a click on an element with a ``data-key`` (a node, a line's marker), or
#: Enter on one that has the focus, sends that key back as the trigger ``clicked``. The
#: same function runs again when the SVG changes: it replaces the drawing and its handlers.
MAP_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  let root = parentElement.querySelector(':scope > .ropa-flow-map');
  if (!root) {
    root = document.createElement('div');
    root.className = 'ropa-flow-map';
    parentElement.appendChild(root);
  }
  if (root.ropaDrawn !== data) {
    root.innerHTML = data;
    root.ropaDrawn = data;
  }
  const send = (target) => {
    const item = target instanceof Element ? target.closest('[data-key]') : null;
    if (item && root.contains(item)) {
      setTriggerValue('clicked', item.getAttribute('data-key'));
    }
  };
  root.onclick = (event) => send(event.target);
  root.onkeydown = (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      send(event.target);
    }
  };
}
"""

#: The component, registered once per process (each page run mounts it).
MAP_COMPONENT = st.components.v2.component("ropa_flow_map", js=MAP_JS, isolate_styles=False)


def _clicked() -> None:
    """Nothing to do on a click here: the page reads it (:func:`map_click`) as it runs."""


def show_map(svg: str, key: str) -> None:
    """The SVG of :func:`map_svg` in the page, as wide as the page, clickable."""
    MAP_COMPONENT(key=key, data=svg, on_clicked_change=_clicked, height="content")


def map_click(key: str) -> Selection:
    """What a click on the map shown under ``key`` picked, in the run that click started
    (a trigger: in every other run, nothing). Read before the map is shown again."""
    state = st.session_state.get(key)
    try:
        value = state["clicked"] if state is not None else None
    except (KeyError, TypeError):
        value = None
    return parse_key(value)


def preload() -> None:
    """Build and warm the model of the input, and draw the first page's map, before the
    server answers (``dashboard/serve.py``). Records that do not build are left for the
    error page."""
    try:
        current = cached_model(input_paths())
    except (RopaError, RecursionError, MemoryError):
        return
    current.warm()
    map_svg(current, FlowFilter())


#: About how many characters a line of a table's column holds, by the column's width (a
#: width in pixels: a seventh of it).
CHARACTERS_PER_LINE = {"small": 9, "medium": 26, "large": 48}


def table(
    frame: pd.DataFrame | Styler,
    *,
    wide: Sequence[str] = (),
    key: str | None = None,
    max_height: int = 720,
    most_lines: int = 8,
    **options: object,
) -> object:
    """A dataframe whose long texts wrap instead of being cut: the ``wide`` columns get
    room (``large``) and the rows are as tall as nine in ten of their texts need (capped;
    a cell still opens in full on a click)."""
    columns = dict(options.pop("column_config", None) or {})  # type: ignore[call-overload]
    for name in wide:
        columns.setdefault(name, st.column_config.TextColumn(width="large"))
    values = frame.data if isinstance(frame, Styler) else frame
    lines = 1
    for name in wide:
        if name in values:
            sizes = sorted(len(str(v)) for v in values[name])
            # Most rows in full (the 90th percentile): a rare long text opens on a click.
            longest = sizes[int(0.9 * (len(sizes) - 1))] if sizes else 0
            width = dict(columns[name]).get("width", "large")
            per_line = width // 7 if isinstance(width, int) else CHARACTERS_PER_LINE[width]
            lines = max(lines, math.ceil(longest / max(per_line, 8)))
    row = 22 + 18 * (min(lines, most_lines) - 1) + 13
    height = min(row * len(values) + 40, max_height)
    return st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        row_height=row,
        height=max(height, 80),
        column_config=columns,
        key=key,
        **options,  # type: ignore[arg-type]
    )


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
    cells = any(q.cell for q in detail.quotes)
    source = "the spreadsheet" if cells else "the register description"
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
            table(
                frame,
                wide=["Value", "Quotes"],
                column_config={
                    "Field": st.column_config.TextColumn(width="medium"),
                    "Value": st.column_config.TextColumn(width="medium"),
                    "Quotes": st.column_config.TextColumn(
                        width="small", help=f"The passages of {source}, at right"
                    ),
                },
            )
            st.caption("— : a vocabulary term the activity's own passages state.")
    with quotes:
        st.markdown(f"**Where {source} says it**")
        if not detail.quotes:
            st.info(f"No passage of {source} backs this activity.")
        for quote in detail.quotes:
            st.markdown(f"**[{quote.number}]** {md(quote.where)}\n\n> {md(quote.text)}")
    return detail
