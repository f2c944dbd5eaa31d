"""The organisation's own rules (``ropa check --rules PATH``): SHACL shapes of its own.

Each shape our compiler supports (:mod:`checker.check.shacl_sparql`) runs compiled, as the
shipped shapes do; any other valid SHACL (SHACL-SPARQL ``sh:sparql``, ``sh:maxCount``,
``sh:pattern``, ``sh:targetNode``, ...) runs through pySHACL, the reference implementation.
The choice is made per shape with a target: a shape the compiler cannot compile, nested
shapes and all, goes whole to pySHACL. The findings of both have the same fields as those of
the shipped shapes: the rule id (``dct:identifier``, else ``sh:name``, else the local name of
the shape; a blank property shape takes the id of the shape that holds it), the severity,
the message (``sh:message``; pySHACL's own message where a shape has none), the article
(``ropa:article``) and the records line (:func:`checker.check.context.finding_for`).

A file that cannot be read or parsed, that holds no shape, or whose shapes are not valid
SHACL (the W3C's SHACL-for-SHACL shapes, then pySHACL's own loading of every constraint) is
an :class:`~checker.errors.InputError` naming the file and the shape.

The rules of a record set can also be named in its register (``rules:``, paths relative to
that file): :func:`register_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from checker.check.context import SourceIndex, finding_for, named_owner
from checker.check.findings import Finding, Severity
from checker.check.shacl_sparql import ShaclValidator
from checker.check.shapes import shape_meta
from checker.errors import InputError
from checker.files import decode_utf8, read_input
from checker.graph.rdf_files import parse_rdf_file
from checker.graph.store import ox_store, rdflib_term
from checker.records.load import display_path, record_files
from checker.records.yamlload import load_yaml
from checker.vocab.labels import Candidate, pick
from checker.vocab.namespaces import DCTERMS, RDF, ROPA, SH, local_id

SEVERITIES = {
    SH.Violation: Severity.VIOLATION,
    SH.Warning: Severity.WARNING,
    SH.Info: Severity.INFO,
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)
_REGISTER = re.compile(r"^register\s*:", re.MULTILINE)


@dataclass(frozen=True)
class RuleMeta:
    """What a finding of one shape says: rule id, article and message."""

    rule: str
    article: str
    message: str
    own_message: bool = False  # the shape's own sh:message, not that of a shape holding it
    sparql: bool = False  # a SHACL-SPARQL constraint: its own sh:message, filled in by pySHACL


@dataclass
class OrganisationRules:
    """The organisation's shapes, compiled where the compiler can, the rest for pySHACL.

    Attributes:
        files: the shapes files, as the user named them.
        compiled: the shapes the compiler supports.
        reference: the shapes graph for pySHACL, in which only the shapes the compiler
            refused keep their targets; ``None`` when it refused none.
        refused: each shape run by pySHACL, and the feature the compiler does not support.
        meta: rule id, article and message of every shape.
    """

    files: tuple[str, ...]
    compiled: ShaclValidator
    reference: Graph | None
    refused: dict[Node, str]
    meta: dict[Node, RuleMeta]


def register_rules(paths: Sequence[Path]) -> list[Path]:
    """The rules files that the registers of the record sets at ``paths`` name (``rules:``),
    relative to the register's file."""
    found: list[Path] = []
    for path in paths:
        if not (path.is_dir() or path.suffix.lower() in (".yaml", ".yml")) or not path.exists():
            continue
        for file in record_files(path) if path.is_dir() else [path]:
            name = display_path(file)
            if not _REGISTER.search(decode_utf8(read_input(file, name), name)):
                continue
            document = load_yaml(file, name)
            register = document.get("register") if isinstance(document, dict) else None
            rules = register.get("rules", []) if isinstance(register, dict) else []
            if isinstance(rules, list):  # else the build reports it (the JSON Schema)
                found += [file.parent / rule for rule in rules if isinstance(rule, str)]
    return found


def load_rules(paths: Sequence[Path]) -> OrganisationRules:
    """Read and check the organisation's shapes files and compile what the compiler can.

    Raises:
        InputError: a file cannot be read or parsed, holds no shape, or a shape is not
            valid SHACL (naming the file, the shape and, for a syntax error, the line).
    """
    store, files, where = ox.Store(), [], {}
    for path in paths:
        name = display_path(path)
        one = ox.Store()
        parse_rdf_file(one, path, name)
        quads = list(one)
        subjects = {q.subject for q in quads}
        if not any(_is_shape(one, s) for s in subjects):
            raise InputError("no SHACL shape in this file (sh:NodeShape, sh:PropertyShape)", name)
        for subject in subjects:
            where.setdefault(rdflib_term(subject), name)
        store.extend(quads)
        files.append(name)
    shapes = _rdflib_graph(store)
    _check_valid(shapes, where)
    rules = compile_rules(store, files)
    _check_ids(shapes, rules.meta, where)
    return rules


