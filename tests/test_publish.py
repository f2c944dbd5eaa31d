"""`ropa publish` and `ropa query --endpoint` against a real OpenLink Virtuoso
(tests/virtuoso_store.py), and the HTTP pieces they share; the faults of a misbehaving
store are tests/test_store_faults.py's.

Publishing is all or nothing: :func:`test_killing_publish_leaves_the_old_or_the_new_graph`
kills ``ropa publish`` at several moments of its upload and swap and finds the published
graph whole every time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from virtuoso_store import Virtuoso, virtuoso

from checker.cli import main
from checker.errors import InputError
from checker.graph.build import build
from checker.query import binding, engines, results
from checker.query import library as query_library
from checker.query import text as query_text
from checker.query.catalogue import published as published_graphs
from checker.query.client import Credentials, authorization, parse_challenge
from checker.query.publish import PublishError, graph_url, publish, publish_ntriples

__all__ = ["virtuoso"]  # the fixture, imported for pytest

REPO = Path(__file__).resolve().parents[1]
KITCHEN_SINK = REPO / "tests" / "fixtures" / "kitchen-sink"
NT = b'<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "d"@en .\n'


def test_authorization_header_fields() -> None:
    header = authorization(
        "digest",
        {"realm": "R", "nonce": "N", "qop": "auth,auth-int", "opaque": "O"},
        method="PUT",
        url="http://h/gsp?graph=urn%3Ag",
        credentials=Credentials('us"er', "pw"),
        cnonce="C",
    )
    scheme, fields = parse_challenge(header)
    assert scheme == "digest"
    assert fields["username"] == 'us\\"er' or fields["username"] == 'us"er'
    assert fields["uri"] == "/gsp?graph=urn%3Ag"
    assert fields["qop"] == "auth" and fields["nc"] == "00000001" and fields["opaque"] == "O"
    ha1 = hashlib.md5(b'us"er:R:pw').hexdigest()
    ha2 = hashlib.md5(b"PUT:/gsp?graph=urn%3Ag").hexdigest()
    expected = hashlib.md5(f"{ha1}:N:00000001:C:auth:{ha2}".encode()).hexdigest()
    assert fields["response"] == expected


def test_bad_options_are_input_errors() -> None:
    with pytest.raises(InputError, match="absolute IRI"):
        publish_ntriples(NT, endpoint="http://127.0.0.1:9/sparql-graph-crud", graph="no-scheme")
    with pytest.raises(InputError, match="http"):
        publish_ntriples(NT, endpoint="ftp://example.org/gsp", graph="urn:g")
    with pytest.raises(InputError, match="give --sparql URL"):
        publish_ntriples(NT, endpoint="http://example.org/ds/data", graph="urn:g")
    with pytest.raises(InputError, match="user or password in the URL"):
        publish_ntriples(NT, endpoint="http://u:p@example.org/sparql-graph-crud", graph="urn:g")
    assert graph_url("http://h/gsp?x=1", "urn:g") == "http://h/gsp?x=1&graph=urn%3Ag"


def test_an_unreachable_store_is_a_clean_error() -> None:
    result = CliRunner().invoke(
        main, ["publish", "--endpoint", "http://127.0.0.1:9/sparql-graph-crud", "--graph", "urn:g"]
    )
    assert result.exit_code == 2
    assert "cannot reach http://127.0.0.1:9/sparql" in result.output
    assert "Traceback" not in result.output


def test_a_remote_query_past_the_limit_is_stopped() -> None:
    class Slow(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            time.sleep(3)
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        remote = engines.RemoteEngine(f"http://127.0.0.1:{server.server_address[1]}/sparql")
        with pytest.raises(query_text.QueryTimeout, match=r"no answer within 0\.5 s"):
            remote.query("ASK {}", timeout=0.5)
    finally:
        server.shutdown()
        server.server_close()


def test_incomplete_results_from_the_server_are_refused() -> None:
    """Virtuoso answers 200 with X-SQL-State when its time limit cut the results short."""

    class Partial(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("X-SQL-State", "S1TAT")
            self.send_header("X-SQL-Message", "RC...: Returning incomplete results")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = HTTPServer(("127.0.0.1", 0), Partial)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        remote = engines.RemoteEngine(f"http://127.0.0.1:{server.server_address[1]}/sparql")
        with pytest.raises(query_text.QueryTimeout, match="incomplete results"):
            remote.query("SELECT ?n WHERE { ?n ?p ?o }")
    finally:
        server.shutdown()
        server.server_close()


def test_remote_bindings_travel_as_values_at_the_start_of_the_where_group() -> None:
    remote = engines.RemoteEngine("http://127.0.0.1:9/sparql")
    query = query_text.load_query("processor-footprint")
    text, form = remote.prepare(query, {"processor": ox.NamedNode("https://e.org/p")})
    assert form == "SELECT"
    head, _, rest = text.partition("WHERE {")
    assert rest.lstrip().startswith("VALUES ?processor { <https://e.org/p> }")
    assert "VALUES" not in head
    with pytest.raises(query_text.UpdateRefused):
        remote.prepare(query_text.QueryText("CLEAR ALL", "query"), None)


# --- a real Virtuoso ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(virtuoso: Virtuoso) -> Virtuoso:
    """The shipped register, published to graph "customs"; the kitchen sink to "kitchen-sink"."""
    result = publish(
        endpoint=virtuoso.store,
        graph=virtuoso.graph("customs"),
        catalogue=virtuoso.catalogue,
        credentials=virtuoso.credentials,
    )
    assert result.stored == result.sent == triples_of()
    publish(
        [KITCHEN_SINK],
        endpoint=virtuoso.store,
        graph=virtuoso.graph("kitchen-sink"),
        catalogue=virtuoso.catalogue,
        credentials=virtuoso.credentials,
    )
    return virtuoso


@pytest.fixture(scope="module")
def engine() -> engines.LocalEngine:
    return engines.LocalEngine.from_paths()


@pytest.fixture
def built_once(engine: engines.LocalEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ropa query` without PATHS reuses this module's build (a build takes a second)."""
    build_engine = engines.LocalEngine.from_paths

    def cached(paths: tuple[Path, ...] | list[Path] = ()) -> engines.LocalEngine:
        return engine if not paths else build_engine(paths)

    monkeypatch.setattr(engines.LocalEngine, "from_paths", staticmethod(cached))


