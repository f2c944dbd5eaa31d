"""`ropa serve` under load: many clients at once, and a runaway query among them.

Starts ``ropa serve`` (the shipped register, or ``--data FILE``) as a client would see it,
then runs CLIENTS x QUERIES requests from as many client threads, each bound to its own
loopback address (127.0.0.x: the server shares its query slots fairly between addresses).
Each client POSTs saved queries (``application/sparql-query``, JSON results, the whole body
read) one after another; a 503 (no free slot: the server answers at once) is retried after
the ``Retry-After`` the server sends (``--retry-after`` caps it), and counted.

Two runs: the load alone, and the load while one more client sends a runaway query (an
``ORDER BY`` over a cartesian product) that the server stops at its memory limit
(``--memory``) and its time limit. Reported: connection errors (refused, reset, timed out;
the point of issue 19 is that there are none), 503s, the latency of each query from its first
attempt to its answer (p50, p99, max), the runaway's answer, and the peak memory of the
server with its query processes (RSS summed over the process tree, sampled every 50 ms).

Results: ``bench/results/serve-load.md`` and ``.json``. Benchmarks inform; no test asserts
a time.

Usage::

    .venv/bin/python bench/serve_load.py                       # 50 clients x 20 queries
    .venv/bin/python bench/serve_load.py --clients 5 --queries 4 --out /tmp/load   # smoke
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checker.query import library  # noqa: E402

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
#: Saved queries that need a value, and one that exists in the shipped register.
BINDS = {
    "processor": "<https://w3id.org/ropa-kg/registers/fi-customs/customer-services/elisa>",
    "entry": "<https://w3id.org/ropa-kg/registers/fi-customs/customer-services/elisa>",
}


@dataclass
class Run:
    """One load run."""

    name: str
    clients: int
    queries: int
    answered: int = 0
    busy_503: int = 0
    other_status: dict[str, int] = field(default_factory=dict)
    connection_errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    server_peak_mib: float = 0.0
    runaway: str = ""

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

        data = asdict(self)
        del data["latencies"]
        data.update(
            p50_ms=pct(0.50),
            p99_ms=pct(0.99),
            max_ms=round(ordered[-1] * 1000, 1) if ordered else None,
            mean_ms=round(statistics.mean(ordered) * 1000, 1) if ordered else None,
        )
        return data


def queries() -> list[str]:
    """The saved queries, their parameters bound by a VALUES block (as ropa query sends)."""
    texts = []
    for saved in library.saved_queries().values():
        text = saved.text
        for parameter in saved.parameters:
            if parameter.default is None and parameter.name in BINDS:
                head, _, rest = text.partition("WHERE {")
                text = (
                    f"{head}WHERE {{ VALUES ?{parameter.name} {{ {BINDS[parameter.name]} }} {rest}"
                )
        texts.append(text)
    return texts


def post(
    port: int, source: str, text: str, timeout: float, body: list[bytes] | None = None
) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
    )
    try:
        connection.request(
            "POST",
            "/sparql",
            body=text.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
        )
        response = connection.getresponse()
        data = response.read()
        if body is not None:
            body.append(data)
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def client(
    run: Run,
    lock: threading.Lock,
    port: int,
    number: int,
    texts: list[str],
    args: argparse.Namespace,
) -> None:
    source = f"127.0.{1 + number // 250}.{2 + number % 250}"
    for i in range(run.queries):
        text = texts[(number + i) % len(texts)]
        start = time.perf_counter()
        while True:
            try:
                status, headers = post(port, source, text, args.timeout)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    kind = type(exc).__name__
                    run.connection_errors[kind] = run.connection_errors.get(kind, 0) + 1
                break
            if status == 503:
                with lock:
                    run.busy_503 += 1
                wait = min(float(headers.get("retry-after", "1")), args.retry_after)
                time.sleep(wait)
                continue
            with lock:
                if status == 200:
                    run.answered += 1
                    run.latencies.append(time.perf_counter() - start)
                else:
                    run.other_status[str(status)] = run.other_status.get(str(status), 0) + 1
            break


def tree_rss_mib(pid: int) -> float:
    """RSS of a process and its children, in MiB (Linux /proc)."""
    total = 0
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):  # a query process is a child of a thread
        try:
            pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(name: str, port: int, server: int, args: argparse.Namespace, runaway: bool) -> Run:
    run = Run(name, args.clients, args.queries)
    lock = threading.Lock()
    texts = queries()
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mib(server))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [
        threading.Thread(target=client, args=(run, lock, port, n, texts, args))
        for n in range(args.clients)
    ]
    runaway_thread = None
    if runaway:

        def send_runaway() -> None:
            start = time.perf_counter()
            said: list[bytes] = []
            try:
                status, _ = post(port, "127.0.9.9", RUNAWAY, args.timeout + 60, said)
                text = said[0].decode("utf-8", "replace").strip() if said else ""
                run.runaway = f"HTTP {status} after {time.perf_counter() - start:.1f} s: {text}"
            except (OSError, http.client.HTTPException) as exc:
                run.runaway = f"{type(exc).__name__} after {time.perf_counter() - start:.1f} s"

        runaway_thread = threading.Thread(target=send_runaway)
        runaway_thread.start()
        time.sleep(0.5)
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = round(time.perf_counter() - start, 2)
    if runaway_thread is not None:
        runaway_thread.join()
    done.set()
    sampler.join()
    run.server_peak_mib = round(peak[0], 1)
    return run


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [sys.executable, "-m", "checker", "serve", "--port", str(port)]
    command += ["--timeout", str(args.server_timeout), "--memory", str(args.memory)]
    if args.data:
        command.append(str(args.data))
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if post(port, "127.0.0.1", "ASK {}", 5)[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("ropa serve did not answer within 600 s")


def render(meta: dict[str, object], runs: list[dict[str, object]]) -> str:
    lines = [
        "# `ropa serve` under load",
        "",
        "Generated by `bench/serve_load.py` "
        f"({meta['clients']} clients x {meta['queries']} queries, each client on its own "
        "loopback address; saved queries POSTed one after another, a 503 retried after "
        f"its Retry-After, at most {meta['retry_after']} s). Server: `ropa serve "
        f"{meta['data']}` with 4 query slots (at most 2 per client), "
        f"{meta['server_timeout']} s and {meta['memory']} MB per query. Machine: "
        f"{meta['machine']}, load average {meta['load']} at the start.",
        "",
        "| run | answered | connection errors | 503 (retried) | other status | p50 | p99 | max | "
        "wall | server peak (with its query processes) | runaway query |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        errors = sum(r["connection_errors"].values()) if r["connection_errors"] else 0  # type: ignore[union-attr]
        lines.append(
            f"| {r['name']} | {r['answered']} / {int(r['clients']) * int(r['queries'])} | "  # type: ignore[call-overload]
            f"{errors} {json.dumps(r['connection_errors']) if errors else ''} | {r['busy_503']} | "
            f"{json.dumps(r['other_status']) if r['other_status'] else 0} | {r['p50_ms']} ms | "
            f"{r['p99_ms']} ms | {r['max_ms']} ms | {r['seconds']} s | {r['server_peak_mib']} MiB | "
            f"{r['runaway'] or '-'} |"
        )
    lines += [
        "",
        "Latency: from a query's first attempt to its answer, 503 waits included. The "
        "runaway query is an `ORDER BY` over the cartesian product of all triples; the "
        'server stops it at its memory limit (503, "uses more than N MB") or its time '
        "limit, while the other clients are answered.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--data", type=Path, help="serve this file (default: the register)")
    parser.add_argument("--memory", type=int, default=512, help="--memory of ropa serve (MB)")
    parser.add_argument("--server-timeout", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="client socket timeout")
    parser.add_argument("--retry-after", type=float, default=0.2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    server, port = start_server(args)
    try:
        runs = [
            load("load alone", port, server.pid, args, runaway=False).summary(),
            load("load with a runaway query", port, server.pid, args, runaway=True).summary(),
        ]
    finally:
        server.terminate()
        server.wait(30)
    meta = {
        "clients": args.clients,
        "queries": args.queries,
        "data": str(args.data) if args.data else "(the shipped register)",
        "memory": args.memory,
        "server_timeout": args.server_timeout,
        "retry_after": args.retry_after,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": round(os.getloadavg()[0], 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "serve-load.json").write_text(
        json.dumps({"meta": meta, "runs": runs}, indent=1) + "\n"
    )
    (args.out / "serve-load.md").write_text(render(meta, runs))
    print(render(meta, runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
