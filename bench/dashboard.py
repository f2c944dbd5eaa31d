"""Time ``ropa dashboard`` from start to the first rendered page, in a real browser.

Usage::

    bash scripts/chromium.sh                       # Debian's Chromium, once
    .venv/bin/python bench/dashboard.py            # the shipped register, 3 runs
    .venv/bin/python bench/dashboard.py --runs 1 --out /tmp/bench   # a smoke run
    .venv/bin/python bench/dashboard.py ~/.cache/ropa-kg/synth/ropa-100k-seed1.nt \
        --first-page-only --out /tmp/bench                          # other records

Each run starts ``ropa dashboard [PATHS] --port N`` in a fresh process (the real CLI, as a
user does; PATHS as ``ropa dashboard`` takes them, default the shipped register) and
measures, with Chromium driven by Playwright:

- ``server``: from the start to the server answering ``/_stcore/health``;
- ``first page``: from the start to the Flows page rendered (the script has run: graph
  built, checked, cached; the network drawn), the number a user waits for;
- ``reload``: the Flows page loaded again in the browser (the graph is cached; the
  browser loads the app and Plotly again);
- ``pages``: each other page opened from the sidebar in turn, as a user switches pages,
  until it is rendered.

With ``--first-page-only``, only the first two (``bench/scale.py`` runs it so, per size).
Medians of ``--runs``. Results go to ``--out`` (``dashboard.json`` and ``.md``). Nothing here
asserts a time: benchmarks inform, tests decide.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("ROPA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The pages after Flows: their link in the sidebar, their title, how many charts they draw.
PAGES = {
    "Activities": ("Processing activities", 0),
    "Retention": ("Retention", 1),
    "Findings": ("Findings", 1),
    "Query": ("SPARQL console", 0),
    "Notice": ("Privacy notice", 0),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: Milliseconds a page may take to render (``--timeout``).
WAIT_MS = {"value": 180_000}


def rendered(page: Any, charts: int) -> None:
    """Wait until the page's script has run and its charts are drawn."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"] h1', timeout=WAIT_MS["value"]
    )
    page.wait_for_function(
        """(wanted) => {
            const shown = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .filter(c => c.offsetParent !== null);
            return shown.length >= wanted && shown.every(c => c.querySelector('.main-svg'))
                && !document.querySelector('[data-testid^="stSkeleton"], [data-testid="stAppSkeleton"]');
        }""",
        arg=charts,
        timeout=WAIT_MS["value"],
    )


def one_run(browser: Any, paths: list[str], first_only: bool = False) -> dict[str, float]:
    """One fresh ``ropa dashboard``: seconds from its start to each step."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "checker", "dashboard", *paths, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = start + WAIT_MS["value"] / 1000
        while True:
            if server.poll() is not None:
                raise SystemExit(f"ropa dashboard ended with status {server.returncode}")
            if time.perf_counter() > deadline:
                raise SystemExit("ropa dashboard did not answer /_stcore/health in time")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        healthy = time.perf_counter()
        address = f"http://127.0.0.1:{port}/"
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(address)
        rendered(page, 1)
        first = time.perf_counter()
        if first_only:
            page.close()
            return {"server_s": healthy - start, "first_page_s": first - start}
        page.goto(address)
        rendered(page, 1)
        reload = time.perf_counter() - first
        pages = {}
        for name, (title, charts) in PAGES.items():
            mark = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"] a', has_text=name).click()
            page.wait_for_selector(f"h1:has-text('{title}')", timeout=120_000)
            rendered(page, charts)
            pages[name.lower()] = time.perf_counter() - mark
        page.close()
        return {
            "server_s": healthy - start,
            "first_page_s": first - start,
            "reload_s": reload,
            **{f"{name}_s": seconds for name, seconds in pages.items()},
        }
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="records (default: the shipped register)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--first-page-only",
        action="store_true",
        help="time the server and the first rendered page only (no reload, no other pages)",
    )
    parser.add_argument(
        "--timeout", type=float, default=180, help="seconds a page may take to render"
    )
    args = parser.parse_args(argv)
    WAIT_MS["value"] = int(args.timeout * 1000)
    signal.signal(signal.SIGTERM, _terminated)  # stop the server on TERM too (finally)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: run `bash scripts/chromium.sh`", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            samples = [one_run(browser, args.paths, args.first_page_only) for _ in range(args.runs)]
        finally:
            browser.close()
    keys = list(samples[0])
    medians = {k: round(statistics.median(s[k] for s in samples), 2) for k in keys}
    meta = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "browser": str(CHROMIUM),
        "records": " ".join(args.paths) or "the shipped register (Finnish Customs)",
        "runs": args.runs,
        "method": "fresh `ropa dashboard` per run; Chromium (Playwright) waits until the "
        "script has run and the charts are drawn; medians",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dashboard.json").write_text(
        json.dumps({"meta": meta, "median": medians, "samples": samples}, indent=2) + "\n",
        encoding="utf-8",
    )
    names = {
        "server_s": "start → server answers /_stcore/health",
        "first_page_s": "**start → first rendered page (Flows)**",
        "reload_s": "Flows page reloaded in the browser (graph cached)",
        **{f"{n.lower()}_s": f"switch to {n} (sidebar) → rendered" for n in PAGES},
    }
    lines = [
        "# `ropa dashboard`: start to first rendered page",
        "",
        f"{meta['records']}; {meta['runs']} runs; Python {meta['python']}, {meta['machine']}; "
        f"{meta['method']}.",
        "",
        "| step | median (s) | min (s) | max (s) |",
        "|---|---:|---:|---:|",
    ]
    for key in keys:
        values = [s[key] for s in samples]
        lines.append(
            f"| {names[key]} | {medians[key]:.2f} | {min(values):.2f} | {max(values):.2f} |"
        )
    (args.out / "dashboard.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
