"""Canonical labels for blank nodes, so the same graph always gives the same bytes.

A blank node has no name of its own: a parser makes one up, differently on each run. To
write a graph deterministically, every blank node gets a label computed from the graph
around it, the same whatever the parser chose, and different for nodes that can be told
apart.

Most blank nodes hang in trees: Turtle's ``[ ]`` and ``( )``, JSON-LD's nested objects,
RDF lists. Such a node is the object of at most one triple and no cycle runs below it.
Trees are labelled in linear time: a hash of each node's subtree (leaves first), then of
its place under its parent (from the top down). Identical sibling subtrees get numbered in
any order: swapping them changes no triple.

The other blank nodes (shared by two triples, in a cycle, or above such) are labelled one
connected group at a time by colour refinement (each node's colour is refined by its
neighbours' colours until nothing changes); where nodes keep one colour, twins (nodes with
the same neighbours) are numbered in any order, and otherwise each node of the smallest
tied class is tried in turn and the least resulting set of triples kept (individualisation
and refinement, as graph isomorphism tools and RDFC-1.0 do, pruned by the automorphisms
found). That search is exponential on contrived symmetric graphs, so it has a budget
(:data:`MAX_WORK`): past it, :class:`BlankNodeLimit` says to give the nodes IRIs.

RDFC-1.0 itself (pyoxigraph's, like rdflib's ``to_canonical_graph``) is super-linear on a
plain chain: 20 s for 300 blank nodes. Measurements: ``bench/blank_nodes.py``.

>>> one = canonical_labels([("<http://e/a>", "<http://e/p>", "_:x"), ("_:x", "<http://e/q>", '"1"')])
>>> two = canonical_labels([("<http://e/a>", "<http://e/p>", "_:y"), ("_:y", "<http://e/q>", '"1"')])
>>> one["x"] == two["y"]
True
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence

from rdflib import BNode
from rdflib.term import Node

from checker.errors import RopaError

#: The work (neighbour visits) the labelling of the blank nodes outside trees may take,
#: beyond ten passes over their triples, before giving up: a few seconds of Python.
MAX_WORK = 5_000_000

#: Hex digits of a label (80 bits: two of a million nodes share one by chance with a
#: probability below 10^-12, and even then the graph written stays the same graph).
LABEL_DIGITS = 20

Triple = tuple[str, str, str]


class BlankNodeLimit(RopaError):
    """The blank nodes are too symmetric to label deterministically within the budget."""


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class _Graph:
    """The triples with blank nodes, around each blank node (numbered from 0)."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        ids: dict[str, int] = {}
        numbered = [
            (
                ids.setdefault(s, len(ids)) if s[0] == "_" else s,
                p,
                ids.setdefault(o, len(ids)) if o[0] == "_" else o,
            )
            for s, p, o in triples
        ]
        self.ids = ids
        size = len(ids)
        self.out_terms: list[list[str]] = [[] for _ in range(size)]  # "p o", o not blank
        self.out_blank: list[list[tuple[str, int]]] = [[] for _ in range(size)]  # (p, o)
        self.in_terms: list[list[str]] = [[] for _ in range(size)]  # "s p", s not blank
        self.in_blank: list[list[tuple[int, str]]] = [[] for _ in range(size)]  # (s, p)
        for s, p, o in numbered:
            if isinstance(s, int):
                if isinstance(o, int):
                    self.out_blank[s].append((p, o))
                    self.in_blank[o].append((s, p))
                else:
                    self.out_terms[s].append(f"{p} {o}")
            elif isinstance(o, int):
                self.in_terms[o].append(f"{s} {p}")

    def __len__(self) -> int:
        return len(self.ids)

    def subtree_hashes(self) -> dict[int, str]:
        """The hash of everything below each node under which no cycle runs (nodes in or
        above a cycle have none), leaves first: a parent once all its children are done."""
        pending = [len(children) for children in self.out_blank]
        ready = deque(b for b, count in enumerate(pending) if count == 0)
        hashes: dict[int, str] = {}
        while ready:
            node = ready.popleft()
            edges = self.out_terms[node] + [f"{p} _:{hashes[o]}" for p, o in self.out_blank[node]]
            edges.sort()
            hashes[node] = _hash("out", *edges)
            for s, _ in self.in_blank[node]:
                pending[s] -= 1
                if pending[s] == 0:
                    ready.append(s)
        return hashes

    def hanging(self, hashes: dict[int, str]) -> list[bool]:
        """Whether each node heads a tree: the object of at most one triple, with only
        such nodes below (``hashes`` in leaves-first order)."""
        found = [False] * len(self)
        for node in hashes:
            if len(self.in_terms[node]) + len(self.in_blank[node]) <= 1 and all(
                found[o] for _, o in self.out_blank[node]
            ):
                found[node] = True
        return found


