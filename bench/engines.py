"""Other SHACL engines against pySHACL: same results on our shapes? how fast?

The candidates are Rust-backed validators on PyPI: ``pyshacl-turbo`` (a pySHACL-compatible
``validate``) and ``pyrudof`` (rudof's SHACL engine, its own API). They are evaluated in a
throwaway virtual environment, never in the project's::

    python3 -m venv /tmp/venv-eval
    /tmp/venv-eval/bin/pip install pyshacl==0.40.1 rdflib==7.6.0 pyshacl-turbo pyrudof

Three steps:

1. ``prepare`` (project venv): build every shape fixture (``tests/fixtures/shapes/*/
   {pass,fail}.ttl``) and the shipped register through :func:`checker.graph.build.build` into
   N-Triples, and write the shapes (``checker.check.run.shapes_graph``) as one Turtle file::

       .venv/bin/python bench/engines.py prepare --dir /tmp/engines

2. ``compare`` (eval venv): validate every case with every engine and compare the set of
   (focus node, source shape, result path, value, severity) of each engine with pySHACL's;
   every difference is listed::

       /tmp/venv-eval/bin/python bench/engines.py compare --dir /tmp/engines

3. ``speed`` (eval venv): each engine on big files, whole process, median of runs, with
   parse and validation timed apart; the result counts are compared with pySHACL's::

       /tmp/venv-eval/bin/python bench/engines.py speed --dir /tmp/engines \\
           --data ~/.cache/ropa-kg/synth/ropa-100k-seed1.nt --runs 3

Results go to ``DIR/engines.json`` and ``DIR/engines.md`` (``--out`` copies them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("pyshacl", "pyshacl-turbo", "pyshacl-turbo-file", "pyshacl-turbo-ox", "pyrudof")
SH = "http://www.w3.org/ns/shacl#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Key = tuple[str, str, str, str, str]  # focus, source shape, path, value, severity


# -- prepare (project venv) ------------------------------------------------------------------


def prepare(folder: Path) -> None:
    """Build the cases and write the shapes."""
    sys.path.insert(0, str(ROOT))
    from checker.check.shapes import shapes_graph
    from checker.graph.build import build
    from checker.graph.serialize import serialize

    cases = folder / "cases"
    cases.mkdir(parents=True, exist_ok=True)
    for old in cases.glob("*.nt"):
        old.unlink()
    fixtures = ROOT / "tests" / "fixtures" / "shapes"
    count = 0
    for rule in sorted(p for p in fixtures.iterdir() if p.is_dir()):
        for kind in ("pass", "fail"):
            source = rule / f"{kind}.ttl"
            if source.exists():
                (cases / f"{rule.name}.{kind}.nt").write_bytes(serialize(build([source]), "nt"))
                count += 1
    (cases / "register.nt").write_bytes(serialize(build(), "nt"))
    (folder / "shapes.ttl").write_bytes(shapes_graph().serialize(format="turtle", encoding="utf-8"))
    print(f"wrote {count} fixture cases, the register and the shapes to {folder}", file=sys.stderr)


# -- running one engine ----------------------------------------------------------------------


def _path_text(graph: Any, node: Any, depth: int = 0) -> str:
    """A SHACL path in SPARQL property-path syntax, read from ``graph`` (rdflib)."""
    from rdflib import BNode, URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import RDF

    if isinstance(node, URIRef):
        return f"<{node}>"
    if not isinstance(node, BNode) or depth > 20:
        return "?"
    shns = {k: URIRef(SH + k) for k in ("alternativePath", "inversePath", "zeroOrMorePath")}
    shns.update({k: URIRef(SH + k) for k in ("oneOrMorePath", "zeroOrOnePath")})
    if (node, RDF.first, None) in graph:
        return (
            "(" + " / ".join(_path_text(graph, n, depth + 1) for n in Collection(graph, node)) + ")"
        )
    alt = graph.value(node, shns["alternativePath"])
    if alt is not None:
        items = Collection(graph, alt)
        return "(" + " | ".join(_path_text(graph, n, depth + 1) for n in items) + ")"
    for key, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = graph.value(node, shns[key])
        if inner is not None:
            return _path_text(graph, inner, depth + 1) + mark
    inverse = graph.value(node, shns["inversePath"])
    if inverse is not None:
        return "^" + _path_text(graph, inverse, depth + 1)
    return "_:path"


def _term_text(term: Any) -> str:
    """A result term as text: IRIs in <>, literals in N-Triples form, blank nodes as _:."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal):
        if term.datatype is not None and str(term.datatype) == XSD_STRING:
            term = Literal(str(term))  # RDF 1.1: "x" and "x"^^xsd:string are one term
        return term.n3()
    return str(term)


