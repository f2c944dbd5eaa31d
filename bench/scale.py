"""ropa at scale: build, check, queries and notice on synthetic ROPAs, against Apache Jena.

For each size (``register`` = the shipped Finnish Customs register; ``tiny``, ``10k``,
``100k``, ``1M`` = synthetic ROPAs from ``bench/synth.py``), every command runs whole
process and cold (a fresh interpreter or JVM per run), and its wall time and peak resident
memory (``wait4`` rusage) are recorded; the median of ``--runs`` runs is reported:

- ``ropa build FILE -o OUT.nt`` and ``ropa check FILE`` (all shapes, all Python rules);
- ``ropa query NAME FILE`` for each ``checker/query/queries/*.rq`` (parameters bound to an
  entry that exists) and ``ropa notice FILE``, when the CLI has those commands; the saved
  queries also run in-process on pyoxigraph (parse once, then each query, bound the
  same way), which is what a query command can reach;
- the saved queries through ``ropa serve FILE --port N`` (the read-only SPARQL endpoint,
  how an auditor runs many queries on a big graph): the server started cold, the time
  until it answers (``ready``: graph loaded), then each saved query POSTed once as
  ``application/sparql-query``, its parameters bound by a ``VALUES`` block as
  ``checker.query.engines.RemoteEngine`` sends them, JSON results read whole, each request timed;
  then the server is stopped (SIGTERM). Its rows must equal the in-process rows;
- ``ropa dashboard FILE`` start to its first page rendered in Chromium
  (``bench/dashboard.py --first-page-only``), at ``--dashboard-sizes`` (register and
  100k); skipped with a note when Playwright or Chromium is missing;
- pySHACL alone: ``pyshacl.validate`` of the same file with the same shapes
  (``inference="none"``), in its own process, with parse and validation timed apart;
- the peer: Apache Jena's SHACL validator (``shacl.shacl validate``, Debian's
  libapache-jena-java through ``scripts/jena.sh``) on the same shapes and data.

The shapes are whatever ``shapes/*.ttl`` holds at run time (``checker.check.run.shapes_graph``),
written to one Turtle file for Jena. The validation results are counted for pySHACL and
Jena (``sh:ValidationResult`` in each report, per source shape) and for ``ropa check`` (its
findings whose rule is a shape id); the table says whether the counts agree. A growth
table gives, for 10k -> 100k and 100k -> 1M, each command's time ratio against the target
(10x the triples, at most 12x the time).

Results: ``bench/results/scale.json`` and ``scale.md`` (or ``--out``). Sizes measured in
an earlier run stay in the files unless measured again, so 1M can run on its own.
Nothing here asserts a time: benchmarks inform, tests decide.

Usage::

    .venv/bin/python bench/scale.py                         # register, 10k, 100k; 3 runs
    .venv/bin/python bench/scale.py --sizes all             # and 1M: long, background it
    .venv/bin/python bench/scale.py --sizes 1M --runs 3     # 1M alone, the others kept
    .venv/bin/python bench/scale.py --sizes tiny --runs 1 --no-jena --out /tmp/b   # smoke
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ROPA = [PYTHON, "-m", "checker"]
SIZE_ORDER = ["register", "tiny", "10k", "100k", "1M"]
DEFAULT_SIZES = "register,10k,100k"
DEFAULT_DASHBOARD_SIZES = "register,100k"
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
    rows: dict[str, int] = field(default_factory=dict)  # rows of each saved query (last run)


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
        except (TimeoutError, RuntimeError) as exc:
            result.note = _failure(exc, timeout)
            break
        if phases_file is not None and phases_file.exists():
            report = json.loads(phases_file.read_text())
            phases.append(report["phases"])
            result.rows = report.get("rows", {})
        wall, peak, _, cpu = samples[-1]
        print(f"  {name}: {wall:.2f} s, CPU {cpu:.2f} s, {peak:.0f} MiB", file=sys.stderr)
    return _aggregate(result, samples, phases)


def _failure(exc: Exception, timeout: float) -> str:
    """The note of a measurement that stopped: a time-out or the command's error."""
    return f"timed out after {timeout:.0f} s" if isinstance(exc, TimeoutError) else str(exc)[:500]


