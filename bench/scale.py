"""ropa at scale: build, check, queries and notice on synthetic ROPAs, against Apache Jena.

For each size (``register`` = the shipped Finnish Customs register; ``tiny``, ``10k``,
``100k``, ``1M`` = synthetic ROPAs from ``bench/synth.py``), every command runs whole
process and cold (a fresh interpreter or JVM per run), and its wall time and peak resident
memory (``wait4`` rusage) are recorded; the median of ``--runs`` runs is reported:

- ``ropa build FILE -o OUT.nt`` and ``ropa check FILE`` (all shapes, all Python rules);
- ``ropa query NAME FILE`` for each ``checker/queries/*.rq`` (parameters bound to an
  entry that exists) and ``ropa notice FILE``, when the CLI has those commands; the saved
  queries also run in-process on pyoxigraph (parse once, then each query, bound the
  same way), which is what a query command can reach;
- pySHACL alone: ``pyshacl.validate`` of the same file with the same shapes
  (``inference="none"``), in its own process, with parse and validation timed apart;
- the peer: Apache Jena's SHACL validator (``shacl.shacl validate``, Debian's
  libapache-jena-java through ``scripts/jena.sh``) on the same shapes and data.

The shapes are whatever ``shapes/*.ttl`` holds at run time (``checker.check.shapes_graph``),
written to one Turtle file for Jena. The validation results are counted for pySHACL and
Jena (``sh:ValidationResult`` in each report, per source shape) and for ``ropa check`` (its
findings whose rule is a shape id); the table says whether the counts agree.

Results: ``bench/results/scale.json`` and ``scale.md`` (or ``--out``). Sizes measured in
an earlier run stay in the files unless measured again, so 1M can run on its own.
Nothing here asserts a time: benchmarks inform, tests decide.

Usage::

    .venv/bin/python bench/scale.py                         # register, 10k, 100k; 3 runs
    .venv/bin/python bench/scale.py --sizes 1M --runs 3     # long: run it in the background
    .venv/bin/python bench/scale.py --sizes tiny --runs 1 --no-jena --out /tmp/b   # smoke
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ROPA = [PYTHON, "-m", "checker"]
SIZE_ORDER = ["register", "tiny", "10k", "100k", "1M"]
DEFAULT_SIZES = "register,10k,100k"
SH = "http://www.w3.org/ns/shacl#"
#: Engines whose results must agree, per shape: pySHACL and Jena report the same results;
#: ropa check reports each distinct result once (it drops repeated findings).
AGREEMENT = [
    ("pyshacl", "jena"),
    ("ropa check", "pyshacl distinct"),
    ("ropa check", "jena distinct"),
]
#: Environment of the measured processes (see --bytecode).
CHILD_ENV: dict[str, str] = dict(os.environ)


@dataclass
class Measure:
    """One command at one size: the median of its runs."""

    name: str
    argv: str
    runs: int = 0
    median_s: float | None = None
    min_s: float | None = None
    cpu_s: float | None = None  # user + system CPU time (median): less hurt by a busy machine
    peak_mib: float | None = None
    exit: int | None = None
    note: str = ""
    phases: dict[str, float] = field(default_factory=dict)  # in-process timings, median


def run_once(
    argv: list[str], timeout: float, stdout: Path | None = None
) -> tuple[float, float, int]:
    """Run ``argv`` once in a fresh process: (wall seconds, peak RSS in MiB, exit status).

    Raises:
        TimeoutError: the process ran longer than ``timeout`` seconds (it is killed).
    """
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    # stderr goes to a file, not a pipe: a command that writes more than a pipe holds
    # (64 KiB) while nobody reads would block forever.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err, env=CHILD_ENV)
            deadline = start + timeout
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    os.wait4(proc.pid, 0)
                    raise TimeoutError(f"{' '.join(argv)} ran longer than {timeout:.0f} s")
                time.sleep(0.005)
        finally:
            if stdout is not None:
                out.close()  # type: ignore[union-attr]
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            message = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(argv)} failed with exit status {code}: {message}")
    return wall, usage.ru_maxrss / 1024, code, usage.ru_utime + usage.ru_stime


def measure(
    name: str,
    argv: list[str],
    runs: int,
    timeout: float,
    stdout: Path | None = None,
    phases_file: Path | None = None,
) -> Measure:
    """Run a command ``runs`` times; stop early on a time-out (reported, not raised)."""
    result = Measure(name, " ".join(_short(a) for a in argv))
    samples: list[tuple[float, float, int, float]] = []
    phases: list[dict[str, float]] = []
    for _ in range(runs):
        try:
            samples.append(run_once(argv, timeout, stdout))
        except TimeoutError:
            result.note = f"timed out after {timeout:.0f} s"
            break
        except RuntimeError as exc:
            result.note = str(exc)[:500]
            break
        if phases_file is not None and phases_file.exists():
            phases.append(json.loads(phases_file.read_text())["phases"])
        wall, peak, _, cpu = samples[-1]
        print(f"  {name}: {wall:.2f} s, CPU {cpu:.2f} s, {peak:.0f} MiB", file=sys.stderr)
    if samples:
        result.runs = len(samples)
        result.median_s = round(statistics.median(s[0] for s in samples), 3)
        result.min_s = round(min(s[0] for s in samples), 3)
        result.cpu_s = round(statistics.median(s[3] for s in samples), 3)
        result.peak_mib = round(max(s[1] for s in samples), 1)
        result.exit = samples[-1][2]
    if phases:
        result.phases = {
            k: round(statistics.median(p[k] for p in phases if k in p), 3) for k in phases[0]
        }
    return result


def _short(arg: str) -> str:
    """Shorten paths in a command line for the table."""
    if arg == PYTHON:
        return "python"
    if "/" in arg and len(arg) > 30:
        return Path(arg).name
    return arg


# -- helpers run in a child process ---------------------------------------------------------


def child_pyshacl(data: Path, shapes: Path, report: Path) -> None:
    """pySHACL alone: parse ``data`` with rdflib, validate, count the results per shape."""
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import SH as SHNS

    t1 = time.perf_counter()
    phases["import"] = t1 - t0
    shapes_graph = Graph().parse(shapes, format="turtle")
    graph = Graph().parse(data, format=_rdflib_format(data))
    t2 = time.perf_counter()
    phases["parse"] = t2 - t1
    _, results, _ = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        inplace=True,
    )
    t3 = time.perf_counter()
    phases["validate"] = t3 - t2
    raw: Counter[str] = Counter()
    keys: set[tuple[str, ...]] = set()
    # Top-level results only: pySHACL also types the nested results of sh:node (sh:detail)
    # as sh:ValidationResult; Jena does not report them.
    for r in results.objects(None, SHNS.result):
        shape = str(results.value(r, SHNS.sourceShape))
        raw[shape] += 1
        keys.add(
            _result_key(
                shape,
                results.value(r, SHNS.focusNode),
                results.value(r, SHNS.resultPath),
                results.value(r, SHNS.value),
            )
        )
    distinct = Counter(k[0] for k in keys)
    report.write_text(
        json.dumps({"phases": phases, "by_shape": raw, "distinct_by_shape": distinct}, indent=1)
    )


def _result_key(shape: str, focus: Any, path: Any, value: Any) -> tuple[str, ...]:
    """What makes a result distinct for ``ropa check`` (which drops repeated findings):
    shape, focus, path where it is an IRI, value ("[]" for a blank node)."""
    from rdflib import BNode, URIRef

    return (
        shape,
        "[]" if isinstance(focus, BNode) else str(focus),
        str(path) if isinstance(path, URIRef) else "",
        "" if value is None else "[]" if isinstance(value, BNode) else str(value),
    )


def child_queries(data: Path, queries: Path, report: Path, base: str) -> None:
    """Load ``data`` into pyoxigraph once, then run every saved query, its parameters bound
    as for ``ropa query`` (entry ids resolved against the register's ``base``)."""
    phases: dict[str, float] = {}
    rows: dict[str, int] = {}
    t0 = time.perf_counter()
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(data), format=_ox_format(data))
    phases["load"] = time.perf_counter() - t0
    for query in sorted(queries.glob("*.rq")):
        start = time.perf_counter()
        bindings = query_bindings(query, register=base != SYNTHETIC_BASE)
        substitutions = {ox.Variable(k): ox.NamedNode(base + v) for k, v in bindings.items()}
        result = store.query(query.read_text(encoding="utf-8"), substitutions=substitutions)
        rows[query.stem] = sum(1 for _ in result) if not isinstance(result, bool) else 1
        phases[f"query {query.stem}"] = time.perf_counter() - start
    report.write_text(json.dumps({"phases": phases, "rows": rows}, indent=1))


