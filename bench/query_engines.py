"""Time every saved query on rdflib's SPARQL engine and on pyoxigraph (and on Virtuoso).

Usage::

    .venv/bin/python bench/query_engines.py                      # shipped register, x10, x100
    .venv/bin/python bench/query_engines.py --scales 1 --runs 1  # a smoke run
    .venv/bin/python bench/query_engines.py --virtuoso "$(bash scripts/virtuoso.sh url)"

The larger graphs copy the register's activities and data flows (every triple whose
subject is one) under new IRIs, so each saved query finds proportionally more to join and
the answers keep their shape. For each scale and saved query it reports:

- rdflib: ``Graph.query`` with ``initBindings`` (rdflib's own SPARQL engine), in a child
  process so a runaway join can be stopped (``--rdflib-timeout``);
- pyoxigraph: ``Store.query`` with ``substitutions``, in-process;
- ropa: what ``ropa query`` pays on pyoxigraph: the forked child with its time limit, the
  SPARQL JSON round trip (the difference to pyoxigraph is the isolation overhead);
- virtuoso (with ``--virtuoso``): the same query through the SPARQL protocol on a graph
  published with the Graph Store Protocol.

Medians of ``--runs``; wall-clock times on whatever else the machine is doing. Results go to
``--out`` (``query-engines.json`` and ``.md``). Nothing here asserts a time: benchmarks
inform, tests decide.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checker.errors import RopaError  # noqa: E402
from checker.graph.build import build  # noqa: E402
from checker.graph.serialize import serialize  # noqa: E402
from checker.query import binding, engines, results  # noqa: E402
from checker.query import library as query_library  # noqa: E402
from checker.query import text as query_text  # noqa: E402
from checker.query.publish import Credentials, publish_ntriples  # noqa: E402

DPV_PROCESS = URIRef("https://w3id.org/dpv#Process")
DATA_FLOW = URIRef("https://w3id.org/ropa-kg/ontology#DataFlow")
EXAMPLES = {"processor": "elisa", "entry": "chat-ip-thirty-days"}


def scaled(graph: Graph, factor: int) -> Graph:
    """The graph with ``factor - 1`` extra copies of every activity and data flow."""
    if factor <= 1:
        return graph
    copied = set(graph.subjects(RDF.type, DPV_PROCESS)) | set(graph.subjects(RDF.type, DATA_FLOW))
    own = [t for t in graph if t[0] in copied]
    out = Graph()
    out += graph
    for i in range(1, factor):

        def rename(term: object, i: int = i) -> object:
            return URIRef(f"{term}-x{i}") if term in copied else term

        for s, p, o in own:
            out.add((rename(s), p, rename(o)))  # type: ignore[arg-type]
    return out


def median_ms(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def rdflib_ms(
    graph: Graph, text: str, bindings: Mapping[str, ox.NamedNode], runs: int, limit: float
) -> tuple[float | None, int | None]:
    """rdflib's median time and row count, each run in a child stopped after ``limit`` s."""
    init = {k: URIRef(v.value) for k, v in bindings.items()}

    def task() -> bytes:
        start = time.perf_counter()
        rows = len(list(graph.query(text, initBindings=init)))
        return json.dumps([(time.perf_counter() - start) * 1000, rows]).encode()

    samples, rows = [], None
    for _ in range(runs):
        try:
            elapsed, rows = json.loads(engines.run_isolated(task, limit))
        except query_text.QueryTimeout:
            return None, None
        samples.append(elapsed)
    return round(statistics.median(samples), 2), rows


