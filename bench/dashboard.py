"""Time ``ropa dashboard`` from start to the first rendered page, in a real browser.

Usage::

    bash scripts/chromium.sh                       # Debian's Chromium, once
    .venv/bin/python bench/dashboard.py            # the shipped register, 3 runs
    .venv/bin/python bench/dashboard.py --runs 1 --out /tmp/bench   # a smoke run
    .venv/bin/python bench/dashboard.py ~/.cache/ropa-kg/synth/ropa-100k-seed1.nt \
        --name dashboard-100k                                       # other records

Each run starts ``ropa dashboard [PATHS] --port N`` in a fresh process (the real CLI, as a
user does; PATHS as ``ropa dashboard`` takes them, default the shipped register) and
measures, with Chromium driven by Playwright:

- ``server``: from the start to the server answering ``/_stcore/health`` (the server
  builds and checks the records and computes what the pages show before it answers);
- ``ready -> heading``: from the server ready to the first page's heading in the browser
  (its text is there; the charts may not be drawn yet);
- ``ready -> first page``: from the server ready to the Flows page rendered in the browser
  (the script has run, the map is drawn: its SVG is in the page), the number issue 18 sets
  targets for (2 s on the register, 4 s at 100k triples); ``first page``: the same from
  the start;
- ``reload``: the Flows page loaded again in the browser;
- ``pages``: each other page opened from the sidebar in turn, as a user switches pages,
  until it is rendered.

With ``--first-page-only``, only the first two (``bench/scale.py`` runs it so, per size).
Medians of ``--runs``. Results go to ``--out`` (``NAME.json`` and ``.md``, ``--name``
default ``dashboard``). Nothing here asserts a time: benchmarks inform, tests decide.
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
#: The pages after Flows, in the sidebar's order: the key in the results, the link's text,
#: the page's title, how many charts it draws.
PAGES = (
    ("matrix", "Who holds what", "Who holds what", 1),
    ("journey", "A person's journey", "A person's journey", 0),
    ("activities", "Activities", "Processing activities", 0),
    ("retention", "Retention", "Retention", 1),
    ("findings", "Findings", "Findings", 1),
    ("query", "Query", "SPARQL console", 0),
    ("notice", "Notice", "Privacy notice", 0),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: Milliseconds a page may take to render (``--timeout``).
WAIT_MS = {"value": 180_000}


def rendered(page: Any, charts: int, maps: int = 0) -> None:
    """Wait until the page's script has run, its ``charts`` plotly charts are drawn and its
    ``maps`` flow maps (the server's SVG, put in by the map's component) are in the page."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"] h1', timeout=WAIT_MS["value"]
    )
    page.wait_for_function(
        """([charts, maps]) => {
            const shown = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .filter(c => c.offsetParent !== null);
            const drawn = document.querySelectorAll('.ropa-flow-map svg.rm-map [data-key]');
            return shown.length >= charts && shown.every(c => c.querySelector('.main-svg'))
                && (maps === 0 || drawn.length > 0)
                && !document.querySelector('[data-testid^="stSkeleton"], [data-testid="stAppSkeleton"]');
        }""",
        arg=[charts, maps],
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
        page.wait_for_selector("h1", timeout=WAIT_MS["value"])
        heading = time.perf_counter()
        rendered(page, 0, 1)  # Flows: the map is SVG, no plotly chart
        first = time.perf_counter()
        times = {
            "server_s": healthy - start,
            "ready_to_heading_s": heading - healthy,
            "ready_to_first_s": first - healthy,
            "first_page_s": first - start,
        }
        if first_only:
            page.close()
            return times
        page.goto(address)
        rendered(page, 0, 1)
        reload = time.perf_counter() - first
        pages = {}
        for key, link, title, charts in PAGES:
            mark = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"] a', has_text=link).click()
            page.wait_for_selector(f'h1:has-text("{title}")', timeout=WAIT_MS["value"])
            rendered(page, charts)
            pages[key] = time.perf_counter() - mark
        page.close()
        return {
            **times,
            "reload_s": reload,
            **{f"{key}_s": seconds for key, seconds in pages.items()},
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
        "--name", default="dashboard", help="the results' file name in --out (NAME.json, NAME.md)"
    )
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

    load_before = os.getloadavg()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            samples = [one_run(browser, args.paths, args.first_page_only) for _ in range(args.runs)]
        finally:
            browser.close()
    load_after = os.getloadavg()
    keys = list(samples[0])
    medians = {k: round(statistics.median(s[k] for s in samples), 2) for k in keys}
    meta = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "browser": str(CHROMIUM),
        "records": " ".join(args.paths) or "the shipped register (Finnish Customs)",
        "runs": args.runs,
        # The machine may be shared: its load average (1, 5, 15 minutes) before and after.
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "method": "fresh `ropa dashboard` per run; Chromium (Playwright) waits until the "
        "script has run and the charts are drawn (Flows: the SVG map in the page); medians",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(
        json.dumps({"meta": meta, "median": medians, "samples": samples}, indent=2) + "\n",
        encoding="utf-8",
    )
    names = {
        "server_s": "start → server ready (answers /_stcore/health; records built and checked)",
        "ready_to_heading_s": "server ready → the first page's heading and text shown",
        "ready_to_first_s": "**server ready → first rendered page (Flows, map drawn)**",
        "first_page_s": "start → first rendered page (Flows)",
        "reload_s": "Flows page reloaded in the browser",
        **{f"{key}_s": f"switch to {link} (sidebar) → rendered" for key, link, _, _ in PAGES},
    }
    lines = [
        "# `ropa dashboard`: start, server ready, first rendered page, page switches",
        "",
        f"{meta['records']}; {meta['runs']} runs; Python {meta['python']}, {meta['machine']}; "
        f"{meta['method']}. Load average (1, 5, 15 min) before: "
        f"{', '.join(map(str, meta['load_before']))}; after: "
        f"{', '.join(map(str, meta['load_after']))}.",
        "",
        "| step | median (s) | min (s) | max (s) |",
        "|---|---:|---:|---:|",
    ]
    for key in keys:
        values = [s[key] for s in samples]
        lines.append(
            f"| {names[key]} | {medians[key]:.2f} | {min(values):.2f} | {max(values):.2f} |"
        )
    (args.out / f"{args.name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
