"""Publish a register into a shared triple store (``ropa publish``), all or nothing.

Each register goes into its own named graph (:func:`graph_for`: its register IRI with
``#graph``, or ``--graph``), and a catalogue graph (:mod:`checker.query.catalogue`) lists
the graphs that make up the administration. No reader ever sees half a register:

1. the staging graph is announced in the catalogue (so a later publish can remove it if
   this one is killed), then the graph is uploaded into it with one Graph Store ``PUT``;
2. the store counts what the staging graph holds: anything but the triples sent stops
   the publish (exit status 2) and removes the staging graph;
3. one SPARQL Update request replaces the target in one step (``MOVE <staging> TO
   <graph>``) and updates the catalogue entry; the store runs it as one transaction;
4. the target is counted again.

A publish that fails or is interrupted (Ctrl-C, SIGTERM, SIGHUP) before step 3 removes its
staging graph and leaves the published graph as it was; one killed outright (SIGKILL)
leaves only the staging graph, which the next publish of the same graph removes
(:data:`STALE_AFTER`). Requests go through :class:`checker.query.client.Client`: the store's
own authentication challenge, no redirects, every fault one :class:`PublishError` line.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyoxigraph as ox

from checker.assets import default_records
from checker.errors import InputError, RopaError
from checker.graph.build import build
from checker.graph.revisions import repository_root, resolve_revision
from checker.graph.serialize import serialize
from checker.graph.store import ox_store
from checker.query.catalogue import (
    CATALOGUE,
    PROLOGUE,
    Register,
    entry_update,
    graph_for,
    registers_in,
    staging_announcement,
    stale_staging,
)
from checker.query.client import DEFAULT_TIMEOUT, Client, Credentials, StoreError, check_endpoint
from checker.query.store import SparqlStore

#: A staging graph older than this, left by a killed publish, is removed by the next one.
STALE_AFTER = timedelta(hours=1)

#: Seconds given to removing a staging graph after a failure.
_CLEANUP_TIMEOUT = 30.0

#: SQLSTATE 40001, a serialization failure (Virtuoso: "SR172: Transaction deadlocked"): the
#: store gave up one of two concurrent writes and rolled it back. The upload (a PUT that
#: replaces the staging graph) and the swap (one transaction) are safe to send again.
_DEADLOCK = "40001"
#: Attempts of a write the store gave up as deadlocked, and the pause before each retry (s).
DEADLOCK_ATTEMPTS, DEADLOCK_PAUSE = 4, 2.0


class PublishError(RopaError):
    """The store refused or failed the upload, or does not hold what was sent."""


@dataclass(frozen=True)
class PublishResult:
    """What happened: triples sent, what the store holds, and where."""

    endpoint: str
    graph: str
    sent: int
    stored: int
    catalogue: str
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for people.

        >>> PublishResult("http://h/gsp", "urn:g", 3, 3, "urn:c").summary()
        'published 3 triples to graph <urn:g> at http://h/gsp, replaced in one step; the store holds 3; catalogue <urn:c> updated'
        """
        return (
            f"published {self.sent} triples to graph <{self.graph}> at {self.endpoint}, "
            f"replaced in one step; the store holds {self.stored}; "
            f"catalogue <{self.catalogue}> updated"
        )


