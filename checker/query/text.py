"""The text of a query: where it comes from, what it is, and whether it may run.

A small SPARQL tokenizer finds the query form, any update keyword, the prefixes used and
declared, and the WHERE group, without parsing the whole language: enough to refuse an
update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) or a federated ``SERVICE`` call before
anything is built or sent, and to place bound values (see :mod:`checker.query.binding`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.errors import InputError, RopaError
from checker.files import decode_utf8, read_input
from checker.query.library import SavedQuery, saved_queries

#: Deepest nesting of ``( )``, ``{ }`` and ``[ ]`` a query may have. pyoxigraph's parser
#: recurses: a few thousand levels overflow its stack and end the process.
MAX_NESTING = 128

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


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
        data = read_input(Path(spec), spec, missing="query file not found")
        return QueryText(decode_utf8(data, spec), spec)
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
    too_deep: Token | None = None  # the bracket past MAX_NESTING


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
    depth = 0
    too_deep = None
    for tok in toks[i:]:
        if tok.kind == "other" and tok.text in "({[":
            depth += 1
            if depth > MAX_NESTING and too_deep is None:
                too_deep = tok
        elif tok.kind == "other" and tok.text in ")}]":
            depth -= 1
        elif tok.kind == "word":
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
        too_deep,
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
    checker.query.text.UpdateRefused: query:1:1: INSERT is a SPARQL update; queries here are read-only (SELECT, ASK, CONSTRUCT, DESCRIBE), so nothing was run or changed
    """
    shape = inspect_query(query.text)
    if shape.too_deep is not None:
        line, col = line_column(query.text, shape.too_deep.start)
        raise QueryRefused(
            f"{query.source}:{line}:{col}: nested more than {MAX_NESTING} levels deep "
            "(( ), { } or [ ]): refused before it reaches the query engine"
        )
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
