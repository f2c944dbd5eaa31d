"""dashboard/figures.py: the plotly figures drawn from checker.views' values (issue 12).

The engine (checker/) knows no screen; these tests hold the drawing to the values it is
given: every row and node drawn, clicks read back, colours by kind, text escaped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic

from checker.graph.flows import EdgeData
from checker.views.findings import findings_by_rule
from checker.views.flows import FlowFilter, filter_flows
from checker.views.layout import flow_layout, sankey_data
from checker.views.model import Model, load_model
from checker.views.retention import RETENTION_KINDS, RetentionRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))

# The dashboard's folder is not a package: its modules import each other by name.
from figures import (
    KIND_COLOURS,
    Selection,
    edge_key,
    edge_label,
    findings_figure,
    flow_figure,
    node_key,
    parse_selection,
    retention_figure,
    sankey_figure,
    sankey_hover,
)

BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
IP = "https://w3id.org/dpv/pd#IPAddress"
ELISA, FONECTA = BASE + "elisa", BASE + "fonecta"


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model([])


def test_figures_leave_the_graph_alone(model: Model) -> None:
    before = to_isomorphic(model.graph)
    flow_figure(model.graph, model.flows, flow_layout(model.flows))
    sankey_figure(sankey_data(model.graph, model.flows))
    retention_figure(model.retention)
    assert to_isomorphic(model.graph) == before


def test_retention_figure_draws_every_row(model: Model) -> None:
    rows = model.retention
    fig = retention_figure(rows)
    drawn = sum(len(trace.y) for trace in fig.data)
    assert drawn == len(rows)
    names = {trace.name for trace in fig.data}
    assert names <= set(RETENTION_KINDS.values())
    assert "Kept indefinitely" in names and "No retention recorded" in names
    end = fig.layout.xaxis.range[1]
    indefinite = next(t for t in fig.data if t.name == "Kept indefinitely")
    assert all(x == end for x in indefinite.x), "indefinite bars run to the edge"
    assert len(set(fig.layout.yaxis.categoryarray)) == len(rows), "one line per row"


def test_retention_figure_of_nothing() -> None:
    assert retention_figure([]).data == ()


def test_retention_hover_escapes_the_records_text() -> None:
    row = RetentionRow("a", "<b>A & B</b>", "", "all data", "", "", "fixed", 2.0, "2 years")
    (bar,) = retention_figure([row]).data
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in bar.hovertext[0]
    assert "<b>A & B</b>" not in bar.hovertext[0]


def test_sankey_figure_follows_its_links(model: Model) -> None:
    data = sankey_data(model.graph, model.flows)
    fig = sankey_figure(data)
    assert fig.data[0].type == "sankey"
    assert list(fig.data[0].link.value) == list(data.values)
    assert list(fig.data[0].node.color) == [KIND_COLOURS[k] for k in data.kinds]
    hover = sankey_hover(data)
    assert len(hover) == len(data.sources)
    assert all(h.startswith("Data: ") for h in hover)


def test_flow_figure_makes_nodes_and_edges_clickable(model: Model) -> None:
    shown = filter_flows(model.graph, model.flows, FlowFilter(data=frozenset({IP})))
    fig = flow_figure(model.graph, shown, flow_layout(shown), selected=ELISA)
    keys = [k for trace in fig.data if trace.customdata is not None for k in trace.customdata]
    assert {node_key(n) for n in shown.nodes} <= set(keys)
    assert {edge_key(a, b) for a, b in shown.edges} <= set(keys)
    processors = next(t for t in fig.data if t.name == "Processors")
    widths = dict(zip(processors.customdata, processors.marker.line.width, strict=True))
    assert widths[node_key(ELISA)] == 4
    texts = {a.text for a in fig.layout.annotations}
    assert {"Elisa Oyj", "Fonecta Oy"} <= texts
    edges = next(t for t in fig.data if t.name and t.name.startswith("What is handed over"))
    assert edges.text is None, "every edge carries IP addresses: no labels to repeat it"


def test_flow_figure_labels_edges_that_differ(model: Model) -> None:
    shown = filter_flows(model.graph, model.flows, FlowFilter(processors=frozenset({FONECTA})))
    fig = flow_figure(model.graph, shown, flow_layout(shown), edge_labels=True)
    edges = next(t for t in fig.data if t.name and t.name.startswith("What is handed over"))
    assert len(edges.text) == shown.number_of_edges()


def test_parse_selection() -> None:
    assert parse_selection([]) == Selection()
    assert parse_selection([{"customdata": node_key("https://e.org/a")}]).node == "https://e.org/a"
    edge = parse_selection(
        [{"x": 0}, {"customdata": [edge_key("https://e.org/a", "https://e.org/b")]}]
    )
    assert edge.edge == ("https://e.org/a", "https://e.org/b")
    assert parse_selection([{"customdata": ["something else"]}, {"customdata": []}]) == Selection()


def test_edge_label() -> None:
    flows = nx.DiGraph()
    flows.add_edge("a", "b", carries=EdgeData(purposes={"p"}))
    assert edge_label(Graph(), flows, "a", "b") == "p"
    flows.add_edge("b", "c", carries=EdgeData(data={"x:1", "x:2", "x:3"}))
    assert edge_label(Graph(), flows, "b", "c") == "x:1, x:2 +1"


def test_findings_figure_counts_every_finding(model: Model) -> None:
    fig = findings_figure(findings_by_rule(model.findings))
    assert sum(sum(t.x) for t in fig.data) == len(model.findings)
    assert [t.name for t in fig.data] == ["violation", "warning", "info"]