def _aggregate(
    result: Measure,
    samples: list[tuple[float, float, int, float]],
    phases: list[dict[str, float]],
) -> Measure:
    """Medians of the runs: (wall s, peak MiB, exit status, CPU s) and the phases."""
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


# -- ropa serve and the dashboard: a server, then clients ------------------------------------

#: The measures of a server process.
SERVE = "saved queries through ropa serve"
DASHBOARD = "dashboard first render"
IN_PROCESS = "saved queries on pyoxigraph (in-process)"


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_queries(queries: list[Path], base: str, register: bool) -> list[tuple[str, str]]:
    """(name, text to POST) of each saved query, its parameters bound as for the in-process
    measure but as ``ropa query --endpoint`` sends them to an endpoint: a ``VALUES`` block
    at the start of the WHERE group (:meth:`checker.query.engines.RemoteEngine.prepare`)."""
    import pyoxigraph as ox

    from checker.query.engines import RemoteEngine
    from checker.query.text import QueryText

    client = RemoteEngine("http://127.0.0.1/sparql")
    prepared = []
    for query in queries:
        bindings = {
            k: ox.NamedNode(base + v) for k, v in query_bindings(query, register=register).items()
        }
        text = QueryText(query.read_text(encoding="utf-8"), query.name)
        prepared.append((query.stem, client.prepare(text, bindings)[0]))
    return prepared


def _wait_ready(proc: subprocess.Popen[bytes], url: str, deadline: float) -> None:
    """Until ``url`` answers 200: the server has loaded the graph and serves.

    ``ropa serve`` binds its port before it loads the graph, so a request made while it
    loads waits in the listen queue and is answered as soon as it serves."""
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server ended with status {proc.returncode}")
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError("the server did not answer in time")
        try:
            with urllib.request.urlopen(url, timeout=remaining) as answer:
                answer.read()
                if answer.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            time.sleep(0.02)


def _post(url: str, text: str, timeout: float) -> bytes:
    """POST a query as ``application/sparql-query``; the whole body of the JSON answer."""
    request = urllib.request.Request(
        url,
        data=text.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": "application/sparql-results+json",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.read()  # type: ignore[no-any-return]
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise RuntimeError(f"HTTP {exc.code}: {detail}") from None


def serve_once(
    argv: list[str], port: int, queries: list[tuple[str, str]], timeout: float
) -> tuple[tuple[float, float, int, float], dict[str, float], dict[str, int]]:
    """One cold server: start ``argv`` (``ropa serve ... --port PORT``), wait until it
    answers, POST each query once, stop it (SIGTERM).

    Returns (wall s from start to the last answer, peak MiB, exit status, CPU s), the
    phases (``ready``, ``query NAME`` per request) and the rows of each answer.

    Raises:
        TimeoutError: past ``timeout`` seconds in all; RuntimeError: the server failed.
    """
    phases: dict[str, float] = {}
    rows: dict[str, int] = {}
    endpoint = f"http://127.0.0.1:{port}/sparql"
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        deadline = start + timeout
        proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=CHILD_ENV
        )
        try:
            _wait_ready(proc, f"http://127.0.0.1:{port}/", deadline)
            phases["ready"] = time.perf_counter() - start
            for name, text in queries:
                mark = time.perf_counter()
                body = _post(endpoint, text, max(deadline - mark, 0.1))
                phases[f"query {name}"] = time.perf_counter() - mark
                rows[name] = len(json.loads(body)["results"]["bindings"])
            wall = time.perf_counter() - start
        except (
            TimeoutError,
            RuntimeError,
            OSError,
            ValueError,
            KeyError,
            http.client.HTTPException,
        ) as exc:
            err.seek(0)
            message = err.read().decode(errors="replace")[-1500:]
            if isinstance(exc, TimeoutError) or time.perf_counter() > deadline:
                raise TimeoutError(f"{' '.join(argv)} ran longer than {timeout:.0f} s") from None
            raise RuntimeError(f"{' '.join(argv)}: {exc}; {message}") from None
        finally:
            usage, code = _stop(proc)
    if usage is None:
        raise RuntimeError(f"{' '.join(argv)} ended before it was stopped (status {code})")
    return (wall, usage.ru_maxrss / 1024, code, usage.ru_utime + usage.ru_stime), phases, rows


