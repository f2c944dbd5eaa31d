"""Where the nodes of a flow graph go, as numbers: columns from sources to recipients, and
the links of a Sankey diagram.

The dashboard draws the positions; nothing here knows about a screen. Deterministic: the
same flow graph gives the same positions in every process (no set order, seeded springs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
from rdflib import Graph

from checker.views.flows import KIND_NAMES, edge_facts, node_kind, node_label


def acyclic(flows: nx.DiGraph) -> nx.DiGraph:
    """The graph without the edges that close cycles: the back edges of a depth-first
    search that visits nodes and successors in sorted order (deterministic)."""
    dag = nx.DiGraph()
    dag.add_nodes_from(sorted(flows.nodes))
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(flows.nodes):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(flows.successors(root))))]
        while stack:
            node, successors = stack[-1]
            for succ in successors:
                if state.get(succ) == 1:
                    continue  # a back edge: it would close a cycle
                dag.add_edge(node, succ)
                if succ not in state:
                    state[succ] = 1
                    stack.append((succ, iter(sorted(flows.successors(succ)))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return dag


def layers(flows: nx.DiGraph) -> dict[str, int]:
    """A column for each node: sources first, processors and recipients that receive last.

    Data subjects and nodes that only send are column 0; every other node is one column
    right of its furthest sender (longest path, over the graph with cycles broken);
    processors and recipients that only receive share the last column.
    """
    dag = acyclic(flows)
    layer: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(dag):
        preds = list(dag.predecessors(node))
        kind = flows.nodes[node].get("kind")
        layer[node] = 0 if kind == "data subject" or not preds else 1 + max(layer[p] for p in preds)
    for node in flows.nodes:
        layer.setdefault(node, 0)
    last = max(layer.values(), default=0)
    for node, kind in flows.nodes(data="kind"):
        if kind in ("processor", "recipient") and flows.out_degree(node) == 0:
            layer[node] = max(last, 2)
    return layer


def flow_layout(
    flows: nx.DiGraph, layout: str = "columns", seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Positions of the nodes: ``columns`` (sources -> units -> recipients, from
    :func:`layers`, ordered to cross few edges) or ``spring`` (force-directed, seeded).

    >>> g = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(g, {"a": "data subject", "b": "unit", "c": "processor"}, "kind")
    >>> pos = flow_layout(g)
    >>> pos["a"][0] < pos["b"][0] < pos["c"][0]
    True
    """
    if flows.number_of_nodes() == 0:
        return {}
    if layout == "spring":
        ordered = nx.DiGraph()
        ordered.add_nodes_from(sorted(flows.nodes))
        ordered.add_edges_from(sorted(flows.edges))
        pos = nx.spring_layout(
            ordered.to_undirected(), seed=seed, k=1.6 / max(1, len(ordered)) ** 0.5
        )
        return {n: (float(x), float(y)) for n, (x, y) in sorted(pos.items())}
    layer = layers(flows)
    order = order_in_layers(flows, layer)
    # As networkx's multipartite_layout, but in our order: it groups a column's nodes in a
    # set, whose order changes from one process to the next.
    columns: dict[int, list[str]] = defaultdict(list)
    for node in order:
        columns[layer[node]].append(node)
    tallest = max(len(c) for c in columns.values())
    width = max(1, len(columns) - 1)
    pos = {}
    for x, key in enumerate(sorted(columns)):
        nodes = columns[key]
        for i, node in enumerate(nodes):
            y = (len(nodes) - 1) / 2 - i  # centred, the first node on top
            pos[node] = (x / width, y / max(1, tallest - 1))
    return dict(sorted(pos.items()))


def order_in_layers(flows: nx.DiGraph, layer: Mapping[str, int]) -> list[str]:
    """Nodes in column order, each column sorted by the mean position of its neighbours
    (a few barycentre sweeps; ties by kind and label), so that edges cross less."""
    columns: dict[int, list[str]] = defaultdict(list)
    kind_rank = {k: i for i, k in enumerate(KIND_NAMES)}
    for node in flows.nodes:
        columns[layer[node]].append(node)
    for nodes in columns.values():
        nodes.sort(
            key=lambda n: (
                kind_rank.get(flows.nodes[n].get("kind"), 99),
                node_label(flows, n).casefold(),
                n,
            )
        )
    position = {n: i / max(1, len(c) - 1) for c in columns.values() for i, n in enumerate(c)}
    keys = sorted(columns)
    for sweep in range(4):
        for col in keys if sweep % 2 == 0 else list(reversed(keys)):
            nodes = columns[col]

            def centre(n: str, col: int = col) -> float:
                near = [
                    position[m]
                    for m in (*flows.predecessors(n), *flows.successors(n))
                    if layer[m] != col
                ]
                return sum(near) / len(near) if near else position[n]

            nodes.sort(key=lambda n: (round(centre(n), 6), node_label(flows, n).casefold(), n))
            for i, n in enumerate(nodes):
                position[n] = i / max(1, len(nodes) - 1)
    return [n for col in keys for n in columns[col]]


@dataclass(frozen=True)
class SankeyData:
    """The links of a Sankey diagram: its nodes (IRI, label, kind) and, per link, the
    indexes of its ends, its width and what it carries (labels)."""

    nodes: tuple[str, ...]
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    sources: tuple[int, ...]
    targets: tuple[int, ...]
    values: tuple[int, ...]
    data: tuple[tuple[str, ...], ...]
    purposes: tuple[tuple[str, ...], ...]


def sankey_data(graph: Graph, flows: nx.DiGraph) -> SankeyData:
    """Sources -> units -> recipients and processors, as Sankey links.

    A link is as wide as the number of data categories it carries (at least 1); edges
    that would close a cycle are left out (a Sankey diagram cannot draw them).
    """
    dag = acyclic(flows)
    nodes = sorted(flows.nodes, key=lambda n: (node_label(flows, n).casefold(), n))
    index = {n: i for i, n in enumerate(nodes)}
    links = sorted(dag.edges)
    facts = [edge_facts(graph, flows, a, b) for a, b in links]
    return SankeyData(
        nodes=tuple(nodes),
        labels=tuple(node_label(flows, n) for n in nodes),
        kinds=tuple(node_kind(flows, n) for n in nodes),
        sources=tuple(index[a] for a, _ in links),
        targets=tuple(index[b] for _, b in links),
        values=tuple(max(1, len(f.data)) for f in facts),
        data=tuple(f.data for f in facts),
        purposes=tuple(f.purposes for f in facts),
    )
