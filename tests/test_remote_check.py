"""`ropa check --endpoint` against a real OpenLink Virtuoso gives the findings of a local
`ropa check` of the same records, record lines included: on the shipped register and on
every fixture that builds (tests/virtuoso_store.py says which Virtuoso).

Each fixture is published into its own graph of this run, then checked both ways.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from virtuoso_store import Virtuoso, virtuoso

from checker.check.remote import check_endpoint
from checker.check.run import check
from checker.cli import main
from checker.errors import InputError
from checker.graph.build import build
from checker.query.publish import publish

__all__ = ["virtuoso"]  # the fixture, imported for pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixtures() -> list[Path]:
    """Every fixture that is one input of ``ropa check``: shapes, rules, record sets, the
    two sides of each diff, spreadsheets that import, RDF files, notice inputs."""
    cases = sorted(FIXTURES.glob("shapes/*/*.ttl")) + sorted(FIXTURES.glob("rules/*.ttl"))
    cases += [FIXTURES / "kitchen-sink"]
    cases += sorted(p for p in FIXTURES.glob("diff/*/*") if p.is_dir())
    cases += [
        p
        for p in sorted(FIXTURES.glob("spreadsheets/*"))
        if p.suffix in (".xlsx", ".ods", ".csv") and not p.name.startswith("bad")
    ]
    cases += sorted(FIXTURES.glob("rdf/*")) + sorted(FIXTURES.glob("notice/*.ttl"))
    return cases


def test_fixtures_are_found() -> None:
    names = {p.name for p in fixtures()}
    assert {"kitchen-sink", "fail.ttl", "pass.ttl", "ico-bakery.csv", "extra.ttl"} <= names
    assert len(fixtures()) > 100


def compare(virtuoso: Virtuoso, case: Path | None) -> str | None:
    """Publish ``case`` (None: the shipped register), check it both ways; a difference, or None."""
    paths = [case] if case else []
    try:
        local = check(build(paths)).findings
    except InputError:
        return None  # a fixture that does not build has nothing to publish
    name = "register" if case is None else str(case.relative_to(FIXTURES)).replace("/", "-")
    graph = virtuoso.graph(f"check-{name}")
    publish(
        paths,
        endpoint=virtuoso.store,
        graph=graph,
        catalogue=virtuoso.catalogue,
        credentials=virtuoso.credentials,
    )
    remote = check_endpoint(virtuoso.sparql, [graph]).findings
    if remote == local:
        return None
    only_here = sorted({(f.rule, f.focus, f.line) for f in set(local) - set(remote)})
    only_there = sorted({(f.rule, f.focus, f.line) for f in set(remote) - set(local)})
    return f"{name}: local only {only_here[:3]}, remote only {only_there[:3]}"


def test_the_register_is_checked_the_same_in_the_store(virtuoso: Virtuoso) -> None:
    assert compare(virtuoso, None) is None
    graph = virtuoso.graph("check-register")
    result = CliRunner().invoke(
        main, ["check", "--endpoint", virtuoso.sparql, "--graph", graph, "--format", "json"]
    )
    local = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == local.exit_code == 1, result.output
    assert result.stdout == local.stdout


def test_every_fixture_is_checked_the_same_in_the_store(virtuoso: Virtuoso) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        differences = [d for d in pool.map(lambda c: compare(virtuoso, c), fixtures()) if d]
    assert differences == []


def test_check_endpoint_options() -> None:
    result = CliRunner().invoke(main, ["check", "--graph", "urn:g"])
    assert result.exit_code == 2 and "--graph needs --endpoint" in result.output
    result = CliRunner().invoke(main, ["check", "--endpoint", "http://127.0.0.1:9/s", "--owl"])
    assert result.exit_code == 2 and "no PATHS, --owl or --rules" in result.output


@pytest.mark.parametrize("args", [["--graph", "urn:ropa-kg:none"], []])
def test_unreachable_store_and_empty_catalogue(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["check", "--endpoint", "http://127.0.0.1:9/sparql", *args])
    assert result.exit_code == 2 and "cannot reach" in result.output
    assert "Traceback" not in result.output