def keys_from_report(report: Any, shapes: Any) -> list[Key]:
    """(focus, source shape, path, value, severity) of every result of a report graph."""
    from rdflib import URIRef

    keys = []
    # The report's results, not the nested ones of sh:detail (pySHACL types those as
    # sh:ValidationResult too; other engines do not report them).
    for result in report.objects(None, URIRef(SH + "result")):

        def value(name: str, result: Any = result) -> Any:
            return report.value(result, URIRef(SH + name))

        path = value("resultPath")
        path_text = ""
        if path is not None:
            # The shapes graph has the whole path; a report may copy only its first level.
            source = shapes if (path, None, None) in shapes else report
            path_text = _path_text(source, path)
        severity = value("resultSeverity")
        keys.append(
            (
                _term_text(value("focusNode")),
                _term_text(value("sourceShape")),
                path_text,
                _term_text(value("value")),
                str(severity).rsplit("#", 1)[-1] if severity is not None else "",
            )
        )
    return keys


def _rudof_term(text: str | None) -> str:
    """pyrudof gives terms as strings; put IRIs in <> like the others."""
    if text is None:
        return ""
    if text.startswith(("http://", "https://", "urn:")):
        return f"<{text}>"
    if text.startswith("_:"):
        return "_:"
    return text


_BARE_IRI = re.compile(r"(?<![<\w])(https?://[^\s()<>]+?)([*+?]?)(?=[\s()]|$)")


_LONE_IRI = re.compile(r"\((<[^<>()\s]+>)\)")


def _rudof_path(text: str | None) -> str:
    """pyrudof writes a complex path in SPARQL syntax with bare IRIs; put them in <>."""
    if not text:
        return ""
    if text.startswith(("http://", "https://")) and " " not in text:
        return f"<{text}>"
    text = _BARE_IRI.sub(r"<\1>\2", text)
    return _LONE_IRI.sub(r"\1", text)  # "(<iri>)?" is "<iri>?"


def _ox_format(path: Path) -> Any:
    import pyoxigraph as ox

    return ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE


