"""Auditors' SPARQL over the built graph: read-only, time-limited, labels beside IRIs.

A query runs on one of two engines with the same interface:

- :class:`LocalEngine`: the built graph in an embedded pyoxigraph store. pyoxigraph cannot
  be interrupted from another thread, so every query runs in a forked child process that is
  killed when it passes its time limit (about 3 ms of overhead per query; see
  ``bench/query_engines.py``).
- :class:`RemoteEngine`: a SPARQL 1.1 Protocol endpoint such as OpenLink Virtuoso, scoped to
  one named graph through the protocol's ``default-graph-uri`` parameter.

Only SELECT, ASK, CONSTRUCT and DESCRIBE run. An update (INSERT, DELETE, LOAD, CLEAR,
DROP, ...) is refused before anything is built or sent, so it changes nothing; the embedded
engine could not run one anyway (it only has pyoxigraph's query parser), and federated
``SERVICE`` calls are refused too: the embedded engine answers from the built graph only.

Values are bound to variables by name, never pasted into the query text by string
formatting: pyoxigraph takes them as ``substitutions=`` (SEP-0007); for a remote endpoint,
which has no such parameter, they travel as a ``VALUES`` block of RDF terms that pyoxigraph
has validated and serialised, placed at the start of the ``WHERE`` group.

Results show a label beside every IRI: for each result column holding an IRI, a column
``<name>_label`` follows it (rdfs:label, else skos:prefLabel; English first), in every
output format.

>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("https://example.org/elisa"), RDFS_LABEL, ox.Literal("Elisa Oyj", language="en")))
>>> engine = LocalEngine(store)
>>> result = engine.query("SELECT ?who WHERE { ?who rdfs:label ?name }")
>>> print(render(result, "csv", engine.labels(result_nodes(result))), end="")
who,who_label
https://example.org/elisa,Elisa Oyj
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import select
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from checker.errors import InputError, RopaError
from checker.vocab.namespaces import PREFIXES

#: Seconds a query may run before it is stopped (``--timeout``).
DEFAULT_TIMEOUT = 30.0

#: Output formats of ``ropa query``.
FORMATS = ("table", "csv", "json", "markdown", "turtle")

#: Prefixes every query may use without declaring them (the graph's own, plus RDF basics).
QUERY_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    **PREFIXES,
}

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DPV_ROPA = ox.NamedNode("https://w3id.org/dpv#ROPA")

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


# --- errors ----------------------------------------------------------------------------------


class QueryRefused(RopaError):
    """A query this engine will not run (a federated SERVICE call on the embedded graph)."""


class UpdateRefused(QueryRefused):
    """The text is a SPARQL update (or contains one): queries here are read-only."""


class QueryTimeout(RopaError):
    """The query ran past its time limit and was stopped."""


class QuerySyntaxError(InputError):
    """A query that does not parse, with the line and column where parsing failed.

    >>> print(QuerySyntaxError("expected OPTIONAL", "query", 2, 5, "SELECT *\\nWHERE { ?s"))
    query:2:5: expected OPTIONAL
      WHERE { ?s
          ^
    """

    def __init__(self, message: str, source: str, line: int, column: int, text: str = ""):
        super().__init__(message, source, line)
        self.column = column
        self.text = text

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: {self.message}"
        lines = self.text.splitlines()
        if self.line is not None and 1 <= self.line <= len(lines):
            shown = lines[self.line - 1].expandtabs(1)
            caret = " " * (max(self.column, 1) - 1) + "^"
            where += f"\n  {shown}\n  {caret}"
        return where


# --- saved queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A variable of a saved query that the user binds by name (``--bind name=value``)."""

    name: str
    default: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class SavedQuery:
    """A query of the library in ``checker/query/queries/``: its name is the file's stem."""

    name: str
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = ()


_HEADER = re.compile(r"#\s*(title|description|param):\s*(.*)")


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Read the comment header of a saved query (``# title:``, ``# description:``, ``# param:``).

    A ``# param: name`` line declares a variable the user binds; ``# param: name = value``
    gives it a default, ``# param: name (e.g. value)`` an example for the documentation.
    Indented ``#`` lines continue the description.

    >>> q = parse_saved_query("x", "# title: T\\n# description: D\\n#   more\\n# param: p = a\\nASK {}")
    >>> (q.title, q.description, q.parameters)
    ('T', 'D more', (Parameter(name='p', default='a', example=None),))
    >>> parse_saved_query("y", "# title: T\\n# description: D\\n# param: who (e.g. elisa)").parameters
    (Parameter(name='who', default=None, example='elisa'),)
    """
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            key, value = match.group(1), match.group(2).strip()
            if key == "param":
                params.append(_parameter(name, value))
            else:
                fields[key] = value
            last = key
        elif last == "description":
            fields["description"] += " " + line.lstrip("#").strip()
    for key in ("title", "description"):
        if not fields.get(key):
            raise InputError(f"saved query has no '# {key}:' line", f"{name}.rq", 1)
    return SavedQuery(name, fields["title"], fields["description"], text, tuple(params))


_PARAM = re.compile(r"\??(\w+)\s*(?:=\s*(\S+))?\s*(?:\(e\.g\.\s*([^)]+)\))?")


def _parameter(query: str, text: str) -> Parameter:
    """``name``, ``name = default`` or ``name (e.g. example)``."""
    match = _PARAM.fullmatch(text)
    if match is None:
        raise InputError(f"bad '# param:' line {text!r}", f"{query}.rq")
    name, default, example = match.groups()
    return Parameter(name, default, example.strip() if example else None)


def saved_queries() -> dict[str, SavedQuery]:
    """The saved-query library, by name, in name order."""
    folder = files("checker.query") / "queries"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".rq")), key=lambda e: e.name)
    return {
        e.name[:-3]: parse_saved_query(e.name[:-3], e.read_text(encoding="utf-8")) for e in entries
    }


@dataclass(frozen=True)
class QueryText:
    """A query to run: its text, where it came from (for messages), and its saved entry."""

    text: str
    source: str
    saved: SavedQuery | None = None


def load_query(spec: str) -> QueryText:
    """Resolve ``QUERY`` of ``ropa query``: a saved query's name, a ``.rq`` file, or SPARQL.

    >>> load_query("activities-without-retention").saved.title
    'Activities without a retention rule'
    >>> load_query("ASK {}").source
    'query'
    """
    library = saved_queries()
    if spec in library:
        return QueryText(library[spec].text, f"{spec}.rq", library[spec])
    if spec.endswith(".rq") and "\n" not in spec:
        path = Path(spec)
        if not path.is_file():
            raise InputError("query file not found", spec)
        return QueryText(path.read_text(encoding="utf-8"), spec)
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", spec):
        known = ", ".join(library)
        raise InputError(f"no saved query called {spec!r}; saved queries: {known}")
    return QueryText(spec, "query")


# --- a small SPARQL tokenizer: enough to find the query form, updates and the WHERE group ----

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]*)?:
               (?:[A-Za-z0-9_:%\-\u00B7\u00C0-\uFFFF]|\\.|\.(?=[A-Za-z0-9_:%\-]))*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """A lexical token of a query: its kind, text and character offset."""

    kind: str
    text: str
    start: int


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, without white space and comments.

    >>> [t.text for t in tokenize("SELECT ?s # c\\nWHERE { ?s a dpv:Process }")]
    ['SELECT', '?s', 'WHERE', '{', '?s', 'a', 'dpv:Process', '}']
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group(), match.start())


@dataclass(frozen=True)
class QueryShape:
    """What the tokenizer finds in a query: enough to refuse updates and to bind remotely."""

    form: str | None
    first_word: Token | None
    update: Token | None
    service: Token | None
    declared: frozenset[str]
    used: frozenset[str]
    variables: frozenset[str]
    projected: frozenset[str] | None
    where: int | None


def inspect_query(text: str) -> QueryShape:
    """Find the query form, any update keyword or SERVICE, the prefixes and the WHERE group.

    ``where`` is the offset just after the ``{`` that opens the WHERE group.

    >>> shape = inspect_query("PREFIX ex: <http://e/> SELECT ?x WHERE { ?x ex:p dpv:q }")
    >>> (shape.form, sorted(shape.declared), sorted(shape.used), shape.where)
    ('SELECT', ['ex'], ['dpv', 'ex'], 40)
    >>> inspect_query("SELECT * {} ; DROP ALL").update.text
    'DROP'
    >>> sorted(inspect_query("SELECT ?a (MIN(?b) AS ?c) WHERE { ?a ?p ?b }").projected)
    ['a', 'c']
    """
    toks = list(tokenize(text))
    declared: set[str] = set()
    used: set[str] = set()
    variables: set[str] = set()
    update = service = first_word = None
    i = 0
    while i < len(toks) and toks[i].text.upper() in ("PREFIX", "BASE"):
        if toks[i].text.upper() == "PREFIX" and i + 1 < len(toks) and toks[i + 1].kind == "pname":
            declared.add(toks[i + 1].text.split(":", 1)[0])
            i += 3
        else:
            i += 2
    form = None
    if i < len(toks) and toks[i].kind == "word":
        first_word = toks[i]
        form = toks[i].text.upper() if toks[i].text.upper() in QUERY_FORMS else None
    for tok in toks[i:]:
        if tok.kind == "word":
            upper = tok.text.upper()
            if upper in UPDATE_KEYWORDS and update is None:
                update = tok
            if upper == "SERVICE" and service is None:
                service = tok
        elif tok.kind == "pname":
            used.add(tok.text.split(":", 1)[0])
        elif tok.kind == "var":
            variables.add(tok.text[1:])
    return QueryShape(
        form,
        first_word,
        update,
        service,
        frozenset(declared),
        frozenset(used),
        frozenset(variables),
        _projection(toks[i:], form),
        _where_group(toks[i:], form),
    )


def _projection(toks: Sequence[Token], form: str | None) -> frozenset[str] | None:
    """The variables a SELECT projects (None: every variable, as for ``*`` and other forms)."""
    if form != "SELECT":
        return None
    names: set[str] = set()
    parens = 0
    previous = ""
    for tok in toks[1:]:
        if tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
        elif parens == 0 and (tok.text == "{" or tok.text.upper() in ("WHERE", "FROM")):
            break
        elif tok.text == "*" and parens == 0:
            return None
        elif tok.kind == "var" and (parens == 0 or previous == "AS"):
            names.add(tok.text[1:])  # ?name, or (expression AS ?name)
        previous = tok.text.upper()
    return frozenset(names)


def _where_group(toks: Sequence[Token], form: str | None) -> int | None:
    """Offset after the ``{`` that opens the WHERE group of a query, or None."""
    if form is None:
        return None
    depth = parens = 0
    after_where = form != "CONSTRUCT"
    for tok in toks[1:]:
        if tok.kind == "word" and tok.text.upper() == "WHERE" and depth == 0:
            after_where = True
        elif tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
        elif tok.text == "{":
            if depth == 0 and parens == 0 and after_where:
                return tok.start + 1
            depth += 1
        elif tok.text == "}":
            depth -= 1
    return None


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset.

    >>> line_column("ab\\ncd", 4)
    (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_read_only(query: QueryText, *, allow_service: bool = True) -> QueryShape:
    """Refuse an update, and (unless allowed) a federated SERVICE call; return the shape.

    >>> check_read_only(QueryText("INSERT DATA { <a:b> <a:c> <a:d> }", "query"))
    Traceback (most recent call last):
    ...
    checker.query.run.UpdateRefused: query:1:1: INSERT is a SPARQL update; queries here are read-only (SELECT, ASK, CONSTRUCT, DESCRIBE), so nothing was run or changed
    """
    shape = inspect_query(query.text)
    if shape.update is not None:
        line, col = line_column(query.text, shape.update.start)
        raise UpdateRefused(
            f"{query.source}:{line}:{col}: {shape.update.text.upper()} is a SPARQL update; "
            "queries here are read-only (SELECT, ASK, CONSTRUCT, DESCRIBE), "
            "so nothing was run or changed"
        )
    if shape.service is not None and not allow_service:
        line, col = line_column(query.text, shape.service.start)
        raise QueryRefused(
            f"{query.source}:{line}:{col}: SERVICE (a federated query) is not allowed: "
            "the embedded engine answers from the built graph only"
        )
    if shape.form is None:
        token = shape.first_word
        line, col = line_column(query.text, token.start) if token else (1, 1)
        found = f"found {token.text!r}" if token else "found nothing"
        raise QuerySyntaxError(
            f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, {found}",
            query.source,
            line,
            col,
            query.text,
        )
    return shape


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def syntax_error(message: str, query: QueryText) -> QuerySyntaxError:
    """Turn pyoxigraph's ``error at L:C: ...`` into a readable :class:`QuerySyntaxError`."""
    match = _POSITION.match(message)
    if match is None:
        return QuerySyntaxError(message, query.source, 1, 1, query.text)
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    detail = " ".join(detail.split())
    lines = query.text.splitlines() or [""]
    if line > len(lines):  # the end of the text: point after its last character
        line, column = len(lines), len(lines[-1]) + 1
    if "Prefix not found" in detail:
        before = lines[line - 1][: column - 1]
        name = re.search(r"([A-Za-z][\w.-]*)?:[\w.%-]*$", before)
        prefix = (name.group(1) or "") if name else ""
        detail = f"unknown prefix '{prefix}:' (declare it with PREFIX {prefix}: <...>)"
    elif len(detail) > 160:
        detail = detail[:157].rstrip() + "..."
    return QuerySyntaxError(f"syntax error: {detail}", query.source, line, column, query.text)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solutions:
    """The answer of a SELECT query (or of CONSTRUCT/DESCRIBE as subject-predicate-object)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]


@dataclass(frozen=True)
class Boolean:
    """The answer of an ASK query."""

    value: bool


@dataclass(frozen=True)
class Triples:
    """The answer of a CONSTRUCT or DESCRIBE query, sorted for stable output."""

    triples: tuple[ox.Triple, ...]


Result = Solutions | Boolean | Triples


def solutions_from(parsed: ox.QuerySolutions) -> Solutions:
    """Materialise pyoxigraph solutions."""
    names = tuple(v.value for v in parsed.variables)
    return Solutions(names, tuple(tuple(s[n] for n in names) for s in parsed))


def triples_from(data: bytes, media_type: str) -> Triples:
    """Parse a CONSTRUCT/DESCRIBE answer (N-Triples or Turtle), sorted by N-Triples text."""
    fmt = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip()) or ox.RdfFormat.TURTLE
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}
    return Triples(tuple(sorted(triples, key=str)))


def as_solutions(result: Result) -> Solutions:
    """CONSTRUCT/DESCRIBE triples as rows of ``subject predicate object``."""
    if isinstance(result, Triples):
        rows = tuple((t.subject, t.predicate, t.object) for t in result.triples)
        return Solutions(("subject", "predicate", "object"), rows)
    if isinstance(result, Solutions):
        return result
    raise TypeError("an ASK result has no rows")


def result_nodes(result: Result) -> set[ox.NamedNode]:
    """Every IRI in a result: the nodes that need labels."""
    if isinstance(result, Boolean):
        return set()
    return {t for row in as_solutions(result).rows for t in row if isinstance(t, ox.NamedNode)}


def pick_label(values: Iterable[ox.Literal]) -> str | None:
    """The label to show: English, else untagged, else the first other in sort order.

    >>> pick_label([ox.Literal("Tulli", language="fi"), ox.Literal("Finnish Customs", language="en")])
    'Finnish Customs'
    """
    best: tuple[int, str] | None = None
    for value in values:
        if not isinstance(value, ox.Literal):
            continue
        lang = (value.language or "").lower()
        rank = 0 if lang == "en" or lang.startswith("en-") else 1 if not lang else 2
        candidate = (rank, value.value)
        best = candidate if best is None or candidate < best else best
    return best[1] if best else None


# --- engines ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A serialised answer: ``kind`` is ``solutions``, ``boolean`` or ``triples``."""

    kind: str
    data: bytes
    media_type: str


class Engine(Protocol):
    """What ``ropa query`` needs of an engine."""

    def query(
        self,
        query: QueryText | str,
        *,
        bindings: Mapping[str, Term] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Result: ...

    def labels(self, nodes: Iterable[ox.NamedNode]) -> dict[ox.NamedNode, str]: ...

    def namespaces(self) -> dict[str, str]: ...


def _as_query(query: QueryText | str) -> QueryText:
    return query if isinstance(query, QueryText) else QueryText(query, "query")


class _ChildError(Exception):
    """An error raised in the query's child process, carried back to the parent."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def run_isolated(task: Callable[[], bytes], timeout: float) -> bytes:
    """Run ``task`` in a forked child and return its bytes; kill it after ``timeout`` s.

    pyoxigraph holds the thread until a query ends, so a runaway query can only be
    stopped by stopping its process. The child shares the parent's store copy-on-write.

    >>> run_isolated(lambda: b"answer", 5)
    b'answer'
    >>> run_isolated(lambda: time.sleep(5) or b"late", 0.2)
    Traceback (most recent call last):
    ...
    checker.query.run.QueryTimeout: query stopped after 0.2 s: it ran past the time limit (--timeout)
    """
    if not hasattr(os, "fork"):  # pragma: no cover - Windows: no fork, no enforced limit
        return task()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, write, leave without running the parent's exit handlers
        status = 0
        try:
            os.close(read_fd)
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
    os.close(write_fd)
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
        os.waitpid(pid, 0)
    if not finished:
        raise QueryTimeout(
            f"query stopped after {timeout:g} s: it ran past the time limit (--timeout)"
        )
    payload = b"".join(chunks)
    if payload[:1] == b"K":
        return payload[1:]
    if payload[:1] == b"E":
        error = json.loads(payload[1:])
        raise _ChildError(error["kind"], error["message"])
    raise RopaError("the query process ended without an answer (out of memory?)")


class LocalEngine:
    """The built graph in an embedded pyoxigraph store.

    Args:
        store: the store to query (its default graph holds the graph).
        prefixes: prefixes queries may use without declaring them.
    """

    def __init__(self, store: ox.Store, prefixes: Mapping[str, str] = QUERY_PREFIXES):
        self.store = store
        self.prefixes = dict(prefixes)

    @classmethod
    def from_paths(cls, paths: Sequence[Path] = ()) -> LocalEngine:
        """Build the graph from records and RDF files (default: the shipped register)."""
        from checker.graph.build import build
        from checker.graph.store import ox_store

        return cls(ox_store(build(list(paths))))

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
            payload = run_isolated(task, timeout)
        except _ChildError as exc:
            if exc.kind == "syntax":
                raise syntax_error(exc.message, query) from None
            raise RopaError(f"{query.source}: the query failed: {exc.message}") from None
        head_line, _, data = payload.partition(b"\n")
        head = json.loads(head_line)
        if not head["acceptable"]:
            raise NotAcceptable(head["kind"])
        return Raw(head["kind"], data, head["media_type"])

    def query(
        self,
        query: QueryText | str,
        *,
        bindings: Mapping[str, Term] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Result:
        """Run a read-only query and return its answer (see :meth:`raw` for errors)."""
        raw = self.raw(query, bindings=bindings, timeout=timeout)
        return parse_raw(raw)

    def labels(self, nodes: Iterable[ox.NamedNode]) -> dict[ox.NamedNode, str]:
        """The label of each node that has one."""
        found: dict[ox.NamedNode, str] = {}
        for node in nodes:
            for prop in (RDFS_LABEL, SKOS_PREF_LABEL):
                label = pick_label(
                    q.object
                    for q in self.store.quads_for_pattern(node, prop, None)  # type: ignore[misc]
                )
                if label is not None:
                    found[node] = label
                    break
        return found

    def namespaces(self) -> dict[str, str]:
        """Short names for table output: the register's namespace as the empty prefix."""
        registers = [q.subject for q in self.store.quads_for_pattern(None, RDF_TYPE, DPV_ROPA)]
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


class RemoteEngine:
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
        prefixes: Mapping[str, str] = QUERY_PREFIXES,
    ):
        if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
            raise InputError(f"the endpoint must be an http(s) URL, not {endpoint!r}")
        self.endpoint = endpoint
        self.graph = graph
        self.prefixes = dict(prefixes)

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
        """POST a query; return the body and its media type."""
        form: list[tuple[str, str]] = [("query", text)]
        if self.graph:
            form.append(("default-graph-uri", self.graph))
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        deadline = time.monotonic() + timeout
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read()
                media = response.headers.get("Content-Type", "")
                partial = response.headers.get("X-SQL-State")
                detail = response.headers.get("X-SQL-Message", "")
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read().decode("utf-8", "replace").split())[:400]
            raise RopaError(f"the endpoint answered HTTP {exc.code}: {detail}") from None
        except TimeoutError:
            raise QueryTimeout(
                f"the endpoint gave no answer within {timeout:g} s (--timeout); "
                "the server may still be running the query"
            ) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(
                    f"the endpoint gave no answer within {timeout:g} s (--timeout)"
                ) from None
            raise RopaError(f"cannot reach {self.endpoint}: {exc.reason}") from None
        if partial:  # Virtuoso's "anytime" answer: HTTP 200 with only part of the results
            raise QueryTimeout(
                f"the endpoint stopped the query and sent incomplete results "
                f"({partial}: {' '.join(detail.split())[:120]}); nothing is shown"
            )
        if time.monotonic() > deadline:
            raise QueryTimeout(f"the endpoint took longer than {timeout:g} s (--timeout)")
        return body, media

    def query(
        self,
        query: QueryText | str,
        *,
        bindings: Mapping[str, Term] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Result:
        """Run a read-only query on the endpoint."""
        query = _as_query(query)
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
        """Labels (rdfs:label, else skos:prefLabel), asked of the endpoint 100 nodes at a time."""
        missing = sorted(set(nodes), key=lambda n: n.value)
        found: dict[ox.NamedNode, str] = {}
        for prop in (RDFS_LABEL, SKOS_PREF_LABEL):
            for start in range(0, len(missing), 100):
                values = " ".join(str(n) for n in missing[start : start + 100])
                text = f"SELECT ?node ?label WHERE {{ VALUES ?node {{ {values} }} ?node {prop} ?label }}"
                result = self.query(QueryText(text, "labels"))
                assert isinstance(result, Solutions)
                by_node: dict[ox.NamedNode, list[ox.Literal]] = {}
                for node, label in result.rows:
                    if isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal):
                        by_node.setdefault(node, []).append(label)
                for node, values_of in by_node.items():
                    label_text = pick_label(values_of)
                    if label_text is not None:
                        found[node] = label_text
            missing = [n for n in missing if n not in found]
        return found

    def namespaces(self) -> dict[str, str]:
        """The register's namespace, asked of the endpoint."""
        text = f"SELECT DISTINCT ?r WHERE {{ ?r a {DPV_ROPA} }}"
        result = self.query(QueryText(text, "namespaces"))
        assert isinstance(result, Solutions)
        return register_namespace(r[0].value for r in result.rows if isinstance(r[0], ox.NamedNode))


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


# --- output ----------------------------------------------------------------------------------


def labelled(result: Solutions, labels: Mapping[ox.NamedNode, str]) -> Solutions:
    """Add a ``<name>_label`` column after every column that holds an IRI.

    >>> e = ox.NamedNode("https://e.org/elisa")
    >>> labelled(Solutions(("who",), ((e,),)), {e: "Elisa Oyj"}).variables
    ('who', 'who_label')
    """
    columns: list[tuple[str, int | None]] = []
    for index, name in enumerate(result.variables):
        columns.append((name, index))
        label_name = f"{name}_label"
        has_iri = any(isinstance(row[index], ox.NamedNode) for row in result.rows)
        if has_iri and label_name not in result.variables:
            columns.append((label_name, -1 - index))
    rows = []
    for row in result.rows:
        cells: list[Term | None] = []
        for _, index in columns:
            if index is not None and index >= 0:
                cells.append(row[index])
            else:
                node = row[-1 - index]  # type: ignore[operator]
                text = labels.get(node) if isinstance(node, ox.NamedNode) else None
                cells.append(ox.Literal(text) if text is not None else None)
        rows.append(tuple(cells))
    return Solutions(tuple(name for name, _ in columns), tuple(rows))


def compact(iri: str, prefixes: Mapping[str, str]) -> str:
    """An IRI as a CURIE where a prefix fits (the longest namespace wins), else ``<IRI>``.

    >>> compact("https://w3id.org/dpv/pd#IPAddress", QUERY_PREFIXES)
    'pd:IPAddress'
    >>> compact("https://example.org/x y", QUERY_PREFIXES)
    '<https://example.org/x y>'
    """
    for prefix, space in sorted(prefixes.items(), key=lambda p: -len(p[1])):
        local = iri[len(space) :]
        if space and iri.startswith(space) and _LOCAL_NAME.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")


def _plain(term: Term | None, prefixes: Mapping[str, str] | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return term.value if prefixes is None else compact(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


@dataclass
class _Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _cells(result: Solutions, prefixes: Mapping[str, str] | None) -> _Table:
    return _Table(
        list(result.variables),
        [[_plain(t, prefixes) for t in row] for row in result.rows],
    )


def _text_table(table: _Table, width: int = 60) -> str:
    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    header = [cut(h) for h in table.header]
    rows = [[cut(c) for c in row] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    count = len(rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _markdown(table: _Table, result: Solutions) -> str:
    def cell(text: str, term: Term | None) -> str:
        text = " ".join(text.split()).replace("|", "\\|")
        return f"`{text}`" if isinstance(term, ox.NamedNode) and text else text

    lines = ["| " + " | ".join(table.header) + " |", "|" + "---|" * len(table.header)]
    for row, terms in zip(table.rows, result.rows, strict=True):
        lines.append("| " + " | ".join(cell(c, t) for c, t in zip(row, terms, strict=True)) + " |")
    count = len(table.rows)
    lines.append(f"\n{count} row{'' if count == 1 else 's'}.")
    return "\n".join(lines) + "\n"


def render(
    result: Result,
    fmt: str,
    labels: Mapping[ox.NamedNode, str],
    prefixes: Mapping[str, str] = QUERY_PREFIXES,
) -> str:
    """Render an answer: ``table`` for people, ``csv`` and ``json`` (SPARQL 1.1 results
    formats, with the label columns) for tools, ``markdown`` for documents and pull
    requests, ``turtle`` for CONSTRUCT and DESCRIBE.

    In ``table`` and ``markdown``, IRIs are shortened with ``prefixes``; ``csv`` and ``json``
    keep them whole.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "turtle":
        if not isinstance(result, Triples):
            raise InputError("--format turtle is for CONSTRUCT and DESCRIBE queries")
        named = {k: v for k, v in prefixes.items() if k}
        return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=named).decode()
    if isinstance(result, Boolean):
        word = "true" if result.value else "false"
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.value}) + "\n"
        return word + "\n"
    table_result = labelled(as_solutions(result), labels)
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(table_result.variables, row, strict=True) if t}
            for row in table_result.rows
        ]
        doc = {"head": {"vars": list(table_result.variables)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        table = _cells(table_result, None)
        writer.writerow(table.header)
        writer.writerows(table.rows)
        return out.getvalue()
    table = _cells(table_result, prefixes)
    if fmt == "markdown":
        return _markdown(table, table_result)
    return _text_table(table)


def describe_library(fmt: str = "table") -> str:
    """The saved queries (``ropa query --list``): one entry per line, or JSON.

    >>> print(describe_library().splitlines()[0])
    activities-without-retention
    """
    library = saved_queries()
    if fmt == "json":
        entries = [
            {
                "name": s.name,
                "title": s.title,
                "description": s.description,
                "parameters": [
                    {"name": p.name, "default": p.default, "example": p.example}
                    for p in s.parameters
                ],
            }
            for s in library.values()
        ]
        return json.dumps(entries, indent=1, ensure_ascii=False) + "\n"
    lines = []
    for name, saved in library.items():
        params = " ".join(
            f"--bind {p.name}=..." + (f" (default {p.default})" if p.default else "")
            for p in saved.parameters
        )
        lines.append(f"{name}{'  ' + params if params else ''}\n    {saved.title}")
    return "\n".join(lines) + "\n"


def example_command(saved: SavedQuery) -> tuple[list[str], dict[str, str]]:
    """The ``ropa query`` arguments that show a saved query, with its example bindings."""
    binds = {p.name: p.example for p in saved.parameters if p.example and not p.default}
    args = ["ropa", "query", saved.name]
    for name, value in binds.items():
        args += ["--bind", f"{name}={value}" if " " not in value else f'"{name}={value}"']
    return args, binds


def library_reference(engine: Engine, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Every saved query with its answer on ``engine``'s graph, in Markdown (for
    ``docs/queries.md``; ``ropa query --list --format markdown``)."""
    prefixes = {**QUERY_PREFIXES, **engine.namespaces()}
    parts = []
    for saved in saved_queries().values():
        args, binds = example_command(saved)
        query = QueryText(saved.text, f"{saved.name}.rq", saved)
        result = engine.query(query, bindings=bind_values(engine, query, binds), timeout=timeout)
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
            + render(result, "markdown", engine.labels(result_nodes(result)), prefixes)
        )
    return "\n".join(parts)


def run(
    spec: str,
    *,
    paths: Sequence[Path] = (),
    endpoint: str | None = None,
    graph: str | None = None,
    binds: Mapping[str, str] | None = None,
    fmt: str = "table",
    timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """``ropa query``: resolve the query, check it is read-only, run it, render the answer.

    Args:
        spec: a saved query's name, a ``.rq`` file, or SPARQL text.
        paths: record sets and RDF files to build the graph from (default: the shipped
            register); not with ``endpoint``.
        endpoint: query this SPARQL endpoint instead of the built graph.
        graph: with ``endpoint``, the named graph to query (``default-graph-uri``).
        binds: values for variables, by name (``--bind``).
        fmt: one of :data:`FORMATS`.
        timeout: seconds before the query is stopped.

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
    if graph and not endpoint:
        raise InputError("--graph needs --endpoint (the built graph is queried as a whole)")
    query = load_query(spec)
    shape = check_read_only(query, allow_service=endpoint is not None)
    if fmt == "turtle" and shape.form not in ("CONSTRUCT", "DESCRIBE"):
        raise InputError("--format turtle is for CONSTRUCT and DESCRIBE queries")
    engine: Engine = (
        RemoteEngine(endpoint, graph=graph) if endpoint else LocalEngine.from_paths(paths)
    )
    bindings = bind_values(engine, query, binds or {}, timeout=timeout)
    result = engine.query(query, bindings=bindings, timeout=timeout)
    prefixes = dict(QUERY_PREFIXES)
    if fmt in ("table", "markdown"):
        prefixes.update(engine.namespaces())
    return render(result, fmt, engine.labels(result_nodes(result)), prefixes)