def _rdflib_format(path: Path) -> str:
    return {".nt": "nt", ".ttl": "turtle"}.get(path.suffix, "turtle")


def _ox_format(path: Path) -> Any:
    import pyoxigraph as ox

    return ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE


# -- the benchmark --------------------------------------------------------------------------


def use_bytecode_cache(mode: str, cache: Path, work: Path) -> str:
    """Set up how the measured Python processes get their bytecode; returns a description.

    ``as-is``: the environment as it is (here PYTHONDONTWRITEBYTECODE=1 and a venv without
    .pyc files, so every process compiles every module it imports). ``cached``: a bytecode
    cache outside the venv (PYTHONPYCACHEPREFIX), filled by one unmeasured warm-up run of
    each kind of process, as an installer that compiles bytecode would leave it.
    """
    if mode == "as-is":
        return "as the environment is" + (
            " (PYTHONDONTWRITEBYTECODE=1: modules compiled in every process)"
            if os.environ.get("PYTHONDONTWRITEBYTECODE")
            else ""
        )
    CHILD_ENV["PYTHONPYCACHEPREFIX"] = str(cache)
    warm = dict(CHILD_ENV)
    warm.pop("PYTHONDONTWRITEBYTECODE", None)
    tiny = work / "warmup.nt"
    shapes = work / "warmup-shapes.ttl"
    write_shapes(shapes)
    for argv in (
        [*ROPA, "build", "-o", str(tiny)],
        [*ROPA, "check", "--format", "json"],
        [*ROPA, "check", str(tiny), "--format", "json"],
        [PYTHON, __file__, "_pyshacl", str(tiny), str(shapes), str(work / "warmup.json")],
        [
            PYTHON,
            __file__,
            "_queries",
            str(tiny),
            str(ROOT / "checker" / "queries"),
            str(work / "q.json"),
            REGISTER_BASE,
        ],
        [PYTHON, str(ROOT / "bench" / "synth.py"), "--size", "tiny", "-o", str(work / "t.nt")],
    ):
        subprocess.run(argv, cwd=ROOT, env=warm, capture_output=True, check=False)
    return "cached (PYTHONPYCACHEPREFIX, warmed by one unmeasured run)"


