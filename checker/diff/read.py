"""Reading an activity in one or two versions of the graph: values, labels, flows."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Graph, Literal
from rdflib.term import Node

from checker.diff.model import PROPERTY_WORDS
from checker.vocab.labels import label_of, label_or_none
from checker.vocab.namespaces import DPV, RDF, RDFS, ROPA, local_id


def values(graph: Graph | None, subject: Node, predicate: Node) -> set[Node]:
    if graph is None:
        return set()
    return set(graph.objects(subject, predicate))


def label_in(graphs: Sequence[Graph | None], node: Node | None) -> str:
    """The label of a node in the first graph that labels it, else its local id."""
    if isinstance(node, Literal):
        return str(node)
    for graph in graphs:
        if graph is not None and node is not None:
            label = label_or_none(graph, node)
            if label is not None:
                return label
    return "[]" if isinstance(node, BNode) or node is None else local_id(str(node))


def property_label(graphs: Sequence[Graph | None], prop: Node) -> str:
    """Words for a property: :data:`PROPERTY_WORDS`, its label, or its local name."""
    if prop in PROPERTY_WORDS:
        return PROPERTY_WORDS[prop]  # type: ignore[index]
    return label_in(graphs, prop)


def iri(node: Node) -> str | None:
    return None if isinstance(node, BNode) else str(node)


def flows_of(graph: Graph | None, activity: Node | None) -> set[Node]:
    if graph is None:
        return set()
    flows = set(graph.subjects(RDF.type, ROPA.DataFlow))
    if activity is None:
        return {f for f in flows if graph.value(f, ROPA.partOfActivity) is None}
    return {f for f in flows if (f, ROPA.partOfActivity, activity) in graph}


def describe_flow(graph: Graph, flow: Node) -> str:
    """A flow in words: sender, receiver, data and purposes."""
    text = (
        f"{label_of(graph, graph.value(flow, ROPA.sender))} → "
        f"{label_of(graph, graph.value(flow, ROPA.receiver))}"
    )
    data = sorted(label_of(graph, d) for d in graph.objects(flow, DPV.hasPersonalData))
    purposes = sorted(label_of(graph, p) for p in graph.objects(flow, DPV.hasPurpose))
    if data:
        text += f": {', '.join(data)}"
    if purposes:
        text += f" (for {', '.join(purposes)})"
    conditions = sorted(str(c) for c in graph.objects(flow, ROPA.condition))
    if conditions:
        text += f", {'; '.join(conditions)}"
    return text


def all_labels(graph: Graph | None, node: Node) -> set[tuple[str, str]]:
    if graph is None:
        return set()
    return {
        (str(x), getattr(x, "language", None) or "")
        for x in graph.objects(node, RDFS.label)
        if isinstance(x, Literal)
    }


def label_words(graph: Graph, node: Node) -> str:
    main = label_of(graph, node)  # type: ignore[arg-type]
    others = sorted(f"{lang}: {text}" for text, lang in all_labels(graph, node) if lang != "en")
    return main + (f" ({'; '.join(others)})" if others else "")
