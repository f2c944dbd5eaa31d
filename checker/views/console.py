"""The SPARQL console's answers as values: a table with labels, and the CSV to download."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from checker.query import run as q
from checker.query.run import LocalEngine, compact


@dataclass(frozen=True)
class QueryAnswer:
    """A query's answer, ready for a table and a download.

    ``columns`` and ``rows`` hold text (IRIs shortened to CURIEs, a label column after each
    IRI column); ``csv`` is the SPARQL CSV with whole IRIs and labels; ``boolean`` is set
    for ASK.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    csv: str
    boolean: bool | None = None
    seconds: float = 0.0


def run_query(
    engine: LocalEngine,
    text: str,
    *,
    saved: str | None = None,
    binds: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> QueryAnswer:
    """Run a read-only query (text, or a saved query's text with its parameters) through
    :mod:`checker.query.run`: updates and federated queries are refused, the time is limited.

    Args:
        engine: the embedded engine of the built graph.
        text: the SPARQL text.
        saved: the name of the saved query ``text`` is, to bind its parameters.
        binds: values of parameters by name (IRI, CURIE, id or label); empty ones are ignored.
        timeout: seconds before the query is stopped.

    Raises:
        UpdateRefused, QueryRefused, QuerySyntaxError, QueryTimeout, InputError: as
        :meth:`checker.query.run.LocalEngine.query` and :func:`checker.query.run.bind_values`.
    """
    library = q.saved_queries()
    entry = library.get(saved) if saved else None
    query = q.QueryText(
        text, f"{saved}.rq" if entry else "query", entry if entry and entry.text == text else None
    )
    q.check_read_only(query, allow_service=False)
    values = {k: v for k, v in (binds or {}).items() if v and v.strip()}
    bindings = (
        q.bind_values(engine, query, values, timeout=timeout) if query.saved or values else {}
    )
    start = time.perf_counter()
    result = engine.query(query, bindings=bindings, timeout=timeout)
    seconds = time.perf_counter() - start
    if isinstance(result, q.Boolean):
        return QueryAnswer(
            ("answer",), (("true" if result.value else "false",),), "", result.value, seconds
        )
    labels = engine.labels(q.result_nodes(result))
    table = q.labelled(q.as_solutions(result), labels)
    prefixes = {**q.QUERY_PREFIXES, **engine.namespaces()}
    rows = tuple(tuple(_cell(term, prefixes) for term in row) for row in table.rows)
    return QueryAnswer(table.variables, rows, q.render(result, "csv", labels), None, seconds)


def _cell(term: Any, prefixes: Mapping[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)
