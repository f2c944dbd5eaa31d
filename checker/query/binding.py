"""Values bound to a query's variables by name, never pasted into its text.

pyoxigraph takes them as ``substitutions=`` (SEP-0007); for a remote endpoint, which has no
such parameter, they travel as a ``VALUES`` block of RDF terms that pyoxigraph has
validated and serialised, placed at the start of the ``WHERE`` group
(:meth:`checker.query.engines.RemoteEngine.prepare`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from checker.errors import InputError
from checker.query.engines import Engine
from checker.query.results import Solutions, Term
from checker.query.text import QueryText, inspect_query
from checker.vocab.namespaces import QUERY_PREFIXES

# --- binding values by name ------------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

_BY_ID = """SELECT DISTINCT ?node ?slashId ?hashId WHERE {
  ?node a ?type .
  FILTER (isIRI(?node) && (STRENDS(STR(?node), ?slashId) || STRENDS(STR(?node), ?hashId)))
}"""

_BY_LABEL = """SELECT DISTINCT ?node ?name WHERE {
  ?node <http://www.w3.org/2000/01/rdf-schema#label> ?label .
  FILTER (isIRI(?node) && LCASE(STR(?label)) = LCASE(STR(?name)))
}"""


def parse_binds(options: Iterable[str]) -> dict[str, str]:
    """``--bind name=value`` options as a mapping.

    >>> parse_binds(["processor=elisa", "?x = <https://e.org/x>"])
    {'processor': 'elisa', 'x': '<https://e.org/x>'}
    """
    binds: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or not value.strip():
            raise InputError(f"--bind {option!r}: write NAME=VALUE, e.g. processor=elisa")
        binds[name] = value.strip()
    return binds


def resolve_node(
    engine: Engine, value: str, prefixes: Mapping[str, str] = QUERY_PREFIXES, timeout: float = 10
) -> ox.NamedNode:
    """The IRI a bound value names: ``<IRI>``, an IRI, a CURIE, an entry's id, or a label.

    An id is the last segment of an IRI (``elisa`` for ``.../elisa``); a label matches
    rdfs:label without regard to case. Both must name exactly one node.
    """
    try:
        if value.startswith("<") and value.endswith(">"):
            return ox.NamedNode(value[1:-1])
        prefix, sep, local = value.partition(":")
        if sep and prefix in prefixes and not local.startswith("//"):
            return ox.NamedNode(prefixes[prefix] + local)
        if _SCHEME.match(value) and ("://" in value or prefix in ("urn", "mailto", "tag")):
            return ox.NamedNode(value)
    except ValueError as exc:
        raise InputError(f"{value!r} is not a valid IRI: {exc}") from None
    for text, binds in (
        (_BY_ID, {"slashId": ox.Literal("/" + value), "hashId": ox.Literal("#" + value)}),
        (_BY_LABEL, {"name": ox.Literal(value)}),
    ):
        result = engine.query(QueryText(text, "resolve"), bindings=binds, timeout=timeout)
        assert isinstance(result, Solutions)
        nodes = sorted({r[0].value for r in result.rows if isinstance(r[0], ox.NamedNode)})
        if len(nodes) == 1:
            return ox.NamedNode(nodes[0])
        if len(nodes) > 1:
            shown = ", ".join(f"<{n}>" for n in nodes[:5])
            raise InputError(f"{value!r} names {len(nodes)} nodes ({shown}); give the IRI")
    raise InputError(f"nothing in the graph has the id or label {value!r}")


def bind_values(
    engine: Engine, query: QueryText, values: Mapping[str, str], timeout: float = 10
) -> dict[str, Term]:
    """Resolve ``--bind`` values (and a saved query's defaults) to terms, checked by name."""
    shape = inspect_query(query.text)
    params = {p.name: p for p in query.saved.parameters} if query.saved else {}
    for name in values:
        if query.saved is not None and name not in params:
            known = ", ".join(params) or "none"
            raise InputError(f"{query.saved.name} has no parameter {name!r} (parameters: {known})")
        if name not in shape.variables:
            raise InputError(f"the query has no variable ?{name} to bind", query.source)
        if shape.projected is not None and name not in shape.projected:
            raise InputError(
                f"?{name} is not selected: bind only variables the SELECT clause names",
                query.source,
            )
    wanted = dict(values)
    for name, param in params.items():
        if name not in wanted:
            if param.default is None:
                raise InputError(
                    f"{query.saved.name} needs a value for {name}: "  # type: ignore[union-attr]
                    f"--bind {name}=<IRI, CURIE, id or label>"
                )
            wanted[name] = param.default
    return {name: resolve_node(engine, value, timeout=timeout) for name, value in wanted.items()}