def run_engine(engine: str, data: Path, shapes_path: Path) -> tuple[list[Key], dict[str, float]]:
    """Validate ``data`` with one engine: its result keys and phase times (seconds)."""
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    if engine == "pyrudof":
        import pyrudof

        phases["import"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        fmt = pyrudof.RDFFormat.NTriples if data.suffix == ".nt" else pyrudof.RDFFormat.Turtle
        rudof.read_data(str(data), format=fmt)
        rudof.read_shacl(str(shapes_path))
        t2 = time.perf_counter()
        phases["parse"] = t2 - t1
        report = rudof.validate_shacl()
        phases["validate"] = time.perf_counter() - t2
        keys = [
            (
                _rudof_term(v.focus_node),
                _rudof_term(v.source_shape),
                _rudof_path(v.path),
                _rudof_term(v.value),
                str(v.severity).rsplit("#", 1)[-1],
            )
            for v in report.violations
        ]
        return keys, phases
    from rdflib import Graph

    if engine == "pyshacl":
        from pyshacl import validate
    else:
        from pyshacl_turbo import validate  # type: ignore[no-redef]
    phases["import"] = time.perf_counter() - t0
    if engine in ("pyshacl-turbo-file", "pyshacl-turbo-ox"):
        # The data never become an rdflib graph: turbo parses the file itself (Rust), or
        # reads a pyoxigraph Store; only the report is an rdflib graph.
        t1 = time.perf_counter()
        shapes = Graph().parse(shapes_path, format="turtle")
        source: Any = str(data)
        if engine == "pyshacl-turbo-ox":
            import pyoxigraph as ox

            source = ox.Store()
            source.bulk_load(path=str(data), format=_ox_format(data))
        t2 = time.perf_counter()
        phases["parse"] = t2 - t1
        _, report, _ = validate(
            source,
            shacl_graph=shapes,
            data_graph_format="nt" if data.suffix == ".nt" else "turtle",
            inference="none",
            allow_warnings=True,
            allow_infos=True,
        )
        phases["validate"] = time.perf_counter() - t2
        return keys_from_report(report, shapes), phases
    t1 = time.perf_counter()
    shapes = Graph().parse(shapes_path, format="turtle")
    graph = Graph().parse(data, format="nt" if data.suffix == ".nt" else "turtle")
    t2 = time.perf_counter()
    phases["parse"] = t2 - t1
    _, report, _ = validate(
        graph,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        inplace=True,
    )
    phases["validate"] = time.perf_counter() - t2
    return keys_from_report(report, shapes), phases


def _readable(key: Key) -> str:
    focus, shape, path, value, severity = key
    short = shape.rsplit("#", 1)[-1].rstrip(">")
    return f"{short} [{severity}] focus {focus} path {path or '-'} value {value or '-'}"


# -- compare ---------------------------------------------------------------------------------


def compare(folder: Path, engines: list[str]) -> dict[str, Any]:
    """Every case with every engine; differences from pySHACL, listed."""
    shapes = folder / "shapes.ttl"
    cases = sorted((folder / "cases").glob("*.nt"))
    if not cases:
        raise SystemExit(f"no cases in {folder / 'cases'}: run 'prepare' first")
    report: dict[str, Any] = {"cases": len(cases), "engines": {}}
    baseline: dict[str, Counter[Key]] = {}
    for case in cases:
        keys, _ = run_engine("pyshacl", case, shapes)
        baseline[case.stem] = Counter(keys)
    for engine in engines:
        if engine == "pyshacl":
            continue
        entry: dict[str, Any] = {"equal_cases": 0, "differing_cases": {}, "errors": {}}
        for case in cases:
            try:
                keys, _ = run_engine(engine, case, shapes)
            except Exception as exc:  # an engine that fails is a finding, not a crash
                entry["errors"][case.stem] = f"{type(exc).__name__}: {str(exc)[:400]}"
                continue
            got, want = set(keys), set(baseline[case.stem])
            if got == want:
                entry["equal_cases"] += 1
                continue
            entry["differing_cases"][case.stem] = {
                "pyshacl_results": sum(baseline[case.stem].values()),
                "engine_results": len(keys),
                "missing": sorted(_readable(k) for k in want - got),
                "extra": sorted(_readable(k) for k in got - want),
            }
        report["engines"][engine] = entry
    return report


def render_compare(report: dict[str, Any]) -> str:
    lines = [
        "## Same results as pySHACL? (fixtures and the shipped register)",
        "",
        f"{report['cases']} cases: every tests/fixtures/shapes/*/{{pass,fail}}.ttl built through "
        "checker.graph.build.build, and the shipped register. A case is equal when the engine reports "
        "exactly the set of (focus node, source shape, result path, value, severity) that "
        "pySHACL 0.40.1 reports.",
        "",
        "| engine | equal cases | differing | errors |",
        "|---|---|---|---|",
    ]
    for engine, entry in report["engines"].items():
        lines.append(
            f"| {engine} | {entry['equal_cases']} | {len(entry['differing_cases'])} "
            f"| {len(entry['errors'])} |"
        )
    for engine, entry in report["engines"].items():
        for case, diff in entry["differing_cases"].items():
            lines += [
                "",
                f"### {engine}: {case} (pySHACL {diff['pyshacl_results']} results, "
                f"{engine} {diff['engine_results']})",
                "",
            ]
            lines += [f"- missing: {k}" for k in diff["missing"]]
            lines += [f"- extra: {k}" for k in diff["extra"]]
        for case, error in entry["errors"].items():
            lines += ["", f"### {engine}: {case} failed", "", f"    {error}"]
    return "\n".join(lines) + "\n"


# -- speed -----------------------------------------------------------------------------------


def child_time(engine: str, data: Path, shapes: Path, out: Path) -> None:
    keys, phases = run_engine(engine, data, shapes)
    shapes_count = Counter(k[1] for k in keys)
    out.write_text(
        json.dumps(
            {
                "phases": phases,
                "results": len(keys),
                "distinct": len(set(keys)),
                "by_shape": shapes_count,
            }
        )
    )


def _run(argv: list[str], timeout: float) -> tuple[float, float, float]:
    """Run once: wall seconds, peak RSS (MiB), CPU seconds (user + system)."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a full pipe would block
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise TimeoutError(f"timed out after {timeout:.0f} s")
            time.sleep(0.01)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            raise RuntimeError(f"exit {code}: {err.read().decode(errors='replace')[-600:]}")
        return time.perf_counter() - start, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def speed(
    folder: Path, datas: list[Path], engines: list[str], runs: int, timeout: float
) -> list[dict[str, Any]]:
    rows = []
    shapes = folder / "shapes.ttl"
    for data in datas:
        triples = sum(1 for _ in data.open("rb"))
        for engine in engines:
            out = folder / f"speed-{engine}-{data.stem}.json"
            samples, phases, note, detail = [], [], "", {}
            for _ in range(runs):
                out.unlink(missing_ok=True)
                try:
                    samples.append(
                        _run(
                            [
                                sys.executable,
                                __file__,
                                "_time",
                                engine,
                                str(data),
                                str(shapes),
                                str(out),
                            ],
                            timeout,
                        )
                    )
                except (TimeoutError, RuntimeError) as exc:
                    note = str(exc)[:300]
                    break
                detail = json.loads(out.read_text())
                phases.append(detail["phases"])
                print(f"  {engine} {data.name}: {samples[-1][0]:.1f} s", file=sys.stderr)
            row: dict[str, Any] = {
                "data": data.name,
                "triples": triples,
                "engine": engine,
                "runs": len(samples),
                "note": note,
            }
            if samples:
                row["median_s"] = round(statistics.median(s[0] for s in samples), 2)
                row["peak_mib"] = round(max(s[1] for s in samples), 0)
                row["cpu_s"] = round(statistics.median(s[2] for s in samples), 2)
                row["phases"] = {
                    k: round(statistics.median(p[k] for p in phases), 2) for k in phases[0]
                }
                row["results"] = detail["results"]
                row["distinct"] = detail["distinct"]
                row["by_shape"] = detail["by_shape"]
            rows.append(row)
    return rows


def render_speed(rows: list[dict[str, Any]]) -> str:
    lines = [
        "## Speed (whole process: import, parse data and shapes, validate)",
        "",
        "| data | triples | engine | runs | median (s) | CPU (s) | peak (MiB) "
        "| import / parse / validate (s) | results | same counts per shape as pySHACL | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    base = {r["data"]: r.get("by_shape") for r in rows if r["engine"] == "pyshacl"}
    for r in rows:
        phases = r.get("phases", {})
        phase_text = " / ".join(f"{phases.get(k, 0):g}" for k in ("import", "parse", "validate"))
        same = "–"
        if r.get("by_shape") is not None and base.get(r["data"]) is not None:
            same = "yes" if r["by_shape"] == base[r["data"]] else "**no**"
        lines.append(
            f"| {r['data']} | {r['triples']} | {r['engine']} | {r['runs']} | {r.get('median_s', '–')} "
            f"| {r.get('cpu_s', '–')} "
            f"| {r.get('peak_mib', '–')} | {phase_text} | {r.get('results', '–')} | {same} | {r['note']} |"
        )
    return "\n".join(lines) + "\n"


def _save(folder: Path, key: str, value: Any, markdown: str, out: Path | None) -> None:
    path = folder / "engines.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    if key == "speed":  # keep the rows of other data files and engines
        merged = {(r["data"], r["engine"]): r for r in data.get("speed", [])}
        merged.update({(r["data"], r["engine"]): r for r in value})
        value = list(merged.values())
        markdown = render_speed(value)
    data[key] = value
    path.write_text(json.dumps(data, indent=1) + "\n")
    (folder / f"engines-{key}.md").write_text(markdown)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "engines.json").write_text(json.dumps(data, indent=1) + "\n")
        (out / f"engines-{key}.md").write_text(markdown)
    print(markdown)


def main(argv: list[str] | None = None) -> int:
    import logging

    logging.getLogger("rdflib").setLevel(logging.CRITICAL)  # ill-typed literals in fixtures
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_time":
        child_time(argv[1], Path(argv[2]), Path(argv[3]), Path(argv[4]))
        return 0
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join((__doc__ or "").splitlines()[1:]),
    )
    parser.add_argument("step", choices=["prepare", "compare", "speed"])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/ropa-engines"), help="work folder")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    parser.add_argument("--data", default="", help="speed: comma-separated N-Triples files")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--out", type=Path, help="also copy the results here")
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    if args.step == "prepare":
        prepare(args.dir)
    elif args.step == "compare":
        report = compare(args.dir, engines)
        _save(args.dir, "compare", report, render_compare(report), args.out)
    else:
        datas = [Path(p).expanduser() for p in args.data.split(",") if p]
        rows = speed(args.dir, datas, engines, args.runs, args.timeout)
        _save(args.dir, "speed", rows, render_speed(rows), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
