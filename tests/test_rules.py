"""The rules written in Python (checker/check/rules/): each fires on its failing fixtures, with
its severity, article and the activity and value it is about, and stays quiet on its passing
ones (``tests/fixtures/rules/<name>-fail*.ttl`` and ``<name>-pass*.ttl``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.check.findings import Finding, Severity
from checker.check.run import check
from checker.graph.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
#: rule -> (fixture name, severity, article); docs/rules.md gives the same.
CASES = {
    "FLOW-THIRD-COUNTRY-CHAIN": (
        "flow-third-country-chain",
        Severity.VIOLATION,
        "GDPR Art. 44-46, Art. 28(4), Art. 30(1)(e)",
    ),
    "FLOW-SPECIAL-TO-PROCESSOR": (
        "flow-special-to-processor",
        Severity.INFO,
        "GDPR Art. 9(1), Art. 28(3)",
    ),
    "VOCAB-UNKNOWN-TERM": (
        "vocab-unknown-term",
        Severity.VIOLATION,
        "GDPR Art. 30(1) (a record must be intelligible)",
    ),
    "ART6-4-FURTHER-PROCESSING": (
        "further-processing",
        Severity.WARNING,
        "GDPR Art. 6(4), Art. 5(1)(b)",
    ),
    "AUTHORITY-DISCLOSURE-PROVISION": (
        "authority-disclosure",
        Severity.WARNING,
        "GDPR Art. 6(3), Art. 30(1)(d); Finland Act on the Openness of Government Activities "
        "621/1999 s. 29",
    ),
    "RECORD-AMBIGUITY": (
        "record-ambiguity",
        Severity.INFO,
        "GDPR Art. 30(1), Art. 5(2), Art. 12(1)",
    ),
    "ART30-1-NO-ACTIVITY": ("no-activity", Severity.VIOLATION, "GDPR Art. 30(1)"),
    "RETENTION-UNCOVERED-DATA": (
        "retention-uncovered-data",
        Severity.WARNING,
        "GDPR Art. 30(1)(f), Art. 5(1)(e)",
    ),
    "DPIA-SCREENING": (
        "dpia-screening",
        Severity.WARNING,
        "GDPR Art. 35(1), Art. 35(3), Art. 35(4); WP248 rev.01 III.B",
    ),
}


def findings(name: str, rule: str) -> list[Finding]:
    return [f for f in check(build([FIXTURES / f"{name}.ttl"])).findings if f.rule == rule]


def fixture_files(kind: str) -> list[tuple[str, str]]:
    return [
        (rule, path.stem)
        for rule, (name, _, _) in sorted(CASES.items())
        for path in sorted(FIXTURES.glob(f"{name}-{kind}*.ttl"))
    ]


def test_every_rule_has_fixtures() -> None:
    assert len(fixture_files("fail")) >= len(CASES) and len(fixture_files("pass")) >= len(CASES)
    assert (
        {r for r, _ in fixture_files("fail")} == {r for r, _ in fixture_files("pass")} == set(CASES)
    )


@pytest.mark.parametrize(("rule", "fixture"), fixture_files("fail"))
def test_rule_fires_on_its_failing_fixture(rule: str, fixture: str) -> None:
    _, severity, article = CASES[rule]
    found = findings(fixture, rule)
    assert found
    assert {(f.severity, f.article) for f in found} == {(severity, article)}


@pytest.mark.parametrize(("rule", "fixture"), fixture_files("pass"))
def test_rule_is_quiet_on_its_passing_fixture(rule: str, fixture: str) -> None:
    assert findings(fixture, rule) == []


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


def test_further_processing_names_the_activities_and_their_sources() -> None:
    found = findings("further-processing-fail", "ART6-4-FURTHER-PROCESSING")
    assert {f.focus: f.path for f in found} == {
        "https://example.org/service-development": "https://w3id.org/dpv#hasDataSource",
        "https://example.org/surveys": "https://w3id.org/dpv#hasDataSource",
    }
    messages = {f.focus.rsplit("/", 1)[1]: f.message for f in found}
    assert "Customer register" in messages["surveys"]
    assert "Licensing unit" in messages["service-development"]


def test_authority_disclosure_names_the_recipient() -> None:
    [finding] = findings("authority-disclosure-fail", "AUTHORITY-DISCLOSURE-PROVISION")
    assert finding.focus == "https://example.org/licences"
    assert finding.value == "https://example.org/tax-authority"
    assert "Example Tax Administration" in finding.message


def test_record_ambiguity_quotes_the_english_note_once_per_entry() -> None:
    found = findings("record-ambiguity-fail", "RECORD-AMBIGUITY")
    notes = {f.focus.rsplit("/", 1)[1]: f.message for f in found}
    assert set(notes) == {"visitor-statistics", "registrations"}
    assert "whether the cookie consent is meant as a legal basis" in notes["visitor-statistics"]
    assert "evästesuostumus" not in notes["visitor-statistics"]


def test_the_shipped_register_has_no_unknown_terms() -> None:
    assert not [f for f in check(build()).findings if f.rule.startswith(("VOCAB", "FLOW-THIRD"))]


def test_the_shipped_register_asks_its_open_questions() -> None:
    """Issue 15: a finding keeps asking where the text is open (web analytics, Paytrail, ...)."""
    found = {
        f.focus.rsplit("/", 1)[1] for f in check(build()).findings if f.rule == "RECORD-AMBIGUITY"
    }
    assert {"web-analytics", "paytrail", "customer-registrations"} <= found


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


def test_docs_list_every_python_rule_with_its_severity_and_article() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule, (_, severity, article) in CASES.items():
        assert f"| `{rule}` | {article} | {severity.label} |" in doc, rule
