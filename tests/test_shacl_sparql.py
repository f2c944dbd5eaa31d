"""The SPARQL compilation of the shapes (checker/check/shacl_sparql.py) gives pySHACL's results.

pySHACL is the reference, called as checker/check/run.py calls it. On the same N-Triples, both
must give the same top-level results (the report node's ``sh:result`` objects whose
``sh:sourceShape`` is an IRI), compared as (shape, focus, path, value, severity). Blank
node ids differ between parsers, so a blank focus is named by what points at it and a
blank value is ``[]``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef

from checker.assets import asset_dir
from checker.check.shacl_sparql import ShaclValidator, load_shapes
from checker.errors import InputError
from checker.graph.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
BENCH = Path(__file__).resolve().parents[1] / "bench"
SHAPE_FILES = sorted(asset_dir("shapes").glob("*.ttl"))

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

#: (shape, focus, path, value, severity), terms as N-Triples (blank nodes as above).
Key = tuple[str, str, str | None, str | None, str]


@cache
def validator() -> ShaclValidator:
    return ShaclValidator(load_shapes(SHAPE_FILES))


@cache
def rdflib_shapes() -> Graph:
    shapes = Graph()
    for path in SHAPE_FILES:
        shapes.parse(path, format="turtle")
    return shapes


def _synth() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_synth_shacl_sparql", BENCH / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# -- one key per result, the same for both engines ------------------------------------------

Owners = Callable[[object], Iterable[tuple[object, str]]]


def _blank_name(node: object, owners: Owners, depth: int = 2) -> str:
    """A blank node by the predicates and nodes that point at it (``depth`` levels up)."""
    if depth == 0:
        return "[]"
    pointers = []
    for subject, predicate in owners(node):
        if isinstance(subject, URIRef | ox.NamedNode):
            name = f"<{subject if isinstance(subject, URIRef) else subject.value}>"
        else:
            name = _blank_name(subject, owners, depth - 1)
        pointers.append(f"{predicate} of {name}")
    return "[" + ", ".join(sorted(pointers)) + "]"


def _as_rdflib(literal: ox.Literal) -> Literal:
    if literal.language:
        return Literal(literal.value, lang=literal.language)
    if literal.datatype.value == XSD_STRING:
        return Literal(literal.value)
    return Literal(literal.value, datatype=URIRef(literal.datatype.value))


def pyshacl_keys(graph: Graph) -> Counter[Key]:
    """pySHACL's top-level results on ``graph``."""
    _, report, _ = pyshacl.validate(
        graph,
        shacl_graph=rdflib_shapes(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        inplace=True,
    )
    (report_node,) = report.subjects(RDF_TYPE, URIRef(SH + "ValidationReport"))

    def owners(node: object) -> Iterable[tuple[object, str]]:
        return ((s, str(p)) for s, p, _ in graph.triples((None, None, node)))

    def key(term: object, blank: str | None = None) -> str | None:
        if term is None or isinstance(term, URIRef | Literal):
            return None if term is None else term.n3()
        return blank or _blank_name(term, owners)

    def value(result: object, name: str) -> object:
        return report.value(result, URIRef(SH + name))

    results = set()  # pySHACL repeats a result where two constraints fail alike
    for result in report.objects(report_node, URIRef(SH + "result")):
        if isinstance(value(result, "sourceShape"), URIRef):
            path = value(result, "resultPath")
            results.add(
                (
                    str(value(result, "sourceShape")),
                    value(result, "focusNode"),
                    str(path) if isinstance(path, URIRef) else None,
                    value(result, "value"),
                    str(value(result, "resultSeverity")),
                )
            )
    return Counter((s, key(f), p, key(v, "[]"), sev) for s, f, p, v, sev in results)


def sparql_keys(store: ox.Store) -> Counter[Key]:
    """Our validator's results on ``store``."""

    def owners(node: object) -> Iterable[tuple[object, str]]:
        return ((q.subject, q.predicate.value) for q in store.quads_for_pattern(None, None, node))

    def key(term: object, blank: str | None = None) -> str | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            return f"<{term.value}>"
        if isinstance(term, ox.Literal):
            return _as_rdflib(term).n3()
        return blank or _blank_name(term, owners)

    results = validator().validate(store)
    assert len(results) == len(set(results)), "duplicate results"
    return Counter((r.shape, key(r.focus), r.path, key(r.value, "[]"), r.severity) for r in results)


def assert_same_results(ntriples: bytes) -> Counter[Key]:
    """Both engines give the same results on the graph; returns them."""
    graph = Graph()
    graph.parse(data=ntriples, format="nt")
    store = ox.Store()
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    ours, reference = sparql_keys(store), pyshacl_keys(graph)
    missing = sorted((reference - ours).elements(), key=str)
    extra = sorted((ours - reference).elements(), key=str)
    assert not missing and not extra, f"pySHACL only: {missing}\nours only: {extra}"
    return ours


def shapes_reported(results: Counter[Key]) -> set[str]:
    return {shape.rsplit("#", 1)[-1] for shape, *_ in results}


# -- the same results -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture", sorted(FIXTURES.glob("*/*.ttl")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_fixture_gives_pyshacls_results(fixture: Path) -> None:
    graph = build([fixture])
    results = assert_same_results(graph.serialize(format="nt", encoding="utf-8"))
    # Not vacuous: the fixture's rule is reported exactly where it should be.
    assert (fixture.parent.name in shapes_reported(results)) == fixture.name.startswith("fail")


@cache
def portable_validator() -> ShaclValidator:
    return ShaclValidator(load_shapes(SHAPE_FILES), portable=True)


@pytest.mark.parametrize(
    "fixture", sorted(FIXTURES.glob("*/*.ttl")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_portable_queries_give_the_local_results(fixture: Path) -> None:
    """The queries written for any SPARQL 1.1 store (``ropa check --endpoint``: no
    oxigraph-only paths, no ``sameTerm`` with a constant, which Virtuoso 7.2 reads as a
    binding) give the local queries' results; tests/test_remote_check.py runs them in
    Virtuoso itself."""
    store = ox.Store()
    store.load(
        build([fixture]).serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
    )
    assert portable_validator().validate(store) == validator().validate(store)
    assert [q.sparql for q in portable_validator().queries] != [
        q.sparql for q in validator().queries
    ]


def test_shipped_register_gives_pyshacls_results() -> None:
    results = assert_same_results(build().serialize(format="nt", encoding="utf-8"))
    assert sum(results.values()) > 50
    assert len(shapes_reported(results)) > 10


@pytest.mark.parametrize(("activities", "seed"), [(20, 1), (52, 1), (40, 7)])
def test_synthetic_ropa_gives_pyshacls_results(activities: int, seed: int) -> None:
    # bench/synth.py --size tiny (20 activities) and --size 10k (52); another seed.
    synth = _synth()
    results = assert_same_results(synth.to_ntriples(synth.generate(activities, seed)))
    assert len(shapes_reported(results)) >= 10


def test_literal_and_blank_foci_give_pyshacls_results() -> None:
    # REF-DANGLING targets the objects of dpv:hasPurpose: a literal; a temporal duration
    # without a well-typed length: a blank node and an ill-typed one.
    results = assert_same_results(
        b"""
        <urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dpv#Process> .
        <urn:a> <https://w3id.org/dpv#hasPurpose> "marketing" .
        <urn:a> <https://w3id.org/dpv#hasStorageCondition> _:c .
        _:c <https://w3id.org/dpv#hasDuration> _:d .
        _:d <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/dpv#TemporalDuration> .
        _:d <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "10"^^<http://www.w3.org/2001/XMLSchema#duration> .
        """
    )
    foci = {focus for _, focus, *_ in results}
    assert '"marketing"' in foci
    assert any(focus.startswith("[") for focus in foci)
    assert "RETENTION-DURATION-VALUE" in shapes_reported(results)


#: Corners the fixtures leave out: rdf:type of a type (a zero-or-one path, not zero-or-more),
#: rdfs:subClassOf chains for targets and sh:class, an inverse path, a processor in and one
#: outside the EEA (qualified counts), literals and blank nodes where terms are expected,
#: a right stated on a part of the register, a duration with one good and one plain value.
EDGE_CASES = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix eu-gdpr: <https://w3id.org/dpv/legal/eu/gdpr#> .
@prefix legal-eu: <https://w3id.org/dpv/legal/eu#> .
@prefix ex: <https://example.org/> .
@prefix loc: <https://w3id.org/dpv/loc#> .
@prefix pd: <https://w3id.org/dpv/pd#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ropa: <https://w3id.org/ropa-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:register a dpv:ROPA ; dct:hasPart ex:p1, ex:p2 .
ex:p1 dpv:hasRight eu-gdpr:A77 .
ex:p2 dpv:hasRight [ a eu-gdpr:A15 ] .

ex:MyProcessKind rdfs:subClassOf dpv:Process .
ex:Team rdfs:subClassOf dpv:Organisation .
ex:MyConsent a dpv:Consent .
ex:MyObligation skos:broader dpv:LegalObligation .

ex:team a ex:Team ; dpv:hasContact "team@example.org" .
ex:agency a dpv:GovernmentalOrganisation ; dpv:hasRepresentative ex:dpo, ex:someone .
ex:dpo a dpv:DataProtectionOfficer .
ex:someone a dpv:Organisation .
ex:us-proc a dpv:Organisation, dpv:DataProcessor ; dpv:hasLocation loc:US, "somewhere" .
ex:fi-proc a dpv:Organisation, dpv:DataSubProcessor ; dpv:hasLocation loc:FI .
ex:law a dpv:Law ; ropa:statuteNumber "1050/2018" .
ex:dpa a dpv:DataProcessingAgreement ; dpv:hasProcess ex:p1 .

ex:p1 a dpv:Process ;
    dpv:hasDataController ex:team, "ACME" ;
    dpv:hasPurpose dpv:ServiceProvision ;
    dpv:hasDataSubject dpv:Customer ;
    dpv:hasPersonalData pd:EmailAddress, ex:custom-data ;
    dpv:hasLegalBasis [ a ex:MyConsent ], [ a ex:MyObligation ] ;
    dpv:hasApplicableLaw legal-eu:law-GDPR ;
    dpv:hasDataProcessor ex:us-proc, ex:fi-proc ;
    dpv:hasRecipient [ a dpv:Organisation ] ;
    dpv:hasStorageCondition [ dpv:hasDuration [ a dpv:EndlessDuration ] ; dpv:hasApplicableLaw ex:law ] .

ex:custom-data skos:broader pd:Health ; ropa:isSpecialCategory true .

ex:p2 a ex:MyProcessKind ;
    dpv:hasDataController ex:agency ;
    dpv:hasPersonalData pd:Criminal, ex:custom-data ;
    dpv:hasLegalBasis eu-gdpr:A6-1-c, eu-gdpr:A9-2-g ;
    dpv:hasLegalBasis [ a dpv:LegalObligation ; dpv:hasApplicableLaw ex:law ] ;
    dpv:hasDataProcessor ex:fi-proc ;
    dpv:hasTechnicalOrganisationalMeasure [ a dpv:SubProcessorAgreement ] ;
    dpv:hasStorageCondition [ dpv:hasDuration ex:d1, ex:d2 ; ropa:delegatedTo ex:agency ] .

ex:d1 a ropa:DelegatedRetention, dpv:TemporalDuration ; rdf:value "P1Y2M"^^xsd:duration, "P1Y" .
ex:d2 a ropa:CurrentYearPlus, dpv:IndeterminateDuration .
"""


def test_edge_cases_give_pyshacls_results(tmp_path: Path) -> None:
    (tmp_path / "edge.ttl").write_text(EDGE_CASES, encoding="utf-8")
    graph = build([tmp_path / "edge.ttl"])
    results = assert_same_results(graph.serialize(format="nt", encoding="utf-8"))
    assert len(shapes_reported(results)) >= 15
    assert "ART6-CONSENT-AND-OBLIGATION" not in shapes_reported(results)  # [ a ex:MyConsent ]


# -- behaviour of our own -------------------------------------------------------------------


def test_ill_typed_literal_fails_datatype() -> None:
    store = ox.Store()
    store.load(
        b"""
        @prefix dpv: <https://w3id.org/dpv#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <urn:d1> a dpv:TemporalDuration ; rdf:value "10"^^xsd:duration .
        <urn:d2> a dpv:TemporalDuration ; rdf:value "P2Y"^^xsd:duration .
        <urn:d3> a dpv:TemporalDuration ; rdf:value "P6M" .
        <urn:d4> a dpv:TemporalDuration ; rdf:value "P1Y2M3DT4H"^^xsd:duration .
        """,
        format=ox.RdfFormat.TURTLE,
    )
    failing = {
        (r.focus.value, r.value.value)
        for r in validator().validate(store)
        if r.shape.endswith("#RETENTION-DURATION-VALUE")
    }
    assert failing == {("urn:d1", "10"), ("urn:d3", "P6M")}


def test_results_are_sorted_without_duplicates() -> None:
    store = ox.Store()
    store.load(
        build([FIXTURES / "REF-DANGLING" / "fail.ttl"]).serialize(format="nt", encoding="utf-8"),
        format=ox.RdfFormat.N_TRIPLES,
    )
    results = validator().validate(store)
    assert results and results == validator().validate(store)
    assert len(set(results)) == len(results)
    order = [(r.shape, r.path or "") for r in results]
    assert order == sorted(order)


def test_module_does_not_import_pyshacl_or_rdflib() -> None:
    code = (
        "import sys, checker.check.shacl_sparql; "
        "assert 'pyshacl' not in sys.modules and 'rdflib' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=BENCH.parent)


PREFIXES = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:ex:> .\n"


@pytest.mark.parametrize(
    ("shapes", "feature"),
    [
        ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:pattern "^a" .', "sh:pattern"),
        (
            'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this {}" ] .',
            "sh:sparql",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .",
            "sh:maxCount",
        ),
        ("ex:S a sh:NodeShape ; sh:target [ a ex:T ] ; sh:class ex:C .", "sh:target "),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated true .", "sh:deactivated"),
        (  # deep in a nested shape, and in a shape without a target
            'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:not ex:T . ex:T sh:node ex:U . ex:U sh:languageIn ( "en" ) .',
            "sh:languageIn",
        ),
        ("ex:T a sh:NodeShape ; sh:minLength 3 .", "sh:minLength"),
        (
            "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path [ sh:inversePath ( ex:p ex:q ) ] ; sh:minCount 1 .",
            "sh:inversePath",
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path [ ex:foo ex:p ] ; sh:minCount 1 ] .",
            "path",
        ),
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:node ex:S .", "recursive"),
    ],
)
def test_unsupported_feature_is_refused(shapes: str, feature: str) -> None:
    store = ox.Store()
    store.load((PREFIXES + shapes).encode(), format=ox.RdfFormat.TURTLE)
    with pytest.raises(InputError, match=feature) as refused:
        ShaclValidator(store)
    assert "urn:ex:" in str(refused.value) or "_:" in str(refused.value)  # names the shape