def _stop(proc: subprocess.Popen[bytes]) -> tuple[Any, int]:
    """Stop a server (SIGTERM, then SIGKILL after 20 s); its rusage (None when it had
    ended and been reaped already) and exit status."""
    if proc.returncode is not None:
        return None, proc.returncode
    proc.send_signal(signal.SIGTERM)
    end = time.perf_counter() + 20
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage, proc.returncode
        if time.perf_counter() > end:
            proc.kill()
            end = float("inf")
        time.sleep(0.01)


def measure_serve(
    name: str, paths: list[str], queries: list[tuple[str, str]], runs: int, timeout: float
) -> Measure:
    """``ropa serve`` cold ``runs`` times: time to ready, then each saved query over HTTP."""

    def argv(port: str) -> list[str]:
        return [*ROPA, "serve", *paths, "--port", port, "--timeout", f"{timeout:g}"]

    result = Measure(name, " ".join(_short(a) for a in argv("PORT")) + " + HTTP POSTs")
    samples: list[tuple[float, float, int, float]] = []
    phases: list[dict[str, float]] = []
    for _ in range(runs):
        port = free_port()
        try:
            sample, times, result.rows = serve_once(argv(str(port)), port, queries, timeout)
        except (TimeoutError, RuntimeError) as exc:
            result.note = _failure(exc, timeout)
            break
        samples.append(sample)
        phases.append(times)
        slowest = max((v for k, v in times.items() if k.startswith("query ")), default=0.0)
        print(
            f"  {name}: ready {times['ready']:.2f} s, slowest query {slowest:.3f} s, "
            f"CPU {sample[3]:.2f} s, {sample[1]:.0f} MiB",
            file=sys.stderr,
        )
    return _aggregate(result, samples, phases)


