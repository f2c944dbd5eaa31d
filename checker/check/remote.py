"""``ropa check --endpoint``: check the graphs of a SPARQL 1.1 store, where the data is.

The findings are those of a local ``ropa check`` of the same records, record lines
included (``tests/test_remote_check.py`` compares the two on the register and every fixture
against a real Virtuoso). Nothing is written to the store.

1. **The shapes** run in the store: the compiled SHACL shapes
   (:mod:`checker.check.shacl_sparql`, ``portable=True``: plain SPARQL 1.1 with no
   oxigraph-only tuning) are sent as they are, scoped to the graphs with the protocol's
   ``default-graph-uri``.
2. **The Python rules** (flows, vocabulary, retention, disclosures, notice, import
   leftovers, ...) read the graphs' triples from the store (one ``SELECT ?s ?p ?o``, as XML,
   durations repaired as :func:`checker.query.store.repaired` says) and run unchanged on
   them, so every finding, with its file, line, label and activity, is the local check's.
   Reading only the slices the rules need was tried (it was this module's first version)
   and broke each time a rule was added that reads more: the whole graphs are read, one
   register at a time costs what a local build of it costs (``bench/store.py``).

Dialect notes (``docs/store.md``): a blank node the shapes report is matched to the graph's
by the label the store gives it, which Virtuoso keeps stable across queries; a store that
relabels blank nodes per answer loses the findings on blank nodes that a local check
reports at their named owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pyoxigraph as ox

from checker.check.run import CheckResult, check
from checker.check.shacl_sparql import ShaclResult, ShaclValidator
from checker.check.shapes import shapes_store
from checker.graph.store import StoreGraph
from checker.query.catalogue import CATALOGUE, catalogue_graphs, unchanged
from checker.query.client import Client
from checker.query.store import Row, SparqlStore, repaired


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
    triples = store.triples("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    data.extend(ox.Quad(t.subject, t.predicate, repaired(t.object)) for t in triples)
    return check(StoreGraph(data), results=results)


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