def check_graph_iri(graph: str, option: str = "--graph") -> str:
    """Refuse a graph name that is not an absolute IRI.

    >>> check_graph_iri("relative/name")
    Traceback (most recent call last):
    ...
    checker.errors.InputError: --graph must be an absolute IRI such as urn:ropa:register or https://..., not 'relative/name'
    """
    try:
        ox.NamedNode(graph)
        valid = ":" in graph and graph.split(":", 1)[0].isalnum()
    except ValueError:
        valid = False
    if not valid:
        raise InputError(
            f"{option} must be an absolute IRI such as urn:ropa:register or https://..., "
            f"not {graph!r}"
        )
    return graph


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store URL of a named graph (indirect identification, ``?graph=``).

    >>> graph_url("http://127.0.0.1:8890/sparql-graph-crud-auth", "urn:ropa:customs")
    'http://127.0.0.1:8890/sparql-graph-crud-auth?graph=urn%3Aropa%3Acustoms'
    """
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + joiner + urllib.parse.urlencode({"graph": graph})


def sparql_endpoint_for(store_endpoint: str) -> str | None:
    """The SPARQL endpoint (queries and updates) beside a Graph Store endpoint, where the
    store's layout is known: Virtuoso's ``/sparql-graph-crud-auth`` has ``/sparql-auth``.

    >>> sparql_endpoint_for("http://127.0.0.1:8890/sparql-graph-crud-auth")
    'http://127.0.0.1:8890/sparql-auth'
    >>> sparql_endpoint_for("https://example.org/ds/data") is None
    True
    """
    parts = urllib.parse.urlsplit(store_endpoint)
    for suffix, replacement in (("-graph-crud-auth", "-auth"), ("-graph-crud", "")):
        if parts.path.endswith(suffix):
            path = parts.path[: -len(suffix)] + replacement
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return None


def version_of(paths: Sequence[Path]) -> str | None:
    """``git:COMMIT`` when the records are committed as they are in a git work tree."""
    folders = [p if p.is_dir() else p.parent for p in (paths or [default_records()])]
    root = repository_root(folders[0].resolve())
    if root is None:
        return None
    commit = resolve_revision(root, "HEAD")
    if commit is None:
        return None
    try:
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", *map(str, folders)],
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return f"git:{commit}" if status.returncode == 0 and not status.stdout.strip() else None


def publish(
    paths: Sequence[Path] = (),
    *,
    endpoint: str,
    graph: str | None = None,
    sparql: str | None = None,
    catalogue: str = CATALOGUE,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> PublishResult:
    """Build the graph (default: the shipped register) and publish it (``ropa publish``).

    Args:
        paths: record sets and RDF files, as for ``ropa build``.
        endpoint: the Graph Store endpoint (Virtuoso: ``.../sparql-graph-crud-auth``).
        graph: the named graph to replace (default: :func:`graph_for` the register).
        sparql: the SPARQL endpoint for the count and the swap (default:
            :func:`sparql_endpoint_for` the Graph Store endpoint).
        catalogue: the catalogue graph.
        credentials: a user with write access to the store.
        timeout: seconds to wait for each answer.

    Raises:
        InputError: bad options, input that does not build, or no register to name the graph.
        PublishError: the store refused, failed, or does not hold what was sent.
    """
    check_endpoint(endpoint)
    sparql = _sparql_option(endpoint, sparql)
    for name, iri in (("--graph", graph), ("--catalogue", catalogue)):
        if iri is not None:
            check_graph_iri(iri, name)
    built = build(list(paths))
    registers = registers_in(ox_store(built))
    if graph is None:
        if len(registers) != 1:
            found = "no register" if not registers else f"{len(registers)} registers"
            raise InputError(
                f"the records hold {found}: give --graph IRI (one register per named graph)"
            )
        graph = graph_for(registers[0])
    data = serialize(built, "nt")
    return publish_ntriples(
        data,
        endpoint=endpoint,
        graph=graph,
        sparql=sparql,
        catalogue=catalogue,
        credentials=credentials,
        timeout=timeout,
        register=registers[0] if len(registers) == 1 else None,
        version=version_of(paths),
    )


def _sparql_option(endpoint: str, sparql: str | None) -> str:
    if sparql is None:
        sparql = sparql_endpoint_for(endpoint)
        if sparql is None:
            raise InputError(
                "give --sparql URL: the store's SPARQL endpoint for queries and updates "
                "(known without it for Virtuoso's /sparql-graph-crud-auth)"
            )
    return check_endpoint(sparql, "--sparql")


def publish_ntriples(
    data: bytes,
    *,
    endpoint: str,
    graph: str,
    sparql: str | None = None,
    catalogue: str = CATALOGUE,
    credentials: Credentials | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    register: Register | None = None,
    version: str | None = None,
) -> PublishResult:
    """Publish N-Triples into ``graph`` all or nothing (see the module's steps).

    Raises:
        InputError: a bad endpoint URL or graph IRI.
        PublishError: the store refused, failed, or does not hold what was sent; the
            published graph is then as it was.
    """
    check_endpoint(endpoint)
    sparql = _sparql_option(endpoint, sparql)
    check_graph_iri(graph)
    check_graph_iri(catalogue, "--catalogue")
    start = time.monotonic()
    sent = sum(1 for line in data.splitlines() if line.strip() and not line.startswith(b"#"))
    client = Client(credentials, timeout)
    store = SparqlStore(sparql, client)
    now = datetime.now(UTC).replace(microsecond=0)
    staging = f"urn:ropa-kg:staging:{uuid.uuid4()}"
    swapping = False
    try:
        _remove_stale(store, catalogue, graph, now)
        store.update(staging_announcement(catalogue, staging, graph, now))
    except StoreError as exc:
        raise PublishError(f"{exc}; nothing was published") from None
    try:
        _again_if_deadlocked(
            lambda: client.request(
                "PUT",
                graph_url(endpoint, staging),
                body=data,
                headers={"Content-Type": "application/n-triples; charset=utf-8"},
            )
        )
        held = store.count(staging)
        if held != sent:
            raise PublishError(
                f"the store holds {held} of the {sent} triples sent: nothing was published, "
                f"<{graph}> is unchanged"
            )
        entry = entry_update(
            catalogue,
            graph,
            register=register,
            version=version,
            digest="sha256:" + hashlib.sha256(data).hexdigest(),
            issued=now,
            triples=sent,
            staging=staging,
        )
        swapping = True
        swap = f"{PROLOGUE}MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}> ;\n{entry}"
        _again_if_deadlocked(lambda: store.update(swap))
    except StoreError as exc:
        _remove_staging(store, catalogue, staging)
        raise PublishError(f"{exc}; <{graph}> is unchanged") from None
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM / SIGHUP under interruptible()
        _remove_staging(store, catalogue, staging)
        if swapping:
            raise PublishError(
                f"interrupted during the swap: the store holds either the old or the new <{graph}>"
            ) from None
        raise PublishError(f"interrupted: nothing was published, <{graph}> is unchanged") from None
    except BaseException:  # a refused count: leave nothing half-done
        _remove_staging(store, catalogue, staging)
        raise
    try:
        stored = store.count(graph)
    except StoreError as exc:
        raise PublishError(f"published, but the count afterwards failed: {exc}") from None
    if stored != sent:
        raise PublishError(
            f"after the swap the store holds {stored} of the {sent} triples in <{graph}>"
        )
    return PublishResult(endpoint, graph, sent, stored, catalogue, time.monotonic() - start)


def _again_if_deadlocked(write: Callable[[], object]) -> None:
    """Run ``write``; again (at most :data:`DEADLOCK_ATTEMPTS` times) while the store gives
    it up as deadlocked with a concurrent write, e.g. another register's publish."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            write()
            return
        except StoreError as exc:
            if _DEADLOCK not in str(exc) or attempt == DEADLOCK_ATTEMPTS:
                raise
        time.sleep(DEADLOCK_PAUSE * attempt)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM and SIGHUP interrupt like Ctrl-C while inside (the main thread only), so that
    an interrupted publish removes its staging graph. SIGKILL cannot be caught: the next
    publish removes what it leaves (:data:`STALE_AFTER`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = (signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.getsignal(number) for number in caught}
    for number in caught:
        signal.signal(number, _interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _remove_stale(store: SparqlStore, catalogue: str, graph: str, now: datetime) -> None:
    """Remove the staging graphs that killed publishes of ``graph`` left behind."""
    for staging in stale_staging(store, catalogue, graph, now - STALE_AFTER):
        _remove_staging(store, catalogue, staging)


def _remove_staging(store: SparqlStore, catalogue: str, staging: str) -> None:
    """Drop a staging graph and its catalogue note; a failure here is not reported."""
    with contextlib.suppress(StoreError, OSError):
        store.update(
            f"DROP SILENT GRAPH <{staging}> ;\n"
            f"DELETE WHERE {{ GRAPH <{catalogue}> {{ <{staging}> ?p ?o }} }}",
            timeout=_CLEANUP_TIMEOUT,
        )
