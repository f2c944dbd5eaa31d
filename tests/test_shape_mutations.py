"""Every constraint and every severity of the shipped shapes is held by a fixture (issue 12).

For each constraint of every shape (but ``shapes/art13-14-notice.ttl``, the notice's), the
test removes or changes it in a copy of the shapes, compiles the copy once
(:mod:`checker.check.shacl_sparql`) and validates the fixtures of the rules that use the
mutated shape (``tests/fixtures/shapes/<RULE>/*.ttl``). Some result of those rules must
change: a finding appears, disappears or changes severity. A mutation nobody notices is
a constraint no fixture tests.

Mutations: remove one ``sh:minCount``, ``sh:class``, ``sh:nodeKind``, ``sh:datatype``,
``sh:hasValue``, ``sh:node``, ``sh:not``, ``sh:property`` or ``sh:in``; remove one member of
an ``sh:or`` or ``sh:in`` list; raise ``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``
by one; change ``sh:severity``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, SH

from checker.assets import asset_dir
from checker.check.shacl_sparql import ShaclValidator
from checker.check.shapes import shapes_graph
from checker.graph.build import build
from checker.graph.store import ox_store

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPE_FILES = sorted(asset_dir("shapes").glob("*.ttl"))
NOTICE_FILE = "art13-14-notice.ttl"

REMOVED = ("minCount", "class", "nodeKind", "datatype", "hasValue", "node", "not", "property", "in")
LISTS = ("or", "in")
COUNTS = ("qualifiedMinCount", "qualifiedMaxCount")
NESTING = ("node", "not", "property", "qualifiedValueShape")
SEVERITIES = (SH.Violation, SH.Warning, SH.Info)

Key = tuple[str, str, str | None, str | None, str]


@dataclass(frozen=True)
class Mutation:
    """One change to the shapes: ``remove`` these triples, ``add`` those."""

    name: str
    shape: URIRef | BNode
    remove: tuple[tuple[object, object, object], ...]
    add: tuple[tuple[object, object, object], ...] = ()


@cache
def shapes() -> Graph:
    """The shipped shapes, parsed once for this module: blank nodes keep their labels from
    collection to the last test, whatever other tests do to the shared cache."""
    graph = Graph()
    graph += shapes_graph()
    return graph


@cache
def own_subjects() -> frozenset[object]:
    """Every subject written in a shapes file other than the notice's."""
    subjects: set[object] = set()
    for path in SHAPE_FILES:
        if path.name != NOTICE_FILE:
            subjects |= set(Graph().parse(path, format="turtle").subjects())
    named = {s for s in subjects if isinstance(s, URIRef)}
    # Blank nodes get new ids per parse: take them from the combined graph instead.
    return frozenset(named | {s for s in shapes().subjects() if _owner(s) in named})


def _owner(node: object) -> URIRef | None:
    """The nearest named node that points at ``node`` (itself when named)."""
    seen = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        node = next(iter(sorted(shapes().subjects(None, node), key=str)), None)
    return node if isinstance(node, URIRef) else None


def nested(shape: object) -> set[object]:
    """The shapes ``shape`` uses, itself included."""
    graph, found, pending = shapes(), set(), [shape]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        for name in NESTING:
            pending.extend(graph.objects(current, SH[name]))
        for name in ("or", "and"):
            for head in graph.objects(current, SH[name]):
                pending.extend(Collection(graph, head))
    return found


@cache
def rules() -> dict[str, URIRef]:
    """Rule id -> its shape, for every shape with a dct:identifier."""
    return {str(i): s for s, i in shapes().subject_objects(DCTERMS.identifier)}


@cache
def users() -> dict[object, frozenset[str]]:
    """Shape -> the ids of the rules that use it."""
    found: dict[object, set[str]] = {}
    for rule, shape in rules().items():
        for used in nested(shape):
            found.setdefault(used, set()).add(rule)
    return {shape: frozenset(ids) for shape, ids in found.items()}


def _label(node: object) -> str:
    owner = _owner(node)
    local = str(owner).rsplit("#", 1)[-1] if owner is not None else "?"
    return local if isinstance(node, URIRef) else f"{local}/[]"


def _term(term: object) -> str:
    if isinstance(term, URIRef):
        return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return "[]" if isinstance(term, BNode) else str(term)


