"""IMPORT-UNMAPPED (info): what ``ropa import`` kept as the spreadsheet's own text.

An imported entry marked ``unmapped: true`` (``ropa:isUnmapped``) is a purpose, data
subject, data category or retention rule named by a cell whose text matched no DPV term:
it stands for the register's own wording until someone maps it. A cell (passage) marked
unmapped held a value our records have no entry for (a legal basis, a country, a right in
words the import does not know): that value added nothing to the graph. Each is one
finding, pointing at the records line that names the cell, for the DPO to map by hand.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV, OA, PROV, RDF, ROPA

_KINDS = (
    (DPV.Purpose, "purpose", "map it to a DPV purpose (broader: dpv:...)"),
    (DPV.PersonalData, "data category", "map it to a pd: term (broader: pd:...)"),
    (DPV.DataSubject, "data subject category", "map it to a DPV data subject (broader: dpv:...)"),
    (
        ROPA.RetentionRule,
        "retention phrase",
        "its rule is recorded as unspecified: give the rule and its duration",
    ),
)


def cell_of(graph: Graph, node: URIRef) -> str:
    """Where a passage's cell is (``sheet 'Template', cell J12``); "" for a text passage."""
    for selector in graph.objects(node, OA.hasSelector):
        if (selector, RDF.type, ROPA.CellSelector) in graph:
            sheet = graph.value(selector, ROPA.sheet)
            cell = f"cell {graph.value(selector, ROPA.column)}{graph.value(selector, ROPA.row)}"
            return f"sheet {str(sheet)!r}, {cell}" if sheet is not None else cell
    return ""


def import_unmapped(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One info finding per entry or cell that an import kept as the spreadsheet's text."""
    findings = []
    nodes = sorted({s for s, o in graph.subject_objects(ROPA.isUnmapped) if isinstance(s, URIRef)})
    for node in nodes:
        value = graph.value(node, ROPA.isUnmapped)
        if not isinstance(value, Literal) or value.toPython() is not True:
            continue
        types = set(graph.objects(node, RDF.type))
        if ROPA.Passage in types:
            quote = next(
                (
                    str(e)
                    for s in graph.objects(node, OA.hasSelector)
                    for e in graph.objects(s, OA.exact)
                ),
                label_of(graph, node),
            )
            message = (
                f"The text of {cell_of(graph, node) or 'this passage'} ({quote!r}) names "
                "something the import could not map to a DPV term (a legal basis, country, "
                "right or source in words it does not know), so that part added nothing to "
                "the graph. Record it by hand (legal_bases: [eu-gdpr:A6-1-c], third_countries: "
                "[loc:US], rights: [eu-gdpr:A15]) or write it as the template expects."
            )
        else:
            kind, advice = next(
                ((k, a) for cls, k, a in _KINDS if cls in types), ("entry", "map it")
            )
            cells = sorted(
                filter(None, (cell_of(graph, p) for p in graph.objects(node, PROV.wasDerivedFrom)))
            )
            where = f" ({cells[0]})" if cells else ""
            message = (
                f"The {kind} {label_of(graph, node)!r}{where} is kept as the register's own "
                f"text: no DPV term has this label. {advice[0].upper()}{advice[1:]}, or keep "
                "it as the register's own concept and drop unmapped."
            )
        findings.append(
            finding_for(
                graph,
                index,
                severity=Severity.INFO,
                rule="IMPORT-UNMAPPED",
                message=message,
                article="GDPR Art. 30(1), Art. 30(3) (a record in writing that others can read)",
                focus=node,
                path=ROPA.isUnmapped,
            )
        )
    return findings
