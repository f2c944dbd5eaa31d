"""``ropa check --endpoint``: check the graphs of a SPARQL 1.1 store, where the data is.

The findings are those of a local ``ropa check`` of the same records, record lines
included (``tests/test_remote_check.py`` holds the two equal on the register, every fixture
and a synthetic register against a real Virtuoso). Nothing is written to the store.

1. **The shapes** run in the store: the compiled SHACL shapes
   (:mod:`checker.check.shacl_sparql`, ``portable=True``: plain SPARQL 1.1 with no
   oxigraph-only tuning) are sent as they are, scoped to the graphs with the protocol's
   ``default-graph-uri``.
2. **The rules** (flows, vocabulary, import leftovers) need only a small part of the graph:
   the SPARQL queries of :data:`RULE_SLICES` fetch exactly what they read (the activities'
   links, the flows, the labels, types, locations and providers of the parties, the whole
   concept hierarchy, the triples with a term DPV does not define, what an import left
   unmapped). The Python rules then run unchanged on that slice.
3. **Where each finding was written**: the file, line, label and activity of every focus
   node (and of the nodes that point at it) are fetched 200 foci at a time, so
   :func:`checker.check.context.finding_for` fills in the same fields as locally.

Dialect notes (``docs/store.md``): blank nodes are followed by the labels the store gives
them, which Virtuoso keeps stable across queries; a store that relabels them per answer
loses the findings on blank nodes that a local check reports at their named owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import cache

import pyoxigraph as ox

from checker.check.rules.vocabulary import DPV_NAMESPACES
from checker.check.run import CheckResult, check
from checker.check.shacl_sparql import ShaclResult, ShaclValidator
from checker.check.shapes import shapes_store
from checker.graph.store import StoreGraph
from checker.graph.vocabulary import known_terms
from checker.query.catalogue import CATALOGUE, catalogue_graphs, unchanged
from checker.query.client import Client
from checker.query.store import Row, SparqlStore
from checker.vocab.labels import LABEL_PREDICATES
from checker.vocab.namespaces import QUERY_PREFIXES

#: Foci per request when fetching where findings were written.
CHUNK = 200

#: How many blank nodes up a reported one is followed (as named_owner does).
_OWNER_DEPTH = 6

_LABELS = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
_PREFIXES = "".join(
    f"PREFIX {name}: <{QUERY_PREFIXES[name]}>\n"
    for name in ("rdf", "rdfs", "skos", "dpv", "ropa", "oa", "prov")
)
_LINKS = (
    "dpv:hasOrganisationalUnit dpv:hasDataController dpv:hasPersonalData dpv:hasPurpose "
    "dpv:hasDataSource dpv:hasDataProcessor dpv:hasRecipient"
)

#: What the Python rules read (checker.check.rules, checker.graph.flows,
#: checker.vocab.concepts), as queries that bind ?s ?p ?o.
RULE_SLICES: dict[str, str] = {
    "activities": "SELECT ?s ?p ?o WHERE { ?s a dpv:Process . ?s ?p ?o . "
    f"VALUES ?p {{ rdf:type {_LINKS} }} }}",
    "flows": "SELECT ?s ?p ?o WHERE { ?s a ropa:DataFlow . ?s ?p ?o . VALUES ?p { rdf:type "
    "ropa:sender ropa:receiver dpv:hasPersonalData dpv:hasPurpose ropa:partOfActivity "
    "ropa:condition } }",
    "parties": "SELECT DISTINCT ?s ?p ?o WHERE { { ?x ?link ?s . VALUES ?link { ropa:sender "
    f"ropa:receiver {_LINKS} }} }} UNION {{ ?s ropa:providedBy ?x }} "
    f"?s ?p ?o . VALUES ?p {{ rdf:type dpv:hasLocation ropa:providedBy {_LABELS} }} }}",
    "places": "SELECT DISTINCT ?s ?p ?o WHERE { ?x dpv:hasLocation ?s . ?s ?p ?o . "
    f"VALUES ?p {{ rdf:type {_LABELS} }} }}",
    "data": "SELECT DISTINCT ?s ?p ?o WHERE { ?x dpv:hasPersonalData ?s . ?s ?p ?o . "
    f"VALUES ?p {{ rdf:type ropa:isSpecialCategory {_LABELS} }} }}",
    "hierarchy": "SELECT ?s ?p ?o WHERE { ?s ?p ?o . VALUES ?p { skos:broader rdfs:subClassOf } }",
    "unmapped": "SELECT ?s ?p ?o WHERE { ?s ropa:isUnmapped ?flag . ?s ?p ?o . VALUES ?p { "
    f"ropa:isUnmapped rdf:type oa:hasSelector prov:wasDerivedFrom {_LABELS} }} }}",
    "unmapped passages": "SELECT ?s ?p ?o WHERE { ?n ropa:isUnmapped ?flag ; "
    "prov:wasDerivedFrom ?s . ?s ?p ?o . VALUES ?p { oa:hasSelector } }",
    "unmapped selectors": "SELECT DISTINCT ?s ?p ?o WHERE { ?n ropa:isUnmapped ?flag . "
    "{ ?n oa:hasSelector ?s } UNION { ?n prov:wasDerivedFrom ?x . ?x oa:hasSelector ?s } "
    "?s ?p ?o . VALUES ?p { rdf:type oa:exact ropa:sheet ropa:column ropa:row } }",
}

_TERMS = {
    "property": "SELECT DISTINCT ?t WHERE { ?s ?t ?o }",
    "class": "SELECT DISTINCT ?t WHERE { ?s a ?t }",
}


@cache
def remote_validator() -> ShaclValidator:
    """The shipped shapes compiled for any SPARQL 1.1 store, once per process."""
    return ShaclValidator(shapes_store(), portable=True)


class _Rows:
    """A store that answers the compiled shapes' queries (what ShaclValidator asks of one)."""

    def __init__(self, store: SparqlStore) -> None:
        self.store = store

    def query(self, sparql: str) -> list[Row]:
        return self.store.select(sparql)


