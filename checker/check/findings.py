"""The finding: one gap or error in the records, whichever rule found it.

SHACL shapes, the flow-graph rules (networkx) and the OWL consistency check all report
:class:`Finding` values, so every output format and the baseline treat them alike.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import asdict, dataclass
from typing import Any


class Severity(enum.IntEnum):
    """How much a finding matters, as SHACL grades it (higher is worse).

    >>> Severity.parse("warning") > Severity.INFO
    True
    """

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @classmethod
    def parse(cls, name: str) -> Severity:
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One finding, with where it points in the records.

    Attributes:
        severity: violation (must be fixed), warning (should be), info (for the record).
        rule: the stable id of the rule (the SHACL shape's id).
        message: what is wrong, citing the article, and how to fix it.
        article: the legal source (``GDPR Art. 30(1)(b)``).
        focus: IRI of the node at fault.
        focus_label: its label.
        path: IRI of the property concerned, if any.
        value: the offending value, if any.
        file: the records file the focus node was written in, if known.
        line: its line, if known.
        activity: IRI of the processing activity concerned, if any.
    """

    severity: Severity
    rule: str
    message: str
    article: str
    focus: str
    focus_label: str
    path: str | None = None
    value: str | None = None
    file: str | None = None
    line: int | None = None
    activity: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (-self.severity, self.rule, self.focus, self.path or "", self.value or "")

    @property
    def fingerprint(self) -> str:
        """A stable id of the finding that does not move when lines of the records move."""
        key = "\x1f".join((self.rule, self.focus, self.path or "", self.value or ""))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.label
        data["source"] = {"file": data.pop("file"), "line": data.pop("line")}
        data["fingerprint"] = self.fingerprint
        return data


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Worst first, then by rule and focus: deterministic output."""
    return sorted(set(findings), key=Finding.sort_key)
