"""RECORD-AMBIGUITY (info): an open question the records carry for the controller.

Where the register description can be read in more than one way, the records take no
reading and say so (``ambiguity:``, ``ropa:ambiguity``; docs/records.md). Each such note
is one finding, so the question stays on the list until the controller answers it and
the records are corrected.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.vocab.labels import Candidate, pick
from checker.vocab.namespaces import ROPA


def open_questions(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One info finding per entry with an ``ambiguity`` note, quoting the note."""
    findings = []
    for node in sorted({s for s in graph.subjects(ROPA.ambiguity, None) if isinstance(s, URIRef)}):
        notes = [
            Candidate(str(o), o.language)
            for o in graph.objects(node, ROPA.ambiguity)
            if isinstance(o, Literal)
        ]
        note = pick(notes)
        if note is None:
            continue
        findings.append(
            finding_for(
                graph,
                index,
                severity=Severity.INFO,
                rule="RECORD-AMBIGUITY",
                message="Open question for the controller: the register description can be "
                f"read in more than one way here, and the records take no reading. {note.text} "
                "Ask the controller, then record the answer and drop the note (records: "
                "ambiguity).",
                article="GDPR Art. 30(1), Art. 5(2), Art. 12(1)",
                focus=node,
                path=ROPA.ambiguity,
            )
        )
    return findings
