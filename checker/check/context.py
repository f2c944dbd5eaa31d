"""What every rule needs to report a finding: where each node was written, and its activity.

The shapes (:mod:`checker.check.run`) and the Python rules (:mod:`checker.check.rules`) both
report through :func:`finding_for`, so every finding has the same fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef

from checker.check.findings import Finding, Severity
from checker.graph.flows import flow_graph
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, RDF, ROPA


class SourceIndex:
    """Where each node of the graph was written: file, line and its activity."""

    def __init__(self, graph: Graph, inputs: Sequence[str] = ()) -> None:
        self.graph = graph
        self.inputs = tuple(inputs)  # the PATHs checked, as the user named them
        self.activities = set(graph.subjects(RDF.type, DPV.Process))

    @cached_property
    def flows(self) -> nx.DiGraph:
        """The flow graph, built once for all the rules that walk it."""
        return flow_graph(self.graph)

    def where(self, node: URIRef) -> tuple[str | None, int | None]:
        for candidate in (node, *self._owners(node)):
            file = self.graph.value(candidate, ROPA.recordFile)
            line = self.graph.value(candidate, ROPA.recordLine)
            if file is not None:
                return str(file), int(line) if line is not None else None
        return None, None

    def _owners(self, node: URIRef) -> Iterable[URIRef]:
        # A duration node, a selector or a contact has no line of its own: use its owner's.
        for owner in sorted(self.graph.subjects(None, node)):
            if isinstance(owner, URIRef):
                yield owner

    def activity_of(self, node: URIRef) -> str | None:
        if node in self.activities:
            return str(node)
        for owner in self._owners(node):
            if owner in self.activities:
                return str(owner)
        return None


def finding_for(
    graph: Graph,
    index: SourceIndex,
    *,
    severity: Severity,
    rule: str,
    message: str,
    article: str,
    focus: URIRef,
    path: URIRef | None = None,
    value: URIRef | Literal | None = None,
) -> Finding:
    """Make a finding about ``focus``, filling in its label, records line and activity."""
    file, line = index.where(focus)
    return Finding(
        severity=severity,
        rule=rule,
        message=message,
        article=article,
        focus=str(focus),
        focus_label=label_of(graph, focus),
        path=str(path) if path is not None else None,
        value=None if value is None else "[]" if isinstance(value, BNode) else str(value),
        file=file,
        line=line,
        activity=index.activity_of(focus),
    )


def named_owner(graph: Graph, node: BNode, depth: int = 0) -> URIRef | None:
    """A blank node is reported at the nearest named node that points at it.

    Its own id is random in every run, and findings must be deterministic.
    """
    for owner in sorted(graph.subjects(None, node), key=str):
        if isinstance(owner, URIRef):
            return owner
        if isinstance(owner, BNode) and depth < 5:
            named = named_owner(graph, owner, depth + 1)
            if named is not None:
                return named
    return None