def compile_rules(
    store: ox.Store, files: Sequence[str] = (), *, compiled: bool = True
) -> OrganisationRules:
    """Compile the shapes of ``store`` that the compiler supports; the others go to pySHACL.

    Args:
        store: the shapes (checked by :func:`load_rules`).
        files: the files they came from, to name in an error of pySHACL.
        compiled: ``False`` sends every shape to pySHACL, the reference the tests hold the
            compiled shapes to (``tests/test_organisation_rules.py``).
    """
    shapes = _rdflib_graph(store)
    meta = {shape: _meta(shapes, shape) for shape in _shapes(shapes)}
    validator = ShaclValidator(store if compiled else ox.Store(), partial=True)
    refused = {rdflib_term(shape): feature for shape, feature in validator.refused.items()}
    if not compiled:
        refused = {s: "not compiled" for p in TARGETS for s in shapes.subjects(p, None)}
    reference = None
    if refused:
        reference = Graph()
        for triple in shapes:
            subject, predicate, _ = triple
            if predicate in TARGETS and subject not in refused:
                continue  # compiled: pySHACL must not run it again
            reference.add(triple)
    return OrganisationRules(tuple(files), validator, reference, refused, meta)


def _rdflib_graph(store: ox.Store, graph: Graph | None = None) -> Graph:
    """The default graph of ``store`` in rdflib (into ``graph``), blank nodes keeping
    their ids."""
    graph = Graph() if graph is None else graph
    for quad in store:
        graph.add(
            (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object))
        )
    return graph


def rules_findings(rules: OrganisationRules, graph: Graph, index: SourceIndex) -> list[Finding]:
    """The findings of the organisation's shapes on the built ``graph``."""
    findings: set[Finding] = set()
    for result in rules.compiled.validate(ox_store(graph)):
        shape = (
            URIRef(result.shape) if not result.shape.startswith("_:") else BNode(result.shape[2:])
        )
        meta = rules.meta[shape]
        focus = _named(graph, rdflib_term(result.focus))
        if focus is None:
            continue
        findings.add(
            finding_for(
                graph,
                index,
                severity=SEVERITIES[URIRef(result.severity)],
                rule=meta.rule,
                message=meta.message or meta.rule,
                article=meta.article,
                focus=focus,
                path=URIRef(result.path) if result.path else None,
                value=None if result.value is None else rdflib_term(result.value),
            )
        )
    if rules.reference is not None:
        findings |= _reference_findings(rules, graph, index)
    return sorted(findings, key=lambda f: (f.rule, f.focus, f.path or "", f.value or ""))


def _reference_findings(rules: OrganisationRules, graph: Graph, index: SourceIndex) -> set[Finding]:
    """The findings of the shapes the compiler refused, from pySHACL's report."""
    # pySHACL costs 0.7 s to import (python -X importtime -c "import pyshacl"), and only a
    # check with organisation rules the compiler cannot run needs it.
    from checker.check import reference

    data = _rdflib_graph(ox_store(graph), reference.DataGraph())
    try:
        report = reference.validate(data, rules.reference)
    except reference.ShaclError as exc:
        raise InputError(f"pySHACL: {exc.reason}", ", ".join(rules.files)) from None
    findings = set()
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(report_node, SH.result):
            shape = report.value(result, SH.sourceShape)
            focus = _named(data, report.value(result, SH.focusNode))
            if shape not in rules.meta or focus is None:
                continue
            meta = rules.meta[shape]
            chosen = reference.message(report, result)
            message = meta.message
            if chosen is not None and (meta.sparql or not (meta.own_message or message)):
                message = chosen
            path = report.value(result, SH.resultPath)
            value = report.value(result, SH.value)
            findings.add(
                finding_for(
                    graph,
                    index,
                    severity=SEVERITIES[report.value(result, SH.resultSeverity)],
                    rule=meta.rule,
                    message=message or meta.rule,
                    article=meta.article,
                    focus=focus,
                    path=path if isinstance(path, URIRef) else None,
                    value=value if isinstance(value, URIRef | Literal | BNode) else None,
                )
            )
    return findings


# -- the shapes graph --------------------------------------------------------------------


def _is_shape(store: ox.Store, subject: ox.NamedNode | ox.BlankNode) -> bool:
    for quad in store.quads_for_pattern(subject, ox.NamedNode(str(RDF.type)), None, None):
        if quad.object.value in {str(t) for t in _SHAPE_TYPES}:
            return True
    return any(
        any(store.quads_for_pattern(subject, ox.NamedNode(str(t)), None, None)) for t in TARGETS
    )


