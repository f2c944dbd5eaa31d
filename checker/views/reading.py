"""The built graph for the views: read through a cache that keeps what it has read.

The views ask the graph many small questions (the label of a node, the values of one
property of one activity); through oxrdflib each is a store lookup plus a conversion of its
terms, and the same questions come again and again. :func:`reading_graph` answers rdflib's
``triples`` from the pyoxigraph store, but reads all triples of a subject at its first
question and keeps them, converting each term once; the activities table of a 100k-triple
register takes a second instead of a quarter of a minute. Read-only: the views never write,
so what was read stays true.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from checker.graph.store import ox_store, rdflib_term

_DEFAULT = ox.DefaultGraph()
T = TypeVar("T")


def _ox_term(term: Node | None) -> Any:
    """The pyoxigraph term of an rdflib term (``None``: any)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


class ReadingStore(Store):
    """A read-only rdflib store over a pyoxigraph store that keeps what it has read: all
    triples of each subject asked about, and the subjects of each (predicate, object)."""

    def __init__(self, store: ox.Store) -> None:
        super().__init__()
        self._ox = store
        self._terms: dict[Any, Node] = {}
        self._subjects: dict[Node, dict[Node, list[Node]]] = {}
        self._by_value: dict[tuple[Node, Node], list[Node]] = {}
        self._derived: dict[Hashable, Any] = {}

    def remember(self, key: Hashable, make: Callable[[], T]) -> T:
        """What ``make`` derives from the graph, made once per ``key`` (the graph does not
        change, so neither does what follows from it: a node's label, for one)."""
        if key not in self._derived:
            self._derived[key] = make()
        return self._derived[key]  # type: ignore[no-any-return]

    def __len__(self, context: Any = None) -> int:
        return len(self._ox)

    def _term(self, value: Any) -> Node:
        found = self._terms.get(value)
        if found is None:
            found = self._terms[value] = rdflib_term(value)
        return found

    def _about(self, subject: Node) -> dict[Node, list[Node]]:
        about = self._subjects.get(subject)
        if about is None:
            about = {}
            for quad in self._ox.quads_for_pattern(_ox_term(subject), None, None, _DEFAULT):
                about.setdefault(self._term(quad.predicate), []).append(self._term(quad.object))
            self._subjects[subject] = about
        return about

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        """The triples matching ``(s, p, o)`` (``None``: any), each with no context."""
        for triple in self._match(*triple_pattern):
            yield triple, iter(())

    def _match(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[tuple]:
        if s is not None:
            about = self._about(s)
            pairs = [(p, about.get(p, []))] if p is not None else list(about.items())
            for pp, objects in pairs:
                yield from ((s, pp, oo) for oo in objects if o is None or oo == o)
        elif p is not None and o is not None:
            subjects = self._by_value.get((p, o))
            if subjects is None:
                quads = self._ox.quads_for_pattern(None, _ox_term(p), _ox_term(o), _DEFAULT)
                subjects = self._by_value[p, o] = [self._term(q.subject) for q in quads]
            yield from ((ss, p, o) for ss in subjects)
        else:
            for quad in self._ox.quads_for_pattern(None, _ox_term(p), _ox_term(o), _DEFAULT):
                yield self._term(quad.subject), self._term(quad.predicate), self._term(quad.object)


def reading_graph(graph: Graph) -> Graph:
    """A read-only graph over the store of a built graph that keeps what it has read.

    Plain literals stay plain, as :class:`checker.graph.store.StoreGraph` gives them.

    >>> from checker.graph.build import build
    >>> built = build()
    >>> copy = reading_graph(built)
    >>> len(copy) == len(built) and set(copy) == set(built)
    True
    """
    return Graph(store=ReadingStore(ox_store(graph)))
