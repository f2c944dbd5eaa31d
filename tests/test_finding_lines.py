"""Issue 15, item 13: every finding points at the line of the key that fixes it
(``retention:``, ``measures:``, ``legal_bases:`` ...), at the entry's ``id:`` line when the
key is missing; SARIF regions follow. Each case edits a copy of the kitchen sink."""

from __future__ import annotations

import json
from collections.abc import Callable

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


def findings(records: RecordSetCopy, rule: str) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(records), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return [f for f in json.loads(result.output)["findings"] if f["rule"] == rule]


def at(records: RecordSetCopy, rule: str) -> list[tuple[str, int]]:
    return [(f["source"]["file"], f["source"]["line"]) for f in findings(records, rule)]


Edit = Callable[[RecordSetCopy], tuple[str, str]]


def _drop_retention(ks: RecordSetCopy) -> tuple[str, str]:
    ks.edit(
        ACTIVITIES,
        "    retention: [questions-two-years, logs-not-stored, recordings-until-closed]\n",
        "",
    )
    return ACTIVITIES, "  - id: answering-questions"


def _contract_not_in_measures(ks: RecordSetCopy) -> tuple[str, str]:
    ks.edit(ACTIVITIES, "measures: [helpdesk-only, mail-agreement]", "measures: [helpdesk-only]")
    return ACTIVITIES, "    measures: [helpdesk-only]"


def _no_measures(ks: RecordSetCopy) -> tuple[str, str]:
    ks.edit(ACTIVITIES, "    measures: [helpdesk-only, mail-agreement]\n", "")
    return ACTIVITIES, "  - id: answering-questions"


def _no_art9_condition(ks: RecordSetCopy) -> tuple[str, str]:
    ks.edit(
        ACTIVITIES, "legal_bases: [eu-gdpr:A6-1-c, eu-gdpr:A9-2-g]", "legal_bases: [eu-gdpr:A6-1-c]"
    )
    return ACTIVITIES, "    legal_bases: [eu-gdpr:A6-1-c]"


def _dpo_without_contact(ks: RecordSetCopy) -> tuple[str, str]:
    ks.edit(
        REGISTER, "dpo: {name: Dana Protect, email: dpo@example.org}", "dpo: {name: Dana Protect}"
    )
    return REGISTER, "    dpo: {name: Dana Protect}"


def _processor_without_location(ks: RecordSetCopy) -> tuple[str, str]:
    ks.edit(
        REGISTER,
        "    types: [dpv:DataProcessor]\n    location: loc:FI\n",
        "    types: [dpv:DataProcessor]\n",
    )
    return REGISTER, "  - id: example-mail"


def _delegated_rule_in_block_style(ks: RecordSetCopy) -> tuple[str, str]:
    ks.edit(
        ACTIVITIES,
        "  - {id: licence-delegated, rule: delegated, delegated_to: [licensing-unit], "
        "derived_from: [p-licence-retention]}\n",
        "  - id: licence-delegated\n    derived_from: [p-licence-retention]\n"
        "    rule: delegated\n    delegated_to: [licensing-unit]\n",
    )
    return ACTIVITIES, "    rule: delegated"


CASES: dict[str, tuple[Edit, str]] = {
    "retention missing: the id line": (_drop_retention, "ART30-1-F-RETENTION"),
    "contract not among the measures: measures": (_contract_not_in_measures, "ART28-3-CONTRACT"),
    "no measures at all: the id line": (_no_measures, "ART28-3-CONTRACT"),
    "no Art. 9(2) condition: legal_bases": (_no_art9_condition, "ART9-2-CONDITION"),
    "a DPO without contact: the dpo key": (_dpo_without_contact, "ART37-DPO-CONTACT"),
    "a processor without location: the id line": (
        _processor_without_location,
        "TRANSFER-LOCATION-UNKNOWN",
    ),
    "retention delegated: its rule key": (_delegated_rule_in_block_style, "RETENTION-DELEGATED"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_finding_points_at_the_key_that_fixes_it(kitchen_sink: RecordSetCopy, case: str) -> None:
    edit, rule = CASES[case]
    assert kitchen_sink.shown(ACTIVITIES)  # the copy is fresh
    name, needle = edit(kitchen_sink)
    assert at(kitchen_sink, rule) == [
        (kitchen_sink.shown(name), kitchen_sink.line_of(name, needle))
    ]


def test_a_python_rule_points_at_the_key_of_its_path(kitchen_sink: RecordSetCopy) -> None:
    line = kitchen_sink.line_of(ACTIVITIES, "    processors: [example-mail]")
    assert at(kitchen_sink, "FLOW-SPECIAL-TO-PROCESSOR") == [(kitchen_sink.shown(ACTIVITIES), line)]


def test_sarif_regions_follow_the_key_lines(kitchen_sink: RecordSetCopy) -> None:
    _contract_not_in_measures(kitchen_sink)
    _drop_retention(kitchen_sink)
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
    assert set(FIXES) <= set(rules), "FIXES names rules that no shape has"
    for paths in FIXES.values():
        for path in paths:
            assert all(key_terms().get(prop) for prop in path[:1]), path  # a records key