def _shapes(shapes: Graph) -> set[Node]:
    """Every node that may be a result's ``sh:sourceShape``: the subjects of SHACL terms."""
    return {s for s, p, _ in shapes if str(p).startswith(str(SH)) or p == DCTERMS.identifier}


def _holders(shapes: Graph, shape: Node) -> list[Node]:
    """``shape`` and the shapes that hold it (``sh:property``, ``sh:node``, ...), nearest first."""
    chain, frontier = [shape], [shape]
    for _ in range(5):
        frontier = sorted(
            {
                s
                for node in frontier
                for s, p in shapes.subject_predicates(node)
                if str(p).startswith(str(SH))
            }
            - set(chain),
            key=str,
        )
        chain += frontier
    return chain


def _text(shapes: Graph, node: Node, predicate: URIRef) -> str | None:
    chosen = pick(
        Candidate(str(v), v.language)
        for v in shapes.objects(node, predicate)
        if isinstance(v, Literal)
    )
    return chosen.text if chosen is not None else None


def _meta(shapes: Graph, shape: Node) -> RuleMeta:
    """Rule id, article and message of ``shape``, from it or the nearest shape holding it."""
    chain = _holders(shapes, shape)
    rule = next(
        (
            t
            for node in chain
            for t in (_text(shapes, node, DCTERMS.identifier), _text(shapes, node, SH.name))
            if t
        ),
        None,
    )
    if rule is None:
        named = next((n for n in chain if isinstance(n, URIRef)), None)
        rule = local_id(str(named)) if named is not None else "ORGANISATION-RULE"
    article = next((a for n in chain if (a := _text(shapes, n, ROPA.article))), "")
    own = _text(shapes, shape, SH.message)
    message = own or next((m for n in chain if (m := _text(shapes, n, SH.message))), "")
    sparql = (shape, SH.sparql, None) in shapes
    return RuleMeta(rule, article, message, own_message=own is not None, sparql=sparql)


def shape_name(shapes: Graph, shape: Node) -> str:
    """A shape as a message names it: its id and IRI, or the named shape that holds it."""
    if isinstance(shape, URIRef):
        identifier = _text(shapes, shape, DCTERMS.identifier)
        return f"shape {identifier} ({shape})" if identifier else f"shape {shape}"
    holder = next((n for n in _holders(shapes, shape) if isinstance(n, URIRef)), None)
    return f"a blank-node shape in {shape_name(shapes, holder)}" if holder else "a blank-node shape"


def _file_of(shapes: Graph, shape: Node, where: dict[Node, str]) -> str | None:
    return next((where[n] for n in _holders(shapes, shape) if n in where), None)


def _check_valid(shapes: Graph, where: dict[Node, str]) -> None:
    """Refuse shapes that are not valid SHACL (see :func:`checker.check.reference.check_shapes`)."""
    # pySHACL costs 0.7 s to import (python -X importtime -c "import pyshacl"): only a check
    # with organisation rules needs it.
    from checker.check import reference

    try:
        reference.check_shapes(shapes)
    except reference.ShaclError as exc:
        if exc.shape is None:
            files = ", ".join(sorted(set(where.values())))
            raise InputError(f"not valid SHACL: {exc.reason}", files) from None
        name = shape_name(shapes, exc.shape)
        raise InputError(
            f"{name}: not valid SHACL: {exc.reason}", _file_of(shapes, exc.shape, where)
        ) from None


def _check_ids(shapes: Graph, meta: dict[Node, RuleMeta], where: dict[Node, str]) -> None:
    """An organisation's rule may not take the id of one of ropa check's own shapes, and
    its severity is one a finding has (SHACL allows any IRI)."""
    for shape, severity in sorted(shapes.subject_objects(SH.severity), key=str):
        if severity not in SEVERITIES:
            raise InputError(
                f"{shape_name(shapes, shape)}: sh:severity {severity}: ropa check reports "
                "sh:Violation, sh:Warning or sh:Info",
                _file_of(shapes, shape, where),
            )
    shipped = {rule for rule, _, _ in shape_meta().values()}
    for shape in sorted(meta, key=str):
        identifier = _text(shapes, shape, DCTERMS.identifier)
        if identifier in shipped:
            raise InputError(
                f"{shape_name(shapes, shape)}: {identifier} is the id of a rule of "
                "ropa check itself; give the organisation's rule an id of its own",
                _file_of(shapes, shape, where),
            )


def _named(graph: Graph, node: Node | None) -> URIRef | Literal | None:
    """A focus node as a finding names it: a blank node by the nearest named node above it."""
    if isinstance(node, BNode):
        return named_owner(graph, node)
    return node if isinstance(node, URIRef | Literal) else None