@functools.cache
def triples_of(*paths: Path) -> int:
    return len(build(list(paths)))


@pytest.fixture(scope="module")
def remote(published: Virtuoso) -> engines.RemoteEngine:
    return engines.RemoteEngine(published.sparql, graph=published.graph("customs"))


def test_publish_replaces_the_graph_in_one_step(virtuoso: Virtuoso) -> None:
    scratch = virtuoso.graph("scratch")
    put = functools.partial(
        publish_ntriples,
        endpoint=virtuoso.store,
        graph=scratch,
        catalogue=virtuoso.catalogue,
        credentials=virtuoso.credentials,
    )
    first = put(NT)
    assert (first.sent, first.stored) == (2, 2)
    second = put(b"<urn:x> <urn:y> <urn:z> .\n")
    assert second.stored == 1, "the graph is replaced, not added to"
    assert virtuoso.count(scratch) == 1
    listed = {e.graph: e.triples for e in published_graphs(virtuoso.reader(), virtuoso.catalogue)}
    assert listed[scratch] == 1


def test_a_failed_upload_keeps_the_old_graph(virtuoso: Virtuoso) -> None:
    scratch = virtuoso.graph("scratch")
    kwargs = {"endpoint": virtuoso.store, "graph": scratch, "catalogue": virtuoso.catalogue}
    publish_ntriples(NT, credentials=virtuoso.credentials, **kwargs)
    with pytest.raises(PublishError, match=r"HTTP [45]\d\d.*is unchanged"):
        publish_ntriples(
            b'<urn:a> <urn:b> "unterminated .\n', credentials=virtuoso.credentials, **kwargs
        )
    assert virtuoso.count(scratch) == 2


def test_virtuoso_refuses_wrong_credentials(virtuoso: Virtuoso) -> None:
    wrong = Credentials(virtuoso.credentials.user, "not-the-password")
    with pytest.raises(PublishError, match="HTTP 401"):
        publish_ntriples(
            NT, endpoint=virtuoso.store, graph=virtuoso.graph("scratch"), credentials=wrong
        )


def test_ropa_publish_command(virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROPA_STORE_PASSWORD", virtuoso.credentials.password)
    scratch = virtuoso.graph("scratch")
    args = ["publish", str(KITCHEN_SINK), "--endpoint", virtuoso.store, "--graph", scratch]
    args += ["--catalogue", virtuoso.catalogue, "--user", virtuoso.credentials.user]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    sent = triples_of(KITCHEN_SINK)
    assert re.fullmatch(
        rf"published {sent} triples to graph <{re.escape(scratch)}> at \S+, replaced in one "
        rf"step; the store holds {sent}; catalogue <{re.escape(virtuoso.catalogue)}> updated\n",
        result.stderr,
    ), result.stderr


def synthetic(path: Path, activities: int, seed: int) -> int:
    """A synthetic register (bench/synth.py) as N-Triples at ``path``; its triple count."""
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "synth.py"),
            "--activities",
            str(activities),
            "--seed",
            str(seed),
            "-o",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return sum(1 for line in path.read_bytes().splitlines() if line.strip())


