"""Whole-process ``ropa query`` on a big graph: parse again, or open the cache.

Issue 17 asks for a whole-process ``ropa query`` on a 1M-triple graph under 1 s when the
graph was built before. Two ways to keep a built graph, measured here on the same input:

- **re-parse**: keep the built graph as N-Triples and parse it again into an in-memory
  pyoxigraph store (timed in this process: ``Store.bulk_load`` of the built graph's
  N-Triples), which is what every run without a cache does (plus the build);
- **on-disk store**: keep it as an on-disk pyoxigraph store (RocksDB) and open it
  read-only (:mod:`checker.query.cache`; timed in this process: ``Store.read_only`` and
  one query).

and the whole process, as a user runs it (``ropa query QUERY FILE``, medians of
``--runs``): cache off (``ROPA_CACHE=off``), the first run with the cache (it builds and
writes the entry), and later runs (they open the entry). Peak memory (max RSS) of each
process from ``wait4``. Results: ``bench/results/query-cache.md`` and ``.json``.
Benchmarks inform; no test asserts a time.

Usage::

    .venv/bin/python bench/synth.py --size 1M -o /tmp/ropa-1M.nt
    .venv/bin/python bench/query_cache.py /tmp/ropa-1M.nt
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]


def whole_process(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds, peak MiB and exit status of ``ropa ARGS``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0 and process.stderr is not None:
        sys.stderr.write(process.stderr.read().decode("utf-8", "replace"))
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def in_process(data: Path, cache: Path, query: str) -> dict[str, float]:
    """Parse the built graph's N-Triples again vs open the on-disk entry read-only."""
    entries = [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith("making-")]
    built = cache / "built.nt"
    start = time.perf_counter()
    ox.Store.read_only(str(entries[0])).dump(output=str(built), format=ox.RdfFormat.N_QUADS)
    dump = time.perf_counter() - start
    start = time.perf_counter()
    memory = ox.Store()
    memory.bulk_load(path=str(built), format=ox.RdfFormat.N_QUADS)
    parse = time.perf_counter() - start
    start = time.perf_counter()
    disk = ox.Store.read_only(str(entries[0]))
    opened = time.perf_counter() - start
    start = time.perf_counter()
    rows = len(list(disk.query(query)))  # type: ignore[arg-type]
    on_disk_query = time.perf_counter() - start
    start = time.perf_counter()
    len(list(memory.query(query)))  # type: ignore[arg-type]
    in_memory_query = time.perf_counter() - start
    built.unlink()
    return {
        "triples": len(memory),
        "rows": rows,
        "dump_s": round(dump, 3),
        "reparse_s": round(parse, 3),
        "open_read_only_s": round(opened, 4),
        "query_on_disk_s": round(on_disk_query, 3),
        "query_in_memory_s": round(in_memory_query, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="an input of ropa query (e.g. bench/synth.py's)")
    parser.add_argument("--query", default="processors-personal-data", help="a saved query")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    cache = Path(tempfile.mkdtemp(prefix="ropa-cache-bench-"))
    env = {**os.environ, "ROPA_CACHE_DIR": str(cache)}
    ropa = ["query", args.query, str(args.data), "--format", "csv"]
    try:
        off = [whole_process(ropa, {**env, "ROPA_CACHE": "off"}) for _ in range(args.runs)]
        first = whole_process(ropa, env)
        warm = [whole_process(ropa, env) for _ in range(args.runs)]
        ask = ["query", "ASK {}", str(args.data), "--format", "csv"]
        fixed = [whole_process(ask, env) for _ in range(args.runs)]
        if any(r[2] != 0 for r in [*off, first, *warm, *fixed]):
            raise SystemExit("ropa query failed")
        text = (ROOT / "checker" / "query" / "queries" / f"{args.query}.rq").read_text()
        inside = in_process(args.data, cache, text)
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    def median(runs: list[tuple[float, float, int]]) -> tuple[float, float]:
        return (
            round(statistics.median(r[0] for r in runs), 2),
            round(max(r[1] for r in runs)),
        )

    result = {
        "input": str(args.data),
        "input_mib": round(args.data.stat().st_size / (1 << 20), 1),
        "query": args.query,
        "runs": args.runs,
        "cache_off": median(off),
        "first_run_writes_cache": (round(first[0], 2), round(first[1])),
        "cached": median(warm),
        "cached_ask": median(fixed),
        "in_process": inside,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, pyoxigraph {ox.__version__}",
        "load": round(os.getloadavg()[0], 1),
    }
    i = inside
    disk = i["open_read_only_s"] + i["query_on_disk_s"]
    memory = i["reparse_s"] + i["query_in_memory_s"]
    choice = (
        f"the on-disk store (`checker/query/cache.py`): open and query {disk:.2f} s against "
        f"re-parse and query {memory:.2f} s"
        if disk < memory
        else f"NOT the on-disk store: re-parse and query {memory:.2f} s beat open and query "
        f"{disk:.2f} s; change checker/query/cache.py"
    )
    lines = [
        "# Whole-process `ropa query` on a big graph: the cache",
        "",
        f"Generated by `bench/query_cache.py {args.data.name} --query {args.query}` "
        f"({result['input_mib']} MiB of N-Triples, {i['triples']:,} triples in the store, "
        f"{i['rows']:,} rows; medians of {args.runs} runs; {result['machine']}; load "
        f"average {result['load']} at the end).",
        "",
        "| whole process `ropa query` | time | peak memory |",
        "|---|---|---|",
        f"| cache off (build every time) | {result['cache_off'][0]} s | "
        f"{result['cache_off'][1]} MiB |",
        f"| first run (builds, writes the on-disk entry) | {first[0]:.2f} s | {first[1]:.0f} MiB |",
        f"| later runs (open the entry read-only) | {result['cached'][0]} s | "
        f"{result['cached'][1]} MiB |",
        f"| later runs of `ASK {{}}` (start-up, hash check, open: the fixed cost) | "
        f"{result['cached_ask'][0]} s | {result['cached_ask'][1]} MiB |",
        "",
        "| keeping a built graph, in process | time |",
        "|---|---|",
        f"| re-parse: `bulk_load` of the built graph's N-Quads into memory | {i['reparse_s']} s |",
        f"| on-disk store: `Store.read_only` | {i['open_read_only_s']} s |",
        f"| the query on the on-disk store / on the in-memory store | {i['query_on_disk_s']} s / "
        f"{i['query_in_memory_s']} s |",
        "",
        f"Chosen by these numbers: {choice}. A query runs slower on the on-disk store than "
        "in memory (RocksDB lookups instead of memory): the cached whole-process time is the "
        "fixed cost plus the query on disk.",
        "",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "query-cache.json").write_text(json.dumps(result, indent=1) + "\n")
    (args.out / "query-cache.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