#: Base IRIs of the entries of the shipped register and of the synthetic ROPAs.
REGISTER_BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
SYNTHETIC_BASE = "https://example.org/ropa-kg/synthetic/"
#: Values for the parameters of saved queries (``# param: NAME``), per data set.
REGISTER_BINDINGS = {"processor": "elisa", "entry": "chatbot", "source": "suomi-fi"}
SYNTHETIC_BINDINGS = {
    "processor": "processor-0001",
    "entry": "activity-00001",
    "source": "subject-0001",
}


def query_bindings(query: Path, register: bool) -> dict[str, str]:
    """A value for every ``# param: NAME [= default]`` of a saved query: the default on the
    shipped register, an entry that exists on the synthetic ROPAs."""
    bindings = {}
    for line in query.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s*param:\s*([A-Za-z_][\w-]*)\s*(?:=\s*(\S+))?", line)
        if match:
            name, default = match.groups()
            table = REGISTER_BINDINGS if register else SYNTHETIC_BINDINGS
            value = (default if register else None) or table.get(name)
            if value is not None:
                bindings[name] = value
    return bindings


def cli_commands() -> set[str]:
    """The subcommands the ``ropa`` CLI has today."""
    from checker.cli import main

    return set(getattr(main, "commands", {}))


def shape_ids() -> dict[str, str]:
    """Shape IRI -> rule id, of the shapes as they are now."""
    from rdflib.namespace import DCTERMS

    from checker.check import shapes_graph

    graph = shapes_graph()
    return {str(s): str(i) for s, i in graph.subject_objects(DCTERMS.identifier)}


