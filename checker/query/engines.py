"""Where queries run: the built graph embedded, or a SPARQL 1.1 endpoint; read-only and time-limited.

- :class:`LocalEngine`: the built graph in an embedded pyoxigraph store. pyoxigraph cannot
  be interrupted from another thread, so every query runs in a forked child process that is
  killed when it passes its time limit (about 3 ms of overhead per query; see
  ``bench/query_engines.py``).
- :class:`RemoteEngine`: a SPARQL 1.1 Protocol endpoint such as OpenLink Virtuoso, scoped to
  one named graph through the protocol's ``default-graph-uri`` parameter.

Both label the IRIs of an answer by the one rule of :mod:`checker.vocab.labels`.
"""

from __future__ import annotations

import faulthandler
import json
import os
import resource
import select
import signal
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pyoxigraph as ox

from checker.errors import InputError, RopaError
from checker.query.cache import cached_store
from checker.query.catalogue import CATALOGUE, catalogue_graphs, graph_name
from checker.query.client import Client, StoreError, StoreTimeout, check_endpoint
from checker.query.results import Boolean, Result, Solutions, Term, solutions_from, triples_from
from checker.query.store import SparqlStore
from checker.query.text import (
    QueryText,
    QueryTimeout,
    check_read_only,
    syntax_error,
)
from checker.vocab.labels import LABEL_PREDICATES, Candidate, pick
from checker.vocab.namespaces import DPV, QUERY_PREFIXES, RDF

#: Seconds a query may run before it is stopped (``--timeout``).
DEFAULT_TIMEOUT = 30.0

#: Megabytes a query may add to its process before it is stopped (``--memory``).
DEFAULT_MEMORY_MB = 2048

_LABEL_NODES = tuple(ox.NamedNode(str(p)) for p in LABEL_PREDICATES)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_DPV_ROPA = ox.NamedNode(str(DPV.ROPA))


# --- engines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A serialised answer: ``kind`` is ``solutions``, ``boolean`` or ``triples``."""

    kind: str
    data: bytes
    media_type: str