def canonical_labels(triples: Iterable[Triple]) -> dict[str, str]:
    """A canonical label for each blank node of ``triples`` (terms in N-Triples syntax,
    a blank node as ``_:name``), by its name without ``_:``.

    Two isomorphic sets of triples get labels that make them equal.

    Raises:
        BlankNodeLimit: symmetric blank nodes past the search budget (:data:`MAX_WORK`).
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small lists and tuples: the collector would rescan them all
    try:
        return _labels(_Graph(triples))
    finally:
        if collecting:
            gc.enable()


def _labels(graph: _Graph) -> dict[str, str]:
    hashes = graph.subtree_hashes()
    hanging = graph.hanging(hashes)
    keys = _Keys()
    for node in range(len(graph)):  # the root of each tree: under an IRI, or under nothing
        if hanging[node] and not graph.in_blank[node]:
            keys.give(node, _hash(hashes[node], "root", *graph.in_terms[node]))
    tangled = [b for b in range(len(graph)) if not hanging[b]]
    if tangled:
        _tangled_keys(graph, tangled, hashes, hanging, keys)
    # Trees get their keys from the top down: the subtree, the parent's key, the predicate.
    todo = deque(keys.of)
    while todo:
        node = todo.popleft()
        for p, o in graph.out_blank[node]:
            if hanging[o]:
                keys.give(o, _hash(hashes[o], keys.of[node], p))
                todo.append(o)
    labels: dict[str, str] = {}
    taken: set[str] = set()
    for name, node in graph.ids.items():
        label = "b" + keys.of[node][:LABEL_DIGITS]
        while label in taken:  # pragma: no cover - 80-bit hashes that collide
            label += "x"
        taken.add(label)
        labels[name[2:]] = label
    return labels


class _Keys:
    """Keys given to nodes; a key given twice (to nodes that any automorphism may swap)
    is numbered, so that every node has its own and what hangs below follows."""

    def __init__(self) -> None:
        self.of: dict[int, str] = {}
        self.count: dict[str, int] = {}

    def give(self, node: int, key: str) -> None:
        seen = self.count.get(key, 0)
        self.count[key] = seen + 1
        self.of[node] = key if seen == 0 else _hash(key, str(seen))


def _tangled_keys(
    graph: _Graph, nodes: list[int], hashes: dict[int, str], hanging: list[bool], keys: _Keys
) -> None:
    """Keys of the nodes outside trees, one connected group at a time; identical groups
    (the same triples up to their blank nodes) are numbered in any order."""
    parent = {b: b for b in nodes}

    def find(b: int) -> int:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for b in nodes:
        for _, o in graph.out_blank[b]:
            if not hanging[o]:
                parent[find(b)] = find(o)
    groups: dict[int, list[int]] = defaultdict(list)
    for b in nodes:
        groups[find(b)].append(b)
    solved = [
        _Search(graph, group, hashes, hanging).solve()
        if len(group) > 1
        else _alone(_start_colour(graph, hashes, hanging, group[0]), group[0])
        for group in groups.values()
    ]
    solved.sort(key=lambda result: result[0])
    for _, colours in solved:
        for node, colour in colours.items():
            keys.give(node, _hash(colour, "tangled"))


def _start_colour(graph: _Graph, hashes: dict[int, str], hanging: list[bool], b: int) -> str:
    """The first colour of a node outside trees: the subtree below (where no cycle runs)
    and the terms around."""
    out = [f"o {t}" for t in graph.out_terms[b]]
    out += [f"o {p} _:{hashes[o]}" if hanging[o] else f"o {p} *" for p, o in graph.out_blank[b]]
    into = [f"i {t}" for t in graph.in_terms[b]] + [f"i * {p}" for _, p in graph.in_blank[b]]
    return _hash(hashes.get(b, ""), *sorted(out), *sorted(into))


def _alone(colour: str, node: int) -> tuple[list[tuple[str, ...]], dict[int, str]]:
    """A group of one node: its first colour tells it apart."""
    return [(colour,)], {node: colour}


class _Search:
    """Colour refinement, then individualisation, over one connected group of blank nodes
    outside trees; the trees hanging from them stand in by their subtree hash."""

    def __init__(
        self, graph: _Graph, nodes: list[int], hashes: dict[int, str], hanging: list[bool]
    ) -> None:
        self.graph = graph
        self.nodes = nodes
        self.hashes = hashes
        self.hanging = hanging
        self.triples = [(b, p, o) for b in nodes for p, o in graph.out_blank[b]]
        size = len(self.triples) + sum(
            len(graph.out_terms[b]) + len(graph.in_terms[b]) for b in nodes
        )
        self.work = 0
        self.budget = MAX_WORK + 10 * (size + len(nodes))
        self.best: tuple[list[tuple[str, ...]], dict[int, str]] | None = None
        self.automorphisms: list[dict[int, int]] = []

    def _limit(self) -> BlankNodeLimit:
        return BlankNodeLimit(
            f"{len(self.nodes)} blank nodes connected to each other are shared or in "
            "cycles, and too symmetric to label deterministically within ropa's limit: "
            "give them IRIs (or nest each under one subject, as [ ] does)"
        )

    def _refine(self, colours: dict[int, str]) -> dict[int, str]:
        """Refine until the number of colours stops growing."""
        graph, hanging = self.graph, self.hanging
        count = len(set(colours.values()))
        while True:
            refined = {}
            for b in self.nodes:
                out = [f"o {p} {colours[o]}" for p, o in graph.out_blank[b] if not hanging[o]]
                into = [f"i {colours[s]} {p}" for s, p in graph.in_blank[b]]
                self.work += len(out) + len(into) + 1
                refined[b] = _hash(colours[b], *sorted(out), *sorted(into))
            if self.work > self.budget:
                raise self._limit()
            new_count = len(set(refined.values()))
            if new_count == count:
                return colours
            colours, count = refined, new_count

    def _neighbours(self, b: int) -> tuple[frozenset[object], ...]:
        graph = self.graph
        return (
            frozenset(graph.out_terms[b]),
            frozenset(graph.out_blank[b]),
            frozenset(graph.in_terms[b]),
            frozenset(graph.in_blank[b]),
        )

    def _certificate(self, colours: dict[int, str]) -> list[tuple[str, ...]]:
        """The group's triples with each node named by its colour (a hanging tree by its
        hash), sorted."""
        graph, hanging, hashes = self.graph, self.hanging, self.hashes
        rows = [
            (colours[b], p, hashes[o] if hanging[o] else colours[o]) for b, p, o in self.triples
        ]
        for b in self.nodes:
            rows += [(colours[b], t) for t in graph.out_terms[b]]
            rows += [(t, colours[b]) for t in graph.in_terms[b]]
        return sorted(rows)

    def solve(self) -> tuple[list[tuple[str, ...]], dict[int, str]]:
        """(the least certificate, colours telling every node apart)."""
        start = {b: _start_colour(self.graph, self.hashes, self.hanging, b) for b in self.nodes}
        self._search(self._refine(start), ())
        assert self.best is not None
        return self.best

    def _search(self, colours: dict[int, str], path: tuple[int, ...]) -> None:
        """Number twins; then try each node of the smallest tied class in turn (but one of
        each orbit of the automorphisms found that fix ``path``); keep the least leaf."""
        while True:
            classes: dict[str, list[int]] = defaultdict(list)
            for b in self.nodes:
                classes[colours[b]].append(b)
            tied = sorted((len(m), c) for c, m in classes.items() if len(m) > 1)
            if not tied:
                self._leaf(colours)
                return
            twins = [c for _, c in tied if len({self._neighbours(b) for b in classes[c]}) == 1]
            if not twins:
                break
            colours = dict(colours)
            for colour in twins:  # swapping twins changes no triple: any numbering will do
                for i, b in enumerate(classes[colour]):
                    colours[b] = _hash(colour, "twin", str(i))
            colours = self._refine(colours)
        if len(path) > 200:
            raise self._limit()
        colour = tied[0][1]
        tried: list[int] = []
        for member in classes[colour]:
            orbit = self._orbits(path)
            if any(orbit(member) == orbit(done) for done in tried):
                continue  # an automorphism maps it to a node tried: the same leaves
            tried.append(member)
            chosen = {**colours, member: _hash(colour, "chosen")}
            self._search(self._refine(chosen), (*path, member))

    def _leaf(self, colours: dict[int, str]) -> None:
        certificate = self._certificate(colours)
        if self.best is None or certificate < self.best[0]:
            self.best = (certificate, colours)
        elif certificate == self.best[0]:  # two labellings, one graph: an automorphism
            node_of = {colour: b for b, colour in self.best[1].items()}
            self.automorphisms.append({b: node_of[c] for b, c in colours.items()})

    def _orbits(self, path: tuple[int, ...]) -> Callable[[int], int]:
        """The orbit (a representative) of each node under the automorphisms found that
        fix every node of ``path``."""
        parent: dict[int, int] = {}

        def find(b: int) -> int:
            while parent.get(b, b) != b:
                b = parent[b]
            return b

        for mapping in self.automorphisms:
            if all(mapping[b] == b for b in path):
                self.work += len(mapping)
                for b, image in mapping.items():
                    root_b, root_image = find(b), find(image)
                    if root_b != root_image:
                        parent[max(root_b, root_image)] = min(root_b, root_image)
        return find


def relabel(triples: Sequence[Triple], labels: dict[str, str]) -> list[Triple]:
    """``triples`` with each blank node renamed by ``labels`` (by name without ``_:``)."""

    def name(term: str) -> str:
        return "_:" + labels[term[2:]] if term[0] == "_" else term

    return [(name(s), p, name(o)) for s, p, o in triples]


def canonical_triples(triples: Iterable[tuple[Node, Node, Node]]) -> set[tuple[Node, Node, Node]]:
    """rdflib triples with their blank nodes renamed canonically (see
    :func:`canonical_labels`): two isomorphic sets of triples become equal sets.

    >>> from rdflib import BNode, URIRef
    >>> a = canonical_triples({(URIRef("http://e/s"), URIRef("http://e/p"), BNode("x"))})
    >>> a == canonical_triples({(URIRef("http://e/s"), URIRef("http://e/p"), BNode("y"))})
    True
    """
    triples = list(triples)
    labels = canonical_labels((s.n3(), p.n3(), o.n3()) for s, p, o in triples)

    def name(term: Node) -> Node:
        return BNode(labels[str(term)]) if isinstance(term, BNode) else term

    return {(name(s), p, name(o)) for s, p, o in triples}
