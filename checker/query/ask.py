"""``ropa query``: resolve the query, check it is read-only, run it, label the answer.

:func:`ask` is what the CLI and the dashboard's console share; :func:`run` renders its
answer for the CLI.

>>> store = ox.Store()
>>> elisa = ox.NamedNode("https://example.org/elisa")
>>> label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
>>> store.add(ox.Quad(elisa, label, ox.Literal("Elisa Oyj", language="en")))
>>> answer = ask(QueryText("SELECT ?who WHERE { ?who rdfs:label ?name }", "query"), LocalEngine(store))
>>> print(answer.render("csv"), end="")
who,who_label
https://example.org/elisa,Elisa Oyj
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from checker.errors import InputError
from checker.query.binding import bind_values
from checker.query.catalogue import CATALOGUE
from checker.query.client import Client
from checker.query.engines import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    Engine,
    LocalEngine,
    RemoteEngine,
)
from checker.query.library import example_command, saved_queries
from checker.query.results import (
    FORMATS,
    Boolean,
    Result,
    as_solutions,
    cell_text,
    labelled,
    render,
    result_nodes,
)
from checker.query.text import QueryText, check_read_only, load_query
from checker.vocab.namespaces import QUERY_PREFIXES


def library_reference(engine: Engine, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Every saved query with its answer on ``engine``'s graph, in Markdown (for
    ``docs/queries.md``; ``ropa query --list --format markdown``)."""
    prefixes = {**QUERY_PREFIXES, **engine.namespaces()}
    parts = []
    for saved in saved_queries().values():
        args, binds = example_command(saved)
        query = QueryText(saved.text, f"{saved.name}.rq", saved)
        answer = ask(query, engine, binds=binds, timeout=timeout, short_names=False)
        params = "".join(
            f"\n- `{p.name}`: "
            + (f"default `{p.default}`" if p.default else f"required, e.g. `{p.example}`")
            for p in saved.parameters
        )
        parts.append(
            f"### {saved.title}\n\n"
            f"`{saved.name}` ([source](../checker/query/queries/{saved.name}.rq)). "
            f"{saved.description}\n"
            + (f"\nParameters (`--bind NAME=VALUE`):\n{params}\n" if params else "")
            + f"\n```sh\n{' '.join(args)}\n```\n\n"
            + render(answer.result, "markdown", answer.labels, prefixes)
        )
    return "\n".join(parts)


@dataclass(frozen=True)
class Answer:
    """A query's answer with what it takes to show it: labels of its IRIs, prefixes.

    Attributes:
        result: the rows, the boolean or the triples.
        labels: the label of each IRI in the result that has one.
        prefixes: prefixes for short IRIs in tables (the register's namespace included).
        seconds: how long the query itself took.
    """

    result: Result
    labels: Mapping[ox.NamedNode, str]
    prefixes: Mapping[str, str]
    seconds: float

    def render(self, fmt: str) -> str:
        """The answer in one of :data:`checker.query.results.FORMATS`."""
        prefixes = self.prefixes if fmt in ("table", "markdown") else QUERY_PREFIXES
        return render(self.result, fmt, self.labels, prefixes)

    def table(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """Column names and rows of text (IRIs short, a label column beside each), for a
        screen; an ASK answer is one column ``answer``."""
        if isinstance(self.result, Boolean):
            return ("answer",), (("true" if self.result.value else "false",),)
        table = labelled(as_solutions(self.result), self.labels)
        rows = tuple(tuple(cell_text(t, self.prefixes) for t in row) for row in table.rows)
        return table.variables, rows


def ask(
    query: QueryText,
    engine: Engine,
    *,
    binds: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_service: bool = False,
    short_names: bool = True,
) -> Answer:
    """Check that ``query`` is read-only, bind ``binds`` by name, run it, label the answer.

    Args:
        query: the query (see :func:`checker.query.text.load_query`).
        engine: where it runs.
        binds: values for variables, by name: ``<IRI>``, a CURIE, an entry's id or a label.
        timeout: seconds before the query is stopped.
        allow_service: let a federated ``SERVICE`` call through (a remote endpoint decides).
        short_names: also ask the engine for the register's namespace, for short IRIs.

    Raises:
        UpdateRefused: the query is an update (nothing is run or changed).
        QuerySyntaxError: the query does not parse.
        QueryTimeout: the query ran past ``timeout``.
        InputError: a bound value names nothing, or a parameter is missing.
    """
    check_read_only(query, allow_service=allow_service)
    bindings = bind_values(engine, query, binds or {}, timeout=timeout)
    start = time.perf_counter()
    result = engine.query(query, bindings=bindings, timeout=timeout)
    seconds = time.perf_counter() - start
    prefixes = dict(QUERY_PREFIXES)
    if short_names:
        prefixes.update(engine.namespaces())
    return Answer(result, engine.labels(result_nodes(result)), prefixes, seconds)


def run(
    spec: str,
    *,
    paths: Sequence[Path] = (),
    endpoint: str | None = None,
    graphs: Sequence[str] = (),
    catalogue: str = CATALOGUE,
    client: Client | None = None,
    binds: Mapping[str, str] | None = None,
    fmt: str = "table",
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> str:
    """``ropa query``: resolve the query, check it is read-only, run it, render the answer.

    Args:
        spec: a saved query's name, a ``.rq`` file, or SPARQL text.
        paths: record sets and RDF files to build the graph from (default: the shipped
            register); not with ``endpoint``.
        endpoint: query this SPARQL endpoint instead of the built graph.
        graphs: with ``endpoint``, the named graphs to query (``default-graph-uri``);
            none: every graph the store's ``catalogue`` lists.
        catalogue: the catalogue graph (:mod:`checker.query.catalogue`).
        client: the HTTP client for ``endpoint`` (credentials, time limit).
        binds: values for variables, by name (``--bind``).
        fmt: one of :data:`FORMATS`.
        timeout: seconds before the query is stopped.
        memory_mb: megabytes the query may add to its process on the built graph.

    Raises:
        UpdateRefused: the query is an update (nothing is built, sent or changed).
        QuerySyntaxError: the query does not parse.
        QueryTimeout: the query ran past ``timeout``.
        InputError: a bad option, query file, or bound value.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if timeout <= 0:
        raise InputError("--timeout must be more than 0 seconds")
    if endpoint and paths:
        raise InputError("give PATHS or --endpoint, not both")
    if graphs and not endpoint:
        raise InputError("--graph needs --endpoint (the built graph is queried as a whole)")
    query = load_query(spec)
    shape = check_read_only(query, allow_service=endpoint is not None)
    if fmt == "turtle" and shape.form not in ("CONSTRUCT", "DESCRIBE"):
        raise InputError("--format turtle is for CONSTRUCT and DESCRIBE queries")
    engine: Engine = (
        RemoteEngine.for_catalogue(endpoint, graphs, catalogue=catalogue, client=client)
        if endpoint
        else LocalEngine.from_cache(paths)
    )
    if isinstance(engine, LocalEngine):
        engine.memory_mb = memory_mb
    answer = ask(
        query,
        engine,
        binds=binds,
        timeout=timeout,
        allow_service=endpoint is not None,
        short_names=fmt in ("table", "markdown"),
    )
    return answer.render(fmt)