class Engine(ABC):
    """What ``ropa query`` needs of an engine: answers, labels, the register's namespace."""

    def query(
        self,
        query: QueryText | str,
        *,
        bindings: Mapping[str, Term] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Result:
        """Run a read-only query (text, or a :class:`QueryText`) and return its answer."""
        return self._answer(_as_query(query), bindings or {}, timeout)

    @abstractmethod
    def _answer(self, query: QueryText, bindings: Mapping[str, Term], timeout: float) -> Result:
        """The answer of ``query`` with ``bindings``, within ``timeout`` seconds."""

    @abstractmethod
    def labels(self, nodes: Iterable[ox.NamedNode]) -> dict[ox.NamedNode, str]:
        """The label of each node that has one (:mod:`checker.vocab.labels`)."""

    @abstractmethod
    def namespaces(self) -> dict[str, str]:
        """Short names for table output: the register's namespace as the empty prefix."""


def _as_query(query: QueryText | str) -> QueryText:
    return query if isinstance(query, QueryText) else QueryText(query, "query")


class _ChildError(Exception):
    """An error raised in the query's child process, carried back to the parent."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class QueryMemoryLimit(RopaError):
    """The query grew past its memory limit and was stopped."""


def run_isolated(
    task: Callable[[], bytes], timeout: float, memory_mb: int | None = DEFAULT_MEMORY_MB
) -> bytes:
    """Run ``task`` in a forked child and return its bytes; kill it after ``timeout`` s, and
    let it grow by at most ``memory_mb`` MB (``RLIMIT_AS`` in the child; None: no limit).

    pyoxigraph holds the thread until a query ends, so a runaway query can only be
    stopped by stopping its process. The child shares the parent's store copy-on-write;
    the memory limit counts what the child adds to the address space it started with.

    >>> run_isolated(lambda: b"answer", 5)
    b'answer'
    >>> run_isolated(lambda: time.sleep(5) or b"late", 0.2)
    Traceback (most recent call last):
    ...
    checker.query.text.QueryTimeout: query stopped after 0.2 s: it ran past the time limit (--timeout)
    >>> run_isolated(lambda: bytes(300 << 20), 30, memory_mb=100)
    Traceback (most recent call last):
    ...
    checker.query.engines.QueryMemoryLimit: query stopped: it uses more than 100 MB of memory (--memory)
    """
    if not hasattr(os, "fork"):  # pragma: no cover - Windows: no fork, no enforced limit
        return task()
    read_fd, write_fd = os.pipe()
    err_read, err_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, write, leave without running the parent's exit handlers
        _child(task, read_fd, write_fd, err_read, err_write, memory_mb)
    os.close(write_fd)
    os.close(err_write)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    finished = False
    poller = select.poll()  # not select(): a busy server may hold descriptors past 1024
    poller.register(read_fd, select.POLLIN | select.POLLHUP)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(max(1, int(remaining * 1000))):
                break
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if not finished:
            os.kill(pid, signal.SIGKILL)
        ended = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        os.set_blocking(err_read, False)
        try:
            said = os.read(err_read, 1 << 16).decode("utf-8", "replace")
        except BlockingIOError:
            said = ""
        os.close(err_read)
    if not finished:
        raise QueryTimeout(
            f"query stopped after {timeout:g} s: it ran past the time limit (--timeout)"
        )
    payload = b"".join(chunks)
    if payload[:1] == b"K":
        return payload[1:]
    memory = QueryMemoryLimit(
        f"query stopped: it uses more than {memory_mb} MB of memory (--memory)"
    )
    if payload[:1] == b"E":
        error = json.loads(payload[1:])
        if error["kind"] == "MemoryError" and memory_mb is not None:
            raise memory
        raise _ChildError(error["kind"], error["message"])
    if "memory allocation of" in said and memory_mb is not None:
        raise memory
    if "overflowed its stack" in said or ended == -signal.SIGSEGV:
        raise RopaError(
            "the query process crashed (its stack overflowed): is the query nested too deeply?"
        )
    raise RopaError(f"the query process ended without an answer (status {ended})")


def _child(
    task: Callable[[], bytes],
    read_fd: int,
    write_fd: int,
    err_read: int,
    err_write: int,
    memory_mb: int | None,
) -> NoReturn:
    """The forked child of :func:`run_isolated`: cap, run, write, leave without running the
    parent's exit handlers. Its stderr goes to the parent (an allocation failure says so)."""
    status = 0
    try:
        os.close(read_fd)
        os.close(err_read)
        os.dup2(err_write, 2)
        faulthandler.disable()  # a crash is reported by the parent, not dumped on a terminal
        if memory_mb is not None:
            _cap_address_space(memory_mb)
        try:
            payload = b"K" + task()
        except BaseException as exc:
            kind = "syntax" if isinstance(exc, SyntaxError) else type(exc).__name__
            payload = b"E" + json.dumps({"kind": kind, "message": str(exc)}).encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view) :]
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _cap_address_space(megabytes: int) -> None:
    """Let this process's address space grow by ``megabytes`` at most (Linux: ``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):  # pragma: no cover - not Linux
        return
    limit = size * 1024 + (megabytes << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class LocalEngine(Engine):
    """The built graph in an embedded pyoxigraph store.

    Args:
        store: the store to query (its default graph holds the graph).
        prefixes: prefixes queries may use without declaring them.
        memory_mb: megabytes a query may add to its process (None: no limit).
    """

    def __init__(
        self,
        store: ox.Store,
        prefixes: Mapping[str, str] = QUERY_PREFIXES,
        memory_mb: int | None = DEFAULT_MEMORY_MB,
    ):
        self.store = store
        self.prefixes = dict(prefixes)
        self.memory_mb = memory_mb

    @classmethod
    def from_paths(cls, paths: Sequence[Path] = ()) -> LocalEngine:
        """Build the graph from records and RDF files (default: the shipped register).

        With several PATHS, each is also built into a named graph of its own, named as
        ``ropa publish`` names it (:func:`checker.query.catalogue.graph_name`), so that a
        query can ask which register states what (``GRAPH ?g``), as it can on a store.
        """
        # Imported here, not at the top: the build and rdflib's store API cost about 1.5 s of
        # start-up (python -X importtime), which a ropa query served by the cache skips.
        from checker.graph.build import build
        from checker.graph.store import ox_store

        store = ox_store(build(list(paths)))
        if len(paths) > 1:
            for path in paths:
                part = ox_store(build([path]))
                graph = ox.NamedNode(graph_name(part, path))
                store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in part)
        return cls(store)

    @classmethod
    def from_cache(cls, paths: Sequence[Path] = ()) -> LocalEngine:
        """As :meth:`from_paths`, through the on-disk cache of big built graphs
        (:mod:`checker.query.cache`): a big graph built before opens in milliseconds."""
        return cls(cached_store(paths, lambda: cls.from_paths(paths).store))

    def raw(
        self,
        query: QueryText | str,
        *,
        bindings: Mapping[str, Term] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        results_format: ox.QueryResultsFormat | None = ox.QueryResultsFormat.JSON,
        graph_format: ox.RdfFormat | None = ox.RdfFormat.N_TRIPLES,
        default_graph: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
    ) -> Raw:
        """Run a read-only query in a child process; the answer serialised as asked.

        A format of None means the caller cannot accept that kind of answer: the result
        is then :class:`NotAcceptable`.

        Raises:
            UpdateRefused: an update.
            QueryRefused: a federated SERVICE call.
            QuerySyntaxError: the query does not parse (with line and column).
            QueryTimeout: the query ran past ``timeout`` seconds.
            QueryMemoryLimit: the query grew past :attr:`memory_mb`.
        """
        query = _as_query(query)
        check_read_only(query, allow_service=False)
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        options: dict[str, object] = {"prefixes": self.prefixes, "substitutions": substitutions}
        if default_graph:
            options["default_graph"] = list(default_graph)
        if named_graphs:
            options["named_graphs"] = list(named_graphs)

        def task() -> bytes:
            answer = self.store.query(query.text, **options)  # type: ignore[arg-type]
            if isinstance(answer, ox.QueryTriples):
                kind, fmt = "triples", graph_format
            else:
                kind = "boolean" if isinstance(answer, ox.QueryBoolean) else "solutions"
                fmt = results_format
            if fmt is None:
                return json.dumps({"kind": kind, "acceptable": False}).encode() + b"\n"
            data = answer.serialize(format=fmt)  # type: ignore[arg-type]
            head = {"kind": kind, "acceptable": True, "media_type": fmt.media_type}
            return json.dumps(head).encode() + b"\n" + data

        try:
            payload = run_isolated(task, timeout, self.memory_mb)
        except _ChildError as exc:
            if exc.kind == "syntax":
                raise syntax_error(exc.message, query) from None
            raise RopaError(f"{query.source}: the query failed: {exc.message}") from None
        head_line, _, data = payload.partition(b"\n")
        head = json.loads(head_line)
        if not head["acceptable"]:
            raise NotAcceptable(head["kind"])
        return Raw(head["kind"], data, head["media_type"])

    def _answer(self, query: QueryText, bindings: Mapping[str, Term], timeout: float) -> Result:
        """Run a read-only query and return its answer (see :meth:`raw` for errors)."""
        return parse_raw(self.raw(query, bindings=bindings, timeout=timeout))

    def labels(self, nodes: Iterable[ox.NamedNode]) -> dict[ox.NamedNode, str]:
        """The label of each node that has one (:mod:`checker.vocab.labels`)."""
        found: dict[ox.NamedNode, str] = {}
        for node in nodes:
            chosen = pick(
                Candidate(q.object.value, q.object.language, rank)
                for rank, predicate in enumerate(_LABEL_NODES)
                for q in self.store.quads_for_pattern(node, predicate, None)  # type: ignore[misc]
                if isinstance(q.object, ox.Literal)
            )
            if chosen is not None:
                found[node] = chosen.text
        return found

    def namespaces(self) -> dict[str, str]:
        """Short names for table output: the register's namespace as the empty prefix."""
        registers = [q.subject for q in self.store.quads_for_pattern(None, _RDF_TYPE, _DPV_ROPA)]
        return register_namespace(s.value for s in registers if isinstance(s, ox.NamedNode))


