"""REVIEW-OVERDUE (warning) and REVIEW-DATE-MISSING (info): the record's own review cycle.

A record of processing activities is the controller's accountability instrument (Art. 5(2),
24(1): measures "reviewed and updated where necessary"). The records may say who answers
for an activity (``owner``, ``dpv:hasResponsibleEntity``), when it was last reviewed
(``last_reviewed``, ``ropa:lastReviewed``) and how often it is to be (``review_interval``,
``ropa:reviewInterval``, an ISO 8601 duration), per activity or per register; an activity's
own value overrides its register's.

- REVIEW-OVERDUE: last review plus interval is before ``today`` (``ropa check --today``):
  the record no longer evidences that it is kept up to date by the controller's own
  schedule. Warning: no article sets the interval, and the record is not required to carry
  one; it is the organisation's own commitment that is not evidenced.
- REVIEW-DATE-MISSING: a register none of whose activities records a last review (on
  itself or through the register): one info finding per register, not per activity, so a
  register written from a text that states no review date (Finnish Customs) asks once.

No finding for a review date without an interval: nothing says when the next one is due.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from checker.check.context import SourceIndex, finding_for
from checker.check.findings import Finding, Severity
from checker.vocab import durations
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DCTERMS, DPV, RDF, ROPA

ARTICLE = "GDPR Art. 5(2), Art. 24(1), Art. 30(1)"


def _value(graph: Graph, activity: Node, registers: list[Node], prop: URIRef) -> Node | None:
    """The activity's own value of ``prop``, else its register's."""
    for node in (activity, *registers):
        value = graph.value(node, prop)
        if value is not None:
            return value
    return None


def due_date(last: date, interval: str) -> date | None:
    """``last`` plus the ISO 8601 ``interval`` (months by the calendar, the day clamped to
    the month's last; days and times added as such), or None for an unreadable interval."""
    parsed = durations.parse(interval)
    if parsed is None:
        return None
    months, seconds = parsed
    year, month = divmod(last.month - 1 + months, 12)
    year += last.year
    day = min(last.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day) + timedelta(seconds=float(seconds))


def _date(value: Node | None) -> date | None:
    if isinstance(value, Literal) and isinstance(value.toPython(), date):
        return value.toPython()  # type: ignore[no-any-return]
    return None


def review_findings(graph: Graph, index: SourceIndex, today: date) -> list[Finding]:
    """REVIEW-OVERDUE per activity past its review date, REVIEW-DATE-MISSING per register."""
    findings = []
    reviewed_registers: set[Node] = set()
    for activity in sorted(a for a in index.activities if isinstance(a, URIRef)):
        registers = sorted(graph.subjects(DCTERMS.hasPart, activity))
        last = _date(_value(graph, activity, registers, ROPA.lastReviewed))
        if last is None:
            continue
        reviewed_registers.update(registers)
        interval = _value(graph, activity, registers, ROPA.reviewInterval)
        due = None if interval is None else due_date(last, str(interval))
        if due is None or due >= today:
            continue
        owner = _value(graph, activity, registers, DPV.hasResponsibleEntity)
        who = f" Its owner is {label_of(graph, owner)}." if owner is not None else ""
        findings.append(
            finding_for(
                graph,
                index,
                severity=Severity.WARNING,
                rule="REVIEW-OVERDUE",
                message=f"Art. 5(2), 24(1): the record of the activity was last reviewed on "
                f"{last.isoformat()} and is to be reviewed every {interval}: the review was "
                f"due on {due.isoformat()} and is overdue on {today.isoformat()}.{who} Review "
                "the record against the processing, then update last_reviewed.",
                article=ARTICLE,
                focus=activity,
                path=ROPA.lastReviewed,
            )
        )
    for register in sorted(
        r
        for r in set(graph.subjects(DCTERMS.hasPart, None)) & _registers(graph)
        if isinstance(r, URIRef) and r not in reviewed_registers
    ):
        findings.append(
            finding_for(
                graph,
                index,
                severity=Severity.INFO,
                rule="REVIEW-DATE-MISSING",
                message="Art. 5(2), 24(1): neither the register nor any of its activities "
                "records when it was last reviewed. Record owner, "
                "last_reviewed and review_interval on the register (or per activity), so "
                "ropa check can tell when a review is due.",
                article=ARTICLE,
                focus=register,
                path=ROPA.lastReviewed,
            )
        )
    return findings


def _registers(graph: Graph) -> set[Node]:
    """Registers that list activities: ``dpv:ROPA`` with ``dct:hasPart``."""
    return set(graph.subjects(RDF.type, DPV.ROPA))
