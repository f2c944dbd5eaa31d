"""Render findings for people and for CI: text, json, sarif, junit, markdown.

Every renderer is a pure function of the findings (and, where a format needs it, the
rule descriptions); output is deterministic.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from checker import __version__
from checker.check.findings import Finding, Severity
from checker.markdown import table_cell

FORMATS = ("text", "json", "sarif", "junit", "markdown")

_SARIF_LEVEL = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_ICON = {Severity.VIOLATION: "🛑", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    result = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        result[finding.severity.label] += 1
    return result


def _where(finding: Finding) -> str:
    if finding.file is None:
        return ""
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def render_text(findings: Sequence[Finding], accepted: int = 0) -> str:
    """Findings grouped by activity (then the rest), readable in a terminal."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    titles: dict[str, str] = {}
    for finding in findings:
        key = finding.activity or ""
        groups[key].append(finding)
        if finding.activity and finding.activity == finding.focus:
            titles[key] = finding.focus_label
    lines: list[str] = []
    for key in sorted(groups, key=lambda k: (k == "", titles.get(k, k))):
        title = titles.get(key) or (groups[key][0].focus_label if key else "Register and parties")
        lines.append(f"{title}" + (f"  <{key}>" if key else ""))
        for f in groups[key]:
            subject = "" if f.focus == key else f" [{f.focus_label}]"
            lines.append(f"  {f.severity.label.upper():9} {f.rule}{subject}")
            lines.append(f"            {f.message}")
            if _where(f):
                lines.append(f"            at {_where(f)}")
        lines.append("")
    c = counts(findings)
    summary = ", ".join(f"{n} {label}{'s' if n != 1 else ''}" for label, n in c.items())
    if accepted:
        summary += f" ({accepted} accepted in the baseline, not shown)"
    lines.append(summary if findings else f"No findings. {summary}")
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding], fail_on: Severity, accepted: int = 0) -> str:
    """One object: conforms, counts per severity, findings."""
    doc = {
        "conforms": not any(f.severity >= fail_on for f in findings),
        "fail_on": fail_on.label,
        "counts": counts(findings),
        "accepted_in_baseline": accepted,
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _rules(findings: Sequence[Finding]) -> list[Finding]:
    """One representative finding per rule, in rule order."""
    first: dict[str, Finding] = {}
    for f in findings:
        first.setdefault(f.rule, f)
    return [first[r] for r in sorted(first)]


def render_sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0, with locations in the records so code scanning annotates the pull request."""
    rules = _rules(findings)
    index = {f.rule: i for i, f in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, object] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message} ({f.focus_label})"},
            "partialFingerprints": {"ropaFinding/v1": f.fingerprint},
            "properties": {"focus": f.focus, "article": f.article},
        }
        if f.file is not None:
            region = {"startLine": f.line} if f.line else {}
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.file, "uriBaseId": "%SRCROOT%"},
                        **({"region": region} if region else {}),
                    }
                }
            ]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ropa-kg",
                        "version": __version__,
                        "informationUri": "https://w3id.org/ropa-kg",
                        "rules": [
                            {
                                "id": f.rule,
                                "shortDescription": {"text": f"{f.rule} ({f.article})"},
                                "fullDescription": {"text": f.message},
                                "defaultConfiguration": {"level": _SARIF_LEVEL[f.severity]},
                                "properties": {"article": f.article},
                            }
                            for f in rules
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_junit(findings: Sequence[Finding], fail_on: Severity) -> str:
    """JUnit XML: one test case per rule and focus; findings at or above fail_on fail it."""
    failures = sum(1 for f in findings if f.severity >= fail_on)
    cases = []
    for f in findings:
        name = quoteattr(f"{f.rule}: {f.focus_label}")
        classname = quoteattr(f"ropa.{f.rule}")
        body = escape(f"{f.message}\n{f.article}\n{f.focus}\n{_where(f)}")
        if f.severity >= fail_on:
            cases.append(
                f"    <testcase name={name} classname={classname}>\n"
                f"      <failure type={quoteattr(f.severity.label)} "
                f"message={quoteattr(f.message)}>{body}</failure>\n    </testcase>"
            )
        else:
            cases.append(
                f"    <testcase name={name} classname={classname}>\n"
                f"      <system-out>{escape(f.severity.label)}: {body}</system-out>\n"
                "    </testcase>"
            )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="ropa check" tests="{len(findings)}" failures="{failures}">\n'
        f'  <testsuite name="ropa check" tests="{len(findings)}" failures="{failures}">\n'
        + "\n".join(cases)
        + ("\n" if cases else "")
        + "  </testsuite>\n</testsuites>\n"
    )


def render_markdown(findings: Sequence[Finding], fail_on: Severity, accepted: int = 0) -> str:
    """A pull-request comment: a verdict, counts, and a table of findings."""
    c = counts(findings)
    failing = sum(1 for f in findings if f.severity >= fail_on)
    verdict = (
        f"**ropa check: {failing} finding(s) at or above {fail_on.label}**"
        if failing
        else f"**ropa check passed** (nothing at or above {fail_on.label})"
    )
    lines = [
        "### GDPR record check",
        "",
        verdict,
        "",
        " · ".join(f"{_ICON[Severity.parse(k)]} {n} {k}" for k, n in c.items())
        + (f" · {accepted} accepted in the baseline" if accepted else ""),
        "",
    ]
    if findings:
        lines += ["| | Rule | Activity or entity | Finding | Where |", "|---|---|---|---|---|"]
        for f in findings:
            where = f"`{_where(f)}`" if _where(f) else ""
            lines.append(
                f"| {_ICON[f.severity]} | `{f.rule}` | {table_cell(f.focus_label)} | {table_cell(f.message)} | {where} |"
            )
    return "\n".join(lines) + "\n"


def render(
    fmt: str, findings: Sequence[Finding], fail_on: Severity = Severity.VIOLATION, accepted: int = 0
) -> str:
    """Render in one of :data:`FORMATS`."""
    if fmt == "text":
        return render_text(findings, accepted)
    if fmt == "json":
        return render_json(findings, fail_on, accepted)
    if fmt == "sarif":
        return render_sarif(findings)
    if fmt == "junit":
        return render_junit(findings, fail_on)
    if fmt == "markdown":
        return render_markdown(findings, fail_on, accepted)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
