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
from checker.views.flowmap import plain_map
from checker.views.flows import FlowFilter, filter_flows
from checker.views.layout import flow_layout, sankey_data
from checker.views.model import Model, load_model
from checker.views.retention import RETENTION_KINDS, RetentionRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))

# The dashboard's folder is not a package: its modules import each other by name.
from figures import (
    KIND_COLOURS,
    OUTSIDE_NAME,
    Selection,
    edge_key,
    edge_label,
    edge_width,
    findings_figure,
    flow_figure,
    node_key,
    parse_selection,
    retention_figure,
    sankey_figure,
    sankey_hover,
)
from matrix_figure import cell_key, holdings_figure, parse_cell

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
IP = "https://w3id.org/dpv/pd#IPAddress"
ELISA, FONECTA = BASE + "elisa", BASE + "fonecta"


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model([])


def test_figures_leave_the_graph_alone(model: Model) -> None:
    before = to_isomorphic(model.graph)
    flow_figure(model.graph, model.flows, model.flow_map())
    holdings_figure(model.holdings, "retention")
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
    flt = FlowFilter(data=frozenset({IP}))
    shown = model.shown(flt)
    fig = flow_figure(model.graph, shown, model.flow_map(flt), selected=ELISA)
    keys = [k for trace in fig.data if trace.customdata is not None for k in trace.customdata]
    assert {node_key(n) for n in shown.nodes} <= set(keys)
    clicked = {
        e for k in keys if k.startswith("edge:") for e in parse_selection([{"customdata": k}]).edges
    }
    assert clicked == set(shown.edges), "every hand-over can be clicked"
    processors = next(t for t in fig.data if t.name == "Processors")
    widths = dict(zip(processors.customdata, processors.marker.line.width, strict=True))
    assert widths[node_key(ELISA)] == 4
    texts = {a.text for a in fig.layout.annotations}
    assert {"Elisa Oyj", "Fonecta Oy"} <= texts
    edges = next(t for t in fig.data if t.name and t.name.startswith("What is handed over"))
    assert set(edges.text) == {"1"}, "every line carries IP addresses only: its count, no name"


def test_flow_figure_lines_are_as_wide_as_their_data(model: Model) -> None:
    fmap = model.flow_map()
    fig = flow_figure(model.graph, model.flows, fmap)
    lines = [t for t in fig.data if t.mode == "lines"]
    widths = {t.line.width for t in lines}
    assert len(widths) > 3 and max(widths) == edge_width(40) and min(widths) == edge_width(1)
    assert edge_width(1) < edge_width(5) < edge_width(20) == edge_width(60)
    counts = next(t for t in fig.data if t.name and t.name.startswith("What is handed over"))
    assert len(counts.customdata) == len(fmap.segments)
    assert max(int(n) for n in counts.text if n) >= 20


def test_flow_figure_draws_the_boxes_and_titles(model: Model) -> None:
    fmap = model.flow_map()
    fig = flow_figure(model.graph, model.flows, fmap)
    assert len(fig.layout.shapes) == len(fmap.boxes)
    texts = {a.text for a in fig.layout.annotations}
    assert "<b>Customer information service</b>" in texts
    assert {f"<b>{t}</b>" for t, _ in fmap.titles} <= texts


def test_flow_figure_marks_parties_outside_the_eu() -> None:
    two = load_model(
        [FIXTURES / "registers" / "city-helpdesk.ttl", FIXTURES / "registers" / "tax-office.ttl"]
    )
    fig = flow_figure(two.graph, two.flows, two.flow_map())
    ring = next(t for t in fig.data if t.name == OUTSIDE_NAME)
    assert list(ring.x) == [two.flow_map().positions["https://example.org/tax/cloud"][0]]
    labels = [a.text for a in fig.layout.annotations if "Example Cloud" in a.text]
    assert labels and "outside the EU/EEA" in labels[0]
    kinds = {t.name for t in fig.data}
    assert "between registers" in kinds


def test_flow_figure_of_the_spring_layout(model: Model) -> None:
    shown = filter_flows(model.graph, model.flows, FlowFilter(processors=frozenset({FONECTA})))
    fmap = plain_map(model.graph, shown, flow_layout(shown, "spring"))
    fig = flow_figure(model.graph, shown, fmap, edge_labels=True)
    edges = next(t for t in fig.data if t.name and t.name.startswith("What is handed over"))
    assert len(edges.text) == shown.number_of_edges()
    assert fig.layout.shapes == ()


def test_holdings_figure(model: Model) -> None:
    matrix = model.holdings
    fig = holdings_figure(matrix)
    assert sum(len(t.x) for t in fig.data) == len(matrix.cells)
    keys = {k for t in fig.data for k in t.customdata}
    assert keys == {cell_key(h, d) for h, d in matrix.cells}
    assert parse_cell([{"customdata": cell_key(ELISA, IP)}]) == (ELISA, IP)
    by_retention = holdings_figure(matrix, "retention")
    assert {t.name for t in by_retention.data} <= set(RETENTION_KINDS.values())
    assert len(fig.layout.xaxis.categoryarray) == len(matrix.holders)
    assert len(fig.layout.yaxis.categoryarray) == len(matrix.data) and fig.layout.showlegend


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
