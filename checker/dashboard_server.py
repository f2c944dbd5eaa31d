"""Start the Streamlit dashboard (``dashboard/app.py``) as a server and wait for it.

The CLI's ``ropa dashboard`` is a thin front end over :func:`run_dashboard`. The server
process (``dashboard/serve.py``) builds and checks the records and computes what the pages
show before it starts Streamlit, so once the server answers, a page only draws. The dashboard
needs the optional extra ``ropa-kg[dashboard]`` (streamlit, plotly); the rest of ``ropa``
does not, so a CI job that only checks records installs neither.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from checker.assets import asset_dir
from checker.errors import RopaError

#: The modules of the optional extra ``ropa-kg[dashboard]``.
EXTRA_MODULES = ("streamlit", "plotly")

#: The command that installs the extra.
INSTALL_EXTRA = 'pip install "ropa-kg[dashboard]"'


class DashboardNotInstalled(RopaError):
    """The optional extra ``ropa-kg[dashboard]`` (streamlit, plotly) is not installed."""


def missing_modules() -> list[str]:
    """The modules of the extra that cannot be imported here (looked up, not imported:
    importing streamlit takes a second)."""
    return [name for name in EXTRA_MODULES if importlib.util.find_spec(name) is None]


def require_extra() -> None:
    """Raise :class:`DashboardNotInstalled`, naming the command that installs the extra,
    when a module of it is missing."""
    missing = missing_modules()
    if missing:
        raise DashboardNotInstalled(
            f"the dashboard needs the optional extra 'dashboard' (missing: {', '.join(missing)});"
            f" install it with: {INSTALL_EXTRA} (in a checkout: bash scripts/setup.sh)"
        )


def run_dashboard(
    paths: Sequence[Path],
    *,
    host: str,
    port: int,
    announce: Callable[[str], None],
    note: Callable[[str], None],
) -> int:
    """Run the dashboard on ``paths`` until it stops; return the server's exit status.

    Args:
        paths: the records (empty: the shipped register), passed to the app.
        host: address to listen on; port: port (0: any free port).
        announce: called with the address once the server answers (stdout in the CLI).
        note: called with diagnostics (stderr in the CLI).

    Raises:
        DashboardNotInstalled: the extra ``ropa-kg[dashboard]`` is missing.
        RopaError: the dashboard's files are not installed.
    """
    require_extra()
    folder = asset_dir("dashboard")
    for name in ("app.py", "serve.py"):
        if not (folder / name).is_file():
            raise RopaError(f"the dashboard is not installed: {folder / name} is missing")
    if port == 0:
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    env = dict(os.environ, ROPA_DASHBOARD_PATHS=json.dumps([str(p) for p in paths]))
    command = [
        sys.executable,
        str(folder / "serve.py"),
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.fileWatcherType=none",
        "--theme.base=light",
        "--client.toolbarMode=viewer",
    ]
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}/"
    probe_host = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else shown_host
    health = f"http://{probe_host}:{port}/_stcore/health"
    # Streamlit's own messages go to stderr; stdout carries only the address.
    server = subprocess.Popen(command, env=env, stdout=sys.stderr, stderr=sys.stderr)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM too: stop the server, never leave it behind

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main else None
    try:
        deadline = time.monotonic() + 600  # the records are built before the server answers
        while server.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(health, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        if server.poll() is None:
            records = ", ".join(str(p) for p in paths) or "the shipped register"
            announce(address)
            note(f"ropa dashboard: {records} at {address} (Ctrl-C stops)")
        status = server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGINT)
        try:
            status = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            status = server.wait()
        if status in (-signal.SIGINT, -signal.SIGTERM, -signal.SIGKILL, 130):
            status = 0  # stopped as asked
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            server.terminate()
            server.wait()
    return status
