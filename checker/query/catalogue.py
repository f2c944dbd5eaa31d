"""The catalogue graph: which named graphs of a store make up the administration.

``ropa publish`` keeps one entry per published graph in the catalogue graph (default
:data:`CATALOGUE`), in standard vocabularies (VoID, Dublin Core, FOAF, DPV)::

    <https://e.org/reg/customs-register#graph> a void:Dataset ;
        foaf:primaryTopic <https://e.org/reg/customs-register> ;   # the register (dpv:ROPA)
        dct:title "Processing of personal data in customer services"@en ;
        dpv:hasDataController <https://e.org/reg/finnish-customs> ;
        dct:hasVersion "git:3f2c..." ;                              # committed records only
        dct:identifier "sha256:..." ;                               # of the N-Triples sent
        dct:issued "2025-01-31T12:00:00Z"^^xsd:dateTime ;           # published at
        void:triples 7284 .

A publish in progress announces its staging graph (``dct:isVersionOf`` the target,
``dct:created``), so that the staging graph of a publish killed outright can be found and
removed later. ``ropa query --endpoint``, ``ropa check --endpoint`` and ``ropa diff
--endpoint`` read the published graphs from here when no ``--graph`` is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from checker.errors import InputError
from checker.query.client import StoreError
from checker.query.store import SparqlStore

#: The catalogue graph unless ``--catalogue`` names another.
CATALOGUE = "urn:ropa-kg:catalogue"

#: The prefixes of the catalogue's queries and updates (before the first operation).
PROLOGUE = """PREFIX void: <http://rdfs.org/ns/void#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@dataclass(frozen=True)
class Register:
    """A register (``dpv:ROPA``) of a built graph: its IRI, title and controller."""

    iri: str
    title: ox.Literal | None
    controller: str | None


@dataclass(frozen=True)
class Entry:
    """One published graph of the catalogue."""

    graph: str
    register: str | None
    title: str | None
    triples: int | None


def registers_in(store: ox.Store) -> list[Register]:
    """The registers of a built graph, in IRI order (one title and controller each)."""
    found: dict[str, Register] = {}
    query = (
        PROLOGUE + "SELECT ?r ?title ?controller WHERE { ?r a dpv:ROPA . FILTER(isIRI(?r)) "
        "OPTIONAL { ?r dct:title ?title } OPTIONAL { ?r dpv:hasDataController ?controller } } "
        "ORDER BY ?r ?title ?controller"
    )
    for row in store.query(query):  # type: ignore[union-attr]
        iri, title, controller = row[0], row[1], row[2]
        if iri.value in found:
            continue
        found[iri.value] = Register(
            iri.value,
            title if isinstance(title, ox.Literal) else None,
            controller.value if isinstance(controller, ox.NamedNode) else None,
        )
    return list(found.values())


def graph_for(register: Register) -> str:
    """The named graph of a register: its IRI with ``#graph``.

    >>> graph_for(Register("https://e.org/reg/customs-register", None, None))
    'https://e.org/reg/customs-register#graph'
    """
    return register.iri.split("#", 1)[0] + "#graph"


def graph_name(built: ox.Store, path: Path) -> str:
    """The graph a built record set or file is published to: its register's (one register),
    else the file's own ``file:`` IRI."""
    registers = registers_in(built)
    return graph_for(registers[0]) if len(registers) == 1 else path.resolve().as_uri()


def _datetime(moment: datetime) -> str:
    return str(
        ox.Literal(
            moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"),
        )
    )


def staging_announcement(catalogue: str, staging: str, graph: str, now: datetime) -> str:
    """The update that notes a staging graph in the catalogue before the upload."""
    return (
        f"{PROLOGUE}INSERT DATA {{ GRAPH <{catalogue}> {{ <{staging}> dct:isVersionOf "
        f"<{graph}> ; dct:created {_datetime(now)} }} }}"
    )


