"""Many synthetic registers in a shared triple store (issue 17's benchmark).

``--registers`` synthetic registers of ``--size`` (``bench/synth.py``; register *i* is
the seed-1 register with its IRIs moved under ``.../synthetic/r<i>/``, so the registers
are disjoint graphs of the same shape), the store's steps first:

1. ``ropa publish FILE --graph urn:ropa-kg:bench:r<i>`` of each into the Virtuoso of
   ``scripts/virtuoso.sh`` (``$ROPA_VIRTUOSO_DIR``; started by you, with
   ``ROPA_VIRTUOSO_BUFFERS`` raised for big graphs);
2. ``ropa check --endpoint`` of each register's graph;
3. the cross-register saved queries across the catalogue (``ropa query --endpoint``);
4. the local ``ropa check FILE`` of each (its JSON report compared byte for byte with the
   endpoint's) and Jena SHACL on the same file (``scripts/jena.sh``; ``--no-jena`` skips
   it);
5. all the registers at once: ``ropa check --endpoint`` of the catalogue, one local
   ``ropa check`` of every file, and Jena SHACL on them concatenated (what the store and
   a single machine can and cannot do).

Each step is a fresh process: its wall time and peak memory (``wait4``), and the store's
peak resident memory while it ran (``VmRSS`` of ``virtuoso-t``, sampled every 0.2 s). A
step past ``--timeout`` is killed and recorded as such. Results:
``bench/results/store.md`` and ``.json`` (``--out``), written after every step, so a run
stopped halfway still says what it measured; ``--resume`` keeps those steps and runs
the others. Benchmarks inform; no test asserts a time.

Usage::

    export ROPA_VIRTUOSO_DIR=/tmp/ropa-virtuoso-bench ROPA_VIRTUOSO_BUFFERS=200000
    bash scripts/virtuoso.sh start
    .venv/bin/python bench/store.py --registers 10 --size 1M      # the 10M run
    .venv/bin/python bench/store.py --registers 2 --size tiny --out /tmp/b   # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ROPA = [PYTHON, "-m", "checker"]
BASE = b"https://example.org/ropa-kg/synthetic/"
CROSS = [
    "cross-register-disclosure-without-source",
    "cross-register-source-without-disclosure",
    "cross-register-processor-differs",
    "cross-register-identity-codes-outside-eea",
]


@dataclass
class Step:
    """One measured process."""

    name: str
    register: str
    seconds: float | None = None
    peak_mib: float | None = None
    store_peak_mib: float | None = None
    exit: int | None = None
    note: str = ""
    findings: int | None = None


def virtuoso() -> tuple[str, str, int]:
    """The SPARQL URL, Graph Store URL and server pid of scripts/virtuoso.sh's store."""
    script = ["bash", str(ROOT / "scripts" / "virtuoso.sh")]
    url = subprocess.run([*script, "url"], capture_output=True, text=True, check=True)
    store = subprocess.run([*script, "store-url"], capture_output=True, text=True, check=True)
    folder = Path(os.environ.get("ROPA_VIRTUOSO_DIR", f"/tmp/ropa-virtuoso-{os.getuid()}"))
    pid = int((folder / "pid").read_text().split()[0])
    return url.stdout.strip(), store.stdout.strip(), pid


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(step: Step, argv: list[str], timeout: float, store_pid: int, env: dict[str, str]) -> Step:
    """Run ``argv``; fill in ``step`` (time, peak memory, the store's peak, exit status)."""
    peak = [rss_mib(store_pid)]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], rss_mib(store_pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=env)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                step.exit = os.waitstatus_to_exitcode(status)
                step.peak_mib = round(usage.ru_maxrss / 1024)
                break
            if time.perf_counter() - start > timeout:
                process.kill()
                _, _, usage = os.wait4(process.pid, 0)
                step.note = f"killed after {timeout:.0f} s (did not finish)"
                break
            time.sleep(0.05)
        step.seconds = round(time.perf_counter() - start, 1)
        if step.exit not in (None, 0, 1):
            err.seek(0)
            step.note = err.read().decode("utf-8", "replace").strip().splitlines()[-1][:300]
    done.set()
    sampler.join()
    step.store_peak_mib = round(peak[0])
    print(
        f"{step.name} {step.register}: {step.seconds} s, {step.peak_mib} MiB, store "
        f"{step.store_peak_mib} MiB, exit {step.exit} {step.note}",
        file=sys.stderr,
    )
    return step


