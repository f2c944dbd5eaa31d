"""One notion of "inside the EU/EEA" (issue 12): the same places put through the shape
(TRANSFER-THIRD-COUNTRY), the rule (FLOW-THIRD-COUNTRY-CHAIN), the notice (its transfer
section names the place or not), the diff (a new country is "outside the EU/EEA" or not)
and the Python answer (checker/vocab/concepts.py::outside_eu_eea) give one answer each.

The expected answers are the law's, not read off any of the five: the EU and EEA states
and the EU/EEA as wholes are inside; the United Kingdom (left in 2020), Switzerland and the
United States are outside; the historical loc:EU28 still holds the United Kingdom, so data
sent "to the EU28" may reach a third country; the Aland Islands are part of Finland.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from checker.check.run import check
from checker.diff.compare import diff_graphs
from checker.graph.build import build
from checker.notice.compose import compose_notice, notice_text
from checker.vocab.concepts import outside_eu_eea
from checker.vocab.labels import label_of

OUTSIDE = {
    "FI": False,
    "IE": False,
    "NO": False,
    "AX": False,
    "EU": False,
    "EEA": False,
    "GB": True,
    "US": True,
    "CH": True,
    "EU28": True,
}


def loc(code: str) -> URIRef:
    """A place of DPV's loc: extension (not every one is in the closed namespace LOC)."""
    return URIRef(f"https://w3id.org/dpv/loc#{code}")


PREFIXES = """\
@prefix dpv: <https://w3id.org/dpv#> .
@prefix eu-gdpr: <https://w3id.org/dpv/legal/eu/gdpr#> .
@prefix ex: <https://example.org/> .
@prefix loc: <https://w3id.org/dpv/loc#> .
@prefix pd: <https://w3id.org/dpv/pd#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ropa: <https://w3id.org/ropa-kg/ontology#> .
"""

ACTIVITY = """
ex:agency a dpv:DataController ; rdfs:label "Example Agency"@en .
ex:act a dpv:Process ; rdfs:label "Helpdesk"@en ;
    dpv:hasDataController ex:agency ;
    dpv:hasPersonalData pd:Name ;
    dpv:hasLegalBasis eu-gdpr:A6-1-c .
"""


def _graph(tmp_path: Path, name: str, text: str) -> Graph:
    path = tmp_path / f"{name}.ttl"
    path.write_text(PREFIXES + text, encoding="utf-8")
    return build([path])


VENDOR = """
ex:vendor a dpv:DataProcessor ; rdfs:label "Example Vendor"@en ; dpv:hasLocation loc:{vendor} .
ex:act dpv:hasDataProcessor ex:vendor .
"""


def direct(tmp_path: Path, place: str) -> Graph:
    """A processor located at ``place``."""
    return _graph(tmp_path, "direct", ACTIVITY + VENDOR.format(vendor=place))


def chained(tmp_path: Path, place: str) -> Graph:
    """A processor in Finland whose own platform is located at ``place``."""
    platform = f"""
ex:platform a ropa:InformationSystem ; rdfs:label "Example platform"@en ;
    ropa:providedBy ex:vendor ; dpv:hasLocation loc:{place} .
"""
    return _graph(tmp_path, "chained", ACTIVITY + VENDOR.format(vendor="FI") + platform)


def test_every_place_is_asked() -> None:
    assert len(OUTSIDE) == 10 and sum(OUTSIDE.values()) == 4


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_the_python_answer(tmp_path: Path, place: str) -> None:
    assert outside_eu_eea(direct(tmp_path, place), loc(place)) is OUTSIDE[place]


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_the_shape(tmp_path: Path, place: str) -> None:
    rules = {f.rule for f in check(direct(tmp_path, place)).findings}
    assert ("TRANSFER-THIRD-COUNTRY" in rules) is OUTSIDE[place]


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_the_rule(tmp_path: Path, place: str) -> None:
    found = [f for f in check(chained(tmp_path, place)).findings]
    chain = [f for f in found if f.rule == "FLOW-THIRD-COUNTRY-CHAIN"]
    assert bool(chain) is OUTSIDE[place]
    # The platform is the activity's only third-country location: the shape, which looks
    # at the processor and the activity's own systems, leaves the chain to the rule.
    assert "TRANSFER-THIRD-COUNTRY" not in {f.rule for f in found}


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_the_notice(tmp_path: Path, place: str) -> None:
    graph = direct(tmp_path, place)
    text = notice_text(compose_notice(graph, "en"))
    transfers = text.split("Transfers to third countries", 1)[1]
    named = f"Example Vendor (Helpdesk) in {label_of(graph, loc(place))}" in transfers
    assert named is OUTSIDE[place], transfers[:400]
    assert ("No transfer of personal data to a third country" in transfers) is not OUTSIDE[place]


@pytest.mark.parametrize("place", sorted(OUTSIDE))
def test_the_diff(tmp_path: Path, place: str) -> None:
    old = _graph(tmp_path, "old", ACTIVITY)
    new = direct(tmp_path, place)
    result = diff_graphs(old, new, old_findings=[], new_findings=[])
    [risk] = [r for r in result.risks if r.kind == "new-country"]
    assert risk.value == str(loc(place))
    assert ("outside the EU/EEA" in risk.detail) is OUTSIDE[place]


def test_the_united_kingdom_fixture_notice_names_the_transfer() -> None:
    fixture = Path(__file__).parent / "fixtures" / "rules" / "transfer-united-kingdom.ttl"
    graph = build([fixture])
    transfers = notice_text(compose_notice(graph, "en")).split("Transfers to third countries")[1]
    assert label_of(graph, loc("GB")) in transfers
    assert label_of(graph, loc("SE")) not in transfers
