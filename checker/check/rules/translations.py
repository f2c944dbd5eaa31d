"""TRANSLATION-MISSING (info): the names the notice would show untranslated, per language
the register publishes in.

A register declares the languages of its notice (records: ``languages: [fi, sv, en]``;
``dct:language`` on the ``dpv:ROPA``). For each, the notice is composed as ``ropa notice
--lang`` would compose it, and every name it would show in another language (a term with
no label in that language: the notice falls back to English and lists it) is named in one
finding, so the controller sees what still needs a translation before publishing. GDPR
Art. 12(1) asks for the information "in a concise, transparent, intelligible and easily
accessible form, using clear and plain language": a notice in a language its readers do
not read is none of that.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.notice.compose import compose_notice
from checker.notice.phrases import LANGUAGES
from checker.vocab.namespaces import DCTERMS, DPV, RDF


def missing_translations(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One info finding per declared language in which the notice shows untranslated names."""
    findings = []
    for register in sorted(s for s in graph.subjects(RDF.type, DPV.ROPA) if isinstance(s, URIRef)):
        for lang in sorted({str(v).lower() for v in graph.objects(register, DCTERMS.language)}):
            if lang not in LANGUAGES:
                message = (
                    f"The register is published in {lang!r}, but ropa notice writes only "
                    f"{', '.join(LANGUAGES)}: the notice in {lang!r} cannot be generated."
                )
            else:
                names = [t.text for t in compose_notice(graph, lang).fallback_terms]
                if not names:
                    continue
                message = (
                    f"The notice in {lang!r} would show {len(names)} names untranslated: "
                    + "; ".join(names)
                    + f". Give each a name in {lang!r} in the records (name: {{{lang}: ...}} "
                    "beside the other languages; a proper name is written as it is), or, for a "
                    f"vocabulary term, an rdfs:label with the tag @{lang}."
                )
            findings.append(
                finding_for(
                    graph,
                    index,
                    severity=Severity.INFO,
                    rule="TRANSLATION-MISSING",
                    message=message,
                    article="GDPR Art. 12(1)",
                    focus=register,
                    path=DCTERMS.language,
                )
            )
    return findings