def bench_scale(
    base: Graph, factor: int, runs: int, limit: float, virtuoso: str | None
) -> list[dict[str, object]]:
    graph = scaled(base, factor)
    data = serialize(graph, "nt")
    store = ox.Store()
    load_ox = median_ms(
        lambda: ox.Store().bulk_load(data, format=ox.RdfFormat.N_TRIPLES), max(1, runs)
    )
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    load_rdflib = median_ms(lambda: Graph().parse(data=data, format="nt"), 1)
    engine = engines.LocalEngine(store)
    remote = None
    if virtuoso:
        store_url = virtuoso.rsplit("/sparql", 1)[0] + "/sparql-graph-crud-auth"
        graph_iri = f"urn:ropa-kg:bench:x{factor}"
        publish_ntriples(
            data, endpoint=store_url, graph=graph_iri, credentials=Credentials("dba", "dba")
        )
        remote = engines.RemoteEngine(virtuoso, graph=graph_iri)
    rows: list[dict[str, object]] = [
        {
            "scale": factor,
            "triples": len(graph),
            "query": "(load N-Triples)",
            "rdflib_ms": load_rdflib,
            "pyoxigraph_ms": load_ox,
        },
        {
            "scale": factor,
            "triples": len(graph),
            "query": "(ASK {}: process isolation)",
            "pyoxigraph_ms": median_ms(lambda: store.query("ASK {}"), runs),
            "ropa_ms": median_ms(lambda: engine.query("ASK {}"), runs),
        },
    ]
    for name, saved in query_library.saved_queries().items():
        query = query_text.QueryText(saved.text, name, saved)
        binds = {p.name: EXAMPLES[p.name] for p in saved.parameters if p.default is None}
        bindings = binding.bind_values(engine, query, binds)
        subs = {ox.Variable(k): v for k, v in bindings.items()}
        answer = engine.query(query, bindings=bindings)
        assert isinstance(answer, results.Solutions)
        row: dict[str, object] = {
            "scale": factor,
            "triples": len(graph),
            "query": name,
            "rows": len(answer.rows),
            "pyoxigraph_ms": median_ms(
                lambda saved=saved, subs=subs: list(store.query(saved.text, substitutions=subs)),
                runs,
            ),
            "ropa_ms": median_ms(
                lambda query=query, bindings=bindings: engine.query(query, bindings=bindings),
                runs,
            ),
        }
        row["rdflib_ms"], rdflib_rows = rdflib_ms(graph, saved.text, bindings, runs, limit)
        row["rdflib_rows"] = rdflib_rows
        if remote is not None:
            try:
                row["virtuoso_ms"] = median_ms(
                    lambda query=query, bindings=bindings: remote.query(query, bindings=bindings),
                    runs,
                )
            except RopaError as exc:  # e.g. Virtuoso's cost estimate refusing the query
                row["virtuoso_ms"] = "refused"
                row["virtuoso_error"] = str(exc)[:200]
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    return rows


def cell(value: object, limit: float) -> str:
    if value is None:
        return f"> {limit:g} s"
    return f"{value:g}" if isinstance(value, float) else str(value)


def markdown(rows: list[dict[str, object]], meta: Mapping[str, object], limit: float) -> str:
    columns = ["scale", "triples", "query", "rows", "rdflib_ms", "pyoxigraph_ms", "ropa_ms"]
    if any("virtuoso_ms" in r for r in rows):
        columns.append("virtuoso_ms")
    lines = [
        "# Saved queries on rdflib, pyoxigraph and Virtuoso",
        "",
        f"{meta['method']}; Python {meta['python']}, {meta['machine']}.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in rows:
        values = []
        for c in columns:
            value = row.get(c, "")
            if c == "rdflib_ms" and "rdflib_ms" in row and row["rdflib_ms"] is None:
                values.append(cell(None, limit))
            elif c == "rows" and row.get("rdflib_rows") not in (None, row.get("rows")):
                values.append(f"{value} (rdflib: {row['rdflib_rows']})")
            else:
                values.append(cell(value, limit) if value != "" else "")
        lines.append("| " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="copies of the activities")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rdflib-timeout", type=float, default=60.0)
    parser.add_argument("--virtuoso", metavar="URL", help="a Virtuoso SPARQL endpoint")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    base = build([])
    rows: list[dict[str, object]] = []
    for factor in (int(s) for s in args.scales.split(",")):
        rows += bench_scale(base, factor, args.runs, args.rdflib_timeout, args.virtuoso)
    meta = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "method": f"in-process wall time, median of {args.runs} runs (rdflib: one child process "
        "per run, stopped after the timeout)",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "query-engines.json").write_text(
        json.dumps({"meta": meta, "results": rows}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    text = markdown(rows, meta, args.rdflib_timeout)
    (args.out / "query-engines.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
