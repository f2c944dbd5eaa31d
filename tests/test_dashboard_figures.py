"""dashboard/figures.py and dashboard/map_svg.py: the plotly figures and the SVG flow map
drawn from checker.views' values (issues 12 and 18).

The engine (checker/) knows no screen; these tests hold the drawing to the values it is
given: every row and node drawn, clicks read back, colours by kind, text escaped. The SVG
is read back with xml.etree (tests/svg_map.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import pytest
import svg_map
from rdflib import Graph
from rdflib.compare import to_isomorphic

from checker.graph.flows import EdgeData
from checker.views.findings import findings_by_rule
from checker.views.flowmap import FlowMap, flow_map, plain_map
from checker.views.flows import FlowFilter, edge_facts, filter_flows
from checker.views.layout import flow_layout, sankey_data
from checker.views.model import Model, load_model
from checker.views.retention import RETENTION_KINDS, RetentionRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dashboard"))

# The dashboard's folder is not a package: its modules import each other by name.
from drawing import KIND_COLOURS
from figures import findings_figure, retention_figure, sankey_figure, sankey_hover
from map_svg import (
    EDGE_COLOURS,
    EDGE_NAMES,
    EM,
    LINE,
    OUTSIDE_COLOUR,
    OUTSIDE_NAME,
    Selection,
    edge_key,
    edge_label,
    edge_width,
    edges_key,
    flow_svg,
    node_hover,
    node_key,
    parse_key,
    segment_hover,
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
    flow_svg(model.graph, model.flows, model.flow_map())
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


def _node(root, key: str):
    (found,) = [g for g in svg_map.groups(root, "rm-node") if g.get("data-key") == key]
    return found


def test_flow_svg_makes_nodes_and_edges_clickable(model: Model) -> None:
    flt = FlowFilter(data=frozenset({IP}))
    shown = model.shown(flt)
    fmap = model.flow_map(flt)
    root = svg_map.parse(flow_svg(model.graph, shown, fmap, selected=ELISA))
    keys = svg_map.keys(root)
    nodes = [k for k in keys if k.startswith("node:")]
    assert len(nodes) == len(set(nodes)) == shown.number_of_nodes(), "one element a node"
    # A hand-over through a box's port is two segments (to the port, from it): one key.
    assert len(keys) - len(nodes) == len(fmap.segments)
    assert {node_key(n) for n in shown.nodes} == {k for k in keys if k.startswith("node:")}
    clicked = {e for k in keys if k.startswith("edge:") for e in parse_key(k).edges}
    assert clicked == set(shown.edges), "every hand-over can be clicked"
    for element in root.iter():
        if element.get("data-key"):
            assert element.get("tabindex") == "0" and element.get("role") == "button"
    elisa = _node(root, node_key(ELISA))
    assert elisa.get("data-selected") == "true"
    mark = [e for e in elisa if "rm-mark" in (e.get("class") or "")]
    assert [m.get("stroke-width") for m in mark] == ["4.0"]
    assert _node(root, node_key(FONECTA)).get("data-selected") is None
    labels = svg_map.labels(root)
    assert labels[node_key(ELISA)] == "Elisa Oyj" and labels[node_key(FONECTA)] == "Fonecta Oy"
    counts = svg_map.counts(root)
    assert set(counts) == {"1"}, "every line carries IP addresses only: its count, no name"
    assert not svg_map.data_labels(root)


def test_flow_svg_hovers_are_todays_hovers(model: Model) -> None:
    fmap = model.flow_map()
    root = svg_map.parse(flow_svg(model.graph, model.flows, fmap))
    elisa = _node(root, node_key(ELISA))
    assert svg_map.title(elisa) == node_hover(model.flows, ELISA)
    assert svg_map.title(elisa).startswith("Elisa Oyj (processor)\n")
    segments = svg_map.groups(root, "rm-seg")
    assert len(segments) == len(fmap.segments)
    facts = {
        (a, b): edge_facts(model.graph, model.flows, a, b)
        for s in fmap.segments
        for a, b in s.edges
    }
    for group, segment in zip(segments, fmap.segments, strict=True):
        assert group.get("data-key") == edges_key(segment.edges)
        assert svg_map.title(group) == segment_hover(model.flows, facts, segment)


def test_flow_svg_lines_are_as_wide_as_their_data(model: Model) -> None:
    fmap = model.flow_map()
    root = svg_map.parse(flow_svg(model.graph, model.flows, fmap))
    (lines,) = svg_map.groups(root, "rm-lines")
    paths = [p for p in lines if p.get("stroke-width")]
    assert len(paths) == len(fmap.segments)
    widths = {float(p.get("stroke-width") or 0) for p in paths}
    assert len(widths) > 3 and max(widths) == edge_width(40) and min(widths) == edge_width(1)
    assert edge_width(1) < edge_width(5) < edge_width(20) == edge_width(60)
    assert {p.get("stroke") for p in paths} <= set(EDGE_COLOURS.values())
    segments = svg_map.groups(root, "rm-seg")
    for group in segments:  # a marker says what the width says
        assert float(group.get("data-width") or 0) == edge_width(int(group.get("data-count") or 0))
    assert max(int(n or 0) for n in svg_map.counts(root)) >= 20


def test_flow_svg_draws_the_boxes_and_headings(model: Model) -> None:
    fmap = model.flow_map()
    root = svg_map.parse(flow_svg(model.graph, model.flows, fmap))
    boxes = svg_map.groups(root, "rm-box")
    assert len(boxes) == len(fmap.boxes)
    assert [svg_map.title(b) for b in boxes] == [b.label for b in fmap.boxes]
    assert "Customer information service" in svg_map.box_titles(root)
    assert svg_map.headings(root) == [t for t, _ in fmap.titles]
    assert {"Data subjects (sources)", "Processors", EDGE_NAMES["source"]} <= set(
        svg_map.legend(root)
    )
    assert OUTSIDE_NAME not in svg_map.legend(root), "nobody is outside the EU/EEA here"


def _label_boxes(root) -> list[tuple[float, float, float, float]]:
    """Where each label is, estimated as the drawing estimates it."""
    found = []
    for node in svg_map.groups(root, "rm-node"):
        (text,) = [t for t in node.iter(f"{svg_map.SVG}text")]
        spans = list(text)
        width = max(len(s.text or "") for s in spans) * EM * 12
        x = float(spans[0].get("x") or 0)
        x0 = x - width if text.get("text-anchor") == "end" else x
        top = float(spans[0].get("y") or 0) - LINE / 2
        found.append((x0, top, x0 + width, top + LINE * len(spans)))
    return found


@pytest.mark.parametrize("data", [(), (IP,)], ids=["all", "ip-address"])
def test_flow_svg_labels_do_not_overlap(model: Model, data: tuple[str, ...]) -> None:
    flt = FlowFilter(data=frozenset(data))
    root = svg_map.parse(flow_svg(model.graph, model.shown(flt), model.flow_map(flt)))
    boxes = _label_boxes(root)
    assert len(boxes) == model.shown(flt).number_of_nodes()
    overlapping = [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], i + 1)
        if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
    ]
    assert not overlapping


def test_flow_svg_marks_parties_outside_the_eu() -> None:
    two = load_model(
        [FIXTURES / "registers" / "city-helpdesk.ttl", FIXTURES / "registers" / "tax-office.ttl"]
    )
    fmap = two.flow_map()
    root = svg_map.parse(flow_svg(two.graph, two.flows, fmap))
    rings = [
        g.get("data-key")
        for g in svg_map.groups(root, "rm-node")
        if any(c.get("class") == "rm-ring" for c in g)
    ]
    assert rings == [node_key("https://example.org/tax/cloud")]
    (ring,) = [c for c in _node(root, rings[0]) if c.get("class") == "rm-ring"]
    assert ring.get("stroke") == OUTSIDE_COLOUR
    label = svg_map.labels(root)[rings[0]]
    assert "Example Cloud Inc" in label and "outside the EU/EEA" in label
    assert {OUTSIDE_NAME, EDGE_NAMES["register"]} <= set(svg_map.legend(root))
    (lines,) = svg_map.groups(root, "rm-lines")
    assert EDGE_COLOURS["register"] in {p.get("stroke") for p in lines}


def test_flow_svg_of_the_spring_layout(model: Model) -> None:
    shown = filter_flows(model.graph, model.flows, FlowFilter(processors=frozenset({FONECTA})))
    fmap = plain_map(model.graph, shown, flow_layout(shown, "spring"))
    root = svg_map.parse(flow_svg(model.graph, shown, fmap, edge_labels=True))
    data = svg_map.data_labels(root)
    assert len(data) == shown.number_of_edges() and "IP Address" in data
    assert set(data) <= {"IP Address", ""}, "a hand-over whose data the filter did not pick"
    assert set(svg_map.counts(root)) == {""}, "the data named, no count"
    assert not svg_map.groups(root, "rm-box") and not svg_map.headings(root)


HOSTILE = "<script>alert('x')</script> & \"Co\""


def _hostile() -> tuple[Graph, nx.DiGraph]:
    graph = Graph()
    graph.parse(
        data='<https://e.org/d> <http://www.w3.org/2000/01/rdf-schema#label> "<b>data</b> & more" .',
        format="nt",
    )
    flows = nx.DiGraph()
    flows.add_node("https://e.org/s?a=1&b=<2>", label=HOSTILE, kind="data subject")
    flows.add_node("https://e.org/u", label="R&D <unit>", kind="unit")
    flows.add_node("https://e.org/p", label="</text></svg><svg onload=x>", kind="processor")
    data = {"https://e.org/d"}
    flows.add_edge(
        "https://e.org/s?a=1&b=<2>",
        "https://e.org/u",
        carries=EdgeData(data=data, kinds={"source"}),
    )
    flows.add_edge(
        "https://e.org/u", "https://e.org/p", carries=EdgeData(data=data, kinds={"processor"})
    )
    return graph, flows


def test_flow_svg_escapes_the_records_text() -> None:
    graph, flows = _hostile()
    svg = flow_svg(graph, flows, flow_map(graph, flows), edge_labels=True)
    assert "<script>" not in svg and "<b>" not in svg and "onload=x>" not in svg
    root = svg_map.parse(svg)  # well-formed: nothing from the records broke out
    labels = svg_map.labels(root)
    assert labels[node_key("https://e.org/s?a=1&b=<2>")] == HOSTILE
    assert labels[node_key("https://e.org/u")] == "R&D <unit>"
    assert labels[node_key("https://e.org/p")] == "</text></svg><svg onload=x>"
    assert svg_map.title(_node(root, node_key("https://e.org/u"))).startswith("R&D <unit> (unit)")
    assert set(svg_map.data_labels(root)) == {"<b>data</b> & more"}
    assert parse_key(svg_map.keys(root)[-1]).edges == (("https://e.org/u", "https://e.org/p"),)


def test_flow_svg_is_deterministic(model: Model) -> None:
    graph, flows = _hostile()
    backwards = nx.DiGraph()
    backwards.add_nodes_from(reversed(list(flows.nodes(data=True))))
    backwards.add_edges_from(reversed(list(flows.edges(data=True))))
    assert flow_svg(graph, flows, flow_map(graph, flows)) == flow_svg(
        graph, backwards, flow_map(graph, backwards)
    )
    fmap = model.flow_map()
    assert flow_svg(model.graph, model.flows, fmap) == flow_svg(model.graph, model.flows, fmap)


def test_flow_svg_of_an_empty_map() -> None:
    root = svg_map.parse(flow_svg(Graph(), nx.DiGraph(), FlowMap({}, {})))
    assert svg_map.keys(root) == []


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


def test_parse_key() -> None:
    """A click on the map sends the clicked element's data-key (issue 18)."""
    assert parse_key("node:https://e.org/a") == Selection(node="https://e.org/a")
    edge = parse_key(edge_key("https://e.org/a", "https://e.org/b"))
    assert edge.edge == ("https://e.org/a", "https://e.org/b")
    two = parse_key(edges_key([("e:a", "e:b"), ("e:c", "e:b")]))
    assert two.edges == (("e:a", "e:b"), ("e:c", "e:b"))
    for other in ("something else", "edge:nospace", "cell:a b", None, 7, ["node:x"]):
        assert parse_key(other) == Selection()


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
