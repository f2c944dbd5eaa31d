"""DPIA-SCREENING: the criteria each fixture meets, the facts named, the Art. 35(3) and
Finnish Art. 35(4) cases, a recorded DPIA, and the Customs register screened from its
records (``tests/fixtures/rules/dpia-screening-*.ttl``; fire/quiet in test_rules.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from checker.check.rules.dpia import CRITERIA, screen
from checker.check.run import check
from checker.graph.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
ACTIVITY = URIRef("https://example.org/activity")


def _screen(name: str) -> tuple[dict[int, list], list[str]]:
    return screen(build([FIXTURES / f"{name}.ttl"]), ACTIVITY)


def _messages(name: str) -> list[str]:
    found = check(build([FIXTURES / f"{name}.ttl"])).findings
    return [f.message for f in found if f.rule == "DPIA-SCREENING"]


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: str(c.number))
def test_each_criterion_is_met_alone_and_named_with_a_second(criterion) -> None:
    slug = criterion.name.replace(" ", "-")
    met, _ = _screen(f"dpia-screening-pass-c{criterion.number}-{slug}-alone")
    assert set(met) == {criterion.number}
    (message,) = _messages(f"dpia-screening-fail-c{criterion.number}-{slug}")
    assert f"({criterion.number}) {criterion.name}: " in message
    assert "meet 2 of the WP248 screening criteria" in message


def test_the_finding_names_the_facts_and_never_asserts_a_requirement() -> None:
    (message,) = _messages("dpia-screening-fail-c7-vulnerable-data-subjects")
    assert "(7) vulnerable data subjects: Child" in message
    assert "(4) sensitive data: Health Record" in message
    assert "a prompt for the DPO" in message
    assert "depends on facts the record does not settle" in message


def test_art35_3_b_is_named_for_large_scale_sensitive_data() -> None:
    (message,) = _messages("dpia-screening-fail-c4-sensitive-data")
    assert "Art. 35(3)(b)" in message
    assert "Art. 35(3)(a)" not in message


def test_the_finnish_list_applies_only_to_a_finnish_controller() -> None:
    met, cases = _screen("dpia-screening-fail-fi-location")
    assert set(met) == {7}
    assert len(cases) == 1 and "Art. 35(4)" in cases[0] and "location data" in cases[0]
    assert _screen("dpia-screening-pass-fi-location-outside-finland")[1] == []
    assert _screen("dpia-screening-pass-fi-location-alone")[1] == []


def test_a_recorded_dpia_silences_every_criterion() -> None:
    met, _ = _screen("dpia-screening-pass-dpia-recorded")
    assert set(met) == {c.number for c in CRITERIA}
    assert _messages("dpia-screening-pass-dpia-recorded") == []


def test_the_customs_register_meets_one_criterion_at_most() -> None:
    """The register states special-category data in feedback and questions (criterion 4)
    and nothing that meets a second criterion: no activity is screened in."""
    graph = build()
    activities = sorted(
        set(graph.subjects(None, None))
        & {a for a in graph.objects(None, URIRef("http://purl.org/dc/terms/hasPart"))}
    )
    met_sets = [set(screen(graph, a)[0]) for a in activities]
    assert {4} in met_sets
    assert all(m <= {4} for m in met_sets)
    assert not [f for f in check(graph).findings if f.rule == "DPIA-SCREENING"]