def browser_missing() -> str | None:
    """Why bench/dashboard.py cannot drive a browser here, or None when it can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed"
    chromium = Path(os.environ.get("ROPA_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        return f"{chromium} is missing (bash scripts/chromium.sh)"
    return None


def measure_dashboard(name: str, paths: list[str], runs: int, timeout: float, out: Path) -> Measure:
    """``ropa dashboard PATHS`` start to its first rendered page in Chromium, ``runs`` fresh
    servers (bench/dashboard.py --first-page-only): medians."""
    why = browser_missing()
    if why is not None:
        return Measure(name, "", note=f"skipped: {why}")
    argv = [
        PYTHON,
        str(ROOT / "bench" / "dashboard.py"),
        *paths,
        "--runs",
        str(runs),
        "--first-page-only",
        "--timeout",
        f"{timeout:g}",
        "--out",
        str(out),
    ]
    result = Measure(name, " ".join(_short(a) for a in argv))
    report = out / "dashboard.json"
    report.unlink(missing_ok=True)
    limit = timeout * runs + 120  # dashboard.py bounds each wait by --timeout itself
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=CHILD_ENV
        )
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.terminate()  # dashboard.py stops its server on SIGTERM
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            result.note = f"timed out after {limit:.0f} s"
            return result
        if code != 0 or not report.exists():
            err.seek(0)
            message = " ".join(err.read().decode(errors="replace").split())[-500:]
            result.note = f"bench/dashboard.py failed with exit status {code}: {message}"
            return result
    samples = json.loads(report.read_text(encoding="utf-8"))["samples"]
    first = [s["first_page_s"] for s in samples]
    result.runs = len(samples)
    result.median_s = round(statistics.median(first), 3)
    result.min_s = round(min(first), 3)
    result.exit = 0
    result.phases = {
        "server answers": round(statistics.median(s["server_s"] for s in samples), 3),
        "first page": result.median_s,
    }
    result.note = "Chromium (Playwright): start to the Flows page rendered"
    print(f"  {name}: {result.median_s:.2f} s", file=sys.stderr)
    return result


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


def use_bytecode_cache(mode: str, cache: Path, work: Path, dashboard: bool = False) -> str:
    """Set up how the measured Python processes get their bytecode; returns a description.

    ``as-is``: the environment as it is (here PYTHONDONTWRITEBYTECODE=1 and a venv without
    .pyc files, so every process compiles every module it imports). ``cached``: a bytecode
    cache outside the venv (PYTHONPYCACHEPREFIX), filled by one unmeasured warm-up run of
    each kind of process, as an installer that compiles bytecode would leave it (with
    ``dashboard``: one dashboard run in Chromium on the register too, for Streamlit's).
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
            str(ROOT / "checker" / "query" / "queries"),
            str(work / "q.json"),
            REGISTER_BASE,
        ],
        [PYTHON, str(ROOT / "bench" / "synth.py"), "--size", "tiny", "-o", str(work / "t.nt")],
        [PYTHON, "-c", "import checker.query.serve, checker.query.ask, checker.graph.build"],
        *(
            [
                [
                    PYTHON,
                    str(ROOT / "bench" / "dashboard.py"),
                    "--runs",
                    "1",
                    "--first-page-only",
                    "--out",
                    str(work / "warm-dashboard"),
                ]
            ]
            if dashboard and browser_missing() is None
            else []
        ),
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

    from checker.check.shapes import shapes_graph

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
    from checker.check.shapes import shapes_graph

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

    def take(name: str, *rest: Any, how: Any = measure, **options: Any) -> Measure:
        if args.only and not any(name.startswith(o) for o in args.only):
            if name in kept:
                earlier = Measure(**kept[name])
                if "earlier run" not in earlier.note:
                    earlier.note = (earlier.note + " " if earlier.note else "") + (
                        f"(from an earlier run, commit {(previous or {}).get('commit', '?')})"
                    )
                return earlier
            return Measure(name, "", note="not measured")
        return how(name, *rest, **options)  # type: ignore[no-any-return]

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

    query_dir = ROOT / "checker" / "query" / "queries"
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
    base = REGISTER_BASE if size == "register" else SYNTHETIC_BASE
    in_process = serve = None
    if queries:
        qreport = work / f"queries-{size}.json"
        in_process = take(
            IN_PROCESS,
            [PYTHON, __file__, "_queries", str(data), str(query_dir), str(qreport), base],
            runs,
            timeout,
            phases_file=qreport,
        )
        measures.append(in_process)
    if queries and "serve" in commands:
        prepared = serve_queries(queries, base, register=size == "register")
        serve = take(SERVE, paths, prepared, runs, timeout, how=measure_serve)
        measures.append(serve)
    if "notice" in commands:
        measures.append(take("ropa notice", [*ROPA, "notice", *paths], runs, timeout))
    if size in args.dashboard_sizes and "dashboard" in commands:
        out = work / f"dashboard-{size}"
        measures.append(take(DASHBOARD, paths, runs, timeout, out, how=measure_dashboard))

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
    # The saved queries give as many rows through ropa serve (bound by VALUES) as in-process
    # (bound by substitution): None when either was not measured now.
    queries_agree = (
        in_process.rows == serve.rows
        if in_process is not None and serve is not None and in_process.rows and serve.rows
        else None
    )
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
        "queries_agree": queries_agree,
        "shapes_changed_during_run": changed,
    }
    return row


def _measure(row: dict[str, Any], name: str) -> dict[str, Any] | None:
    for m in row["measures"]:
        if m["name"] == name:
            return m  # type: ignore[no-any-return]
    return None


