"""The shipped SHACL shapes (``shapes/*.ttl``): loaded once, compiled once, described once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from checker.assets import asset_dir
from checker.check.shacl_sparql import ShaclValidator, load_shapes


@cache
def shapes_graph() -> Graph:
    """All shapes of ``shapes/*.ttl`` in rdflib, for pySHACL (the reference in tests and
    benchmarks; ``ropa check`` runs them compiled, see :func:`validator`)."""
    graph = Graph()
    for path in _shape_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def shapes_store() -> ox.Store:
    """All shapes of ``shapes/*.ttl``, parsed once."""
    return load_shapes(_shape_files())


@cache
def validator() -> ShaclValidator:
    """The shapes compiled to SPARQL, once per process (see :mod:`checker.check.shacl_sparql`).

    Raises:
        InputError: a shape uses a SHACL feature the compiler does not support.
    """
    return ShaclValidator(shapes_store(), _shape_files())


def _shape_files() -> list[Path]:
    return sorted(asset_dir("shapes").glob("*.ttl"))


@cache
def shape_meta() -> dict[str, tuple[str, str, str]]:
    """Rule id, article and English message of every shape, by IRI."""
    meta: dict[str, tuple[str, str, str]] = {}
    query = """
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?shape ?id ?article ?message WHERE {
          ?shape a ?kind . VALUES ?kind { sh:NodeShape sh:PropertyShape }
          OPTIONAL { ?shape <http://purl.org/dc/terms/identifier> ?id }
          OPTIONAL { ?shape <https://w3id.org/ropa-kg/ontology#article> ?article }
          OPTIONAL { ?shape sh:message ?message FILTER(lang(?message) IN ("en", "")) }
        } ORDER BY ?shape ?message"""
    for shape, rule, article, message in shapes_store().query(query):
        iri = shape.value
        if iri not in meta:
            meta[iri] = (
                rule.value if rule else iri.rsplit("#", 1)[-1],
                article.value if article else "",
                message.value if message else "",
            )
    return meta
