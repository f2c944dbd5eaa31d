"""RETENTION-UNCOVERED-DATA (issue 15, item 11): an activity whose retention rules name the
data they cover, and leave some of its categories out, gets a finding per category left
out (GDPR Art. 30(1)(f): time limits "for the different categories of data")."""

from __future__ import annotations

import json

from click.testing import CliRunner

from checker.check.findings import Severity
from checker.check.run import check
from checker.cli import main
from checker.graph.build import build
from tests.conftest import FIXTURES, RecordSetCopy

RULE = "RETENTION-UNCOVERED-DATA"
RULES = FIXTURES / "rules"
PD = "https://w3id.org/dpv/pd#"
KS = "https://example.org/ropa/helpdesk/"


def findings(name: str) -> list:
    return [f for f in check(build([RULES / name])).findings if f.rule == RULE]


def test_three_categories_one_covered_names_the_other_two() -> None:
    found = findings("retention-uncovered-data-fail.ttl")
    assert {f.severity for f in found} == {Severity.WARNING}
    assert {f.focus for f in found} == {"https://example.org/questions"}
    assert sorted(f.value for f in found) == ["https://example.org/question-content", PD + "Name"]
    assert {f.path for f in found} == {"https://w3id.org/dpv#hasStorageCondition"}
    messages = " ".join(f.message for f in found)
    assert "Content of questions" in messages and "Name" in messages
    assert "Email Address" in messages  # what the rules do cover
    assert "Art. 30(1)(f)" in messages


def test_quiet_when_a_rule_names_no_data_or_covers_by_kind_or_group() -> None:
    """A rule without data covers the whole activity; a rule for pd:Contact covers
    pd:EmailAddress; a rule for a data group covers its members."""
    assert findings("retention-uncovered-data-pass.ttl") == []


def test_an_activity_without_any_rule_is_another_rules_gap() -> None:
    fixture = FIXTURES / "shapes" / "ART30-1-F-RETENTION" / "fail.ttl"
    result = check(build([fixture])).findings
    assert "ART30-1-F-RETENTION" in {f.rule for f in result}
    assert RULE not in {f.rule for f in result}


def test_the_records_name_the_group_and_the_category_left_out(kitchen_sink: RecordSetCopy) -> None:
    """The kitchen sink's activity keeps only its rule for the questions: its contact data
    (a group none of whose members is covered) and its special-category data are left out,
    reported at its retention: key."""
    line = kitchen_sink.edit(
        "activities.yaml",
        "    retention: [questions-two-years, logs-not-stored, recordings-until-closed]\n",
        "    retention: [questions-two-years]\n",
    )
    result = CliRunner().invoke(main, ["check", str(kitchen_sink), "--format", "json"])
    found = [f for f in json.loads(result.output)["findings"] if f["rule"] == RULE]
    assert sorted(f["value"] for f in found) == [KS + "asker-contact", KS + "special-in-questions"]
    assert {(f["source"]["file"], f["source"]["line"]) for f in found} == {
        (kitchen_sink.shown("activities.yaml"), line)
    }


def test_the_shipped_kitchen_sink_is_covered() -> None:
    assert [f for f in check(build([FIXTURES / "kitchen-sink"])).findings if f.rule == RULE] == []
