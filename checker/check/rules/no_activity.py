"""ART30-1-NO-ACTIVITY (violation): a record of processing activities with no activity in it.

GDPR Art. 30(1) makes the record a list of the processing activities; one that lists none
records nothing, and every other rule passes on it for want of anything to check. That is
what an empty Turtle or JSON-LD file, or a merge that dropped the ``activities`` of a record
set look like, so it is a violation, never a pass: a CI gate must not turn green on it. (A
folder with no records, an empty YAML file and a spreadsheet with no rows are bad input:
the build refuses them with exit status 2 before any rule runs.)

Two cases, each one finding:

- a register of our records (``dpv:ROPA`` built from a record set, so its ``dct:hasPart``
  lists every activity of that set) with no activity: the finding points at the register,
  also when the other PATHs checked with it have activities;
- no processing activity (``dpv:Process`` or a subclass) anywhere in the graph: one
  finding per PATH checked, naming it (a DPV file states no register to point at).

The baseline cannot accept this rule (:mod:`checker.check.baseline`): a record with no
activity is never a gap to live with.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.vocab.concepts import is_instance_of
from checker.vocab.namespaces import DCTERMS, DPV, RDF, ROPA

RULE = "ART30-1-NO-ACTIVITY"
ARTICLE = "GDPR Art. 30(1)"
_ADVICE = (
    "A record of processing activities lists each activity (Art. 30(1)); this one lists "
    "none, so there is nothing for the other rules to check. An empty file or a change "
    "that dropped the activities looks like this: restore the activities (records: the "
    "activities of the record set), or check the right PATH."
)

_ANY_ACTIVITY = """
    PREFIX dpv: <https://w3id.org/dpv#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX ropa: <https://w3id.org/ropa-kg/ontology#>
    ASK { { ?activity a/rdfs:subClassOf* dpv:Process } UNION { ?activity a ropa:ProcessorActivity } }
"""


def no_activity(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One violation per register without activities, or per PATH if the graph has none."""
    findings = []
    for register in sorted(graph.subjects(RDF.type, DPV.ROPA), key=str):
        if not isinstance(register, URIRef) or graph.value(register, ROPA.recordFile) is None:
            continue  # a register from a DPV file: DPV does not say how it lists activities
        parts = graph.objects(register, DCTERMS.hasPart)
        if any(
            is_instance_of(graph, part, DPV.Process)
            or is_instance_of(graph, part, ROPA.ProcessorActivity)  # a processor's record
            for part in parts
        ):
            continue
        findings.append(
            finding_for(
                graph,
                index,
                severity=Severity.VIOLATION,
                rule=RULE,
                message=f"The register lists no processing activity. {_ADVICE}",
                article=ARTICLE,
                focus=register,
            )
        )
    if findings or bool(graph.query(_ANY_ACTIVITY)):
        return findings
    for name in index.inputs or ("the records",):
        findings.append(
            Finding(
                severity=Severity.VIOLATION,
                rule=RULE,
                message=f"{name} holds no processing activity. {_ADVICE}",
                article=ARTICLE,
                focus=name,
                focus_label=name,
                file=name if index.inputs and _is_file(name) else None,
            )
        )
    return findings


def _is_file(name: str) -> bool:
    """A PATH that code scanning can annotate: a file, not a folder."""
    return Path(name).is_file()
