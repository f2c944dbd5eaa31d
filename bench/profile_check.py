"""Where the time of ``ropa check`` goes: the build, the shapes, and each Python rule.

Runs in one process on one input (default: the shipped register) and prints a Markdown
table of each step's wall time and its findings, then, with ``--cprofile N``, the N
costliest functions by cumulative time. Benchmarks inform; nothing here asserts a time.

Usage::

    .venv/bin/python bench/profile_check.py                       # the shipped register
    .venv/bin/python bench/synth.py --size 100k -o /tmp/ropa-100k.nt
    .venv/bin/python bench/profile_check.py /tmp/ropa-100k.nt --cprofile 30
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from checker.check.context import SourceIndex
from checker.check.rules import python_rules
from checker.check.rules.review import review_findings
from checker.check.run import shacl_findings
from checker.graph.build import build


def timed(rows: list[tuple[str, float, str]], name: str, step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = step()
    count = f"{len(result)}" if isinstance(result, list) else ""
    rows.append((name, time.perf_counter() - start, count))
    return result


def steps(paths: list[Path]) -> list[tuple[str, float, str]]:
    rows: list[tuple[str, float, str]] = []
    graph = timed(rows, "build", lambda: build(paths))
    index = timed(rows, "source index", lambda: SourceIndex(graph, [str(p) for p in paths]))
    timed(rows, "shapes (compiled SPARQL)", lambda: shacl_findings(graph, index))
    for rule in python_rules():
        timed(rows, f"rule {rule.__module__}.{rule.__name__}", lambda r=rule: r(graph, index))
    timed(rows, "rule review", lambda: review_findings(graph, index, date(2026, 1, 1)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="inputs (default: the register)")
    parser.add_argument("--cprofile", type=int, metavar="N", help="also print N functions")
    args = parser.parse_args()
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    rows = steps(args.paths)
    if profiler:
        profiler.disable()
    print("| step | seconds | findings |\n|---|---:|---:|")
    for name, seconds, count in rows:
        print(f"| {name} | {seconds:.2f} | {count} |")
    print(f"| total | {sum(s for _, s, _ in rows):.2f} | |")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
