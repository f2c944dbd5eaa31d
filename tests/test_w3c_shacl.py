"""The SHACL features the compiler supports (docs/organisation-rules.md), held to the W3C
SHACL core test suite: each case under tests/fixtures/w3c-shacl/ (copied from
w3c/data-shapes, data-shapes-test-suite/tests/core; licence in that folder) runs through
the compiler (checker/check/shacl_sparql.py) and through pySHACL, and both must give the
validation report the suite expects.

Results are compared as (source shape, focus node, path, value, severity), terms in
N-Triples, blank nodes by their labels in the one parse of the case file (data graph,
shapes graph and expected report are that file). ``sh:resultPath`` is compared where it is
an IRI (the compiler gives no complex path), ``sh:sourceConstraintComponent`` not at all
(the compiler reports one result where two constraints of a shape fail alike).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from checker.check.shacl_sparql import ShaclValidator

SUITE = Path(__file__).parent / "fixtures" / "w3c-shacl"
CASES = sorted(SUITE.glob("core/*/*.ttl"))

#: Where the suite's expected report is not the specification's, and both engines follow
#: the specification: the result it expects, and the one the specification gives.
#: node/hasValue-001 expects sh:value at a node shape's sh:hasValue, and says itself that this
#: is "quite possibly incorrect against the current spec" (w3c/data-shapes issue 111): the
#: textual definition of sh:hasValue (SHACL 4.8.3) names no value node, and the suite's
#: later revision drops the sh:value.
SPEC_OVER_SUITE = {
    "node/hasValue-001": (
        (
            "<http://datashapes.org/sh/tests/core/node/hasValue-001.test#TestShape>",
            '"Invalid String"',
            None,
            '"Invalid String"',
            "<http://www.w3.org/ns/shacl#Violation>",
        ),
        (
            "<http://datashapes.org/sh/tests/core/node/hasValue-001.test#TestShape>",
            '"Invalid String"',
            None,
            None,
            "<http://www.w3.org/ns/shacl#Violation>",
        ),
    ),
}

SH = "http://www.w3.org/ns/shacl#"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Key = tuple[str, str, str | None, str | None, str]


def _ox(store: ox.Store, subject: object, name: str) -> list[object]:
    quads = store.quads_for_pattern(subject, ox.NamedNode(name), None, None)
    return sorted((q.object for q in quads), key=str)


def _case(store: ox.Store) -> object:
    """The expected report of the one sht:Validate entry of the file."""
    (entry,) = [
        q.subject
        for q in store.quads_for_pattern(
            None, ox.NamedNode(RDF_TYPE), ox.NamedNode(SHT + "Validate")
        )
    ]
    (action,) = _ox(store, entry, MF + "action")
    (data,) = _ox(store, action, SHT + "dataGraph")
    (shapes,) = _ox(store, action, SHT + "shapesGraph")
    assert data == shapes, "the cases kept here validate the file against itself"
    (report,) = _ox(store, entry, MF + "result")
    return report


def expected_keys(store: ox.Store) -> set[Key]:
    report = _case(store)

    def one(result: object, name: str) -> str | None:
        values = _ox(store, result, SH + name)
        return str(values[0]) if values else None

    keys = set()
    for result in _ox(store, report, SH + "result"):
        path = _ox(store, result, SH + "resultPath")
        keys.add(
            (
                one(result, "sourceShape"),
                one(result, "focusNode"),
                path[0].value if path and isinstance(path[0], ox.NamedNode) else None,
                one(result, "value"),
                one(result, "resultSeverity"),
            )
        )
    return keys


def compiled_keys(store: ox.Store) -> set[Key]:
    validator = ShaclValidator(store, partial=True)
    assert not validator.refused, f"not a supported feature: {validator.refused}"
    return {
        (
            r.shape if r.shape.startswith("_:") else f"<{r.shape}>",
            str(r.focus),
            r.path,
            None if r.value is None else str(r.value),
            f"<{r.severity}>",
        )
        for r in validator.validate(store)
    }


def pyshacl_keys(path: Path) -> tuple[set[Key], set[Key]]:
    """pySHACL's results and the expected ones, both from one rdflib parse of the case."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=path.as_uri())
    _, report, _ = pyshacl.validate(graph, shacl_graph=graph, inference="none", inplace=True)

    def n3(term: object) -> str | None:
        return term.n3() if isinstance(term, URIRef | BNode | Literal) else None

    def keys(g: Graph, report_node: object) -> set[Key]:
        found = set()
        for result in g.objects(report_node, URIRef(SH + "result")):
            path = g.value(result, URIRef(SH + "resultPath"))
            found.add(
                (
                    n3(g.value(result, URIRef(SH + "sourceShape"))),
                    n3(g.value(result, URIRef(SH + "focusNode"))),
                    str(path) if isinstance(path, URIRef) else None,
                    n3(g.value(result, URIRef(SH + "value"))),
                    n3(g.value(result, URIRef(SH + "resultSeverity"))),
                )
            )
        return found

    (report_node,) = report.subjects(URIRef(RDF_TYPE), URIRef(SH + "ValidationReport"))
    (entry,) = graph.subjects(URIRef(RDF_TYPE), URIRef(SHT + "Validate"))
    expected = graph.value(entry, URIRef(MF + "result"))
    return keys(report, report_node), keys(graph, expected)


def _load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
    return store


def _name(case: Path) -> str:
    return f"{case.parent.name}/{case.stem}"


def _as_specified(case: Path, expected: set[Key]) -> set[Key]:
    if _name(case) not in SPEC_OVER_SUITE:
        return expected
    suite, spec = SPEC_OVER_SUITE[_name(case)]
    assert suite in expected, "the suite's expectation is as documented"
    return (expected - {suite}) | {spec}


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_compiler_gives_the_expected_report(case: Path) -> None:
    store = _load(case)
    assert compiled_keys(store) == _as_specified(case, expected_keys(store))


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_pyshacl_gives_the_expected_report(case: Path) -> None:
    ours, expected = pyshacl_keys(case)
    assert ours == _as_specified(case, expected)


def test_every_feature_the_compiler_supports_has_a_case() -> None:
    """The cases kept are those whose every shape the compiler supports (the rest of the
    suite uses features it refuses: sh:maxCount, sh:pattern, sh:closed, ...)."""
    names = {_name(case) for case in CASES}
    assert len(names) == 29
    used = set()
    for case in CASES:
        store = _load(case)
        used |= {
            q.predicate.value.removeprefix(SH) for q in store if q.predicate.value.startswith(SH)
        }
    features = {"class", "datatype", "nodeKind", "in", "hasValue", "minCount", "node", "not"}
    features |= {"or", "and", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount"}
    features |= {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "severity"}
    features |= {"alternativePath", "inversePath", "zeroOrMorePath", "zeroOrOnePath"}
    features |= {"oneOrMorePath", "property", "path"}
    assert features - used == {"inversePath"}  # its cases also use sh:maxCount