class NotAcceptable(RopaError):
    """The caller accepts no format for this kind of answer (HTTP 406)."""

    def __init__(self, kind: str):
        super().__init__(f"no acceptable format for a {kind} answer")
        self.kind = kind


def register_namespace(registers: Iterable[str]) -> dict[str, str]:
    """``{"": namespace}`` when the graph holds registers of exactly one namespace.

    >>> register_namespace(["https://e.org/reg/x", "https://e.org/reg/y"])
    {'': 'https://e.org/reg/'}
    """
    spaces = {iri[: max(iri.rfind("/"), iri.rfind("#")) + 1] for iri in registers}
    return {"": spaces.pop()} if len(spaces) == 1 else {}


def parse_raw(raw: Raw) -> Result:
    """Parse a serialised answer (SPARQL JSON results, or N-Triples / Turtle)."""
    if raw.kind == "triples":
        return triples_from(raw.data, raw.media_type)
    parsed = ox.parse_query_results(raw.data, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return Boolean(bool(parsed))
    return solutions_from(parsed)


class RemoteEngine(Engine):
    """A SPARQL 1.1 Protocol endpoint, read through HTTP POST.

    Args:
        endpoint: the query endpoint, e.g. ``http://127.0.0.1:8890/sparql``.
        graph: the named graph to query, sent as the protocol's ``default-graph-uri``
            (Virtuoso's default graph is otherwise the union of all its graphs).
        prefixes: prefixes a query may use without declaring them; the ones it uses are
            declared for it on one extra first line.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        graph: str | None = None,
        graphs: Sequence[str] = (),
        named: Sequence[str] = (),
        client: Client | None = None,
        prefixes: Mapping[str, str] = QUERY_PREFIXES,
    ):
        self.endpoint = check_endpoint(endpoint, "the endpoint")
        self.graphs = tuple(graphs) or ((graph,) if graph else ())
        self.store = SparqlStore(endpoint, client, graphs=self.graphs, named=named)
        self.prefixes = dict(prefixes)

    @classmethod
    def for_catalogue(
        cls,
        endpoint: str,
        graphs: Sequence[str] = (),
        *,
        catalogue: str = CATALOGUE,
        client: Client | None = None,
    ) -> RemoteEngine:
        """The endpoint scoped to ``graphs``, or to every graph its catalogue lists: their
        union is the default graph, and each is a named graph (``GRAPH ?g``)."""
        store = SparqlStore(endpoint, client)
        chosen = catalogue_graphs(store, catalogue, graphs)
        return cls(endpoint, graphs=chosen, named=chosen, client=client)

    def prepare(self, query: QueryText, bindings: Mapping[str, Term] | None) -> tuple[str, str]:
        """The text to send and its form: undeclared prefixes added, bindings inlined."""
        shape = check_read_only(query)
        text = query.text
        if bindings:
            if shape.where is None:
                raise InputError(
                    "cannot bind variables: the query's WHERE group was not found", query.source
                )
            values = " ".join(f"VALUES ?{name} {{ {term} }}" for name, term in bindings.items())
            text = f"{text[: shape.where]} {values} {text[shape.where :]}"
        missing = sorted(p for p in shape.used - shape.declared if p in self.prefixes)
        if missing:
            decls = " ".join(f"PREFIX {p}: <{self.prefixes[p]}>" for p in missing)
            text = f"{decls}\n{text}"
        return text, shape.form or "SELECT"

    def post(self, text: str, accept: str, timeout: float) -> tuple[bytes, str]:
        """POST a query (no redirects, the store's authentication); the body and media type."""
        deadline = time.monotonic() + timeout
        try:
            response = self.store.post(text, accept, timeout)
        except StoreTimeout as exc:
            raise QueryTimeout(
                f"{exc} (--timeout); the server may still be running the query"
            ) from None
        except StoreError as exc:
            raise RopaError(f"the endpoint failed: {exc}") from None
        if time.monotonic() > deadline:
            raise QueryTimeout(f"the endpoint took longer than {timeout:g} s (--timeout)")
        return response.body, response.headers.get("content-type", "")

    def _answer(self, query: QueryText, bindings: Mapping[str, Term], timeout: float) -> Result:
        """Run a read-only query on the endpoint."""
        text, form = self.prepare(query, bindings)
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, media = self.post(text, "application/n-triples, text/turtle;q=0.8", timeout)
            return triples_from(body, media or "text/turtle")
        body, media = self.post(text, "application/sparql-results+json", timeout)
        try:
            return parse_raw(Raw("solutions", body, media))
        except (SyntaxError, ValueError) as exc:
            raise RopaError(f"the endpoint sent an answer that is not SPARQL JSON: {exc}") from None

    def labels(self, nodes: Iterable[ox.NamedNode]) -> dict[ox.NamedNode, str]:
        """Labels by :mod:`checker.vocab.labels`, asked of the endpoint 100 nodes at a time."""
        missing = sorted(set(nodes), key=lambda n: n.value)
        ranks = " ".join(f"({p} {rank})" for rank, p in enumerate(_LABEL_NODES))
        found: dict[ox.NamedNode, str] = {}
        for start in range(0, len(missing), 100):
            values = " ".join(str(n) for n in missing[start : start + 100])
            text = (
                f"SELECT ?node ?label ?rank WHERE {{ VALUES ?node {{ {values} }} "
                f"VALUES (?p ?rank) {{ {ranks} }} ?node ?p ?label }}"
            )
            result = self.query(QueryText(text, "labels"))
            assert isinstance(result, Solutions)
            by_node: dict[ox.NamedNode, list[Candidate]] = {}
            for node, label, rank in result.rows:
                if isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal):
                    number = int(rank.value) if isinstance(rank, ox.Literal) else 0
                    by_node.setdefault(node, []).append(
                        Candidate(label.value, label.language, number)
                    )
            for node, candidates in by_node.items():
                chosen = pick(candidates)
                if chosen is not None:
                    found[node] = chosen.text
        return found

    def namespaces(self) -> dict[str, str]:
        """The register's namespace, asked of the endpoint."""
        text = f"SELECT DISTINCT ?r WHERE {{ ?r a {_DPV_ROPA} }}"
        result = self.query(QueryText(text, "namespaces"))
        assert isinstance(result, Solutions)
        return register_namespace(r[0].value for r in result.rows if isinstance(r[0], ox.NamedNode))
