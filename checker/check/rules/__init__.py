"""Rules written in Python: what SHACL cannot say well (paths through the flow graph,
OWL consistency, vocabulary look-ups). Each takes the graph and a source index and returns
findings of the same type as the shapes."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph

from checker.check.findings import Finding

Rule = Callable[[Graph, "SourceIndex"], list[Finding]]  # noqa: F821


def python_rules() -> list[Rule]:
    """Every Python rule, in a fixed order."""
    from checker.check.rules.flows import special_to_processor, third_country_chain
    from checker.check.rules.vocabulary import unknown_terms
    from checker.spreadsheet.unmapped import import_unmapped

    return [unknown_terms, special_to_processor, third_country_chain, import_unmapped]