def stale_staging(store: SparqlStore, catalogue: str, graph: str, before: datetime) -> list[str]:
    """Staging graphs for ``graph`` announced before ``before`` (left by killed publishes)."""
    rows = store.scoped(()).select(
        f"{PROLOGUE}SELECT ?staging ?created WHERE {{ GRAPH <{catalogue}> {{ "
        f"?staging dct:isVersionOf <{graph}> ; dct:created ?created }} }}"
    )
    stale = []
    for row in rows:
        staging, created = row.get("staging"), row.get("created")
        if not isinstance(staging, ox.NamedNode) or not isinstance(created, ox.Literal):
            continue
        try:
            moment = datetime.fromisoformat(created.value.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is None or moment < before:
            stale.append(staging.value)
    return sorted(stale)


def entry_update(
    catalogue: str,
    graph: str,
    *,
    register: Register | None,
    version: str | None,
    digest: str,
    issued: datetime,
    triples: int,
    staging: str,
) -> str:
    """The update operations that replace the catalogue entry of ``graph`` and drop the
    staging note, to follow other operations of one request (:data:`PROLOGUE` first)."""
    facts = ["a void:Dataset", f"dct:identifier {ox.Literal(digest)}"]
    facts += [f"dct:issued {_datetime(issued)}", f"void:triples {triples}"]
    if register is not None:
        facts.append(f"foaf:primaryTopic <{register.iri}>")
        if register.title is not None:
            facts.append(f"dct:title {register.title}")
        if register.controller is not None:
            facts.append(f"dpv:hasDataController <{register.controller}>")
    if version is not None:
        facts.append(f"dct:hasVersion {ox.Literal(version)}")
    return (
        f"DELETE WHERE {{ GRAPH <{catalogue}> {{ <{graph}> ?p ?o }} }} ;\n"
        f"DELETE WHERE {{ GRAPH <{catalogue}> {{ <{staging}> ?p ?o }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{catalogue}> {{ <{graph}> {' ; '.join(facts)} }} }}"
    )


def published(store: SparqlStore, catalogue: str = CATALOGUE) -> list[Entry]:
    """The graphs the catalogue lists as published, in graph IRI order."""
    rows = store.scoped(()).select(
        f"{PROLOGUE}SELECT ?graph ?register ?title ?triples WHERE {{ GRAPH <{catalogue}> {{ "
        "?graph a void:Dataset . OPTIONAL { ?graph foaf:primaryTopic ?register } "
        "OPTIONAL { ?graph dct:title ?title } OPTIONAL { ?graph void:triples ?triples } } }"
    )
    entries: dict[str, Entry] = {}
    for row in rows:
        graph, register = row.get("graph"), row.get("register")
        title, triples = row.get("title"), row.get("triples")
        if not isinstance(graph, ox.NamedNode) or graph.value in entries:
            continue
        entries[graph.value] = Entry(
            graph.value,
            register.value if isinstance(register, ox.NamedNode) else None,
            title.value if isinstance(title, ox.Literal) else None,
            int(triples.value)
            if isinstance(triples, ox.Literal) and triples.value.isdigit()
            else None,
        )
    return [entries[g] for g in sorted(entries)]


def catalogue_graphs(store: SparqlStore, catalogue: str, graphs: Sequence[str] = ()) -> list[str]:
    """``graphs`` when given, else every published graph of the catalogue.

    Raises:
        InputError: no ``graphs`` and an empty (or missing) catalogue.
    """
    if graphs:
        return list(graphs)
    found = [entry.graph for entry in published(store, catalogue)]
    if not found:
        raise InputError(
            f"the store's catalogue <{catalogue}> lists no published graph: give --graph IRI, "
            "or publish the registers with ropa publish"
        )
    return found


@contextmanager
def unchanged(
    store: SparqlStore, graphs: Sequence[str], catalogue: str = CATALOGUE
) -> Iterator[None]:
    """Refuse a read that a publish ran through: each graph must hold what its catalogue
    entry says before the read, and the same after it.

    A store may let a reader see a swap half done (Virtuoso 7.2 does, see docs/store.md);
    ``ropa check --endpoint`` and ``ropa diff --endpoint`` then fail rather than report on
    half a register.

    Raises:
        StoreError: a graph changed, or disagrees with its catalogue entry.
    """
    listed = {entry.graph: entry.triples for entry in published(store, catalogue)}
    before = {graph: store.count(graph) for graph in graphs}
    for graph, held in before.items():
        expected = listed.get(graph)
        if expected is not None and expected != held:
            raise StoreError(
                f"<{graph}> holds {held} triples, its catalogue entry says {expected}: "
                "a publish is under way; try again when it has finished"
            )
    yield
    after = {graph: store.count(graph) for graph in graphs}
    changed = sorted(g for g in graphs if after[g] != before[g])
    if changed:
        raise StoreError(
            f"<{changed[0]}> changed while it was read ({before[changed[0]]} triples, then "
            f"{after[changed[0]]}): a publish ran meanwhile; try again"
        )
