"""The rules written in Python (checker/check/rules/): each fires on its failing fixture, with
the activity and value it is about, and stays quiet on its passing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.check.findings import Severity
from checker.check.run import check
from checker.graph.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
CASES = {
    "FLOW-THIRD-COUNTRY-CHAIN": ("flow-third-country-chain", Severity.VIOLATION),
    "FLOW-SPECIAL-TO-PROCESSOR": ("flow-special-to-processor", Severity.INFO),
    "VOCAB-UNKNOWN-TERM": ("vocab-unknown-term", Severity.VIOLATION),
}


def findings(name: str, rule: str) -> list:
    return [f for f in check(build([FIXTURES / f"{name}.ttl"])).findings if f.rule == rule]


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_its_failing_fixture(rule: str) -> None:
    name, severity = CASES[rule]
    found = findings(f"{name}-fail", rule)
    assert found
    assert {f.severity for f in found} == {severity}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_is_quiet_on_its_passing_fixture(rule: str) -> None:
    name, _ = CASES[rule]
    assert findings(f"{name}-pass", rule) == []


def test_third_country_chain_names_the_platform_and_the_activity() -> None:
    [finding] = findings("flow-third-country-chain-fail", "FLOW-THIRD-COUNTRY-CHAIN")
    assert finding.focus == "https://example.org/chat"
    assert finding.value == "https://example.org/chat-platform"
    assert "United States" in finding.message and "Example Chat Oy" in finding.message


def test_special_to_processor_names_the_data() -> None:
    [finding] = findings("flow-special-to-processor-fail", "FLOW-SPECIAL-TO-PROCESSOR")
    assert finding.value == "https://example.org/mail-host"
    assert "Health" in finding.message


def test_unknown_terms_name_the_class_and_the_property() -> None:
    found = findings("vocab-unknown-term-fail", "VOCAB-UNKNOWN-TERM")
    assert sorted(f.value for f in found) == [
        "https://w3id.org/dpv#Proces",
        "https://w3id.org/dpv#hasPurpse",
    ]


def test_the_shipped_register_has_no_unknown_terms() -> None:
    assert not [f for f in check(build()).findings if f.rule.startswith(("VOCAB", "FLOW-THIRD"))]


def test_the_united_kingdom_is_a_third_country() -> None:
    """loc:GB skos:broader loc:EU28 skos:broader loc:EU must not make it EU territory."""
    graph = build([FIXTURES / "transfer-united-kingdom.ttl"])
    transfers = {f.focus for f in check(graph).findings if f.rule == "TRANSFER-THIRD-COUNTRY"}
    assert transfers == {"https://example.org/p1"}


def test_nested_shacl_results_are_not_findings() -> None:
    """Only top-level results count; sh:detail results explain them (e.g. KindLegalBasis)."""
    fixture = Path(__file__).parent / "fixtures" / "shapes" / "ART6-1-LEGAL-BASIS" / "fail.ttl"
    rules = {f.rule for f in check(build([fixture])).findings}
    assert "ART6-1-LEGAL-BASIS" in rules
    assert not {r for r in rules if r.startswith("Kind")}
