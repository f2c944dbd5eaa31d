"""Time ropa commands as a user runs them: whole process, cold, median of several runs.

Usage::

    .venv/bin/python bench/run.py              # the shipped register, 5 runs each
    .venv/bin/python bench/run.py --runs 1 --out /tmp/bench   # a smoke run (CI)

Each command runs in a fresh process; wall time and the peak resident memory of that
process (``wait4`` rusage) are recorded, and the median of the runs is reported. Results
go to ``bench/results/register.json`` and ``.md`` (or ``--out``). Nothing here asserts a
time: benchmarks inform, tests decide.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROPA = [sys.executable, "-m", "checker"]


def measure(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run ``argv`` once: (wall seconds, peak RSS in MiB, exit status)."""
    # stderr goes to a file: a pipe read only at the end would hang on more than 64 KiB.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(argv)} failed: {message}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def bench(name: str, argv: list[str], runs: int, cwd: Path) -> dict[str, object]:
    samples = [measure(argv, cwd) for _ in range(runs)]
    return {
        "command": name,
        "argv": " ".join(argv[2:]),
        "runs": runs,
        "median_s": round(statistics.median(s[0] for s in samples), 3),
        "min_s": round(min(s[0] for s in samples), 3),
        "peak_mib": round(max(s[1] for s in samples), 1),
        "exit": samples[-1][2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        graph = Path(tmp) / "graph.ttl"
        commands = [
            ("ropa --help (start-up)", [*ROPA, "--help"]),
            ("ropa build (shipped register)", [*ROPA, "build", "-o", str(graph)]),
            ("ropa check (shipped register)", [*ROPA, "check", "--format", "json"]),
        ]
        rows = [bench(name, argv, args.runs, ROOT) for name, argv in commands]
    meta = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "method": "fresh process per run, wall time and wait4 peak RSS, median",
    }
    (args.out / "register.json").write_text(
        json.dumps({"meta": meta, "results": rows}, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "# ropa on the shipped Finnish Customs register",
        "",
        f"{meta['method']}; Python {meta['python']}, {meta['machine']}.",
        "",
        "| command | runs | median (s) | min (s) | peak memory (MiB) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['command']} | {r['runs']} | {r['median_s']} | {r['min_s']} | {r['peak_mib']} |"
        for r in rows
    ]
    (args.out / "register.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