def shape_results(store: SparqlStore) -> list[ShaclResult]:
    """The shapes' results on the store's graphs (see :class:`ShaclValidator.validate`)."""
    return remote_validator().validate(_Rows(store))  # type: ignore[arg-type]


def check_store(store: SparqlStore) -> CheckResult:
    """Check the graphs ``store`` is scoped to, as ``ropa check`` checks built records.

    Raises:
        StoreError: the store refused, failed or cut an answer short.
    """
    results = shape_results(store)
    data = ox.Store()
    _add(data, _rule_slice(store))
    rules = check(StoreGraph(data), results=[])  # the Python rules' findings alone
    foci: set[ox.NamedNode | ox.Literal] = {ox.NamedNode(f.focus) for f in rules.findings}
    foci |= {r.focus for r in results if isinstance(r.focus, ox.NamedNode | ox.Literal)}
    _add(data, _where(store, sorted(foci, key=str)))
    _add(data, _blank_owners(store, results))
    return check(StoreGraph(data), results=results)


def _add(data: ox.Store, triples: Iterable[ox.Triple]) -> None:
    data.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)


def _rule_slice(store: SparqlStore) -> Iterator[ox.Triple]:
    """Every triple the Python rules read."""
    for query in RULE_SLICES.values():
        yield from store.triples(_PREFIXES + query)
    known = known_terms()
    for role, query in _TERMS.items():
        unknown = sorted(
            row["t"].value
            for row in store.select(query)
            if isinstance(row.get("t"), ox.NamedNode)
            and row["t"].value.startswith(DPV_NAMESPACES)
            and row["t"].value not in known
        )
        for start in range(0, len(unknown), CHUNK):
            terms = " ".join(f"<{t}>" for t in unknown[start : start + CHUNK])
            if role == "property":
                query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {terms} }} ?s ?p ?o }}"
            else:
                query = f"SELECT ?s ?p ?o WHERE {{ VALUES ?o {{ {terms} }} ?s ?p ?o . FILTER(?p = rdf:type) }}"
            yield from store.triples(_PREFIXES + query)


def _where(store: SparqlStore, foci: Sequence[ox.NamedNode | ox.Literal]) -> Iterator[ox.Triple]:
    """What finding_for reads of each focus: its file, line, types and labels, and the
    same of every named node that points at it."""
    fields = f"ropa:recordFile ropa:recordLine rdf:type {_LABELS}"
    for start in range(0, len(foci), CHUNK):
        values = " ".join(map(str, foci[start : start + CHUNK]))
        yield from store.triples(
            f"{_PREFIXES}SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o . "
            f"VALUES ?p {{ {fields} }} }}"
        )
        yield from store.triples(
            f"{_PREFIXES}SELECT ?s ?p ?o WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o . "
            "FILTER(isIRI(?s)) }"
        )
        yield from store.triples(
            f"{_PREFIXES}SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?f {{ {values} }} ?s ?x ?f . "
            f"FILTER(isIRI(?s)) ?s ?p ?o . VALUES ?p {{ ropa:recordFile ropa:recordLine "
            "rdf:type } }"
        )


def _blank_owners(store: SparqlStore, results: Sequence[ShaclResult]) -> Iterator[ox.Triple]:
    """For a shape that reports a blank node, the chain of nodes that point at it, as deep
    as :func:`checker.check.context.named_owner` follows it, asked through the same query
    (a blank node cannot be named in another one)."""
    shapes = {r.shape for r in results if isinstance(r.focus, ox.BlankNode)}
    for query in remote_validator().queries:
        if query.shape not in shapes:
            continue
        inner = f"SELECT DISTINCT ?focus WHERE {{ {{ {query.sparql} }} FILTER(isBlank(?focus)) }}"
        for depth in range(_OWNER_DEPTH):
            steps = ["?n0 ?q0 ?focus ."]
            steps += [
                f"FILTER(isBlank(?n{i - 1})) ?n{i} ?q{i} ?n{i - 1} ." for i in range(1, depth + 1)
            ]
            below = "?focus" if depth == 0 else f"?n{depth - 1}"
            yield from store.triples(
                f"SELECT DISTINCT ?s ?p ?o WHERE {{ {{ {inner} }} {' '.join(steps)} "
                f"BIND(?n{depth} AS ?s) BIND(?q{depth} AS ?p) BIND({below} AS ?o) }}"
            )


def check_endpoint(
    endpoint: str,
    graphs: Sequence[str] = (),
    *,
    catalogue: str = CATALOGUE,
    client: Client | None = None,
) -> CheckResult:
    """``ropa check --endpoint``: check ``graphs`` (their union, as a local check of several
    record sets), or every graph the store's catalogue lists.

    Raises:
        InputError: no graphs given and none in the catalogue.
        StoreError: the store refused, failed or cut an answer short, or a publish changed
            a graph while it was checked.
    """
    store = SparqlStore(endpoint, client)
    chosen = catalogue_graphs(store, catalogue, graphs)
    with unchanged(store, chosen, catalogue):
        return check_store(store.scoped(chosen))
