"""Where the time of ``ropa check`` goes: imports, parse, build steps, SHACL, Python rules.

Runs the steps of ``ropa check PATHS --format json`` in this process, each timed on its
own (the same calls the CLI makes, in the same order), then once more under cProfile,
and reports the phases, the time per package (self time) and the functions with the most
self and cumulative time. Start it in a fresh process, so the imports are cold::

    .venv/bin/python bench/profile_check.py                      # the shipped register
    .venv/bin/python bench/profile_check.py ~/.cache/ropa-kg/synth/ropa-100k-seed1.nt

Writes ``bench/results/profile-NAME.md`` (or ``--out``) and prints it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class Phases:
    """Wall time of named steps, in order."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = func()
        self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - start
        return result


def check_steps(paths: list[Path], phases: Phases) -> int:
    """``ropa check PATHS --format json``, step by step. Returns the number of findings."""
    phases.run("import checker.cli (click)", lambda: __import__("checker.cli"))
    phases.run(
        "import rdflib, pyoxigraph (checker.graph.build)", lambda: __import__("checker.graph.build")
    )
    phases.run(
        "import pyshacl, networkx (checker.check.run)", lambda: __import__("checker.check.run")
    )
    phases.run("import checker.check.report", lambda: __import__("checker.check.report"))
    from rdflib import Graph

    import checker.check.run as check_module
    from checker.assets import default_records
    from checker.check.context import SourceIndex
    from checker.check.findings import Severity, sort_findings
    from checker.check.report import render
    from checker.check.rules import python_rules
    from checker.check.run import shacl_findings
    from checker.check.shapes import shapes_graph
    from checker.graph.rdf_files import RDF_FORMATS, parse_rdf_file
    from checker.graph.store import bind_prefixes as _bind
    from checker.graph.vocabulary import add_vocabulary, known_terms
    from checker.records.load import display_path, load_record_set
    from checker.records.to_rdf import add_records

    graph = _bind(Graph())
    phases.run("vocabulary (pyoxigraph load of ontology/)", known_terms)
    for path in paths or [default_records()]:
        if path.is_dir() or path.suffix.lower() in (".yaml", ".yml"):
            records = phases.run(
                "records: YAML, schema, references, passages",
                lambda path=path: load_record_set(path, known_terms()),
            )
            phases.run(
                "records: JSON-LD -> graph (rdflib)", lambda r=records: add_records(graph, r)
            )
        elif path.suffix.lower() in RDF_FORMATS:
            phases.run(
                f"parse {path.suffix} (rdflib)",
                lambda path=path: parse_rdf_file(graph, path, display_path(path)),
            )
    phases.run("build: add_vocabulary", lambda: add_vocabulary(graph))
    phases.run("shapes: parse shapes/*.ttl (rdflib)", shapes_graph)

    # pyshacl.validate on its own; the rest of shacl_findings reads the report.
    real_validate = check_module.pyshacl.validate

    def timed_validate(*args: Any, **kwargs: Any) -> Any:
        return phases.run("SHACL: pyshacl.validate", lambda: real_validate(*args, **kwargs))

    check_module.pyshacl.validate = timed_validate
    try:
        index = SourceIndex(graph)
        start = time.perf_counter()
        findings = shacl_findings(graph, index)
        total = time.perf_counter() - start
        phases.times["SHACL: report -> findings (labels, file:line)"] = (
            total - phases.times["SHACL: pyshacl.validate"]
        )
    finally:
        check_module.pyshacl.validate = real_validate
    for rule in python_rules():
        found = phases.run(f"rule {rule.__name__}", lambda rule=rule: rule(graph, index))
        findings.extend(found)
    result = phases.run("sort findings", lambda: sort_findings(findings))
    phases.run("render json", lambda: render("json", result, Severity.VIOLATION, accepted=0))
    return len(result)


def package_of(filename: str) -> str:
    """The top-level package a profiled function lives in."""
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        i = parts.index("site-packages")
        return parts[i + 1].removesuffix(".py") if len(parts) > i + 1 else "?"
    try:
        rel = path.resolve().relative_to(ROOT)
        return rel.parts[0] + (
            f".{rel.parts[1]}" if rel.parts[0] == "checker" and len(rel.parts) > 2 else ""
        )
    except ValueError:
        return "stdlib"


def profile_report(stats: pstats.Stats, top: int) -> list[str]:
    """Self time per package and the top functions, as Markdown."""
    by_package: dict[str, float] = defaultdict(float)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_package[package_of(filename)] += tottime
    total = sum(by_package.values())
    lines = [
        "### Self time by package (cProfile)",
        "",
        "| package | self time (s) | share |",
        "|---|---|---|",
    ]
    for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:15]:
        lines.append(f"| {package} | {seconds:.2f} | {seconds / total:.0%} |")
    for key, title in (("tottime", "self"), ("cumulative", "cumulative")):
        buffer = io.StringIO()
        stats.stream = buffer  # type: ignore[attr-defined]
        stats.sort_stats(key).print_stats(top)
        text = buffer.getvalue()
        body = text[text.find("   ncalls") :].rstrip()
        body = body.replace(str(ROOT) + "/", "").replace(
            str(
                Path(sys.prefix)
                / "lib"
                / f"python{sys.version_info[0]}.{sys.version_info[1]}"
                / "site-packages"
            )
            + "/",
            "",
        )
        lines += ["", f"### Top {top} functions by {title} time", "", "```", body, "```"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", type=Path, help="as for ropa check (none: the register)"
    )
    parser.add_argument("--name", help="name of the report (default: from the first path)")
    parser.add_argument("--top", type=int, default=25, help="functions listed")
    parser.add_argument("--no-profile", action="store_true", help="phases only (fast)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    name = args.name or (args.paths[0].stem if args.paths else "register")

    start = time.perf_counter()
    phases = Phases()
    findings = check_steps(args.paths, phases)
    total = time.perf_counter() - start
    lines = [
        f"# Where the time of `ropa check` goes: {name}",
        "",
        f"In one process, cold imports; {findings} findings; {total:.2f} s in all "
        "(the interpreter start, about 0.03 s, is not included).",
        "",
        "| step | seconds | share |",
        "|---|---|---|",
    ]
    lines += [f"| {k} | {v:.3f} | {v / total:.0%} |" for k, v in phases.times.items()]
    if not args.no_profile:
        # Modules are imported now, caches (vocabulary, shapes) are warm: clear them so the
        # profile sees the same work as a cold run, except the imports.
        from checker.check.shapes import shapes_graph
        from checker.graph.vocabulary import vocabulary

        vocabulary.cache_clear()
        shapes_graph.cache_clear()
        profiler = cProfile.Profile()
        profiler.enable()
        check_steps(args.paths, Phases())
        profiler.disable()
        stats = pstats.Stats(profiler)
        lines += [
            "",
            "## cProfile of the same steps (imports already done; profiling slows "
            "Python code about 1.5-2x)",
            "",
            *profile_report(stats, args.top),
        ]
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"profile-{name}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
