"""Finding identity: baselines and `ropa diff` match findings by their fingerprint, so it
must stay the same when the records only move, and change when the finding is another."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker.assets import default_records
from checker.check.findings import Finding, Severity, sort_findings
from checker.check.run import check
from checker.graph.build import build

FINDING = Finding(
    severity=Severity.VIOLATION,
    rule="ART30-1-B-PURPOSE",
    message="Art. 30(1)(b): no purpose.",
    article="GDPR Art. 30(1)(b)",
    focus="https://example.org/ropa/x/recording-calls",
    focus_label="Recording telephone calls",
    path="https://w3id.org/dpv#hasPurpose",
    value=None,
    file="ropa/x/activities.yaml",
    line=12,
    activity="https://example.org/ropa/x/recording-calls",
)


def test_the_fingerprint_is_pinned() -> None:
    """Baselines written by earlier versions must keep matching: the scheme is fixed (the
    first 16 hex digits of SHA-256 over rule, focus, path and value)."""
    assert FINDING.fingerprint == "76de3bd9b43ffccb"


@pytest.mark.parametrize(
    "change",
    [
        {"line": 40},
        {"file": "ropa/x/moved.yaml"},
        {"message": "reworded"},
        {"focus_label": "Renamed activity"},
        {"article": "GDPR Art. 30(1)"},
        {"severity": Severity.WARNING},
        {"activity": None},
    ],
)
def test_what_does_not_identify_a_finding_leaves_the_fingerprint(change) -> None:
    assert dataclasses.replace(FINDING, **change).fingerprint == FINDING.fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"rule": "ART30-1-C-DATA-SUBJECT"},
        {"focus": "https://example.org/ropa/x/other"},
        {"path": "https://w3id.org/dpv#hasDataSubject"},
        {"value": "https://w3id.org/dpv/pd#Name"},
    ],
)
def test_what_identifies_a_finding_changes_the_fingerprint(change) -> None:
    assert dataclasses.replace(FINDING, **change).fingerprint != FINDING.fingerprint


#: Any text a record can hold: decoded UTF-8 has no lone surrogates (category Cs).
text = st.text(
    alphabet=st.characters(blacklist_characters="\x1f", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
)


@given(text, text, text)
def test_fields_cannot_run_into_each_other(a, b, c) -> None:
    """The separator keeps rule "ab" + focus "c" apart from rule "a" + focus "bc"."""
    one = dataclasses.replace(FINDING, rule=a + b, focus=c)
    two = dataclasses.replace(FINDING, rule=a, focus=b + c)
    assert one.fingerprint != two.fingerprint


def test_the_registers_findings_keep_their_fingerprints_when_the_records_move(tmp_path) -> None:
    """Lines inserted at the top of every records file move every finding's line, and no
    fingerprint."""
    before = check(build()).findings
    moved = tmp_path / "customs"
    shutil.copytree(default_records(), moved)
    for path in sorted(moved.glob("*.yaml")):
        path.write_text("# moved\n# down\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = check(build([moved])).findings
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert all(a.line == b.line + 2 for a, b in zip(after, before, strict=True) if b.line)
    assert len({f.fingerprint for f in before}) == len(before), "two findings share an identity"


def test_sorting_removes_duplicates_and_is_stable() -> None:
    other = dataclasses.replace(FINDING, rule="ART30-1-C-DATA-SUBJECT")
    info = dataclasses.replace(FINDING, severity=Severity.INFO, rule="A")
    assert sort_findings([info, other, FINDING, FINDING]) == [FINDING, other, info]


def test_a_findings_dictionary_carries_its_fingerprint_and_source() -> None:
    data = FINDING.to_dict()
    assert data["fingerprint"] == FINDING.fingerprint
    assert data["source"] == {"file": "ropa/x/activities.yaml", "line": 12}
    assert data["severity"] == "violation"
    assert Path(data["source"]["file"]).suffix == ".yaml"
