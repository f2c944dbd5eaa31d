"""A SPARQL 1.1 store over HTTP: queries and updates, scoped to named graphs.

:class:`SparqlStore` speaks the SPARQL 1.1 Protocol (``query=`` and ``update=`` as form
posts) through :class:`checker.query.client.Client`, so it authenticates, follows no
redirects and turns every fault into one :class:`~checker.query.client.StoreError`.
Answers are read as SPARQL JSON into pyoxigraph terms. Blank nodes keep one identity per
store label across queries (:func:`blank`): Virtuoso labels a stored blank node
``nodeID://b10000`` in every answer, which is not a valid blank node label in RDF syntax.

The store's dialect, where it matters (see ``docs/store.md``):

- Virtuoso answers HTTP 200 with only part of the rows when its own time limit stops a
  query ("anytime" results, header ``X-SQL-State``): refused here as a timeout.
- Virtuoso cuts every result to ``ResultSetMaxRows`` rows (default 10,000) without a
  word: the store's configuration must raise it (``scripts/virtuoso.sh`` sets 10,000,000).
  :meth:`SparqlStore.select` counts again an answer of exactly that default cap
  (:data:`SUSPICIOUS_ROWS`) and refuses it if the count is larger.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence

import pyoxigraph as ox

from checker.query.client import Client, Response, StoreError, StoreTimeout, check_endpoint

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]

#: Virtuoso's default ResultSetMaxRows and the one scripts/virtuoso.sh sets: an answer of
#: exactly this many rows may have been cut short.
SUSPICIOUS_ROWS = frozenset({10_000, 10_000_000})

_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def blank(label: str) -> ox.BlankNode:
    """The blank node a store's label stands for: the same label, the same node.

    >>> blank("nodeID://b10000") == blank("nodeID://b10000") != blank("b2")
    True
    """
    return ox.BlankNode("s" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:24])


def term_of(binding: Mapping[str, str]) -> Term:
    """A pyoxigraph term from one SPARQL JSON binding.

    >>> t = term_of({"type": "typed-literal", "value": "1",
    ...              "datatype": "http://www.w3.org/2001/XMLSchema#boolean"})
    >>> t.value, t.datatype.value
    ('1', 'http://www.w3.org/2001/XMLSchema#boolean')
    """
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return blank(value)
    if kind in ("literal", "typed-literal"):
        language = binding.get("xml:lang")
        if language:
            return ox.Literal(value, language=language)
        datatype = binding.get("datatype")
        if datatype and datatype != _LANG_STRING:
            return ox.Literal(value, datatype=ox.NamedNode(datatype))
        return ox.Literal(value, datatype=_XSD_STRING)
    raise ValueError(f"unknown term type {kind!r}")


def parse_json_results(body: bytes) -> tuple[list[str], list[Row]] | bool:
    """SPARQL 1.1 JSON results: the variables and rows, or an ASK answer.

    >>> parse_json_results(b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    ...     b'[{"x": {"type": "uri", "value": "urn:a"}}, {}]}}')
    (['x'], [{'x': <NamedNode value=urn:a>}, {}])
    """
    try:
        document = json.loads(body)
        if "boolean" in document:
            return bool(document["boolean"])
        variables = list(document["head"].get("vars", []))
        rows = [
            {name: term_of(value) for name, value in binding.items()}
            for binding in document["results"]["bindings"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreError(
            f"the store sent an answer that is not SPARQL JSON results: {exc}"
        ) from None
    return variables, rows


def _json_rows(body: bytes) -> list[Row]:
    """The rows of a SELECT answer in SPARQL JSON (a boolean answer is an error)."""
    parsed = parse_json_results(body)
    if isinstance(parsed, bool):
        raise StoreError("the store answered a SELECT query with a boolean")
    return parsed[1]


_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")


def parse_xml_rows(body: bytes) -> list[Row]:
    """The rows of SPARQL XML results (a SELECT answer), as :func:`parse_json_results`
    gives them: a big answer reads several times faster so (Virtuoso 7.2 writes 1M rows
    as XML in a third of the time it takes as JSON, and pyoxigraph parses them in
    seconds). Blank nodes keep :func:`blank`'s identity: their store labels (such as
    Virtuoso's ``nodeID://b10000``, which pyoxigraph's parser refuses) are hex-encoded
    before the parse and decoded after it.

    >>> parse_xml_rows(b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/'
    ...     b'sparql-results#"><head><variable name="x"/></head><results><result><binding '
    ...     b'name="x"><bnode>nodeID://b1</bnode></binding></result><result/></results>'
    ...     b'</sparql>') == [{"x": blank("nodeID://b1")}, {}]
    True
    """
    if b"<!DOCTYPE" in body[:4096] or b"<!ENTITY" in body[:4096]:
        raise StoreError("the store sent SPARQL XML results with a document type: refused")

    def encoded(match: re.Match[bytes]) -> bytes:
        label = html.unescape(match[1].decode("utf-8", "replace")).encode("utf-8")
        return b"<bnode>x" + label.hex().encode("ascii") + b"</bnode>"

    def term(value: Term) -> Term:
        if isinstance(value, ox.BlankNode):
            return blank(bytes.fromhex(value.value[1:]).decode("utf-8"))
        return value

    try:
        results = ox.parse_query_results(
            _BNODE.sub(encoded, body), format=ox.QueryResultsFormat.XML
        )
        if not isinstance(results, ox.QuerySolutions):
            raise StoreError("the store answered a SELECT query with a boolean")
        names = [v.value for v in results.variables]
        rows = []
        for solution in results:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = term(value)
            rows.append(row)
    except (SyntaxError, ValueError) as exc:
        raise StoreError(
            f"the store sent an answer that is not SPARQL XML results: {exc}"
        ) from None
    return rows


class SparqlStore:
    """A SPARQL 1.1 endpoint: read-only queries, and (``update``) SPARQL Update.

    Args:
        endpoint: the query endpoint, e.g. ``http://127.0.0.1:8890/sparql``.
        client: the HTTP client (credentials, time limit).
        graphs: the default graph of every query, as the protocol's ``default-graph-uri``
            (their union); none: the store's own default graph.
        named: graphs a query may name with ``GRAPH`` (``named-graph-uri``).
    """

    def __init__(
        self,
        endpoint: str,
        client: Client | None = None,
        *,
        graphs: Sequence[str] = (),
        named: Sequence[str] = (),
    ):
        self.endpoint = check_endpoint(endpoint)
        self.client = client or Client()
        self.graphs = tuple(graphs)
        self.named = tuple(named)

    def scoped(self, graphs: Sequence[str], named: Sequence[str] = ()) -> SparqlStore:
        """The same endpoint with another default graph (and named graphs)."""
        return SparqlStore(self.endpoint, self.client, graphs=graphs, named=named)

    def post(self, query: str, accept: str, timeout: float | None = None) -> Response:
        """POST a query; refuse an answer the store says is incomplete."""
        form = [("query", query)]
        form += [("default-graph-uri", g) for g in self.graphs]
        form += [("named-graph-uri", g) for g in self.named]
        response = self.client.request(
            "POST",
            self.endpoint,
            body=urllib.parse.urlencode(form).encode("utf-8"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=timeout,
        )
        state = response.headers.get("x-sql-state")
        if state:  # Virtuoso's "anytime" answer: HTTP 200 with only part of the results
            detail = " ".join(response.headers.get("x-sql-message", "").split())[:160]
            raise StoreTimeout(
                f"the store stopped the query and sent incomplete results ({state}: {detail})"
            )
        return response

    def select(self, query: str, timeout: float | None = None) -> list[Row]:
        """The rows of a SELECT query (an unbound variable is missing from its row).

        Raises:
            StoreError: the store failed, or cut the answer at a silent cap (an answer of
                exactly :data:`SUSPICIOUS_ROWS` rows is counted again).
        """
        response = self.post(query, "application/sparql-results+json", timeout)
        return self._whole(query, _json_rows(response.body), timeout)

    def _whole(self, query: str, rows: list[Row], timeout: float | None) -> list[Row]:
        """``rows``, unless they are the first rows of a longer answer (a silent cap)."""
        if len(rows) in SUSPICIOUS_ROWS and self._more_than(query, len(rows), timeout):
            raise StoreError(
                f"the store sent only {len(rows)} rows of a longer answer (a silent cap such "
                "as Virtuoso's ResultSetMaxRows): raise the cap in the store's configuration, "
                "for Virtuoso ResultSetMaxRows in the [SPARQL] section of virtuoso.ini "
                "(see docs/store.md)"
            )
        return rows

    def _more_than(self, query: str, sent: int, timeout: float | None) -> bool:
        """Whether the SELECT ``query`` has more rows than the ``sent`` ones."""
        if not query.lstrip().upper().startswith("SELECT"):
            return True
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {query} }}", timeout)
        value = rows[0].get("n") if rows else None
        return not (
            isinstance(value, ox.Literal) and value.value.isdigit() and int(value.value) == sent
        )

    def ask(self, query: str, timeout: float | None = None) -> bool:
        """The answer of an ASK query."""
        response = self.post(query, "application/sparql-results+json", timeout)
        parsed = parse_json_results(response.body)
        if not isinstance(parsed, bool):
            raise StoreError("the store answered an ASK query with rows")
        return parsed

    def triples(self, query: str, timeout: float | None = None) -> Iterator[ox.Triple]:
        """The triples of a SELECT query that binds ``?s ?p ?o`` (a CONSTRUCT would lose
        the identity of blank nodes between answers). Asked for as SPARQL XML, the faster
        form for a big answer (:func:`parse_xml_rows`); JSON if that is what the store sends."""
        response = self.post(
            query, "application/sparql-results+xml, application/sparql-results+json;q=0.5", timeout
        )
        json_ = "json" in response.media_type
        rows = _json_rows(response.body) if json_ else parse_xml_rows(response.body)
        for row in self._whole(query, rows, timeout):
            s, p, o = row.get("s"), row.get("p"), row.get("o")
            if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode) and o:
                yield ox.Triple(s, p, o)

    def count(self, graph: str, timeout: float | None = None) -> int:
        """How many triples the named ``graph`` holds."""
        rows = self.scoped(()).select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", timeout
        )
        value = rows[0].get("n") if rows else None
        try:
            return int(value.value) if isinstance(value, ox.Literal) else 0
        except ValueError:
            raise StoreError(f"the store counted {value} triples, not a number") from None

    def update(self, text: str, timeout: float | None = None) -> None:
        """Run a SPARQL 1.1 Update (``ropa publish`` only; every other command only reads)."""
        self.client.request(
            "POST",
            self.endpoint,
            body=urllib.parse.urlencode([("update", text)]).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"},
            timeout=timeout,
        )


_DURATION = "http://www.w3.org/2001/XMLSchema#duration"


def repaired(term: Term) -> Term:
    """A duration as Virtuoso 7.2 gives it back, in ISO 8601 again.

    Virtuoso keeps an ``xsd:duration`` it can parse as a number (openlink/virtuoso-opensource
    issue 936): months for years and months (``"P6Y"`` gives ``72``), seconds for days and
    times (``"P30D"`` gives ``2592000.0``). Those two forms are turned back; anything else
    (the store kept the text, or a form this cannot tell) is left alone.

    >>> [repaired(ox.Literal(v, datatype=ox.NamedNode(_DURATION))).value
    ...  for v in ("72", "2.592e+06", "P1Y", "30.3")]
    ['P72M', 'PT2592000S', 'P1Y', '30.3']

    (A pyoxigraph store then holds them as ``P6Y`` and ``P30D``, as a local build does.)
    """
    if not isinstance(term, ox.Literal) or term.datatype.value != _DURATION:
        return term
    text = term.value
    if re.fullmatch(r"-?[0-9]+", text):
        months = int(text)
        iso = f"{'-' if months < 0 else ''}P{abs(months)}M"
    elif re.fullmatch(r"-?[0-9]+(\.0*)?(e\+?[0-9]+)?|-?[0-9]+\.[0-9]*e\+?[0-9]+", text):
        seconds = float(text)
        if seconds != int(seconds):
            return term
        iso = f"{'-' if seconds < 0 else ''}PT{abs(int(seconds))}S"
    else:
        return term
    try:
        return ox.Literal(iso, datatype=term.datatype)
    except ValueError:  # pragma: no cover - a valid ISO form by construction
        return term


def read_graph(store: SparqlStore, graph: str) -> ox.Store:
    """The triples of the named ``graph`` in a new pyoxigraph store (its default graph),
    durations repaired (:func:`repaired`).

    Raises:
        StoreError: the store failed, or holds nothing in ``graph``.
    """
    data = ox.Store()
    triples = store.scoped([graph]).triples("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    data.extend(ox.Quad(t.subject, t.predicate, repaired(t.object)) for t in triples)
    if not len(data):
        raise StoreError(f"the store holds nothing in the graph <{graph}>")
    return data
