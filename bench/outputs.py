"""What ``ropa build -o`` costs per output format, and how blank nodes scale.

Two tables, whole process and cold (a fresh interpreter per run), wall time and peak
resident memory (``wait4``), median of ``--runs`` runs:

- every output format (``.nt``, ``.ttl``, ``.jsonld``) of the synthetic registers of
  ``bench/synth.py`` (issue 15: ``-o .ttl`` within 2x of ``-o .nt``), with the output's
  size, and whether two runs wrote the same bytes;
- a flat chain of N blank nodes (``_:b0 ex:next _:b1 . _:b1 ex:next _:b2 ...``, the shape
  that made blank-node labelling super-linear: issue 19) built to ``.nt``, for N from 10^3
  up to ``--max-blank``.

Benchmarks inform; nothing here asserts a time.

    .venv/bin/python bench/outputs.py                          # 100k, chains up to 10^5
    .venv/bin/python bench/outputs.py --sizes 100k,1M --max-blank 1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROPA = [sys.executable, "-m", "checker"]
FORMATS = ("nt", "ttl", "jsonld")


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process; it must exit 0."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    assert os.waitstatus_to_exitcode(status) == 0, proc.stderr.read() if proc.stderr else ""
    return wall, usage.ru_maxrss / 1024


def median_run(args: list[str], runs: int) -> tuple[float, float]:
    results = [run(args) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def synthetic(size: str, folder: Path) -> Path:
    path = folder / f"synth-{size}.nt"
    if not path.exists():
        subprocess.run(
            [sys.executable, "bench/synth.py", "--size", size, "-o", str(path)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def chain(n: int, folder: Path) -> Path:
    path = folder / f"chain-{n}.nt"
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f"_:b{i} <https://example.org/next> _:b{i + 1} .\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k", help="synthetic sizes (comma-separated)")
    parser.add_argument("--max-blank", type=int, default=100_000, help="longest chain")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "outputs.md")
    args = parser.parse_args()
    lines = [
        "# `ropa build -o` per output format, and blank-node chains",
        "",
        f"bench/outputs.py --sizes {args.sizes} --max-blank {args.max_blank} "
        f"--runs {args.runs}; whole process, median wall time, peak RSS; 2-core machine.",
        "",
        "| input | triples | format | seconds | peak MiB | output MiB | / .nt | same bytes twice |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in args.sizes.split(","):
            data = synthetic(size, folder)
            triples = sum(1 for _ in data.open("rb"))
            nt_time = None
            for fmt in FORMATS:
                out = folder / f"out-{size}.{fmt}"
                seconds, peak = median_run([*ROPA, "build", str(data), "-o", str(out)], args.runs)
                first = out.read_bytes()
                run([*ROPA, "build", str(data), "-o", str(out)])
                same = "yes" if out.read_bytes() == first else "NO"
                nt_time = nt_time or seconds
                lines.append(
                    f"| synthetic {size} | {triples} | .{fmt} | {seconds:.2f} | {peak:.0f} | "
                    f"{len(first) / 2**20:.1f} | {seconds / nt_time:.2f} | {same} |"
                )
                print(lines[-1], flush=True)
        lines += [
            "",
            "| blank-node chain | `ropa build -o .nt` seconds | peak MiB |",
            "|---:|---:|---:|",
        ]
        n = 1000
        while n <= args.max_blank:
            data = chain(n, folder)
            seconds, peak = median_run(
                [*ROPA, "build", str(data), "-o", str(folder / "chain.nt")], args.runs
            )
            lines.append(f"| {n} | {seconds:.2f} | {peak:.0f} |")
            print(lines[-1], flush=True)
            n *= 10
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