def settled(virtuoso: Virtuoso, graph: str) -> int:
    """The graph's count once the store has finished what a killed client left running (a
    swap goes on in the store; Virtuoso's readers may see it half done meanwhile)."""
    counts = [virtuoso.count(graph)]
    while len(counts) < 3 or len(set(counts[-3:])) > 1:
        time.sleep(1)
        counts.append(virtuoso.count(graph))
        assert len(counts) < 600, "the store never settled"
    return counts[-1]


def test_killing_publish_leaves_the_old_or_the_new_graph(
    virtuoso: Virtuoso, tmp_path: Path
) -> None:
    """Issue 19: a publish killed (SIGKILL) at any moment, here at eight moments from the
    build through the upload to the swap, leaves the published graph whole: the old one or
    the new one, once the store has finished what it was doing."""
    graph = virtuoso.graph("killed")
    versions = [tmp_path / "a.nt", tmp_path / "b.nt"]
    counts = [synthetic(versions[0], 400, 1), synthetic(versions[1], 300, 2)]
    env = {**os.environ, "ROPA_STORE_PASSWORD": virtuoso.credentials.password, "NETRC": os.devnull}

    def command(version: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "checker",
            "publish",
            str(version),
            "--endpoint",
            virtuoso.store,
            "--graph",
            graph,
            "--catalogue",
            virtuoso.catalogue,
            "--user",
            virtuoso.credentials.user,
        ]

    start = time.monotonic()
    subprocess.run(command(versions[0]), env=env, check=True, capture_output=True, timeout=900)
    whole = time.monotonic() - start
    assert virtuoso.count(graph) == counts[0]
    current = 0
    for moment in (0.15, 0.3, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95):
        other = 1 - current
        process = subprocess.Popen(command(versions[other]), env=env, stderr=subprocess.PIPE)
        time.sleep(moment * whole)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        held = settled(virtuoso, graph)
        assert held in (counts[current], counts[other]), (
            f"killed after {moment * whole:.1f} s: the graph holds {held} triples, "
            f"neither the old {counts[current]} nor the new {counts[other]}"
        )
        current = counts.index(held)
    listed = {e.graph for e in published_graphs(virtuoso.reader(), virtuoso.catalogue)}
    assert not any("staging" in g for g in listed), "a staging graph is never published"
    subprocess.run(command(versions[1 - current]), env=env, check=True, capture_output=True)
    assert virtuoso.count(graph) == counts[1 - current]


#: Saved queries whose answer from Virtuoso 7.2 differs from pyoxigraph's from one store to
#: the next (found 2026-12-07, not yet understood, so not yet worked around): on a fresh store
#: holding the register and the kitchen sink, flows-leaving-controller gives 30 rows against 8
#: (the register's own units counted as parties), although each of its patterns alone gives
#: pyoxigraph's count; in a CI run after the cross-register tests it matched, and
#: special-category-data gave 33 rows against 34. The embedded answers are the ones the tests
#: of the queries pin (tests/test_query.py, tests/test_saved_queries.py). Not strict: Virtuoso
#: gives the right answer on some stores, and a pass is then reported as XPASS.
VIRTUOSO_DIFFERS = pytest.mark.xfail(
    strict=False, reason="Virtuoso 7.2 answers this query differently on some stores"
)
UNSTABLE_ON_VIRTUOSO = ("flows-leaving-controller", "special-category-data")

CASES = [
    (name, {})
    for name in sorted(query_library.saved_queries())
    if name not in ("processor-footprint", "provenance") and not name.startswith("cross-register-")
]
CASES += [
    ("processor-footprint", {"processor": p})
    for p in ("elisa", "Fonecta Oy", "paytrail", "ultimate-ai")
]
CASES += [
    ("provenance", {"entry": e}) for e in ("chat-ip-thirty-days", "chatbot-ip-addresses", "elisa")
]
CASES += [("data-from-source", {"source": "customer-register"})]


def test_every_saved_query_is_compared() -> None:
    """On the register here; the cross-register ones in tests/test_cross_register.py."""
    single = {n for n in query_library.saved_queries() if not n.startswith("cross-register-")}
    assert {name for name, _ in CASES} == single


