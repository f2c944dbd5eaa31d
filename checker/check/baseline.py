"""Accepted findings: a baseline file, so CI fails only on new ones.

A baseline is YAML, reviewed in pull requests like the records. Each entry names one
finding by what does not move when lines move (rule, focus, path, value) and says why it
is accepted. An entry without a reason is an error: accepting a gap is a decision.

.. code-block:: yaml

    accepted:
      - rule: ART37-DPO
        focus: https://w3id.org/ropa-kg/registers/fi-customs/customer-services/finnish-customs
        reason: The register description names no DPO; Customs' DPO is asked to add one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from checker.check.findings import Finding
from checker.check.rules.no_activity import RULE as NO_ACTIVITY
from checker.errors import InputError
from checker.records.yamlload import LineDict, LineList, load_yaml

_KEYS = ("rule", "focus", "path", "value")
#: Rules whose findings no baseline may accept.
NEVER_ACCEPTED = frozenset({NO_ACTIVITY})
PLACEHOLDER = ""


@dataclass(frozen=True)
class Accepted:
    rule: str
    focus: str
    path: str | None
    value: str | None
    reason: str

    def matches(self, finding: Finding) -> bool:
        return (self.rule, self.focus, self.path, self.value) == (
            finding.rule,
            finding.focus,
            finding.path,
            finding.value,
        )


def load_baseline(path: Path) -> list[Accepted]:
    """Read a baseline file. Raises :class:`InputError` naming the file and line."""
    name = str(path)
    doc = load_yaml(path, name)
    if not isinstance(doc, LineDict) or not isinstance(doc.get("accepted"), LineList):
        raise InputError("a baseline is a mapping with a list 'accepted'", name, 1)
    entries = []
    items: LineList = doc["accepted"]
    for i, item in enumerate(items):
        line = items.item_lines[i]
        if not isinstance(item, LineDict):
            raise InputError("each accepted finding is a mapping", name, line)
        unknown = sorted(set(item) - {*_KEYS, "reason", "message"})
        if unknown:
            raise InputError(f"unknown key '{unknown[0]}' in a baseline entry", name, line)
        for key in ("rule", "focus"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise InputError(f"baseline entry without '{key}'", name, line)
        if item["rule"] in NEVER_ACCEPTED:
            raise InputError(
                f"{item['rule']} cannot be accepted: a record with no processing activity "
                "is never a gap to live with",
                name,
                line,
            )
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(
                "baseline entry without a reason: say why this finding is accepted", name, line
            )
        entries.append(
            Accepted(item["rule"], item["focus"], item.get("path"), item.get("value"), reason)
        )
    return entries


def split(
    findings: Sequence[Finding], accepted: Sequence[Accepted]
) -> tuple[list[Finding], list[Finding]]:
    """(new findings, findings the baseline accepts)."""
    new, known = [], []
    for finding in findings:
        (known if any(a.matches(finding) for a in accepted) else new).append(finding)
    return new, known


def render_baseline(findings: Sequence[Finding]) -> str:
    """A baseline accepting ``findings``, each with an empty reason to fill in."""
    entries = []
    for f in findings:
        entry: dict[str, str] = {"rule": f.rule, "focus": f.focus}
        if f.path is not None:
            entry["path"] = f.path
        if f.value is not None:
            entry["value"] = f.value
        entry["message"] = f.message
        entry["reason"] = PLACEHOLDER
        entries.append(entry)
    header = (
        "# Findings of `ropa check` accepted for now. CI fails only on findings not listed here.\n"
        "# Every entry needs a reason: write why the finding is accepted, and who follows it up.\n"
    )
    body = yaml.safe_dump({"accepted": entries}, sort_keys=False, allow_unicode=True, width=100)
    return header + body
