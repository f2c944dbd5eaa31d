"""How quickly the input and query guards act: the times the unit tests used to assert.

The tests check that each guard acts (the bomb is refused, the runaway query is stopped and
its process killed); this measures how long it takes, whole process or in-process, median
of a few runs:

- a YAML alias bomb (billion laughs) refused by ``ropa build``;
- an XML internal-entity bomb refused by ``ropa build``;
- a runaway query stopped at a 0.5 s limit (the embedded engine kills its child process);
- a SPARQL endpoint that never answers, given up at a 0.5 s limit.

    .venv/bin/python bench/guards.py            # writes bench/results/guards.md
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.errors import RopaError  # noqa: E402
from checker.query.engines import LocalEngine, RemoteEngine  # noqa: E402
from checker.query.text import QueryTimeout  # noqa: E402

BAD = ROOT / "tests" / "fixtures" / "bad"
RUNS = 3
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def refuse(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "checker", "build", str(BAD / name), "-o", f"{tmp}/out.ttl"],
            cwd=ROOT,
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr


def stop_runaway(engine: LocalEngine) -> None:
    try:
        engine.query(SLOW_QUERY, timeout=0.5)
    except QueryTimeout:
        return
    raise AssertionError("the runaway query was not stopped")


def give_up_on_silent_endpoint() -> None:
    class Silent(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            time.sleep(3)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        RemoteEngine(f"http://127.0.0.1:{server.server_address[1]}/sparql").query(
            "ASK {}", timeout=0.5
        )
    except (QueryTimeout, RopaError):
        return
    finally:
        server.shutdown()
        server.server_close()
    raise AssertionError("the silent endpoint was not given up on")


def main() -> None:
    engine = LocalEngine.from_paths()
    measures = {
        "`ropa build` refuses a YAML alias bomb (whole process)": lambda: refuse(
            "billion-laughs.yaml"
        ),
        "`ropa build` refuses an XML entity bomb (whole process)": lambda: refuse(
            "entity-bomb.rdf"
        ),
        "a runaway query is stopped at its 0.5 s limit (in-process)": lambda: stop_runaway(engine),
        "a silent endpoint is given up on at a 0.5 s limit (in-process)": (
            give_up_on_silent_endpoint
        ),
    }
    lines = [
        "# How quickly the guards act",
        "",
        f"`bench/guards.py`, median of {RUNS} runs on this machine (wall time).",
        "",
        "| guard | median | max |",
        "|---|---|---|",
    ]
    for name, action in measures.items():
        times = [timed(action) for _ in range(RUNS)]
        lines.append(f"| {name} | {statistics.median(times):.2f} s | {max(times):.2f} s |")
        print(lines[-1], flush=True)
    out = ROOT / "bench" / "results" / "guards.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
