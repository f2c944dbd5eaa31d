"""Issue 15, item 13: every finding points at the line of the key that fixes it
(``retention:``, ``measures:``, ``legal_bases:`` ...), at the entry's ``id:`` line when the
key is missing; SARIF regions follow. Each case edits a copy of the kitchen sink."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import DCTERMS, SH

from checker.check.context import key_terms
from checker.check.fixes import FIXES
from checker.check.shapes import shapes_graph
from checker.cli import main
from tests.conftest import RecordSetCopy

ACTIVITIES = "activities.yaml"
REGISTER = "register.yaml"
#: The notice's rules are Python rules (they ask the notice); FIXES says which key fixes them.
NOTICE_RULES = Path(__file__).parents[1] / "checker" / "check" / "rules" / "notice.py"


def findings(records: RecordSetCopy, rule: str) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(records), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return [f for f in json.loads(result.output)["findings"] if f["rule"] == rule]


def at(records: RecordSetCopy, rule: str) -> list[tuple[str, int]]:
    return [(f["source"]["file"], f["source"]["line"]) for f in findings(records, rule)]


#: case -> (rule, file, text replaced, its replacement, the line the finding must name).
CASES: dict[str, tuple[str, str, str, str, str]] = {
    "retention missing: the id line": (
        "ART30-1-F-RETENTION",
        ACTIVITIES,
        "    retention: [questions-two-years, logs-not-stored, recordings-until-closed]\n",
        "",
        "  - id: answering-questions",
    ),
    "contract not among the measures: measures": (
        "ART28-3-CONTRACT",
        ACTIVITIES,
        "measures: [helpdesk-only, mail-agreement]",
        "measures: [helpdesk-only]",
        "    measures: [helpdesk-only]",
    ),
    "no measures at all: the id line": (
        "ART28-3-CONTRACT",
        ACTIVITIES,
        "    measures: [helpdesk-only, mail-agreement]\n",
        "",
        "  - id: answering-questions",
    ),
    "no Art. 9(2) condition: legal_bases": (
        "ART9-2-CONDITION",
        ACTIVITIES,
        "legal_bases: [eu-gdpr:A6-1-c, eu-gdpr:A9-2-g]",
        "legal_bases: [eu-gdpr:A6-1-c]",
        "    legal_bases: [eu-gdpr:A6-1-c]",
    ),
    "a DPO without contact: the dpo key": (
        "ART37-DPO-CONTACT",
        REGISTER,
        "dpo: {name: Dana Protect, email: dpo@example.org}",
        "dpo: {name: Dana Protect}",
        "    dpo: {name: Dana Protect}",
    ),
    "a processor without location: the id line": (
        "TRANSFER-LOCATION-UNKNOWN",
        REGISTER,
        "    types: [dpv:DataProcessor]\n    location: loc:FI\n",
        "    types: [dpv:DataProcessor]\n",
        "  - id: example-mail",
    ),
    "retention delegated: its rule key": (
        "RETENTION-DELEGATED",
        ACTIVITIES,
        "  - {id: licence-delegated, rule: delegated, delegated_to: [licensing-unit], "
        "derived_from: [p-licence-retention]}\n",
        "  - id: licence-delegated\n    derived_from: [p-licence-retention]\n"
        "    rule: delegated\n    delegated_to: [licensing-unit]\n",
        "    rule: delegated",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_finding_points_at_the_key_that_fixes_it(kitchen_sink: RecordSetCopy, case: str) -> None:
    rule, name, old, new, needle = CASES[case]
    kitchen_sink.edit(name, old, new)
    assert at(kitchen_sink, rule) == [
        (kitchen_sink.shown(name), kitchen_sink.line_of(name, needle))
    ]


def test_a_python_rule_points_at_the_key_of_its_path(kitchen_sink: RecordSetCopy) -> None:
    line = kitchen_sink.line_of(ACTIVITIES, "    processors: [example-mail]")
    assert at(kitchen_sink, "FLOW-SPECIAL-TO-PROCESSOR") == [(kitchen_sink.shown(ACTIVITIES), line)]


def test_sarif_regions_follow_the_key_lines(kitchen_sink: RecordSetCopy) -> None:
    for case in ("contract not among the measures: measures", "retention missing: the id line"):
        _, name, old, new, _ = CASES[case]
        kitchen_sink.edit(name, old, new)
    runner = CliRunner()
    report = json.loads(
        runner.invoke(main, ["check", str(kitchen_sink), "--format", "json"]).output
    )
    sarif = json.loads(
        runner.invoke(main, ["check", str(kitchen_sink), "--format", "sarif"]).output
    )
    expected = sorted(
        (f["rule"], f["source"]["file"], f["source"]["line"]) for f in report["findings"]
    )
    regions = sorted(
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in sarif["runs"][0]["results"]
    )
    assert regions == expected
    assert (
        "ART28-3-CONTRACT",
        kitchen_sink.shown(ACTIVITIES),
        kitchen_sink.line_of(ACTIVITIES, "    measures: [helpdesk-only]"),
    ) in regions


def test_every_shape_without_a_plain_path_names_the_key_that_fixes_it() -> None:
    """A shape whose results carry no plain predicate path (a node shape, a complex path)
    says in checker/check/fixes.py which key fixes its findings; without it, its findings
    would point at the entry's id: line even where the key is written."""
    shapes = shapes_graph()
    rules = {
        str(shapes.value(s, DCTERMS.identifier)): shapes.value(s, SH.path)
        for s in shapes.subjects(DCTERMS.identifier, None)
    }
    assert len(rules) > 30
    missing = sorted(
        r for r, path in rules.items() if not isinstance(path, URIRef) and r not in FIXES
    )
    assert missing == [], "add these rules to FIXES in checker/check/fixes.py"
    python_rules = set(re.findall(r'"([A-Z0-9]+(?:-[A-Z0-9]+)+)"', NOTICE_RULES.read_text("utf-8")))
    assert set(FIXES) <= set(rules) | python_rules, "FIXES names rules that no rule has"
    for paths in FIXES.values():
        for path in paths:
            assert all(key_terms().get(prop) for prop in path[:1]), path  # a records key
