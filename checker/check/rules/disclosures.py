"""AUTHORITY-DISCLOSURE-PROVISION (warning): a public authority discloses personal data to
another public authority without the provision that gives the recipient the right to them.

Between authorities, a disclosure rests on a provision of law that gives the recipient
the right to the data (Art. 6(1)(c)/(e), 6(3)); in Finland, secret information is given
to another authority only where an Act provides for it (Act on the Openness of Government
Activities 621/1999, s. 29). The record names the recipient (Art. 30(1)(d)); this rule
asks for the provision: a law entry with a section on the activity.

Both ends are read from DPV types (``checker.check.rules.common``). Not reported: a
recipient that is a unit of the controller (no disclosure), a controller that is not a
public authority, a recipient that is not one.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.check.rules.common import (
    cites_specific_provision,
    controllers,
    is_internal,
    is_public_authority,
)
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DPV

RECIPIENT_PROPERTIES = (
    DPV.hasRecipient,
    DPV.hasRecipientDataController,
    DPV.hasRecipientThirdParty,
)


def authority_disclosures(graph: Graph, index: SourceIndex) -> list[Finding]:
    """One warning per (activity, recipient authority) without a recorded provision."""
    findings = []
    for activity in sorted(a for a in index.activities if isinstance(a, URIRef)):
        owners = controllers(graph, activity)
        if not any(is_public_authority(graph, c) for c in owners):
            continue
        if cites_specific_provision(graph, activity):
            continue
        recipients = {r for p in RECIPIENT_PROPERTIES for r in graph.objects(activity, p)}
        for recipient in sorted(r for r in recipients if isinstance(r, URIRef)):
            if not is_public_authority(graph, recipient) or is_internal(graph, recipient, owners):
                continue
            findings.append(
                finding_for(
                    graph,
                    index,
                    severity=Severity.WARNING,
                    rule="AUTHORITY-DISCLOSURE-PROVISION",
                    message=f"Art. 6(3), 30(1)(d): personal data are disclosed to "
                    f"{label_of(graph, recipient)}, another public authority, but the record "
                    "cites no provision that gives the recipient the right to them. Between "
                    "authorities a disclosure rests on such a provision (in Finland, secret "
                    "information only where an Act provides for it: Act on the Openness of "
                    "Government Activities 621/1999, s. 29). Cite it on the activity (records: "
                    "a law entry with number and section).",
                    article="GDPR Art. 6(3), Art. 30(1)(d); Finland Act on the Openness of "
                    "Government Activities 621/1999 s. 29",
                    focus=activity,
                    path=DPV.hasRecipient,
                    value=recipient,
                )
            )
    return findings
