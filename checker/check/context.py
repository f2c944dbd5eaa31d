"""What every rule needs to report a finding: where each node was written (down to the key
that fixes it), and its activity.

The shapes (:mod:`checker.check.run`) and the Python rules (:mod:`checker.check.rules`) both
report through :func:`finding_for`, so every finding has the same fields.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache, cached_property

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from checker.check.findings import Finding, Severity
from checker.check.fixes import fix_paths
from checker.graph.flows import flow_graph
from checker.records.to_rdf import records_context
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, RDF, ROPA

#: A records file and line (either may be unknown).
Location = tuple[str | None, int | None]


@cache
def key_terms() -> dict[URIRef, tuple[str, ...]]:
    """For each property, the record keys that state it: the JSON-LD terms of the records
    context (``ontology/records.context.jsonld``) that map to it.

    >>> key_terms()[DPV.hasStorageCondition]
    ('retention',)
    """
    context = records_context()
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    found: dict[URIRef, list[str]] = defaultdict(list)
    for term, definition in context.items():
        iri = definition.get("@id") if isinstance(definition, dict) else definition
        if iri == "@type":
            found[RDF.type].append(term)
        elif isinstance(iri, str) and ":" in iri and term not in prefixes:
            prefix, _, local = iri.partition(":")
            found[URIRef(prefixes.get(prefix, f"{prefix}:") + local)].append(term)
    return {prop: tuple(sorted(terms)) for prop, terms in found.items()}


class SourceIndex:
    """Where each node of the graph was written: file, line of each key, and its activity.

    Args:
        graph: the built graph.
        inputs: the PATHs it was built from, as the user named them.
    """

    def __init__(self, graph: Graph, inputs: Sequence[str] = ()) -> None:
        self.graph = graph
        self.inputs = tuple(inputs)
        self.activities = set(graph.subjects(RDF.type, DPV.Process))
        self._keys: dict[Node, dict[str, int]] = {}
        self._files: dict[Node, str | None] = {}
        self._labels: dict[Node, str] = {}

    @cached_property
    def flows(self) -> nx.DiGraph:
        """The flow graph, built once for all the rules that walk it."""
        return flow_graph(self.graph)

    def where(self, node: URIRef, fixes: Sequence[Sequence[URIRef]] = ()) -> Location:
        """The records file and line to fix a finding about ``node``.

        The line is that of the first key of ``fixes`` (property paths from ``node``, see
        :mod:`checker.check.fixes`) the records write; else, for a node that is part of an
        entry or a term an entry names, the key of the entry that holds it; else the
        entry's ``id:`` line. A node from a DPV file has a file and line only if the file
        states them (``ropa:recordFile``, ``ropa:recordLine``).
        """
        entry = next((c for c in (node, *self._owners(node)) if self._file(c) is not None), None)
        if entry is None:
            return None, None
        line = self._fix_line(node, fixes)
        if line is None and entry != node:
            line = self._fix_line(
                entry, [(p,) for p in sorted(set(self.graph.predicates(entry, node)))]
            )
        if line is None:
            line = self.keys(entry).get("id")
        if line is None:
            value = self.graph.value(entry, ROPA.recordLine)
            line = int(value) if value is not None else None
        return self._file(entry), line

    def keys(self, node: Node) -> dict[str, int]:
        """The line of each key of the entry (or part of one) ``node`` was written from."""
        if node not in self._keys:
            value = self.graph.value(node, ROPA.recordKeyLines)
            lines = json.loads(str(value)) if value is not None else {}
            self._keys[node] = {k: v for k, v in lines.items() if isinstance(v, int)}
        return self._keys[node]

    def label(self, node: URIRef) -> str:
        """The label of ``node`` (:func:`checker.vocab.labels.label_of`), looked up once: a
        large register has thousands of findings about the same activities."""
        if node not in self._labels:
            self._labels[node] = label_of(self.graph, node)
        return self._labels[node]

    def _file(self, node: Node) -> str | None:
        if node not in self._files:
            value = self.graph.value(node, ROPA.recordFile)
            self._files[node] = str(value) if value is not None else None
        return self._files[node]

    def _fix_line(self, node: Node, fixes: Iterable[Sequence[URIRef]]) -> int | None:
        """The line of the first path of ``fixes`` whose first key the records write: of its
        deepest key, walking into the parts of the same entry (a duration node)."""
        for path in fixes:
            current, line = node, None
            for prop in path:
                keys = self.keys(current)
                hits = [keys[t] for t in key_terms().get(prop, ()) if t in keys]
                if not hits:
                    break
                line = min(hits)
                parts = sorted(
                    (o for o in self.graph.objects(current, prop) if self._is_part(o)), key=str
                )
                if not parts:
                    break
                current = parts[0]
            if line is not None:
                return line
        return None

    def _is_part(self, node: Node) -> bool:
        """A node written inside an entry (a duration node, a contact): keys, no file."""
        return bool(self.keys(node)) and self._file(node) is None

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
    """Make a finding about ``focus``, filling in its label, records line and activity.

    The line is that of the key that fixes it: the key of ``path`` on ``focus``, or for a
    rule without one the keys :data:`checker.check.fixes.FIXES` names; the entry's ``id:``
    line when the key is missing.
    """
    file, line = index.where(focus, fix_paths(rule, path))
    return Finding(
        severity=severity,
        rule=rule,
        message=message,
        article=article,
        focus=str(focus),
        focus_label=index.label(focus),
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