@pytest.mark.parametrize(
    ("name", "binds"),
    [
        pytest.param(n, b, marks=[VIRTUOSO_DIFFERS] if n in UNSTABLE_ON_VIRTUOSO else [])
        for n, b in CASES
    ],
    ids=[f"{n}-{'-'.join(b.values())}" for n, b in CASES],
)
def test_saved_query_same_answer_embedded_and_on_virtuoso(
    engine: engines.LocalEngine, remote: engines.RemoteEngine, name: str, binds: dict[str, str]
) -> None:
    query = query_text.load_query(name)
    local_bindings = binding.bind_values(engine, query, binds)
    remote_bindings = binding.bind_values(remote, query, binds)
    assert local_bindings == remote_bindings
    here = engine.query(query, bindings=local_bindings)
    there = remote.query(query, bindings=remote_bindings)
    assert isinstance(here, results.Solutions) and isinstance(there, results.Solutions)
    assert here.variables == there.variables
    assert here.rows, f"{name}: no answer"
    assert there.rows == here.rows  # same rows, same order


@pytest.mark.parametrize(
    "args",
    [
        ["processors-personal-data", "--format", "csv"],
        ["retention-by-data", "--format", "csv"],
        ["processor-footprint", "--bind", "processor=Elisa Oyj", "--format", "json"],
        ["unit-handovers"],
        pytest.param(["special-category-data", "--format", "markdown"], marks=VIRTUOSO_DIFFERS),
    ],
)
def test_ropa_query_endpoint_prints_what_the_embedded_graph_prints(
    published: Virtuoso, built_once: None, args: list[str]
) -> None:
    embedded = CliRunner().invoke(main, ["query", *args])
    served = CliRunner().invoke(
        main,
        ["query", *args, "--endpoint", published.sparql, "--graph", published.graph("customs")],
    )
    assert embedded.exit_code == served.exit_code == 0, served.output
    assert served.stdout == embedded.stdout


def test_graph_scoping_on_the_server(published: Virtuoso) -> None:
    count = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dpv:Process }"

    def processes(*extra: str) -> int:
        args = ["query", count, "--endpoint", published.sparql, "--format", "csv"]
        result = CliRunner().invoke(main, [*args, "--catalogue", published.catalogue, *extra])
        assert result.exit_code == 0, result.output
        return int(result.stdout.splitlines()[1])

    customs = processes("--graph", published.graph("customs"))
    sink = processes("--graph", published.graph("kitchen-sink"))
    assert customs == 50
    kitchen = engines.LocalEngine.from_paths([KITCHEN_SINK]).query(count)
    assert isinstance(kitchen, results.Solutions)
    assert sink == int(kitchen.rows[0][0].value) != customs  # type: ignore[union-attr]
    both = ("--graph", published.graph("customs"), "--graph", published.graph("kitchen-sink"))
    assert processes(*both) == customs + sink
    # Without --graph: every graph of the catalogue (and nothing else the store holds).
    listed = [e.graph for e in published_graphs(published.reader(), published.catalogue)]
    assert {published.graph("customs"), published.graph("kitchen-sink")} <= set(listed)

    def activities(*extra: str) -> set[str]:
        listing = "SELECT DISTINCT ?a WHERE { ?a a dpv:Process }"
        args = ["query", listing, "--endpoint", published.sparql, "--format", "csv"]
        result = CliRunner().invoke(main, [*args, "--catalogue", published.catalogue, *extra])
        assert result.exit_code == 0, result.output
        return set(result.stdout.splitlines()[1:])

    union = set().union(*(activities("--graph", graph) for graph in listed))
    assert activities() == union and processes() == len(union)


def test_updates_are_refused_before_reaching_the_server(published: Virtuoso) -> None:
    graph = published.graph("customs")
    result = CliRunner().invoke(
        main, ["query", f"DROP GRAPH <{graph}>", "--endpoint", published.sparql, "--graph", graph]
    )
    assert result.exit_code == 2
    assert "DROP is a SPARQL update" in result.output
    assert published.count(graph) == triples_of()


def test_a_server_syntax_error_is_reported(published: Virtuoso) -> None:
    result = CliRunner().invoke(
        main,
        ["query", "SELECT ?s WHERE { ?s ?p ", "--endpoint", published.sparql, "--graph", "urn:x"],
    )
    assert result.exit_code == 2
    assert "HTTP 400" in result.output
    assert "syntax error" in result.output.lower()
