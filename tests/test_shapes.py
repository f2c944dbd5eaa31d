"""Every shape has a passing and a failing fixture, and each behaves as labelled.

Fixtures live in ``tests/fixtures/shapes/<RULE-ID>/pass.ttl`` and ``fail.ttl``: small DPV
graphs. ``fail.ttl`` must raise a finding of that rule, ``pass.ttl`` must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.namespace import DCTERMS, SH

from checker.check.run import check
from checker.check.shapes import shapes_graph
from checker.graph.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
RULE_IDS = sorted(
    str(i)
    for s in shapes_graph().subjects(SH.severity, None)
    for i in shapes_graph().objects(s, DCTERMS.identifier)
)
FIXTURE_IDS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_shape_has_fixtures_and_every_fixture_a_shape() -> None:
    assert RULE_IDS, "no shapes found"
    assert set(RULE_IDS) == set(FIXTURE_IDS)


def test_every_shape_has_id_severity_article_and_message() -> None:
    shapes = shapes_graph()
    for shape in shapes.subjects(SH.severity, None):
        assert shapes.value(shape, DCTERMS.identifier), shape
        assert str(shapes.value(shape, SH.severity)).rsplit("#")[-1] in {
            "Violation",
            "Warning",
            "Info",
        }
        message = shapes.value(shape, SH.message)
        assert message is not None and message.language == "en", shape
        assert str(
            shapes.value(shape, shapes.namespace_manager.expand_curie("ropa:article")) or ""
        ), shape


@pytest.mark.parametrize("rule", FIXTURE_IDS)
def test_fail_fixture_raises_the_rule(rule: str) -> None:
    findings = check(build([FIXTURES / rule / "fail.ttl"])).findings
    assert rule in {f.rule for f in findings}


@pytest.mark.parametrize("rule", FIXTURE_IDS)
def test_pass_fixture_does_not_raise_the_rule(rule: str) -> None:
    findings = check(build([FIXTURES / rule / "pass.ttl"])).findings
    assert rule not in {f.rule for f in findings}, [f.message for f in findings if f.rule == rule]