def _median(row: dict[str, Any], name: str) -> float | None:
    m = _measure(row, name)
    return None if m is None else m["median_s"]


def _cpu(row: dict[str, Any], name: str) -> float | None:
    m = _measure(row, name)
    return None if m is None else m.get("cpu_s")


def _peak(row: dict[str, Any], name: str) -> float | None:
    m = _measure(row, name)
    return None if m is None else m["peak_mib"]


def _phase(row: dict[str, Any], name: str, phase: str) -> float | None:
    m = _measure(row, name)
    return None if m is None or m["median_s"] is None else m["phases"].get(phase)


def _slowest_query(row: dict[str, Any]) -> float | None:
    """The slowest whole-process ``ropa query NAME``."""
    times = [
        m["median_s"]
        for m in row["measures"]
        if m["name"].startswith("ropa query") and m["median_s"] is not None
    ]
    return max(times) if times else None


def _slowest_phase(row: dict[str, Any], name: str) -> float | None:
    """The slowest ``query NAME`` phase of a measure: one saved query, median of the runs."""
    m = _measure(row, name)
    if m is None or m["median_s"] is None:
        return None
    times = [v for k, v in m["phases"].items() if k.startswith("query ")]
    return max(times) if times else None


def _fmt(value: float | None, unit: str = "") -> str:
    return "–" if value is None else f"{value:g}{unit}"


def _bytecode_text(text: str) -> str:
    return text.removeprefix("bytecode ")


def _equal(row: dict[str, Any]) -> str:
    """yes, no or a dash (unknown) for the SHACL results and the saved queries' rows together."""
    if row.get("shapes_changed_during_run"):
        return "– (shapes/ edited during the run)"
    verdicts = {"SHACL": row.get("results_agree"), "query rows": row.get("queries_agree")}
    differ = [k for k, v in verdicts.items() if v is False]
    if differ:
        return f"**no** ({', '.join(differ)})"
    if all(v is None for v in verdicts.values()):
        return "–"
    return "yes" if all(v is True for v in verdicts.values()) else "yes (SHACL only)"


#: How 10x the triples may cost at most: the issue's target, 12x the time.
GROWTH_TARGET = 1.2
GROWTH_STEPS = [("10k", "100k"), ("100k", "1M")]


def _growth_rows(rows: dict[str, dict[str, Any]]) -> list[tuple[str, Any]]:
    """(label, row -> (wall s, CPU s or None)) for every command of the growth table."""
    names: list[str] = []
    for row in rows.values():
        for m in row["measures"]:
            if m["name"] not in names and not m["name"].startswith(("generate", "saved", "dash")):
                names.append(m["name"])
    order = ["ropa build", "ropa check", "ropa notice"]
    names = sorted(
        names, key=lambda n: (order.index(n) if n in order else len(order), names.index(n))
    )
    table: list[tuple[str, Any]] = [(n, lambda r, n=n: (_median(r, n), _cpu(r, n))) for n in names]
    table += [
        (
            "saved queries in-process: slowest query",
            lambda r: (_slowest_phase(r, IN_PROCESS), None),
        ),
        ("ropa serve: ready (graph loaded)", lambda r: (_phase(r, SERVE, "ready"), None)),
        ("ropa serve: slowest query per request", lambda r: (_slowest_phase(r, SERVE), None)),
        ("dashboard first render", lambda r: (_median(r, DASHBOARD), None)),
    ]
    return table