def findings(report: Path) -> int | None:
    """How many findings a ``ropa check --format json`` report holds (None: no report)."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return len(data["findings"]) if isinstance(data, dict) else len(data)


def render(meta: dict[str, object], steps: list[Step]) -> str:
    lines = [
        "# Many registers in a shared triple store",
        "",
        f"Generated by `bench/store.py {meta['args']}`: {meta['registers']} synthetic "
        f"registers of {meta['size']} ({meta['triples_each']:,} triples each, "
        f"{meta['triples_all']:,} in all), Virtuoso 7.2 from `scripts/virtuoso.sh` with "
        f"NumberOfBuffers {meta['buffers']}. One run of each step, each a fresh process; "
        f"{meta['machine']}, load average {meta['load_start']} at the start and "
        f"{meta['load_end']} at the end (the machine is shared: times are upper bounds).",
        "",
        "| step | register | time | peak memory (ropa / Jena) | store's peak memory | "
        "exit | findings | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in steps:
        time_ = "-" if s.seconds is None else f"{s.seconds} s"
        lines.append(
            f"| {s.name} | {s.register} | {time_} | {s.peak_mib} MiB | "
            f"{s.store_peak_mib} MiB | {s.exit} | {'' if s.findings is None else s.findings} | "
            f"{s.note} |"
        )
    lines += ["", str(meta.get("not_run", "")), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registers", type=int, default=10)
    parser.add_argument("--size", default="1M", help="a named size of bench/synth.py")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per step, seconds")
    parser.add_argument("--no-jena", action="store_true")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "ropa-store-bench"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--resume", action="store_true", help="keep the steps --out/store.json already has"
    )
    args = parser.parse_args(argv)
    sparql, graph_store, store_pid = virtuoso()
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ROPA_STORE_PASSWORD": os.environ.get("ROPA_VIRTUOSO_PASSWORD", "dba")}
    catalogue = "urn:ropa-kg:bench:catalogue"
    base = args.work / f"synth-{args.size}.nt"
    if not base.exists():
        subprocess.run(
            [PYTHON, "bench/synth.py", "--size", args.size, "-o", str(base)], cwd=ROOT, check=True
        )
    seed_data = base.read_bytes()
    triples = sum(1 for line in seed_data.splitlines() if line.strip())
    classpath = None
    shapes = args.work / "shapes.ttl"
    if not args.no_jena:
        jena = subprocess.run(
            ["bash", "scripts/jena.sh"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        classpath = jena.stdout.strip() or None
        from checker.check.shapes import shapes_graph  # the shapes as one file, for Jena

        shapes.write_bytes(shapes_graph().serialize(format="turtle", encoding="utf-8"))
    meta: dict[str, object] = {
        "args": " ".join(sys.argv[1:] if argv is None else argv),
        "registers": args.registers,
        "size": args.size,
        "triples_each": triples,
        "triples_all": triples * args.registers,
        "buffers": os.environ.get("ROPA_VIRTUOSO_BUFFERS", "10000 (default)"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_start": round(os.getloadavg()[0], 1),
    }
    steps: list[Step] = []
    previous = args.out / "store.json"
    if args.resume and previous.exists():  # keep what an earlier run of the same set measured
        earlier = json.loads(previous.read_text())
        if earlier["meta"].get("triples_each") == triples:
            steps = [Step(**s) for s in earlier["steps"] if s["exit"] in (0, 1)]
            meta["load_start"] = earlier["meta"].get("load_start")
            meta["args"] = f"{earlier['meta']['args']}, then {meta['args']}"

    def save() -> None:
        meta["load_end"] = round(os.getloadavg()[0], 1)
        (args.out / "store.json").write_text(
            json.dumps({"meta": meta, "steps": [asdict(s) for s in steps]}, indent=1) + "\n"
        )
        (args.out / "store.md").write_text(render(meta, steps))

    def done(name: str, register: str) -> Step | None:
        return next((s for s in steps if (s.name, s.register) == (name, register)), None)

    def step(name: str, register: str, argv: list[str]) -> Step:
        measured = done(name, register) or run(
            Step(name, register), argv, args.timeout, store_pid, env
        )
        if measured not in steps:
            steps.append(measured)
        save()
        return measured

    def report(name: str) -> Path:
        return args.work / f"{name}-local.json"

    def data_of(name: str) -> Path:
        data = args.work / f"{name}.nt"
        if not data.exists():
            data.write_bytes(seed_data.replace(BASE, BASE + f"{name}/".encode()))
        return data

    def compare(name: str) -> None:
        here, there = done("ropa check (local)", name), done("ropa check --endpoint", name)
        if here is None or there is None or there.findings is None or here.findings is None:
            return
        same = (args.work / f"{name}-remote.json").read_bytes() == report(name).read_bytes()
        there.note = "findings identical to the local check" if same else "FINDINGS DIFFER"
        save()

    names = [f"r{i}" for i in range(args.registers)]
    graphs = [f"urn:ropa-kg:bench:{name}" for name in names]
    # The store first: publish every register, check each and all through the endpoint, ask
    # the cross-register questions; then the local check and Jena of each register.
    for name, graph in zip(names, graphs, strict=True):
        publish = [*ROPA, "publish", str(data_of(name)), "--endpoint", graph_store]
        step(
            "ropa publish",
            name,
            [*publish, "--graph", graph, "--catalogue", catalogue, "--user", "dba"],
        )
    remote = [*ROPA, "check", "--endpoint", sparql, "--catalogue", catalogue, "--format", "json"]
    remote += ["--timeout", str(args.timeout)]
    for name, graph in zip(names, graphs, strict=True):
        there = args.work / f"{name}-remote.json"
        measured = step(
            "ropa check --endpoint", name, [*remote, "--graph", graph, "-o", str(there)]
        )
        measured.findings = findings(there)
        compare(name)
    everything = f"all {args.registers} (catalogue)"
    for query in CROSS:
        ask = [*ROPA, "query", query, "--endpoint", sparql, "--catalogue", catalogue]
        step(
            f"ropa query {query}",
            everything,
            [*ask, "--format", "csv", "--timeout", str(args.timeout)],
        )
    for name in names:
        check = [*ROPA, "check", str(data_of(name)), "--format", "json", "-o", str(report(name))]
        measured = step("ropa check (local)", name, check)
        measured.findings = findings(report(name))  # after the step: it writes the report
        compare(name)
        if classpath:
            jena = ["java", "-cp", classpath, "shacl.shacl", "validate", "--shapes", str(shapes)]
            step("Jena SHACL", name, [*jena, "--data", str(data_of(name))])
    # All of them at once: through the store, then what one machine does without it.
    step("ropa check --endpoint", everything, remote)
    every = [str(data_of(name)) for name in names]
    step(
        "ropa check (local)",
        everything,
        [*ROPA, "check", *every, "--format", "json", "-o", str(args.work / "all-local.json")],
    )
    if classpath:
        together = args.work / "all.nt"
        if not together.exists():
            with together.open("wb") as out:
                for name in names:
                    out.write(data_of(name).read_bytes())
        step("Jena SHACL", everything, [*jena, "--data", str(together)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