def shapes_files_digest() -> str:
    """A digest of the bytes of shapes/*.ttl now (they may be edited while we measure)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def write_shapes(path: Path) -> str:
    """All shapes in one Turtle file (for pySHACL alone and Jena); returns their digest."""
    from checker.check import shapes_graph

    data = shapes_graph().serialize(format="turtle", encoding="utf-8")
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()[:12]


def data_file(size: str, data_dir: Path, seed: int, timeout: float) -> tuple[Path, Measure | None]:
    """The N-Triples file of a size, generated (and timed) when it is not there yet."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if size == "register":
        path = data_dir / "register.nt"
        measure(
            "build register",
            [*ROPA, "build", "-o", str(path)],
            1,
            timeout,
        )
        return path, None
    path = data_dir / f"ropa-{size}-seed{seed}.nt"
    if path.exists():
        return path, None
    generated = measure(
        "generate (bench/synth.py)",
        [
            PYTHON,
            str(ROOT / "bench" / "synth.py"),
            "--size",
            size,
            "--seed",
            str(seed),
            "-o",
            str(path),
        ],
        1,
        timeout,
    )
    return path, generated


def jena_classpath() -> str | None:
    """The class path of Debian's Jena (installed and patched by scripts/jena.sh)."""
    if shutil.which("java") is None:
        return None
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "jena.sh")], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        print(f"jena.sh failed: {proc.stderr[-1000:]}", file=sys.stderr)
        return None
    return proc.stdout.strip()


def count_report(path: Path) -> tuple[Counter[str], Counter[str]]:
    """Validation results per source shape in a SHACL report (Turtle), read by pyoxigraph:
    all of them (the report's sh:result, not nested sh:detail), and the distinct ones (see
    :func:`_result_key`)."""
    import pyoxigraph as ox
    from rdflib import BNode, URIRef

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    query = (
        f"SELECT ?shape ?focus ?path ?value WHERE {{ ?report <{SH}result> ?r . "
        f"OPTIONAL {{ ?r <{SH}sourceShape> ?shape }} OPTIONAL {{ ?r <{SH}focusNode> ?focus }} "
        f"OPTIONAL {{ ?r <{SH}resultPath> ?path }} OPTIONAL {{ ?r <{SH}value> ?value }} }}"
    )

    def term(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, ox.NamedNode):
            return URIRef(value.value)
        if isinstance(value, ox.BlankNode):
            return BNode(value.value)
        return value.value

    raw: Counter[str] = Counter()
    keys: set[tuple[str, ...]] = set()
    for row in store.query(query):
        shape = row["shape"].value if row["shape"] is not None else ""
        raw[shape] += 1
        keys.add(_result_key(shape, term(row["focus"]), term(row["path"]), term(row["value"])))
    return raw, Counter(k[0] for k in keys)


def count_findings(path: Path, rules: set[str]) -> tuple[Counter[str], int]:
    """SHACL-sourced findings per rule id in a ``ropa check --format json`` report, and all."""
    report = json.loads(path.read_text(encoding="utf-8"))
    findings = report["findings"]
    return Counter(f["rule"] for f in findings if f["rule"] in rules), len(findings)


