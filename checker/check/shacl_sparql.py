"""Validate a graph against our SHACL shapes by compiling them to SPARQL for pyoxigraph.

The shapes (``shapes/*.ttl``) use core SHACL only. :class:`ShaclValidator` compiles them
once into SPARQL SELECT queries and runs those on a :class:`pyoxigraph.Store`. The results
are pySHACL's (``inference="none"``) top-level results: the ``sh:result`` objects of the
report node whose ``sh:sourceShape`` is an IRI, deduplicated on
(shape, focus, path, value, severity). pySHACL stays the reference in the tests
(``tests/test_shacl_sparql.py``) and is not imported here.

Queries
-------
One query per top-level shape and kind of result; each selects what fails::

    SELECT DISTINCT ?focus [?value] WHERE {
        { SELECT DISTINCT ?focus WHERE { <targets> } }
        [?focus <path> ?value]               # a property shape's value-type constraints
        OPTIONAL { ... } ...                  # the sets and lookups the tests need
        FILTER(!<the focus / value conforms>)
    }

=============================  ==========================================================
what fails                     the result
=============================  ==========================================================
node shape, value-type         focus, value = the focus node, no path
node shape, ``sh:hasValue``    focus, no value, no path
``sh:property``, value-type    focus, value = each failing value node, path
``sh:property``, counts        focus (``sh:minCount``, ``sh:hasValue``, qualified counts),
                               no value, path
=============================  ==========================================================

``sh:resultPath`` is given only for a plain predicate path (else ``None``). The severity is
the shape's ``sh:severity``, by default ``sh:Violation``.

The mapping
-----------
targets (several: UNION, then DISTINCT)
    ``sh:targetClass C``: ``?focus rdf:type/rdfs:subClassOf* C``;
    ``sh:targetNode n``: ``VALUES ?focus { n ... }`` (in the data graph or not);
    implicit class target (the shape is an ``rdfs:Class``): as ``sh:targetClass`` itself;
    ``sh:targetSubjectsOf p``: ``?focus p []``; ``sh:targetObjectsOf p``: ``[] p ?focus``

paths (SPARQL 1.1 property paths)
    IRI ``p``: ``p``; RDF list: ``a/b``; ``sh:alternativePath``: ``a|b``;
    ``sh:inversePath p``: ``^p``; ``sh:zeroOrMorePath``: ``a*``; ``sh:zeroOrOnePath``:
    ``a?``; ``sh:oneOrMorePath``: ``a+``

"``$x`` conforms to shape S" is the conjunction of S's constraints, a boolean expression
over the row. A node shape's value-type constraints test ``$x`` itself, a property shape's
test each value ``$v`` of ``$x`` over its path; nested shapes (``sh:node``, ``sh:not``,
``sh:or``, ``sh:and``, ``sh:qualifiedValueShape``, a node shape's ``sh:property``) nest
the expression:

    ``sh:class C``     ``$v`` in the set ``{ ?v rdf:type/rdfs:subClassOf* C }``
    ``sh:nodeKind``    ``isIRI($v)``, ``isBlank($v)``, ``isLiteral($v)`` or a disjunction
    ``sh:datatype D``  ``isLiteral($v) && sameTerm(datatype($v), D)`` and, for the XSD types
                       SPARQL casts, ``COALESCE(isLiteral(D($v)), false)``: an ill-typed
                       literal ("10"^^xsd:duration) fails, as in pySHACL
    ``sh:in``          ``sameTerm($v, a) || ...``  (term equality, as pySHACL)
    ``sh:hasValue a``  node shape: ``sameTerm($x, a)``; property shape: ``$x`` in the set
                       ``{ ?x <path> a }``
    ``sh:minCount n``  ``$x`` has n distinct values over the path
    value-type         ``$x`` is not in the set ``{ ?x <path> ?v FILTER(!tests of ?v) }``
    qualified counts   at least ``sh:qualifiedMinCount`` / not more than
                       ``sh:qualifiedMaxCount`` distinct values that conform to the shape

Speed: how oxigraph runs it
---------------------------
oxigraph evaluates ``FILTER EXISTS { ... }`` once per row, without reordering the joins
inside it; a path like ``dpv:hasLegalBasis/rdf:type?/skos:broader*`` in an EXISTS walks
the closure from every node of the graph for every row (50 s on 10k triples). So the tests
are sets, each computed once for the whole graph by an ``OPTIONAL { SELECT DISTINCT ?x
(true AS ?flag) WHERE { ... } }`` (oxigraph hash-joins such a subquery) and tested with
``BOUND(?flag)``. A path to a constant (``sh:hasValue``, ``sh:class``) is then walked
backwards from the constant, which is cheap: ``skos:broader*`` below ``dpv:LegalBasis``
is small, ``skos:broader*`` above every legal basis of every activity is not. A
``sh:minCount 1`` or ``sh:hasValue`` over one predicate is instead a lookup per row
(``OPTIONAL { ?x p ?y }``, a for-loop join in oxigraph): cheaper than the whole extent of
a predicate like ``rdf:type``.

The SPARQL parser splits a sequence or an inverse path into triple patterns, which
oxigraph's optimizer may join in a bad order; an alternative with a predicate that no
graph uses (:data:`_NO_PREDICATE`) keeps a path in one piece, evaluated from its bound end.

Not supported
-------------
Anything else (another constraint component such as ``sh:maxCount`` or ``sh:pattern``,
SHACL-SPARQL, ``sh:deactivated``, recursive
shapes, ``sh:inversePath`` of a complex path, blank node constants, ...) raises
:class:`~checker.errors.InputError` at compile time, naming the shape (its
``dct:identifier``, else its IRI; for a blank node, the nearest named shape that uses it),
the feature and, where the validator was given them, the shapes file. Properties that do
not validate (``sh:message``, ``sh:name``, ``sh:description``, ``sh:order``, ``sh:group``,
``sh:defaultValue``) and non-SHACL ones (``rdfs:label``) are ignored.

Known differences from pySHACL: the XSD lexical forms are oxigraph's (XSD), not rdflib's
(ISO 8601): rdflib also accepts "P1W", "P1.5Y" or "PT" as an ``xsd:duration``, so
``sh:datatype`` passes them there and fails them here. A zero-length path (``*``, ``?``)
from a term that is not in the data graph yields nothing in oxigraph: the focus and value
nodes are in the data graph, but for a ``sh:targetNode`` that is not, such a path has no
value here (in pySHACL: the node itself).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from checker.errors import InputError

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VIOLATION = SH + "Violation"
IDENTIFIER = "http://purl.org/dc/terms/identifier"

#: A predicate no graph uses: an alternative with it keeps a SPARQL path in one piece.
_NO_PREDICATE = "urn:x-ropa-kg:shacl-sparql:no-predicate"
#: rdf:type/rdfs:subClassOf*, as one path.
_IS_A = f"((<{RDF}type>/<{RDFS}subClassOf>*)|<{_NO_PREDICATE}>)"
#: A LIMIT larger than any set of nodes (see ``_Compiler.limit``).
_NEVER_REACHED = 2**31 - 1
#: Portable: the focus node's kind, bound right after the targets. Virtuoso 7.2 answers
#: isLiteral(?focus) false for a literal once ?focus has been the subject of a pattern.
_FOCUS_KINDS = {
    "isIRI": "?focus_is_iri",
    "isBlank": "?focus_is_blank",
    "isLiteral": "?focus_is_literal",
}
#: The lexical space of xsd:duration (XSD 1.1), as an XPath regular expression.
_DURATION = (
    "^-?P(([0-9]+Y([0-9]+M)?|[0-9]+M)(([0-9]+D)?(T([0-9]+H([0-9]+M)?({s})?|[0-9]+M({s})?|{s}))?)"
    "|([0-9]+D(T([0-9]+H([0-9]+M)?({s})?|[0-9]+M({s})?|{s}))?|T([0-9]+H([0-9]+M)?({s})?"
    "|[0-9]+M({s})?|{s})))$"
).format(s="([0-9]+([.][0-9]*)?|[.][0-9]+)S")
#: The same path for any SPARQL 1.1 store (``portable``): no alternative with a complex path.
_IS_A_PORTABLE = f"(<{RDF}type>/<{RDFS}subClassOf>*)"

#: XSD datatypes whose lexical forms SPARQL can check with a cast.
_CASTABLE = {
    XSD + name
    for name in (
        "boolean",
        "integer",
        "decimal",
        "float",
        "double",
        "date",
        "time",
        "dateTime",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
    )
}

_NODE_KINDS = {
    SH + "IRI": "isIRI({v})",
    SH + "BlankNode": "isBlank({v})",
    SH + "Literal": "isLiteral({v})",
    SH + "BlankNodeOrIRI": "!isLiteral({v})",
    SH + "BlankNodeOrLiteral": "!isIRI({v})",
    SH + "IRIOrLiteral": "!isBlank({v})",
}

_TARGETS = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"}
_CONSTRAINTS = {"class", "nodeKind", "datatype", "in", "node", "not", "or", "and"}
_CONSTRAINTS |= {"minCount", "hasValue", "qualifiedValueShape"}
_PARAMETERS = {"path", "property", "severity", "qualifiedMinCount", "qualifiedMaxCount"}
_PARAMETERS |= {"qualifiedValueShapesDisjoint"}
_NOT_VALIDATING = {"message", "name", "description", "order", "group", "defaultValue"}
_SUPPORTED = _TARGETS | _CONSTRAINTS | _PARAMETERS | _NOT_VALIDATING

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class ShaclResult:
    """One top-level result of the validation report."""

    shape: str  # IRI of sh:sourceShape
    focus: Term  # a literal too, where sh:targetObjectsOf reaches one
    path: str | None  # sh:resultPath when it is a plain predicate IRI, else None
    value: Term | None  # sh:value, None when pySHACL gives none
    severity: str  # IRI of sh:Violation, sh:Warning or sh:Info


@dataclass(frozen=True)
class _Query:
    """One compiled SELECT; each row is a result."""

    shape: str
    path: str | None
    severity: str
    value: str | None  # "focus": the focus node; "value": the ?value column; None: no value
    sparql: str


def load_shapes(paths: Iterable[Path | str]) -> ox.Store:
    """Parse Turtle shapes files into one store (its default graph)."""
    store = ox.Store()
    for path in sorted(Path(p) for p in paths):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


class _Refused(Exception):
    """A shape uses something the compiler does not implement (internal; see ``compile``)."""

    def __init__(self, shape: Term, feature: str) -> None:
        super().__init__(feature)
        self.shape, self.feature = shape, feature
        self.named: ox.NamedNode | None = shape if isinstance(shape, ox.NamedNode) else None


class ShaclValidator:
    """The shapes, compiled once; :meth:`validate` runs them on any number of graphs.

    Args:
        shapes: the shapes graph (see :func:`load_shapes`).
        files: the files it was loaded from, to name the file of a shape it refuses.
        portable: queries for any SPARQL 1.1 store (see :mod:`checker.check.remote`),
            without the oxigraph-only tuning of paths (:data:`_NO_PREDICATE`).

        partial: compile the shapes it can and list the others (with their targets) in
            :attr:`refused`, instead of raising, and report the results of blank-node
            shapes too (an organisation's ``sh:property [ ... ]``; see
            :mod:`checker.check.organisation`).

    Raises:
        InputError: a shape uses a SHACL feature the compiler does not support (not with
            ``partial``).
    """

    def __init__(
        self,
        shapes: ox.Store,
        files: Iterable[Path | str] = (),
        *,
        portable: bool = False,
        partial: bool = False,
    ) -> None:
        compiler = _Compiler(shapes, portable=portable, partial=partial)
        try:
            self.queries = compiler.compile()
        except _Refused as refused:
            raise _input_error(shapes, refused, [Path(f) for f in files]) from None
        #: With ``partial``: each shape with targets it could not compile, and why.
        self.refused: dict[Term, str] = compiler.refused

    def validate(self, data: ox.Store) -> list[ShaclResult]:
        """The top-level results for the default graph of ``data``: no duplicates, sorted by
        shape, focus, path and value (blank nodes by their ids in ``data``)."""
        return sorted(set(self._results(data)), key=_result_order)

    def _results(self, data: ox.Store) -> Iterator[ShaclResult]:
        for query in self.queries:
            for row in data.query(query.sparql):
                focus = row["focus"]
                value = row[query.value] if query.value else None
                yield ShaclResult(query.shape, focus, query.path, value, query.severity)


def _input_error(shapes: ox.Store, refused: _Refused, files: list[Path]) -> InputError:
    """The refusal as one line: the shape by its identifier, the feature, the file."""
    shape = refused.named
    name = str(refused.shape)
    if shape is not None:
        ids = [
            q.object.value for q in shapes.quads_for_pattern(shape, ox.NamedNode(IDENTIFIER), None)
        ]
        name = f"{ids[0]} ({shape.value})" if ids else shape.value
    where = None
    for path in sorted(files):
        if shape is None:
            break
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        if any(store.quads_for_pattern(shape, None, None)):
            where = path
            break
    message = f"shape {name}: {refused.feature} (the SHACL compiler of ropa check supports core SHACL only)"
    return InputError(message, where)


def _result_order(result: ShaclResult) -> tuple[object, ...]:
    def term(t: Term | None) -> tuple[int, str]:
        kinds = {ox.NamedNode: 1, ox.BlankNode: 2, ox.Literal: 3}
        return (0, "") if t is None else (kinds[type(t)], str(t))

    return (result.shape, term(result.focus), result.path or "", term(result.value))


class _Scope:
    """The sets and lookups that the FILTER of one SELECT tests, as ``OPTIONAL`` blocks.

    A set is a subquery that oxigraph computes once for the whole graph and hash-joins on
    its node; a lookup is one triple pattern from the bound node (a for-loop join). Each is
    written once per scope, however many tests use it.
    """

    def __init__(
        self,
        compiler: _Compiler,
        key: str = "",
        source: str = "",
        binds: str = "",
        link: str = "",
        keys: str = "",
    ) -> None:
        self.compiler = compiler
        self.key = key  # portable: the variable the sets are about ...
        self.source = source  # ... and a pattern that binds every value it takes
        #: Portable: the BINDs the source makes that the FILTER may test (the focus kinds) ...
        self.binds = binds
        #: ... the variables of the source the query keeps (default: the key) ...
        self.keys = keys or key
        #: ... and, when they are more than the key, a pattern binding them with the key.
        self.link = link
        self.sets: dict[tuple[str, str, str, int], str] = {}
        self.lookups: dict[str, str] = {}

    def in_set(self, x: str, where: str, counted: str = "", at_least: int = 1) -> str:
        """``x`` has a solution of ``where`` (at least ``at_least`` distinct ``counted``)."""
        if at_least <= 0:
            return "true"
        flag = self.sets.setdefault((x, where, counted, at_least), self.compiler.variable())
        if self.compiler.portable:
            if x != self.key:
                raise ValueError(f"a set about {x} in a scope about {self.key}")
            return f"({flag} = 1)"
        return f"BOUND({flag})"

    def lookup(self, pattern: str, variable: str) -> str:
        """``pattern``, one triple pattern from a bound node, binds ``variable``."""
        return f"BOUND({self.lookups.setdefault(pattern, variable)})"

    def __str__(self) -> str:
        """The sets and lookups as OPTIONAL blocks (portable queries use :meth:`joined`)."""
        blocks = [f"OPTIONAL {{ {pattern} }}" for pattern in self.lookups]
        for (x, where, counted, at_least), flag in self.sets.items():
            if at_least == 1:
                select = f"SELECT DISTINCT {x} (true AS {flag}) WHERE {{ {where} }}"
            else:
                select = (
                    f"SELECT {x} (true AS {flag}) WHERE {{ {where} }} GROUP BY {x} "
                    f"HAVING (COUNT(DISTINCT {counted}) >= {at_least})"
                )
            blocks.append(f"OPTIONAL {{ {select}{self.compiler.limit} }}")
        return " ".join(blocks)

    def joined(self) -> str:
        """:attr:`source` joined with the sets and lookups (what a SELECT's WHERE holds
        before its FILTER). Portable: no join at all, the flags' subquery is the rows
        (:meth:`flags`, its first branch flagging the source's rows), then the BINDs and
        lookups. Virtuoso 7.2 joins a subquery with anything else by evaluating it again
        for each row of the other side: at 1M triples that took minutes per shape (one
        did not finish in 15 minutes); so the 55 shape queries of a 1M register take
        seconds in all."""
        if not (self.compiler.portable and self.sets):
            return f"{self.source} {self}"
        lookups = " ".join(f"OPTIONAL {{ {pattern} }}" for pattern in self.lookups)
        source = self.compiler.variable()
        return f"{self.flags(source)} FILTER({source} = 1) {self.binds} {lookups}"

    def flags(self, source: str) -> str:
        """Portable: every set as a 0/1 flag of each value of :attr:`key`, in one subquery
        that a store computes once: the union of the keys (all flags 0) and of each set
        (its flag 1), grouped by key. A store then joins it like any other pattern; Virtuoso
        7.2 evaluates an ``OPTIONAL { SELECT ... }`` again for every row (and a set with a
        transitive path wrongly after the first), a fraction of a second each.

        The rows are those of :attr:`keys` (``source`` flags the ones the source binds);
        when they are more than the key, each set is joined with :attr:`link`, a pattern,
        so the set's rows carry the same variables (a pattern joins cheaply; a subquery
        would not)."""
        flags = [*self.sets.values(), source]
        limit = self.compiler.limit

        def branch(rows: str, on: str | None) -> str:
            binds = " ".join(f"BIND({1 if f == on else 0} AS {f}_in)" for f in flags)
            return f"{{ {{ {rows}{limit} }} {binds} }}"

        keys = self.keys
        branches = [branch(f"SELECT DISTINCT {keys} WHERE {{ {self.source} }}", source)]
        for (x, where, counted, at_least), flag in self.sets.items():
            if at_least == 1:
                rows = f"SELECT DISTINCT {x} WHERE {{ {where} }}"
            else:
                rows = (
                    f"SELECT {x} WHERE {{ {where} }} GROUP BY {x} "
                    f"HAVING (COUNT(DISTINCT {counted}) >= {at_least})"
                )
            if self.link:
                rows = f"SELECT DISTINCT {keys} WHERE {{ {{ {rows}{limit} }} {self.link} }}"
            branches.append(branch(rows, flag))
        maxima = " ".join(f"(MAX({f}_in) AS {f})" for f in flags)
        union = " UNION ".join(branches)
        return f"{{ SELECT {keys} {maxima} WHERE {{ {union} }} GROUP BY {keys} }}"


class _Compiler:
    """Reads the shapes store and writes the SPARQL; one instance per shapes graph."""

    def __init__(self, shapes: ox.Store, *, portable: bool = False, partial: bool = False) -> None:
        self.shapes = shapes
        self.portable = portable
        self.partial = partial
        self.refused: dict[Term, str] = {}
        self.is_a = _IS_A_PORTABLE if portable else _IS_A
        # Portable: a LIMIT no set reaches makes a store compute each subquery once (Virtuoso
        # 7.2 evaluates one with a transitive path per outer row, wrongly after the first).
        self.limit = f" LIMIT {_NEVER_REACHED}" if portable else ""
        self._variables = itertools.count()
        self._stack: list[Term] = []  # the shapes being compiled, to refuse recursion

    # -- reading the shapes graph -----------------------------------------------------------

    def objects(self, node: Term, name: str) -> list[Term]:
        quads = self.shapes.quads_for_pattern(node, ox.NamedNode(SH + name), None, None)
        return sorted({q.object for q in quads}, key=str)

    def one(self, node: Term, name: str) -> Term | None:
        values = self.objects(node, name)
        if len(values) > 1:
            raise _Refused(node, f"more than one sh:{name}")
        return values[0] if values else None

    def items(self, shape: Term, head: Term) -> list[Term]:
        """The members of an RDF list."""
        first, rest = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest")
        members = []
        while head != ox.NamedNode(RDF + "nil"):
            firsts = [q.object for q in self.shapes.quads_for_pattern(head, first, None, None)]
            rests = [q.object for q in self.shapes.quads_for_pattern(head, rest, None, None)]
            if len(firsts) != 1 or len(rests) != 1:
                raise _Refused(shape, f"malformed RDF list at {head}")
            members.append(firsts[0])
            head = rests[0]
        return members

    def check_features(self, shape: Term) -> None:
        """Refuse any SHACL property of ``shape`` that this compiler does not implement."""
        for quad in self.shapes.quads_for_pattern(shape, None, None, None):
            predicate = quad.predicate.value
            if predicate.startswith(SH) and predicate[len(SH) :] not in _SUPPORTED:
                raise _Refused(shape, f"sh:{predicate[len(SH) :]} is not supported")
        if self.one(shape, "qualifiedValueShapesDisjoint") not in {None, ox.Literal(False)}:
            raise _Refused(shape, "sh:qualifiedValueShapesDisjoint is not supported")
        if self.is_property_shape(shape) and self.objects(shape, "property"):
            raise _Refused(shape, "sh:property on a property shape is not supported")

    def is_property_shape(self, shape: Term) -> bool:
        return self.one(shape, "path") is not None

    def severity(self, shape: Term) -> str:
        severity = self.one(shape, "severity")
        return severity.value if isinstance(severity, ox.NamedNode) else VIOLATION

    # -- SPARQL terms and paths -------------------------------------------------------------

    def variable(self) -> str:
        return f"?v{next(self._variables)}"

    @staticmethod
    def constant(shape: Term, term: Term) -> str:
        if isinstance(term, ox.BlankNode):
            raise _Refused(shape, "a blank node as a constant is not supported")
        return str(term)

    def path(self, shape: Term) -> str:
        """The path of the property ``shape``, as one SPARQL property path."""
        node = self.one(shape, "path")
        if isinstance(node, ox.NamedNode):
            return str(node)
        if self.portable:
            return self._path(shape, node)
        return f"({self._path(shape, node)}|<{_NO_PREDICATE}>)"

    def _spelled_out(self, shape: Term, steps: list[Term]) -> str:
        """A sequence with its ``sh:zeroOrOnePath`` steps spelled out as alternatives
        (``a/b?/c`` as ``a/c|a/b/c``): Virtuoso 7.2 finds nothing along ``b?/c*``."""
        choices: list[list[str]] = [[]]
        for step in steps:
            optional = [
                q.object
                for q in self.shapes.quads_for_pattern(
                    step, ox.NamedNode(SH + "zeroOrOnePath"), None
                )
            ]
            if len(optional) == 1 and isinstance(step, ox.BlankNode):
                inner = self._path(shape, optional[0])
                choices = [c + extra for c in choices for extra in ([], [inner])]
            else:
                choices = [[*c, self._path(shape, step)] for c in choices]
        if not all(choices):
            raise _Refused(shape, "a sequence of optional steps only")
        return "(" + "|".join("/".join(c) for c in choices) + ")"

    def _path(self, shape: Term, node: Term) -> str:
        if isinstance(node, ox.NamedNode):
            return str(node)
        if isinstance(node, ox.Literal):
            raise _Refused(shape, f"a literal is not a path: {node}")
        if any(self.shapes.quads_for_pattern(node, ox.NamedNode(RDF + "first"), None, None)):
            steps = self.items(shape, node)
            if len(steps) < 2:
                raise _Refused(shape, "a sequence path needs two steps")
            if self.portable:
                return self._spelled_out(shape, steps)
            return "(" + "/".join(self._path(shape, step) for step in steps) + ")"
        kinds = {
            q.predicate.value: q.object for q in self.shapes.quads_for_pattern(node, None, None)
        }
        if len(kinds) != 1:
            raise _Refused(shape, f"unsupported path with {sorted(kinds)}")
        ((kind, inner),) = kinds.items()
        if kind == SH + "alternativePath":
            members = self.items(shape, inner)
            return "(" + "|".join(self._path(shape, m) for m in members) + ")"
        if kind == SH + "inversePath":
            if not isinstance(inner, ox.NamedNode):
                raise _Refused(shape, "sh:inversePath of a complex path is not supported")
            return f"(^{inner})"
        modifiers = {"zeroOrMorePath": "*", "zeroOrOnePath": "?", "oneOrMorePath": "+"}
        if kind.startswith(SH) and kind[len(SH) :] in modifiers:
            return f"({self._path(shape, inner)}){modifiers[kind[len(SH) :]]}"
        raise _Refused(shape, f"unsupported path <{kind}>")

    # -- conformance as a boolean expression ------------------------------------------------

    def conforms(self, shape: Term, x: str, scope: _Scope) -> str:
        """An expression: the node bound to ``x`` conforms to ``shape``."""
        if shape in self._stack:
            raise _Refused(shape, "recursive shapes are not supported")
        self._stack.append(shape)
        try:
            self.check_features(shape)
            if self.is_property_shape(shape):
                tests = self.count_tests(shape, x, scope) + self.values_tests(shape, x, scope)
            else:
                tests = self.value_tests(shape, x, scope) + self.node_has_value(shape, x)
                tests += [self.conforms(p, x, scope) for p in self.objects(shape, "property")]
            return _all(tests)
        except _Refused as refused:
            # A blank node is named by the nearest named shape that uses it.
            if refused.named is None and isinstance(shape, ox.NamedNode):
                refused.named = shape
            raise
        finally:
            self._stack.pop()

    def node_has_value(self, shape: Term, x: str) -> list[str]:
        """``sh:hasValue`` of a node shape: the node itself is the value."""
        return [self.same_term(shape, x, v) for v in self.objects(shape, "hasValue")]

    def same_term(self, shape: Term, v: str, term: Term) -> str:
        """An expression: the node bound to ``v`` is ``term`` (RDF term equality).

        Portable: Virtuoso 7.2 reads ``sameTerm(?v, c)`` as binding ``?v`` to ``c``, and so
        answers false for ``sameTerm(?v, a) || sameTerm(?v, b)`` (an ``sh:in`` of two) and
        for any stored string (``"text"`` in the query is not the string it holds). An IRI
        is tested with ``IN``, a literal without a language by its datatype and lexical
        form."""
        constant = self.constant(shape, term)
        if self.portable and isinstance(term, ox.NamedNode):
            return f"({v} IN ({constant}))"
        if self.portable and isinstance(term, ox.Literal) and not term.language:
            datatype, lexical = term.datatype, ox.Literal(term.value)
            return f"COALESCE(sameTerm(datatype({v}), {datatype}) && STR({v}) = {lexical}, false)"
        return f"sameTerm({v}, {constant})"

    def value_tests(self, shape: Term, v: str, scope: _Scope) -> list[str]:
        """The value-type constraints of ``shape`` on the node bound to ``v``."""
        tests = []
        for cls in self.objects(shape, "class"):
            tests.append(scope.in_set(v, f"{v} {self.is_a} {self.constant(shape, cls)}"))
        for kind in self.objects(shape, "nodeKind"):
            if kind.value not in _NODE_KINDS:
                raise _Refused(shape, f"sh:nodeKind {kind} is not supported")
            test = _NODE_KINDS[kind.value].format(v=v)
            if self.portable and v == "?focus":  # the kind bound before any join (targets)
                for function, variable in _FOCUS_KINDS.items():
                    test = test.replace(f"{function}(?focus)", variable)
            tests.append(test)
        for datatype in self.objects(shape, "datatype"):
            test = f"isLiteral({v}) && sameTerm(datatype({v}), {self.constant(shape, datatype)})"
            if datatype.value in _CASTABLE:
                cast = f"COALESCE(isLiteral({datatype}({v})), false)"
                if self.portable and datatype.value == XSD + "duration":
                    # A store may hold a duration as a number (Virtuoso 7.2; isNumeric is
                    # false for any xsd:duration elsewhere) or not cast it: its lexical form.
                    cast = f'({cast} || isNumeric({v}) || REGEX(STR({v}), "{_DURATION}"))'
                test += f" && {cast}"
            tests.append(f"({test})")
        for members in self.objects(shape, "in"):
            in_list = [self.same_term(shape, v, m) for m in self.items(shape, members)]
            tests.append(_any(in_list))
        for node in self.objects(shape, "node"):
            tests.append(self.conforms(node, v, scope))
        for node in self.objects(shape, "not"):
            tests.append(f"!{self.conforms(node, v, scope)}")
        for members in self.objects(shape, "or"):
            tests.append(_any([self.conforms(m, v, scope) for m in self.items(shape, members)]))
        for members in self.objects(shape, "and"):
            tests.append(_all([self.conforms(m, v, scope) for m in self.items(shape, members)]))
        return tests

    def values_tests(self, shape: Term, f: str, scope: _Scope) -> list[str]:
        """Every value of ``f`` over the path of the property ``shape`` passes its
        value-type constraints: ``f`` has no value that fails one."""
        v = self.variable()
        link = f"{f} {self.path(shape)} {v}"
        inner = _Scope(self, v, link, link=link, keys=f"{f} {v}")
        tests = self.value_tests(shape, v, inner)
        if not tests:
            return []
        failing = f"{inner.joined()} FILTER(!{_all(tests)})"
        return [f"!{scope.in_set(f, failing)}"]

    def count_tests(self, shape: Term, f: str, scope: _Scope) -> list[str]:
        """``sh:minCount``, ``sh:hasValue`` and the qualified counts of the property
        ``shape``, on the node bound to ``f``."""
        path = self.path(shape)
        predicate = isinstance(self.one(shape, "path"), ox.NamedNode)
        tests = []
        for count in self.objects(shape, "minCount"):
            v, n = self.variable(), _count(shape, count)
            if predicate and n == 1:
                tests.append(scope.lookup(f"{f} {path} {v}", v))
            else:
                tests.append(scope.in_set(f, f"{f} {path} {v}", v, n))
        for value in self.objects(shape, "hasValue"):
            value = self.constant(shape, value)
            if predicate:
                v = self.variable()
                tests.append(scope.lookup(f"{f} {path} {value} BIND(true AS {v})", v))
            else:
                tests.append(scope.in_set(f, f"{f} {path} {value}"))
        qualified = self.objects(shape, "qualifiedValueShape")
        low, high = self.one(shape, "qualifiedMinCount"), self.one(shape, "qualifiedMaxCount")
        if len(qualified) > 1 or (qualified and low is None and high is None):
            raise _Refused(shape, "one sh:qualifiedValueShape with its counts")
        for node in qualified:
            v = self.variable()
            link = f"{f} {path} {v}"
            inner = _Scope(self, v, link, link=link, keys=f"{f} {v}")
            test = self.conforms(node, v, inner)  # first: it fills ``inner``
            conforming = f"{inner.joined()} FILTER({test})"
            if low is not None:
                tests.append(scope.in_set(f, conforming, v, _count(shape, low)))
            if high is not None:
                tests.append(f"!{scope.in_set(f, conforming, v, _count(shape, high) + 1)}")
        return tests

    # -- the top-level queries --------------------------------------------------------------

    def compile(self) -> list[_Query]:
        """The queries of every shape with a target and of its ``sh:property`` shapes."""
        shapes = set()
        for kind in ("NodeShape", "PropertyShape"):
            typed = ox.NamedNode(RDF + "type"), ox.NamedNode(SH + kind)
            shapes |= {q.subject for q in self.shapes.quads_for_pattern(None, *typed, None)}
        for name in (*_TARGETS, "target"):
            target = ox.NamedNode(SH + name)
            shapes |= {q.subject for q in self.shapes.quads_for_pattern(None, target, None)}
        queries = []
        for shape in sorted(shapes, key=str):
            try:
                queries += self.shape_queries(shape)
            except _Refused as refused:
                if not self.partial:
                    raise
                if self.has_targets(shape):
                    self.refused[shape] = refused.feature
        if self.partial:
            return queries
        # The shipped shapes report only named shapes (none of theirs with a target is blank).
        return [q for q in queries if not q.shape.startswith("_:")]

    def has_targets(self, shape: Term) -> bool:
        """``shape`` has a target of any kind (implicit class targets included)."""
        quads = self.shapes.quads_for_pattern(shape, None, None, None)
        target = {SH + t for t in ("targetClass", "targetNode", "targetSubjectsOf")}
        target |= {SH + "targetObjectsOf", SH + "target"}
        return self.is_class(shape) or any(q.predicate.value in target for q in quads)

    def is_class(self, shape: Term) -> bool:
        """``shape`` is an implicit class target: its type is ``rdfs:Class`` or a direct
        subclass of it in the shapes graph (as pySHACL reads SHACL 2.1.3.3)."""
        rdfs_class = ox.NamedNode(RDFS + "Class")
        subclass_of = ox.NamedNode(RDFS + "subClassOf")
        kinds = {rdfs_class}
        kinds |= {q.subject for q in self.shapes.quads_for_pattern(None, subclass_of, rdfs_class)}
        types = self.shapes.quads_for_pattern(shape, ox.NamedNode(RDF + "type"), None, None)
        return any(q.object in kinds for q in types)

    def shape_queries(self, shape: Term) -> list[_Query]:
        """The queries of one shape with a target and of its ``sh:property`` shapes."""
        self.conforms(shape, "?focus", _Scope(self, "?focus"))  # checks it and its nested shapes
        targets = self.targets(shape)
        if targets is None:
            return []
        if self.is_property_shape(shape):
            return self.property_queries(shape, targets)
        queries = self.node_queries(shape, targets)
        for prop in self.objects(shape, "property"):
            queries += self.property_queries(prop, targets)
        return queries

    @property
    def focus_binds(self) -> str:
        """Portable: the focus node's kinds, bound right after the targets (:data:`_FOCUS_KINDS`)."""
        if not self.portable:
            return ""
        return " ".join(f"BIND({f}(?focus) AS {v})" for f, v in _FOCUS_KINDS.items())

    def targets(self, shape: Term) -> str | None:
        """A subquery binding ``?focus`` to the focus nodes of ``shape``, once each."""
        patterns = []
        classes = self.objects(shape, "targetClass")
        if self.is_class(shape):
            classes.append(shape)
        for cls in classes:
            patterns.append(f"?focus {self.is_a} {self.constant(shape, cls)}")
        nodes = [self.constant(shape, node) for node in self.objects(shape, "targetNode")]
        if nodes:
            patterns.append(f"VALUES ?focus {{ {' '.join(nodes)} }}")
        for p in self.objects(shape, "targetSubjectsOf"):
            patterns.append(f"?focus {self.constant(shape, p)} ?object")
        for p in self.objects(shape, "targetObjectsOf"):
            patterns.append(f"?subject {self.constant(shape, p)} ?focus")
        if not patterns:
            return None
        union = " UNION ".join(f"{{ {p} }}" for p in patterns)
        subquery = f"{{ SELECT DISTINCT ?focus WHERE {{ {union} }}{self.limit} }}"
        if self.portable:
            subquery += " " + self.focus_binds
        return subquery

    def node_queries(self, shape: Term, targets: str) -> list[_Query]:
        queries = []
        name, severity = _name(shape), self.severity(shape)
        scope = _Scope(self, "?focus", targets, self.focus_binds)
        tests = self.value_tests(shape, "?focus", scope)
        if tests:
            where = f"{scope.joined()} FILTER(!{_all(tests)})"
            queries.append(_Query(name, None, severity, "focus", _select("?focus", where)))
        tests = self.node_has_value(shape, "?focus")
        if tests:
            where = f"{targets} FILTER(!{_all(tests)})"
            queries.append(_Query(name, None, severity, None, _select("?focus", where)))
        return queries

    def property_queries(self, shape: Term, targets: str) -> list[_Query]:
        queries = []
        name, severity, path = _name(shape), self.severity(shape), self.path(shape)
        result_path = self.one(shape, "path")
        result_path = result_path.value if isinstance(result_path, ox.NamedNode) else None
        link = f"?focus {path} ?value"
        scope = _Scope(self, "?value", f"{targets} {link}", self.focus_binds, link, "?focus ?value")
        tests = self.value_tests(shape, "?value", scope)
        if tests:
            where = f"{scope.joined()} FILTER(!{_all(tests)})"
            sparql = _select("?focus ?value", where)
            queries.append(_Query(name, result_path, severity, "value", sparql))
        scope = _Scope(self, "?focus", targets, self.focus_binds)
        tests = self.count_tests(shape, "?focus", scope)
        if tests:
            where = f"{scope.joined()} FILTER(!{_all(tests)})"
            queries.append(_Query(name, result_path, severity, None, _select("?focus", where)))
        return queries


def _select(variables: str, where: str) -> str:
    return f"SELECT DISTINCT {variables} WHERE {{ {where} }}"


def _name(shape: Term) -> str:
    return shape.value if isinstance(shape, ox.NamedNode) else str(shape)


def _count(shape: Term, literal: Term) -> int:
    try:
        return int(literal.value)
    except ValueError:
        raise _Refused(shape, f"a count must be an integer, not {literal}") from None


def _all(tests: list[str]) -> str:
    return "(" + " && ".join(tests) + ")" if tests else "true"


def _any(tests: list[str]) -> str:
    return "(" + " || ".join(tests) + ")" if tests else "false"
