"""`ropa check --rules`: the organisation's own SHACL shapes (checker/check/organisation.py).

The worked examples of docs/organisation-rules.md are the rules files under
docs/examples/organisation-rules/, run on the clinic of tests/fixtures/org-rules/clinic/.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from checker.check import reference
from checker.check.context import SourceIndex
from checker.check.organisation import compile_rules, load_rules, rules_findings
from checker.check.run import shacl_findings
from checker.check.shapes import shapes_store
from checker.cli import main
from checker.errors import InputError
from checker.graph.build import build

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples" / "organisation-rules"
SPECIAL = EXAMPLES / "no-special-category-outside-eea.ttl"
US_TIA = EXAMPLES / "us-transfer-tia.ttl"
ONE_PURPOSE = EXAMPLES / "one-purpose.ttl"
CLINIC = ROOT / "tests" / "fixtures" / "org-rules" / "clinic"
SHAPE_FIXTURES = sorted((ROOT / "tests" / "fixtures" / "shapes").glob("*/*.ttl"))
BASE = "https://example.org/ropa/clinic/"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def line_of(path: Path, needle: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert text.count(needle) == 1
    return text[: text.index(needle)].count("\n") + 1


def organisation_findings(out: str) -> set[tuple[str, ...]]:
    return {
        (f["rule"], f["severity"], f["focus"], f["path"] or "", f["source"]["line"])
        for f in json.loads(out)["findings"]
        if f["rule"].startswith("ORG-")
    }


def expected_clinic() -> set[tuple[str, ...]]:
    activities = CLINIC / "activities.yaml"
    booking = line_of(activities, "- id: online-booking")
    purposes = line_of(activities, "purposes: [dpv:CommunicationManagement")
    return {
        ("ORG-SPECIAL-OUTSIDE-EEA", "violation", BASE + "online-booking", "", booking),
        ("ORG-US-TRANSFER-TIA", "warning", BASE + "online-booking", "", booking),
        (
            "ORG-ONE-PURPOSE",
            "info",
            BASE + "newsletter",
            "https://w3id.org/dpv#hasPurpose",
            purposes,
        ),
    }


# -- the worked examples ----------------------------------------------------------------


def test_worked_examples_give_findings_with_record_lines() -> None:
    rules = ("--rules", str(SPECIAL), "--rules", str(US_TIA), "--rules", str(ONE_PURPOSE))
    code, out = run(str(CLINIC), *rules, "--format", "json")
    assert code == 1
    assert organisation_findings(out) == expected_clinic()
    findings = [f for f in json.loads(out)["findings"] if f["rule"].startswith("ORG-")]
    for finding in findings:
        assert finding["source"]["file"] == "tests/fixtures/org-rules/clinic/activities.yaml"
        assert finding["article"].startswith("Our ")
    special = next(f for f in findings if f["rule"] == "ORG-SPECIAL-OUTSIDE-EEA")
    # SHACL-SPARQL's message, its variables filled in by pySHACL.
    assert "(https://w3id.org/dpv/pd#Health)" in special["message"]
    assert "https://w3id.org/dpv/loc#US" in special["message"]


@pytest.mark.parametrize(
    ("rules", "rule"),
    [(SPECIAL, "ORG-SPECIAL-OUTSIDE-EEA"), (ONE_PURPOSE, "ORG-ONE-PURPOSE")],
    ids=["sh:sparql", "sh:maxCount"],
)
def test_each_pyshacl_example_alone(rules: Path, rule: str) -> None:
    code, out = run(str(CLINIC), "--rules", str(rules), "--format", "json")
    assert code == 1
    assert organisation_findings(out) == {f for f in expected_clinic() if f[0] == rule}


def test_each_shape_goes_where_it_can_run() -> None:
    rules = load_rules([SPECIAL, US_TIA, ONE_PURPOSE])
    refused = {str(shape): feature for shape, feature in rules.refused.items()}
    ours = "https://example.org/our-rules#"
    assert set(refused) == {ours + "ORG-SPECIAL-OUTSIDE-EEA", ours + "ORG-ONE-PURPOSE"}
    assert "sh:sparql" in refused[ours + "ORG-SPECIAL-OUTSIDE-EEA"]
    assert "sh:maxCount" in refused[ours + "ORG-ONE-PURPOSE"]
    compiled = {query.shape for query in rules.compiled.queries}
    assert compiled == {ours + "ORG-US-TRANSFER-TIA"}
    # pySHACL does not run the compiled shape again: it keeps its triples but no target.
    assert rules.reference is not None
    assert (URIRef(ours + "ORG-US-TRANSFER-TIA"), None, None) in rules.reference
    targets = {
        str(s)
        for s, p, _ in rules.reference
        if str(p).startswith("http://www.w3.org/ns/shacl#target")
    }
    assert targets == {ours + "ORG-SPECIAL-OUTSIDE-EEA", ours + "ORG-ONE-PURPOSE"}


def test_register_names_its_rules(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    shutil.copytree(CLINIC, clinic)
    shutil.copytree(EXAMPLES, tmp_path / "rules")
    register = clinic / "register.yaml"
    text = register.read_text(encoding="utf-8")
    text = text.replace(
        "  derived_from: [p-booking]\n",
        "  derived_from: [p-booking]\n"
        "  rules: [../rules/no-special-category-outside-eea.ttl, ../rules/us-transfer-tia.ttl]\n",
        1,
    )
    register.write_text(text, encoding="utf-8")
    code, out = run(str(clinic), "--rules", str(ONE_PURPOSE), "--format", "json")
    assert code == 1
    assert organisation_findings(out) == expected_clinic()


def test_without_rules_no_organisation_finding() -> None:
    code, out = run(str(CLINIC), "--format", "json")
    assert code == 1
    assert organisation_findings(out) == set()


# -- bad rules files: exit 2, the file and the shape named, nothing written --------------

PREFIXES = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/r#> .\n"
    "@prefix dpv: <https://w3id.org/dpv#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
)


@pytest.mark.parametrize(
    ("shapes", "words"),
    [
        (
            "ex:S a sh:NodeShape ;\n  sh:targetClass dpv:Process , , .\nex:T a sh:NodeShape .",
            ["rules.ttl:4", "syntax"],
        ),
        ("ex:x ex:p ex:y .", ["rules.ttl", "no SHACL shape"]),
        (
            "ex:S a sh:NodeShape ; sh:targetClass dpv:Process ; "
            'sh:property [ sh:path dpv:hasPurpose ; sh:maxCount "one" ] .',
            ["rules.ttl", "a blank-node shape in shape https://example.org/r#S", "sh:maxCount"],
        ),
        (
            'ex:S a sh:NodeShape ; dct:identifier "ORG-X" ; sh:targetClass dpv:Process ; '
            'sh:sparql [ sh:message "m" ] .',
            ["rules.ttl", "shape ORG-X (https://example.org/r#S)", "sh:select"],
        ),
        (
            'ex:S a sh:NodeShape ; dct:identifier "ART30-1-B-PURPOSE" ; '
            "sh:targetClass dpv:Process ; sh:property [ sh:path dpv:hasPurpose ; sh:maxCount 1 ] .",
            ["rules.ttl", "ART30-1-B-PURPOSE", "id of a rule of ropa check"],
        ),
        (
            "ex:S a sh:NodeShape ; sh:targetClass dpv:Process ; sh:severity ex:Grave ; "
            "sh:property [ sh:path dpv:hasPurpose ; sh:minCount 1 ] .",
            [
                "rules.ttl",
                "shape https://example.org/r#S",
                "sh:severity https://example.org/r#Grave",
            ],
        ),
    ],
    ids=[
        "syntax",
        "no-shape",
        "maxCount-not-integer",
        "sparql-without-select",
        "shipped-id",
        "own-severity",
    ],
)
def test_bad_rules_file_is_an_input_error(workdir: Path, shapes: str, words: list[str]) -> None:
    (workdir / "rules.ttl").write_text(PREFIXES + shapes, encoding="utf-8")
    code, out = run(str(CLINIC), "--rules", "rules.ttl", "-o", "report.txt")
    assert code == 2
    assert len(out.strip().splitlines()) == 1
    for word in words:
        assert word in out
    assert not (workdir / "report.txt").exists()


def test_missing_rules_file_is_an_input_error(workdir: Path) -> None:
    code, out = run(str(CLINIC), "--rules", "nowhere.ttl")
    assert code == 2
    assert "nowhere.ttl" in out


def test_register_rules_resolve_from_the_register(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    shutil.copytree(CLINIC, clinic)
    register = clinic / "register.yaml"
    text = register.read_text(encoding="utf-8")
    text = text.replace(
        "  derived_from: [p-booking]\n", "  derived_from: [p-booking]\n  rules: [gone.ttl]\n", 1
    )
    register.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"gone\.ttl"):
        load_rules([clinic / "gone.ttl"])
    code, out = run(str(clinic))
    assert code == 2
    assert "gone.ttl" in out


# -- the compiled and the pySHACL path agree on every shipped shape and fixture --------


@pytest.fixture(scope="module")
def shipped_both_ways() -> tuple[object, object]:
    return compile_rules(shapes_store()), compile_rules(shapes_store(), compiled=False)


def _keys(findings: list) -> list[tuple[object, ...]]:
    return sorted(
        (f.rule, f.severity, f.focus, f.path, f.value, f.file, f.line, f.message) for f in findings
    )


@pytest.mark.parametrize("fixture", SHAPE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_fixture_same_findings_compiled_and_pyshacl(
    fixture: Path, shipped_both_ways: tuple[object, object]
) -> None:
    compiled, reference = shipped_both_ways
    assert not compiled.refused and compiled.reference is None  # all compiled
    assert reference.reference is not None and not reference.compiled.queries  # all pySHACL
    graph = build([fixture])
    index = SourceIndex(graph)
    ours = _keys(rules_findings(compiled, graph, index))
    assert ours == _keys(rules_findings(reference, graph, index))
    # The compiled path of --rules is the path of the shipped shapes.
    assert ours == _keys(shacl_findings(graph, index))
    # Not vacuous: the fixture's rule is found exactly where it should be.
    assert any(key[0] == fixture.parent.name for key in ours) == fixture.name.startswith("fail")


def test_shape_fixtures_are_found() -> None:
    assert len(SHAPE_FIXTURES) >= 80


def test_docs_show_the_example_files_as_they_are() -> None:
    text = (ROOT / "docs" / "organisation-rules.md").read_text(encoding="utf-8")
    shown = re.findall(r"<!-- example: (\S+) -->\n```turtle\n(.*?)```", text, re.DOTALL)
    assert {path for path, _ in shown} == {
        str(p.relative_to(ROOT)) for p in (SPECIAL, US_TIA, ONE_PURPOSE)
    }
    for path, block in shown:
        assert block == (ROOT / path).read_text(encoding="utf-8"), path


def test_register_rules_of_the_wrong_type_are_a_schema_error(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    shutil.copytree(CLINIC, clinic)
    register = clinic / "register.yaml"
    text = register.read_text(encoding="utf-8")
    line = text[: text.index("  derived_from: [p-booking]")].count("\n") + 2
    text = text.replace(
        "  derived_from: [p-booking]\n", "  derived_from: [p-booking]\n  rules: rules.ttl\n", 1
    )
    register.write_text(text, encoding="utf-8")
    code, out = run(str(clinic))
    assert code == 2
    assert f"register.yaml:{line}" in out and "rules" in out


def test_pyshacl_data_graph_parses_each_query_once() -> None:
    plain, cached = Graph(), reference.DataGraph()
    for graph in (plain, cached):
        graph.parse(SPECIAL, format="turtle")
    query = "SELECT ?o WHERE { ?s <http://www.w3.org/ns/shacl#message> ?o }"
    before = reference._prepared.cache_info()
    for _ in range(2):
        assert sorted(cached.query(query)) == sorted(plain.query(query))
    assert len(sorted(plain.query(query))) == 1
    after = reference._prepared.cache_info()
    assert (after.misses, after.hits) == (before.misses + 1, before.hits + 1)
