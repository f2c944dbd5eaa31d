"""`ropa dashboard` without the optional extra (issue 12): it names the command that installs
streamlit and plotly and exits 2, without a traceback and without starting anything.

The missing modules are simulated: ``sys.modules[name] = None`` makes both
``importlib.util.find_spec`` and ``import`` fail as for a module that is not installed.
tests/test_wheel.py checks the same in a real environment installed without the extra.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from checker import dashboard_server
from checker.cli import main


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to start a process."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)


@pytest.mark.parametrize("missing", [["streamlit"], ["plotly"], ["streamlit", "plotly"]])
def test_dashboard_without_the_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, no_server: None, missing: list[str]
) -> None:
    for name in missing:
        monkeypatch.setitem(sys.modules, name, None)
    assert dashboard_server.missing_modules() == missing
    result = CliRunner().invoke(main, ["dashboard", "--port", "0"])
    assert result.exit_code == 2, result.output
    assert result.stdout == "", "no address is announced"
    message = result.stderr
    assert 'pip install "ropa-kg[dashboard]"' in message
    assert f"missing: {', '.join(missing)}" in message
    assert "Traceback" not in message and message.count("\n") == 1


def test_require_extra_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    dashboard_server.require_extra()  # installed here: nothing to say
    monkeypatch.setitem(sys.modules, "plotly", None)
    with pytest.raises(dashboard_server.DashboardNotInstalled, match=r"ropa-kg\[dashboard\]"):
        dashboard_server.require_extra()


def test_the_other_commands_do_not_need_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """build and check run with streamlit and plotly unimportable (checker/ imports neither)."""
    script = (
        "import sys\n"
        "sys.modules['streamlit'] = None\n"
        "sys.modules['plotly'] = None\n"
        "from checker.cli import main\n"
        "main(['check', '--format', 'json'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1, done.stderr  # the shipped register has findings
    assert done.stdout.lstrip().startswith("{") and "Traceback" not in done.stderr
