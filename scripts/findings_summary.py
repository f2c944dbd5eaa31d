"""Print the README's "What the checker finds" table from a real `ropa check` of the register.

Usage: .venv/bin/python scripts/findings_summary.py  (tests/test_readme.py keeps the README
in step with it: when the records or the shapes change, paste the new output there.)
"""

from __future__ import annotations

from collections import Counter

from checker.check.run import check
from checker.graph.build import build


def summary() -> str:
    findings = check(build()).findings
    counts = Counter((f.severity, f.rule) for f in findings)
    example = {}
    for f in findings:
        example.setdefault(f.rule, f)
    lines = [
        "| severity | rule | article | findings | for example |",
        "|---|---|---|---|---|",
    ]
    for (severity, rule), n in sorted(counts.items(), key=lambda kv: (-kv[0][0], -kv[1], kv[0][1])):
        f = example[rule]
        lines.append(f"| {severity.label} | `{rule}` | {f.article} | {n} | {f.focus_label} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(summary(), end="")
