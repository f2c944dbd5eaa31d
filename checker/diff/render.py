"""A diff for people and tools: text, JSON, and a pull-request comment in Markdown."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib.term import Node

from checker.check.findings import Finding
from checker.diff.model import ASPECTS, FORMATS, RISK_TITLES, ActivityDiff, Change, Diff
from checker.markdown import table_cell
from checker.vocab.namespaces import local_id

Triple = tuple[Node, Node, Node]


# --- Rendering ---------------------------------------------------------------------------

_SIGN = {"added": "+", "removed": "-", "changed": "~", "renamed": "~"}
_VERDICT = {
    "longer": "longer",
    "shorter": "shorter",
    "indefinite": "became indefinite",
    "changed": "changed",
    "added": "added",
    "removed": "removed",
}


def _rule_name(change: Change) -> str:
    """The name of a retention rule, unless the build made it up from the period."""
    if change.label in ("", "[]") or change.label.startswith("Retention: "):
        return ""
    return change.label


def _for_display(activity: ActivityDiff) -> list[Change]:
    """The changes of an activity as the reports show them: a changed activity's legal
    bases on one line, before and after."""
    bases = [c for c in activity.changes if c.aspect == "legal_bases"]
    if activity.status != "changed" or not bases:
        return list(activity.changes)
    merged = Change(
        "legal_bases",
        "changed",
        old="; ".join(c.label for c in bases if c.action == "removed") or "none",
        new="; ".join(c.label for c in bases if c.action == "added") or "none",
        property=bases[0].property,
    )
    return sorted(
        [c for c in activity.changes if c.aspect != "legal_bases"] + [merged],
        key=Change.sort_key,
    )


@dataclass(frozen=True)
class _Style:
    """How a change is written: in plain text, or in a Markdown pull-request comment."""

    sign: Mapping[str, str]
    cell: Callable[[str | None], str]
    renamed: str
    verdict: str = "{}"
    arrows: Mapping[str, str] = field(default_factory=dict)


_TEXT = _Style(_SIGN, lambda text: text or "", "renamed: {old} → {new}")


def _change_words(change: Change, style: _Style = _TEXT) -> str:
    """One change in words, without the aspect."""
    cell, sign = style.cell, style.sign
    if change.aspect == "name":
        return style.renamed.format(old=cell(change.old), new=cell(change.new))
    if change.aspect == "retention":
        if change.action == "added":
            words = f"{sign['added']} {cell(change.new)}"
        elif change.action == "removed":
            words = f"{sign['removed']} {cell(change.old)} (removed)"
        else:
            arrow = style.arrows.get(change.action, "")
            verdict = style.verdict.format(_VERDICT[change.action])
            words = f"{arrow}{verdict}: {cell(change.old)} → {cell(change.new)}"
        name = _rule_name(change)
        return words + (f" ({cell(name)})" if name else "")
    if change.aspect == "flows":
        if change.action == "changed":
            return f"{sign['changed']} {cell(change.old)} ⇒ {cell(change.new)}"
        return f"{sign[change.action]} {cell(change.new or change.old)}"
    if change.action == "changed":
        return f"{cell(change.old)} → {cell(change.new)}"
    if change.aspect == "description":
        return f"{sign['added']} {cell(change.new)}"
    return f"{sign[change.action]} {cell(change.label)}"


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _headline(diff: Diff) -> str:
    """One line: what changed, how many risks, findings introduced and resolved."""
    if diff.equivalent:
        return f"No change: {diff.old} and {diff.new} state the same records."
    s = diff.summary()
    acts = [
        f"{s[f'activities_{status}']} {status}"
        for status in ("added", "removed", "changed")
        if s[f"activities_{status}"]
    ]
    parts = [f"activities: {', '.join(acts) or 'none changed'}"]
    if diff.flows:
        parts.append(_count(len(diff.flows), "other flow", "other flows"))
    if diff.entries:
        parts.append(_count(len(diff.entries), "other entry", "other entries"))
    parts.append(_count(s["risks"], "risk-raising change", "risk-raising changes"))
    parts.append(
        f"{_count(s['findings_introduced'], 'finding', 'findings')} introduced, "
        f"{s['findings_resolved']} resolved"
    )
    return "; ".join(parts)


def _finding_where(f: Finding) -> str:
    if f.file is None:
        return ""
    return f"{f.file}:{f.line}" if f.line else f.file


def render_text(diff: Diff) -> str:
    """The diff for a terminal: risks first, then activities, entries and findings."""
    lines = [f"ropa diff {diff.old} → {diff.new}", _headline(diff), ""]
    if diff.risks:
        lines.append("Risk-raising changes")
        for r in diff.risks:
            where = f" — {r.activity_label}" if r.activity_label else ""
            lines.append(f"  ! {RISK_TITLES[r.kind]}: {r.label}{where}")
            lines.append(f"      {r.detail}")
        lines.append("")
    if diff.activities:
        lines.append("Activities")
        for a in diff.activities:
            lines.append(f"  {_SIGN[a.status]} {a.label}  <{a.iri}>  ({a.status})")
            for c in _for_display(a):
                lines.append(f"      {ASPECTS[c.aspect][1]}: {_change_words(c)}")
        lines.append("")
    if diff.flows:
        lines.append("Flows not tied to an activity")
        lines += [f"  {_change_words(c)}" for c in diff.flows]
        lines.append("")
    if diff.entries:
        lines.append("Other entries")
        for e in diff.entries:
            lines.append(f"  {_SIGN[e.status]} {e.kind}: {e.label}  <{e.iri}>")
            for d in e.details:
                values = [f"+ {v}" for v in d.added] + [f"- {v}" for v in d.removed]
                lines.append(f"      {d.label}: {'; '.join(values)}")
        lines.append("")
    for title, findings in (
        ("Findings introduced", diff.introduced),
        ("Findings resolved", diff.resolved),
    ):
        if not findings:
            continue
        lines.append(f"{title} ({len(findings)})")
        for f in findings:
            where = f"  at {_finding_where(f)}" if _finding_where(f) else ""
            lines.append(f"  {f.severity.label.upper():9} {f.rule} [{f.focus_label}]{where}")
            lines.append(f"            {f.message}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(diff: Diff) -> str:
    """The diff as one JSON object, for tools (see :meth:`Diff.to_dict`)."""
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n"


_MD_SIGN = {"added": "➕", "removed": "➖", "changed": "✏️", "renamed": "✏️"}
_MD_SEVERITY = {"violation": "🛑", "warning": "⚠️", "info": "ℹ️"}


_MARKDOWN = _Style(
    _MD_SIGN,
    table_cell,
    "renamed from *{old}*",
    verdict="**{}**",
    arrows={"longer": "⬆️ ", "indefinite": "⬆️ ", "shorter": "⬇️ "},
)


def _md_findings(title: str, findings: Sequence[Finding]) -> list[str]:
    if not findings:
        return []
    lines = [
        f"#### {title} ({len(findings)})",
        "",
        "| | Rule | Activity or entity | Finding | Where |",
        "|---|---|---|---|---|",
    ]
    for f in findings:
        where = f"`{_finding_where(f)}`" if _finding_where(f) else ""
        lines.append(
            f"| {_MD_SEVERITY[f.severity.label]} | `{f.rule}` | {table_cell(f.focus_label)} | {table_cell(f.message)} | {where} |"
        )
    return [*lines, ""]


def render_markdown(diff: Diff) -> str:
    """The diff as a pull-request comment: verdict, risks, activities, findings."""
    lines = [f"### ROPA changes: `{diff.old}` → `{diff.new}`", ""]
    if diff.equivalent:
        lines += ["**No change:** the two versions state the same records.", ""]
        return "\n".join(lines)
    s = diff.summary()
    acts = [
        f"{s[f'activities_{status}']} {status}"
        for status in ("added", "removed", "changed")
        if s[f"activities_{status}"]
    ]
    lines += [
        f"**Activities: {', '.join(acts) or 'none changed'}**"
        + (
            f" · {_count(len(diff.entries), 'other entry', 'other entries')}"
            if diff.entries
            else ""
        )
        + f" · ⚠️ **{_count(s['risks'], 'risk-raising change', 'risk-raising changes')}**"
        f" · 🛑 **{_count(s['findings_introduced'], 'finding', 'findings')} introduced**"
        f" · ✅ {s['findings_resolved']} resolved",
        "",
    ]
    if diff.risks:
        lines += [
            "#### ⚠️ Risk-raising changes",
            "",
            "| Change | What | Activity | Why it matters |",
            "|---|---|---|---|",
        ]
        for r in diff.risks:
            lines.append(
                f"| {RISK_TITLES[r.kind]} | **{table_cell(r.label)}** | {table_cell(r.activity_label) or '—'} | {table_cell(r.detail)} |"
            )
        lines.append("")
    if diff.activities:
        lines += ["#### Activities", ""]
        for a in diff.activities:
            lines.append(
                f"- {_MD_SIGN[a.status]} **{table_cell(a.label)}** ({a.status}) `{local_id(a.iri)}`"
            )
            for c in _for_display(a):
                lines.append(f"  - {ASPECTS[c.aspect][1]}: {_change_words(c, _MARKDOWN)}")
        lines.append("")
    if diff.flows:
        lines += ["#### Flows not tied to an activity", ""]
        lines += [f"- {_change_words(c, _MARKDOWN)}" for c in diff.flows]
        lines.append("")
    lines += _md_findings("🛑 Findings introduced", diff.introduced)
    lines += _md_findings("✅ Findings resolved", diff.resolved)
    if diff.entries:
        lines += [
            f"<details><summary>Other entries changed ({len(diff.entries)})</summary>",
            "",
        ]
        for e in diff.entries:
            lines.append(
                f"- {_MD_SIGN[e.status]} {table_cell(e.kind)}: **{table_cell(e.label)}** ({e.status})"
            )
            for d in e.details:
                values = [f"➕ {table_cell(v)}" for v in d.added] + [
                    f"➖ {table_cell(v)}" for v in d.removed
                ]
                lines.append(f"  - {table_cell(d.label)}: {'; '.join(values)}")
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def render(fmt: str, diff: Diff) -> str:
    """Render in one of :data:`FORMATS`."""
    if fmt == "text":
        return render_text(diff)
    if fmt == "json":
        return render_json(diff)
    if fmt == "markdown":
        return render_markdown(diff)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
