"""The benchmark tools keep working: the synthetic ROPA generator (bench/synth.py) and the
scale benchmark (bench/scale.py) in a smoke mode. Nothing here asserts a time."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from rdflib.namespace import DCTERMS

from checker.check.shapes import shapes_graph
from checker.cli import main
from checker.graph.build import build
from checker.graph.serialize import serialize

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


synth = _load("synth")
scale = _load("scale")

ACTIVITIES = 20


@pytest.fixture(scope="module")
def tiny_nt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "tiny.nt"
    assert synth.main(["--activities", str(ACTIVITIES), "--seed", "7", "-o", str(path)]) == 0
    return path


def test_same_seed_same_bytes(tiny_nt: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.nt"
    synth.main(["--activities", str(ACTIVITIES), "--seed", "7", "-o", str(again)])
    assert again.read_bytes() == tiny_nt.read_bytes()
    other = synth.to_ntriples(synth.generate(ACTIVITIES, seed=8))
    assert other != tiny_nt.read_bytes()


def test_yaml_records_build_to_the_same_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The N-Triples output is what `ropa build` makes of the generated record set: the
    synthetic graph has exactly the shape of our built records."""
    model = synth.generate(ACTIVITIES, seed=3)
    synth.write_yaml(model, tmp_path / "synthetic")
    monkeypatch.chdir(tmp_path)  # ropa:recordFile names the file relative to here
    built = serialize(build([Path("synthetic")]), "nt")
    assert built == synth.to_ntriples(model, record_dir="synthetic")


def test_output_builds_and_checks_with_the_cli(tiny_nt: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "built.nt"
    result = runner.invoke(main, ["build", str(tiny_nt), "-o", str(out)])
    assert result.exit_code == 0, result.output
    # The generator already wrote the built graph: building it again changes nothing.
    assert out.read_bytes() == tiny_nt.read_bytes()

    result = runner.invoke(main, ["check", str(tiny_nt), "--format", "json"])
    assert result.exit_code == 1, result.output  # the seeded gaps
    reported = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    shape_rules = {str(i) for i in shapes_graph().objects(None, DCTERMS.identifier)}
    # Shapes come and go while they are written: check the seeded kinds that exist today.
    expected = {r for r in synth.SEEDED_GAPS if r in shape_rules or r.startswith("FLOW-")}
    assert expected, "no seeded gap kind matches a rule"
    assert expected <= reported, sorted(expected - reported)


def test_named_sizes_are_ordered() -> None:
    sizes = [synth.activities_for(s) for s in ("tiny", "10k", "100k", "1M")]
    assert sizes == sorted(sizes)
    assert synth.activities_for("42") == 42


@pytest.mark.slow
def test_scale_smoke(tmp_path: Path) -> None:
    """bench/scale.py end to end at the tiny size, one run, without the Java peer."""
    out = tmp_path / "results"
    code = scale.main(
        [
            "--sizes",
            "tiny",
            "--runs",
            "1",
            "--no-jena",
            "--bytecode",
            "as-is",
            "--out",
            str(out),
            "--data",
            str(tmp_path / "data"),
        ]
    )
    assert code == 0
    report = json.loads((out / "scale.json").read_text())
    (row,) = report["results"]
    assert row["size"] == "tiny"
    names = {m["name"]: m for m in row["measures"]}
    for name in ("ropa build", "ropa check", "pyshacl alone"):
        assert names[name]["runs"] == 1, names[name]
    assert names["ropa check"]["exit"] == 1
    assert row["results"]["pyshacl"] > 0
    # ropa check reports each distinct SHACL result once, as pySHACL finds them.
    assert row["results_by_rule"]["ropa check"] == row["results_by_rule"]["pyshacl distinct"]

    # ropa serve: started, ready, every saved query answered over HTTP with the rows the
    # in-process run finds (bound by VALUES there, by substitution here), then stopped.
    saved = {q.stem for q in (ROOT / "checker" / "query" / "queries").glob("*.rq")}
    served, in_process = names[scale.SERVE], names[scale.IN_PROCESS]
    assert served["runs"] == 1, served
    assert served["exit"] == 0  # stopped cleanly by SIGTERM
    assert set(served["phases"]) == {"ready"} | {f"query {q}" for q in saved}
    assert set(served["rows"]) == saved
    assert served["rows"] == in_process["rows"]
    assert any(served["rows"].values()), "every saved query came back empty"
    assert row["queries_agree"] is True
    assert scale.DASHBOARD not in names  # not asked for at tiny

    text = (out / "scale.md").read_text()
    assert "| tiny |" in text
    assert "## Growth" in text
    assert "| processor-footprint |" in text  # the per-query table


def _row(size: str, triples: int, seconds: dict[str, float]) -> dict[str, object]:
    measures = [
        {"name": name, "median_s": value, "cpu_s": value, "phases": {}, "peak_mib": None}
        for name, value in seconds.items()
    ]
    return {"size": size, "triples": triples, "measures": measures}


def test_growth_flags_commands_past_twelve_times() -> None:
    rows = [
        _row("10k", 10_000, {"ropa build": 1.0, "ropa check": 1.0}),
        _row("100k", 100_000, {"ropa build": 11.5, "ropa check": 13.0}),
        _row("1M", 1_000_000, {"ropa build": 100.0}),
    ]
    lines = scale.render_growth(rows)
    table = {line.split(" | ")[0].strip("| "): line for line in lines if line.startswith("| ")}
    assert "10k → 100k" in table["command"] and "100k → 1M" in table["command"]
    assert "| 10.00 | 10.00 |" in table["triples"]
    assert "11.50" in table["ropa build"] and "**over**" not in table["ropa build"]
    assert "13.00 (CPU 13.00) **over** |" in table["ropa check"]
    assert table["ropa check"].endswith("| – |")  # no 1M check measured
    assert "Needs" in scale.render_growth(rows[:1])[-1]


def test_dashboard_skipped_without_a_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale, "browser_missing", lambda: "no Chromium here")
    result = scale.measure_dashboard(scale.DASHBOARD, [], 1, 60, tmp_path)
    assert result.median_s is None and result.runs == 0
    assert result.note == "skipped: no Chromium here"
