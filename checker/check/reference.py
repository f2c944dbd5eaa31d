"""pySHACL, the reference implementation of SHACL, for what the compiler cannot run.

:mod:`checker.check.organisation` imports this module only when an organisation brings rules
of its own (pySHACL costs 0.7 s to import). Three uses: the W3C's SHACL-for-SHACL shapes on
the organisation's shapes graph, pySHACL's loading of every constraint (what
SHACL-for-SHACL does not see: a SPARQL constraint without its query), and validation.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyshacl
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.entrypoints import meta_validate
from pyshacl.errors import ReportableRuntimeError
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, Literal
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from checker.vocab.labels import Candidate, pick
from checker.vocab.namespaces import SH

#: How pySHACL runs here: no inference (the build has materialised what the shapes need),
#: every severity reported, the data graph used as it is (the caller gives a copy).
OPTIONS = {"inference": "none", "allow_warnings": True, "allow_infos": True, "inplace": True}


class DataGraph(Graph):
    """An rdflib graph that parses each SPARQL query once.

    pySHACL runs a SHACL-SPARQL constraint once per focus node, giving rdflib the query as
    text each time, and rdflib parses it again: 0.1 s a time for the query of
    docs/examples/organisation-rules/no-special-category-outside-eea.ttl, 5.8 s on the
    Customs register's 50 activities, against 0.3 s with each query parsed once.
    """

    # rdflib's own signature: pySHACL passes the arguments by position.
    def query(
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and processor == "sparql" and not initNs:
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class ShaclError(Exception):
    """pySHACL refused a shape: ``shape`` (None when it does not say) and why."""

    def __init__(self, shape: Node | None, reason: str) -> None:
        super().__init__(reason)
        self.shape, self.reason = shape, reason


def check_shapes(shapes: Graph) -> None:
    """Refuse a shapes graph that is not valid SHACL.

    Raises:
        ShaclError: the first problem, by shape: a result of SHACL-for-SHACL (with the
            property at fault), else a constraint pySHACL cannot load.
    """
    conforms, report, _ = meta_validate(shapes, inference="none")
    if not conforms:
        problems = []
        for result in report.objects(None, SH.result):
            focus = report.value(result, SH.focusNode)
            path = report.value(result, SH.resultPath)
            reason = message(report, result) or "not valid"
            if path is not None:
                reason = f"{shapes.namespace_manager.normalizeUri(path)}: {reason}"
            problems.append((str(focus), focus, reason))
        _, focus, reason = sorted(problems, key=lambda p: (p[0], p[2]))[0]
        raise ShaclError(focus, reason)
    try:
        graph = ShapesGraph(shapes)
        for shape in sorted(graph.shapes, key=lambda s: str(s.node)):
            for parameter in sorted({p for p, _ in graph.predicate_objects(shape.node)}):
                if parameter in ALL_CONSTRAINT_PARAMETERS:
                    try:
                        CONSTRAINT_PARAMETERS_MAP[parameter](shape)
                    except ReportableRuntimeError as exc:
                        raise ShaclError(shape.node, first_line(exc)) from None
    except ReportableRuntimeError as exc:
        raise ShaclError(None, first_line(exc)) from None


def validate(data: Graph, shapes: Graph) -> Graph:
    """pySHACL's validation report of ``data`` (changed in place: give it a copy, best a
    :class:`DataGraph`).

    Raises:
        ShaclError: pySHACL stopped (a shape it cannot run on this data).
    """
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes, **OPTIONS)
    except ReportableRuntimeError as exc:
        raise ShaclError(None, first_line(exc)) from None
    return report  # type: ignore[no-any-return]


def message(report: Graph, result: Node) -> str | None:
    """The ``sh:resultMessage`` of ``result`` to show (English first)."""
    chosen = pick(
        Candidate(str(m), m.language)
        for m in report.objects(result, SH.resultMessage)
        if isinstance(m, Literal)
    )
    return chosen.text if chosen is not None else None


def first_line(exc: Exception) -> str:
    """The first line of an error of pySHACL (the rest points at the specification)."""
    text = str(exc.args[0]) if exc.args else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