def bench_size(
    size: str,
    args: argparse.Namespace,
    work: Path,
    classpath: str | None,
    previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every measurement of one size (with ``--only``: those named; the others are kept
    from ``previous``, the row of an earlier run)."""
    kept = {m["name"]: m for m in (previous or {}).get("measures", [])} if args.only else {}

    def take(name: str, *rest: Any, **options: Any) -> Measure:
        if args.only and not any(name.startswith(o) for o in args.only):
            if name in kept:
                earlier = Measure(**kept[name])
                if "earlier run" not in earlier.note:
                    earlier.note = (earlier.note + " " if earlier.note else "") + (
                        f"(from an earlier run, commit {(previous or {}).get('commit', '?')})"
                    )
                return earlier
            return Measure(name, "", note="not measured")
        return measure(name, *rest, **options)

    print(f"== {size}", file=sys.stderr)
    runs, timeout = args.runs, args.timeout
    data, generated = data_file(size, args.data, args.seed, timeout)
    triples = sum(1 for _ in data.open("rb"))
    shapes = work / "shapes.ttl"
    files_before = shapes_files_digest()
    digest = write_shapes(shapes)
    rules = shape_ids()
    commands = cli_commands()
    measures: list[Measure] = []
    if generated is not None:
        measures.append(generated)

    paths = [] if size == "register" else [str(data)]
    built = work / f"built-{size}.nt"
    measures.append(take("ropa build", [*ROPA, "build", *paths, "-o", str(built)], runs, timeout))
    check_json = work / f"check-{size}.json"
    check = take(
        "ropa check",
        [*ROPA, "check", *paths, "--format", "json", "-o", str(check_json)],
        runs,
        timeout,
    )
    measures.append(check)

    query_dir = ROOT / "checker" / "queries"
    queries = sorted(query_dir.glob("*.rq")) if query_dir.is_dir() else []
    if "query" in commands:
        for query in queries:
            binds = [
                f"--bind={name}={value}"
                for name, value in query_bindings(query, size == "register").items()
            ]
            measures.append(
                take(
                    f"ropa query {query.stem}",
                    [*ROPA, "query", query.stem, *binds, *paths],
                    runs,
                    timeout,
                )
            )
    if queries:
        qreport = work / f"queries-{size}.json"
        measures.append(
            take(
                "saved queries on pyoxigraph (in-process)",
                [
                    PYTHON,
                    __file__,
                    "_queries",
                    str(data),
                    str(query_dir),
                    str(qreport),
                    REGISTER_BASE if size == "register" else SYNTHETIC_BASE,
                ],
                runs,
                timeout,
                phases_file=qreport,
            )
        )
    if "notice" in commands:
        measures.append(take("ropa notice", [*ROPA, "notice", *paths], runs, timeout))

    pyshacl_report = work / f"pyshacl-{size}.json"
    pyshacl_report.unlink(missing_ok=True)
    if not args.no_pyshacl:
        measures.append(
            take(
                "pyshacl alone",
                [PYTHON, __file__, "_pyshacl", str(data), str(shapes), str(pyshacl_report)],
                runs,
                timeout,
                phases_file=pyshacl_report,
            )
        )
    jena_report = work / f"jena-{size}.ttl"
    jena_report.unlink(missing_ok=True)
    if classpath is not None:
        measures.append(
            take(
                "Jena SHACL",
                [
                    "java",
                    "-cp",
                    classpath,
                    "shacl.shacl",
                    "validate",
                    "--shapes",
                    str(shapes),
                    "--data",
                    str(data),
                ],
                runs,
                timeout,
                stdout=jena_report,
            )
        )

    counts: dict[str, Any] = {}
    by_rule: dict[str, dict[str, int]] = {}
    if check.median_s is not None and check_json.exists():
        ours, total = count_findings(check_json, set(rules.values()))
        counts["ropa check (SHACL findings)"] = sum(ours.values())
        counts["ropa check (all findings)"] = total
        by_rule["ropa check"] = dict(ours)
    if pyshacl_report.exists():
        report = json.loads(pyshacl_report.read_text())
        for key, name in (("by_shape", "pyshacl"), ("distinct_by_shape", "pyshacl distinct")):
            counts[name] = sum(report[key].values())
            by_rule[name] = {rules.get(k, k): v for k, v in report[key].items()}
    if jena_report.exists() and jena_report.stat().st_size:
        raw, distinct = count_report(jena_report)
        for counter, name in ((raw, "jena"), (distinct, "jena distinct")):
            counts[name] = sum(counter.values())
            by_rule[name] = {rules.get(k, k): v for k, v in counter.items()}
    # Agreement: pySHACL and Jena report the same results; ropa check reports each distinct
    # result once (it drops repeated findings), so it is compared with the distinct ones.
    if args.only and previous:  # engines not measured now: their results of before
        for key, value in previous.get("results_by_rule", {}).items():
            by_rule.setdefault(key, value)
        for key, value in previous.get("results", {}).items():
            counts.setdefault(key, value)
    compared = [(a, b) for a, b in AGREEMENT if a in by_rule and b in by_rule]
    agree = all(by_rule[a] == by_rule[b] for a, b in compared) if compared else None
    changed = shapes_files_digest() != files_before
    if changed:  # ropa check reads shapes/ itself: results across an edit cannot agree
        agree = None
    row = {
        "size": size,
        "triples": triples,
        "shapes_sha256": digest,
        "shapes": len(rules),
        "measures": [asdict(m) for m in measures],
        "results": counts,
        "results_by_rule": by_rule,
        "results_agree": agree,
        "shapes_changed_during_run": changed,
    }
    return row


def _median(row: dict[str, Any], name: str) -> float | None:
    for m in row["measures"]:
        if m["name"] == name:
            return m["median_s"]  # type: ignore[no-any-return]
    return None


def _slowest_query(row: dict[str, Any]) -> float | None:
    times = [
        m["median_s"]
        for m in row["measures"]
        if m["name"].startswith("ropa query") and m["median_s"] is not None
    ]
    return max(times) if times else None


def _cpu(row: dict[str, Any], name: str) -> float | None:
    for m in row["measures"]:
        if m["name"] == name:
            return m.get("cpu_s")  # type: ignore[no-any-return]
    return None


def _peak(row: dict[str, Any], name: str) -> float | None:
    for m in row["measures"]:
        if m["name"] == name:
            return m["peak_mib"]  # type: ignore[no-any-return]
    return None


def _fmt(value: float | None, unit: str = "") -> str:
    return "–" if value is None else f"{value:g}{unit}"


def _bytecode_text(text: str) -> str:
    return text.removeprefix("bytecode ")


def render_markdown(meta: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The summary table, then every measurement of every size."""
    lines = [
        "# ropa at scale: synthetic ROPAs, against Apache Jena SHACL",
        "",
        f"{meta['method']}. Python {meta['python']}, {meta['machine']}; "
        f"Python bytecode: {_bytecode_text(meta.get('bytecode', '?'))}; "
        f"commit {meta.get('commit', '?')}.",
        "",
        "ratio = ropa check / Jena SHACL (whole process each, wall time). CPU: user + system "
        "time of the process (Jena's JVM uses both cores, ropa one). SHACL results: the findings of "
        "ropa check that come from shapes (it reports each distinct focus, shape, path and value "
        "once), the distinct and all validation results of pySHACL alone, and all of Jena's. "
        "equal: pySHACL = Jena and ropa check = the distinct results, per shape.",
        "",
        "| size | triples | ropa build (s) | ropa check (s) | pyshacl alone (s) | Jena SHACL (s) "
        "| ratio | check CPU / Jena CPU (s) | check peak (MiB) | Jena peak (MiB) "
        "| slowest ropa query (s) | ropa notice (s) "
        "| SHACL results: ours / pyshacl distinct / pyshacl / Jena | equal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        check, jena = _median(row, "ropa check"), _median(row, "Jena SHACL")
        ratio = round(check / jena, 2) if check and jena else None
        counts = row["results"]
        results = " / ".join(
            str(counts.get(k, "–"))
            for k in ("ropa check (SHACL findings)", "pyshacl distinct", "pyshacl", "jena")
        )
        agree = {True: "yes", False: "**no**", None: "–"}[row["results_agree"]]
        if row.get("shapes_changed_during_run"):
            agree = "– (shapes/ edited during the run)"
        lines.append(
            f"| {row['size']} | {row['triples']} | {_fmt(_median(row, 'ropa build'))} "
            f"| {_fmt(check)} | {_fmt(_median(row, 'pyshacl alone'))} | {_fmt(jena)} "
            f"| {_fmt(ratio)} | {_fmt(_cpu(row, 'ropa check'))} / {_fmt(_cpu(row, 'Jena SHACL'))} "
            f"| {_fmt(_peak(row, 'ropa check'))} | {_fmt(_peak(row, 'Jena SHACL'))} "
            f"| {_fmt(_slowest_query(row))} | {_fmt(_median(row, 'ropa notice'))} "
            f"| {results} | {agree} |"
        )
    for row in rows:
        lines += [
            "",
            f"## {row['size']} ({row['triples']} triples, {row['shapes']} shapes, "
            f"shapes sha256 {row['shapes_sha256']}; commit {row.get('commit', '?')}; "
            f"Python bytecode: {_bytecode_text(row.get('bytecode', '?'))})",
            "",
            "| command | runs | median (s) | min (s) | CPU (s) | peak (MiB) | exit "
            "| in-process phases (s) | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for m in row["measures"]:
            phases = ", ".join(f"{k} {v:g}" for k, v in m["phases"].items())
            lines.append(
                f"| {m['name']} | {m['runs']} | {_fmt(m['median_s'])} | {_fmt(m['min_s'])} "
                f"| {_fmt(m.get('cpu_s'))} | {_fmt(m['peak_mib'])} | {_fmt(m['exit'])} | {phases} | {m['note']} |"
            )
        if row["results_by_rule"]:
            engines = list(row["results_by_rule"])
            rules = sorted({r for counts in row["results_by_rule"].values() for r in counts})
            lines += [
                "",
                "| rule | " + " | ".join(engines) + " |",
                "|---|" + "---|" * len(engines),
            ]
            for rule in rules:
                got = {e: row["results_by_rule"][e].get(rule, 0) for e in engines}
                differs = any(got[a] != got[b] for a, b in AGREEMENT if a in got and b in got)
                mark = " **differs**" if differs else ""
                values = [str(got[e]) for e in engines]
                lines.append(f"| {rule}{mark} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def _commit() -> str:
    proc = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return proc.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_pyshacl":
        child_pyshacl(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    if argv and argv[0] == "_queries":
        child_queries(Path(argv[1]), Path(argv[2]), Path(argv[3]), argv[4])
        return 0
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join((__doc__ or "").splitlines()[1:]),
    )
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"comma-separated, of {', '.join(SIZE_ORDER)} (default {DEFAULT_SIZES})",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic ROPAs")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds before a run is killed"
    )
    parser.add_argument(
        "--bytecode",
        choices=["cached", "as-is"],
        default="cached",
        help="cached: Python bytecode compiled once, as a normal install has it (default); "
        "as-is: this environment unchanged",
    )
    parser.add_argument(
        "--only",
        type=lambda text: [t.strip() for t in text.split(",") if t.strip()],
        default=[],
        help="measure only the commands whose name starts with one of these (comma-"
        "separated, e.g. 'ropa notice,saved queries'); keep the other results of the size",
    )
    parser.add_argument("--no-jena", action="store_true", help="skip the Jena peer")
    parser.add_argument("--no-pyshacl", action="store_true", help="skip pySHACL alone")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results", help="results folder"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "ropa-kg"
        / "synth",
        help="folder of the synthetic N-Triples files (generated when missing)",
    )
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZE_ORDER]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}; choose from {', '.join(SIZE_ORDER)}")
    args.out.mkdir(parents=True, exist_ok=True)
    classpath = None if args.no_jena else jena_classpath()
    if not args.no_jena and classpath is None:
        print("Jena is not available: the peer is skipped", file=sys.stderr)

    results_json = args.out / "scale.json"
    previous: dict[str, Any] = {}
    if results_json.exists():
        try:
            previous = {r["size"]: r for r in json.loads(results_json.read_text())["results"]}
        except (ValueError, KeyError):
            previous = {}
    meta = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "method": "whole process, cold (fresh interpreter or JVM per run), wall time and "
        "wait4 peak RSS, median of the runs",
        "commit": _commit(),
        "java": _java_version() if classpath else None,
    }
    with tempfile.TemporaryDirectory(prefix="ropa-scale-") as tmp:
        meta["bytecode"] = use_bytecode_cache(args.bytecode, args.data / "pycache", Path(tmp))
        for size in sizes:
            row = bench_size(size, args, Path(tmp), classpath, previous.get(size))
            row["commit"] = meta["commit"]
            row["bytecode"] = meta["bytecode"]
            previous[size] = row
            rows = [previous[s] for s in SIZE_ORDER if s in previous]
            results_json.write_text(
                json.dumps({"meta": meta, "results": rows}, indent=1) + "\n", encoding="utf-8"
            )
            (args.out / "scale.md").write_text(render_markdown(meta, rows), encoding="utf-8")
    print((args.out / "scale.md").read_text(encoding="utf-8"))
    return 0


def _java_version() -> str:
    proc = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "([^"]+)"', proc.stderr)
    return match.group(1) if match else "?"


if __name__ == "__main__":
    raise SystemExit(main())