def _list_without(head: object, index: int) -> tuple[tuple, tuple, object]:
    """Triples to drop and to add to remove member ``index`` of the RDF list at ``head``."""
    graph = shapes()
    cells, node = [], head
    while node != RDF.nil:
        cells.append(node)
        node = graph.value(node, RDF.rest)
    remove = tuple((c, p, o) for c in cells for p, o in graph.predicate_objects(c))
    members = [graph.value(c, RDF.first) for c in cells]
    del members[index]
    add, fresh = [], [BNode() for _ in members]
    for i, member in enumerate(members):
        add.append((fresh[i], RDF.first, member))
        add.append((fresh[i], RDF.rest, fresh[i + 1] if i + 1 < len(members) else RDF.nil))
    first = fresh[0] if fresh else RDF.nil
    return remove, tuple(add), first


def mutations() -> Iterator[Mutation]:
    graph, own = shapes(), own_subjects()
    for shape in sorted(users(), key=str):
        if shape not in own:
            continue
        where = _label(shape)
        for name in REMOVED:
            for value in graph.objects(shape, SH[name]):
                yield Mutation(
                    f"{where} -sh:{name} {_term(value)}", shape, ((shape, SH[name], value),)
                )
        for name in LISTS:
            for head in graph.objects(shape, SH[name]):
                members = list(Collection(graph, head))
                for index, member in enumerate(members):
                    remove, add, first = _list_without(head, index)
                    yield Mutation(
                        f"{where} sh:{name} -{_term(member)}",
                        shape,
                        (*remove, (shape, SH[name], head)),
                        (*add, (shape, SH[name], first)),
                    )
        for name in COUNTS:
            for value in graph.objects(shape, SH[name]):
                raised = Literal(int(value) + 1)
                yield Mutation(
                    f"{where} sh:{name} {value}->{raised}",
                    shape,
                    ((shape, SH[name], value),),
                    ((shape, SH[name], raised),),
                )
        for value in graph.objects(shape, SH.severity):
            other = SEVERITIES[(SEVERITIES.index(value) + 1) % 3]
            yield Mutation(
                f"{where} sh:severity {_term(value)}->{_term(other)}",
                shape,
                ((shape, SH.severity, value),),
                ((shape, SH.severity, other),),
            )


MUTATIONS = list(mutations())


def _line(triple: tuple[object, object, object]) -> str:
    return " ".join(term.n3() for term in triple) + " .\n"  # type: ignore[attr-defined]


@cache
def shipped_lines() -> frozenset[str]:
    """The shapes as N-Triples lines: a mutation drops some and adds others."""
    return frozenset(_line(t) for t in shapes())


def _compile(lines: Iterable[str]) -> ShaclValidator:
    store = ox.Store()
    store.load("".join(sorted(lines)).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return ShaclValidator(store)


@cache
def shipped() -> ShaclValidator:
    return _compile(shipped_lines())


@cache
def fixture_store(path: Path) -> ox.Store:
    return ox_store(build([path]))


def fixtures(rule: str) -> list[Path]:
    return sorted((FIXTURES / rule).glob("*.ttl"))


def results(validator: ShaclValidator, path: Path, shapes_of: set[str]) -> set[Key]:
    return {
        (r.shape, str(r.focus), r.path, None if r.value is None else str(r.value), r.severity)
        for r in validator.validate(fixture_store(path))
        if r.shape in shapes_of
    }


def test_mutations_are_many_and_cover_every_rule_file() -> None:
    assert len(MUTATIONS) > 250
    touched = {str(rules()[r]) for m in MUTATIONS for r in users()[m.shape]}
    own_rules = {str(s) for s in rules().values() if s in own_subjects()}
    assert own_rules <= touched


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_the_fixtures_notice_the_mutation(mutation: Mutation) -> None:
    removed = {_line(t) for t in mutation.remove}
    assert removed <= shipped_lines(), mutation.name
    validator = _compile((shipped_lines() - removed) | {_line(t) for t in mutation.add})
    affected = sorted(users()[mutation.shape])
    shapes_of = {str(rules()[r]) for r in affected}
    paths = [p for r in affected for p in fixtures(r)]
    assert paths, f"no fixtures for {affected}"
    changed = [
        p for p in paths if results(validator, p, shapes_of) != results(shipped(), p, shapes_of)
    ]
    assert changed, f"no fixture of {affected} notices: {mutation.name}"
