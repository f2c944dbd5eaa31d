"""The findings of ``ropa check`` as tables: all of them, by rule, by activity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Graph, URIRef

from checker.check.findings import Finding, Severity
from checker.views.facts import label


def findings_by_activity(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """The findings of each activity IRI (findings without an activity are left out)."""
    result: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.activity:
            result[finding.activity].append(finding)
    return dict(result)


@dataclass(frozen=True)
class FindingRow:
    """One finding as the findings table shows it."""

    severity: str
    rule: str
    article: str
    message: str
    activity: str
    activity_name: str
    focus: str
    source: str
    fingerprint: str


def findings_table(graph: Graph, findings: Sequence[Finding]) -> list[FindingRow]:
    """The findings, worst first (the checker's order), with their activity's name."""
    return [
        FindingRow(
            severity=f.severity.label,
            rule=f.rule,
            article=f.article,
            message=f.message,
            activity=f.activity or "",
            activity_name=label(graph, URIRef(f.activity)) if f.activity else "",
            focus=f.focus_label,
            source=f"{f.file}:{f.line}" if f.file and f.line else f.file or "",
            fingerprint=f.fingerprint,
        )
        for f in findings
    ]


@dataclass(frozen=True)
class RuleCount:
    """How many findings one rule reported, at its severity."""

    rule: str
    severity: str
    article: str
    count: int


def findings_by_rule(findings: Sequence[Finding]) -> list[RuleCount]:
    """Findings counted by rule and severity, worst severity first, then most frequent."""
    counts: dict[tuple[str, Severity], list[Finding]] = defaultdict(list)
    for f in findings:
        counts[(f.rule, f.severity)].append(f)
    rows = [
        RuleCount(rule, sev.label, fs[0].article, len(fs)) for (rule, sev), fs in counts.items()
    ]
    rank = {s.label: -int(s) for s in Severity}
    return sorted(rows, key=lambda r: (rank[r.severity], -r.count, r.rule))


@dataclass(frozen=True)
class ActivityFindings:
    """An activity with findings: its counts by severity."""

    activity: str
    name: str
    violation: int
    warning: int
    info: int

    @property
    def total(self) -> int:
        return self.violation + self.warning + self.info


def activities_with_findings(graph: Graph, findings: Sequence[Finding]) -> list[ActivityFindings]:
    """Every activity that has findings, most violations first."""
    rows = []
    for act, own in findings_by_activity(findings).items():
        by = {s: sum(1 for f in own if f.severity == s) for s in Severity}
        rows.append(
            ActivityFindings(
                act,
                label(graph, URIRef(act)),
                by[Severity.VIOLATION],
                by[Severity.WARNING],
                by[Severity.INFO],
            )
        )
    return sorted(
        rows, key=lambda r: (-r.violation, -r.warning, -r.info, r.name.casefold(), r.activity)
    )