def render_growth(rows: list[dict[str, Any]]) -> list[str]:
    """Time ratio per command from one size to the next (10k -> 100k -> 1M)."""
    by_size = {r["size"]: r for r in rows}
    steps = [(a, b) for a, b in GROWTH_STEPS if a in by_size and b in by_size]
    lines = ["", "## Growth: 10x the triples, at most 12x the time", ""]
    if not steps:
        return [*lines, "Needs 10k and 100k, or 100k and 1M, measured."]
    lines += [
        "Time at the larger size / time at the smaller (median wall time; CPU time beside it "
        "where the command is one process). The target: at most "
        f"{GROWTH_TARGET:g} x the ratio of the triples (10x the triples, at most 12x the time); "
        "**over** marks a command past it, *(wall only)* when its CPU time stays within it (a "
        "busy machine). Whole-process times include a fixed start-up (Python's imports), which "
        "flatters the first step; ratios of times of a few milliseconds are mostly noise.",
        "",
        "| command | " + " | ".join(f"{a} → {b}" for a, b in steps) + " |",
        "|---|" + "---|" * len(steps),
    ]
    triples = [by_size[b]["triples"] / by_size[a]["triples"] for a, b in steps]
    lines.append("| triples | " + " | ".join(f"{t:.2f}" for t in triples) + " |")
    for label, value in _growth_rows(by_size):
        cells = []
        for (a, b), limit in zip(steps, triples, strict=True):
            (wall_a, cpu_a), (wall_b, cpu_b) = value(by_size[a]), value(by_size[b])
            if not wall_a or wall_b is None:
                cells.append("–")
                continue
            ratio = wall_b / wall_a
            cell = f"{ratio:.2f}"
            cpu = cpu_b / cpu_a if cpu_a and cpu_b is not None else None
            if cpu is not None:
                cell += f" (CPU {cpu:.2f})"
            if ratio > GROWTH_TARGET * limit:
                within = cpu is not None and cpu <= GROWTH_TARGET * limit
                cell += " **over** (wall only)" if within else " **over**"
            cells.append(cell)
        if any(c != "–" for c in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def render_saved_queries(row: dict[str, Any]) -> list[str]:
    """Each saved query three ways: in-process, through ropa serve, whole process."""
    in_process, serve = _measure(row, IN_PROCESS), _measure(row, SERVE)
    names = sorted(
        {k.removeprefix("query ") for m in (in_process, serve) if m for k in m["phases"]}
        - {"load", "ready"}
    )
    if not names:
        return []
    lines = [
        "",
        "| saved query | rows (in-process / through ropa serve) | in-process (s) "
        "| through ropa serve, per request (s) | `ropa query`, whole process (s) |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        rows = " / ".join(
            str(m.get("rows", {}).get(name, "–")) if m else "–" for m in (in_process, serve)
        )
        lines.append(
            f"| {name} | {rows} | {_fmt(_phase(row, IN_PROCESS, f'query {name}'))} "
            f"| {_fmt(_phase(row, SERVE, f'query {name}'))} "
            f"| {_fmt(_median(row, f'ropa query {name}'))} |"
        )
    return lines


def render_markdown(meta: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The summary table, the growth table, then every measurement of every size."""
    lines = [
        "# ropa at scale: synthetic ROPAs, against Apache Jena SHACL",
        "",
        f"{meta['method']}. Python {meta['python']}, {meta['machine']}; "
        f"Python bytecode: {_bytecode_text(meta.get('bytecode', '?'))}; "
        f"commit {meta.get('commit', '?')}.",
        "",
        "Seconds of wall time, medians. check / Jena = ropa check / Jena SHACL (whole process "
        "each). Saved queries: the slowest of `checker/query/queries/*.rq`, each bound to an entry "
        "that exists; in-process = on a pyoxigraph store loaded once, in one process; through "
        "ropa serve = one HTTP request to a running `ropa serve` (`application/sparql-query`, "
        "JSON results, the whole body read), after the server is ready (serve ready: from its "
        "start to its first answer, the graph loaded); whole process = `ropa query NAME FILE`, "
        "which parses the graph first. Dashboard: `ropa dashboard FILE` started to its Flows "
        "page rendered in Chromium. equal: pySHACL = Jena and ropa check = the distinct "
        "results, per shape, and each saved query gives as many rows through ropa serve as "
        "in-process.",
        "",
        "| size | triples | ropa build | ropa check | Jena SHACL | check / Jena "
        "| pyshacl alone | check peak (MiB) | slowest saved query, in-process "
        "| serve ready | slowest saved query, through ropa serve (per request) "
        "| slowest `ropa query` (whole process) | ropa notice | dashboard first render "
        "| equal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        check, jena = _median(row, "ropa check"), _median(row, "Jena SHACL")
        ratio = round(check / jena, 2) if check and jena else None
        cells = [
            row["size"],
            str(row["triples"]),
            _fmt(_median(row, "ropa build")),
            _fmt(check),
            _fmt(jena),
            _fmt(ratio),
            _fmt(_median(row, "pyshacl alone")),
            _fmt(_peak(row, "ropa check")),
            _fmt(_slowest_phase(row, IN_PROCESS)),
            _fmt(_phase(row, SERVE, "ready")),
            _fmt(_slowest_phase(row, SERVE)),
            _fmt(_slowest_query(row)),
            _fmt(_median(row, "ropa notice")),
            _fmt(_median(row, DASHBOARD)),
            _equal(row),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "SHACL results: the findings of ropa check that come from shapes (it reports each "
        "distinct focus, shape, path and value once), the distinct and all validation results "
        "of pySHACL alone, and all of Jena's. CPU: user + system time of the process (Jena's "
        "JVM uses both cores, ropa one).",
        "",
        "| size | SHACL results: ours / pyshacl distinct / pyshacl / Jena "
        "| check CPU / Jena CPU (s) | Jena peak (MiB) | serve peak (MiB) |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        counts = row["results"]
        results = " / ".join(
            str(counts.get(k, "–"))
            for k in ("ropa check (SHACL findings)", "pyshacl distinct", "pyshacl", "jena")
        )
        lines.append(
            f"| {row['size']} | {results} "
            f"| {_fmt(_cpu(row, 'ropa check'))} / {_fmt(_cpu(row, 'Jena SHACL'))} "
            f"| {_fmt(_peak(row, 'Jena SHACL'))} | {_fmt(_peak(row, SERVE))} |"
        )
    lines += render_growth(rows)
    for row in rows:
        lines += [
            "",
            f"## {row['size']} ({row['triples']} triples, {row['shapes']} shapes, "
            f"shapes sha256 {row['shapes_sha256']}; commit {row.get('commit', '?')}; "
            f"Python bytecode: {_bytecode_text(row.get('bytecode', '?'))})",
            "",
            "| command | runs | median (s) | min (s) | CPU (s) | peak (MiB) | exit "
            "| phases (s) | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for m in row["measures"]:
            phases = ", ".join(f"{k} {v:g}" for k, v in m["phases"].items())
            lines.append(
                f"| {m['name']} | {m['runs']} | {_fmt(m['median_s'])} | {_fmt(m['min_s'])} "
                f"| {_fmt(m.get('cpu_s'))} | {_fmt(m['peak_mib'])} | {_fmt(m['exit'])} "
                f"| {phases} | {m['note']} |"
            )
        lines += render_saved_queries(row)
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
        help=f"comma-separated, of {', '.join(SIZE_ORDER)} (default {DEFAULT_SIZES}); "
        "all: every size but tiny",
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
    parser.add_argument(
        "--dashboard-sizes",
        type=lambda text: [t.strip() for t in text.split(",") if t.strip()],
        default=DEFAULT_DASHBOARD_SIZES.split(","),
        help="sizes at which to time the dashboard's first render in Chromium (default "
        f"{DEFAULT_DASHBOARD_SIZES}; '' for none); skipped with a note without Chromium",
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
    if sizes == ["all"]:
        sizes = [s for s in SIZE_ORDER if s != "tiny"]
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
        dashboard = any(
            s in args.dashboard_sizes
            and (not args.only or any(DASHBOARD.startswith(o) for o in args.only))
            for s in sizes
        )
        meta["bytecode"] = use_bytecode_cache(
            args.bytecode, args.data / "pycache", Path(tmp), dashboard
        )
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
