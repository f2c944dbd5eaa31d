"""The README says what the tool does today: its two commands, every command, the real
findings on the shipped register."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_lines_give_the_two_commands() -> None:
    head = README[:600]
    assert (
        "bash scripts/setup.sh && .venv/bin/ropa build -o graph.ttl && .venv/bin/ropa check" in head
    )
    assert "bash scripts/test.sh" in head
    # CI runs the same test command.
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_is_documented_and_has_help() -> None:
    assert main.commands
    for name, command in main.commands.items():
        assert f"`ropa {name}" in README, name
        assert command.help and command.help.strip(), name
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, name


def test_findings_table_is_the_real_output() -> None:
    spec = importlib.util.spec_from_file_location(
        "summary", ROOT / "scripts" / "findings_summary.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.summary()
    assert table.count("\n") > 5
    assert table in README, (
        "README's findings table is stale: paste scripts/findings_summary.py's output"
    )


def test_linked_files_exist() -> None:
    for link in (
        "docs/records.md",
        "docs/ci.md",
        "docs/queries.md",
        "docs/github-workflow.yml",
        "docs/vscode-settings.json",
        "docs/screenshots/flows.png",
        "bench/results/scale.md",
        "bench/results/register.md",
    ):
        assert f"({link})" in README or f"]({link}" in README, link
        assert (ROOT / link).exists(), link
