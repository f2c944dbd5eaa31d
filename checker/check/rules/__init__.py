"""Rules written in Python: what SHACL cannot say well (paths through the flow graph,
OWL consistency, vocabulary look-ups, what a spreadsheet import left unmapped, the
notice's own gaps). Each takes
the graph and a source index (:mod:`checker.check.context`) and returns findings of the
same type as the shapes."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph

from checker.check.context import SourceIndex
from checker.check.findings import Finding
from checker.check.rules.ambiguity import open_questions
from checker.check.rules.disclosures import authority_disclosures
from checker.check.rules.dpia import dpia_screening
from checker.check.rules.flows import special_to_processor, third_country_chain
from checker.check.rules.no_activity import no_activity
from checker.check.rules.notice import notice_rules
from checker.check.rules.purposes import further_processing
from checker.check.rules.retention import uncovered_data
from checker.check.rules.translations import missing_translations
from checker.check.rules.unmapped import import_unmapped
from checker.check.rules.vocabulary import unknown_terms

Rule = Callable[[Graph, SourceIndex], list[Finding]]


def python_rules() -> list[Rule]:
    """Every Python rule, in a fixed order (``--owl`` adds :mod:`checker.check.rules.owl`)."""
    return [
        no_activity,
        unknown_terms,
        special_to_processor,
        third_country_chain,
        further_processing,
        authority_disclosures,
        open_questions,
        import_unmapped,
        uncovered_data,
        notice_rules,
        missing_translations,
        dpia_screening,
    ]
