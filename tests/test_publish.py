"""`ropa publish` and `ropa query --endpoint`: the Graph Store Protocol client, against a
small fake store (digest authentication) and against a real OpenLink Virtuoso.

The Virtuoso tests use the server named by ``ROPA_VIRTUOSO_URL`` (its SPARQL endpoint;
``ROPA_VIRTUOSO_STORE_URL``, ``ROPA_VIRTUOSO_USER`` and ``ROPA_VIRTUOSO_PASSWORD`` default
to Virtuoso's ``/sparql-graph-crud-auth`` and ``dba``/``dba``), or start a throwaway one
with ``scripts/virtuoso.sh``. Without Virtuoso they are skipped on a developer's machine,
but with ``CI=true`` they fail: a skipped server test must never pass as green.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.errors import InputError
from checker.graph.build import build
from checker.query import binding, engines, results
from checker.query import library as query_library
from checker.query import text as query_text
from checker.query.publish import (
    Credentials,
    PublishError,
    _request,
    authorization,
    count_graph,
    digest_response,
    graph_url,
    parse_challenge,
    publish,
    publish_ntriples,
)

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "virtuoso.sh"
KITCHEN_SINK = REPO / "tests" / "fixtures" / "kitchen-sink"
RUN = uuid.uuid4().hex[:8]
GRAPH = f"urn:ropa-kg:test:{RUN}:customs"
OTHER = f"urn:ropa-kg:test:{RUN}:kitchen-sink"
SCRATCH = f"urn:ropa-kg:test:{RUN}:scratch"


# --- a fake Graph Store that demands Digest authentication --------------------------------


@dataclass
class FakeStore:
    """Records what reached it; answers PUT with 201, then 200; GET with what it holds."""

    user: str = "auditor"
    password: str = "s3cret"
    realm: str = "SPARQL"
    scheme: str = "Digest"
    requests: list[tuple[str, str, bytes, str | None]] = field(default_factory=list)
    graphs: dict[str, bytes] = field(default_factory=dict)


def fake_handler(store: FakeStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def authorised(self) -> bool:
            header = self.headers.get("Authorization")
            if header and store.scheme == "Basic":
                import base64

                token = base64.b64encode(f"{store.user}:{store.password}".encode()).decode()
                return header == f"Basic {token}"
            if header and header.startswith("Digest "):
                _, fields = parse_challenge(header)
                expected = digest_response(
                    user=store.user,
                    password=store.password,
                    realm=store.realm,
                    nonce="n0nce",
                    method=self.command,
                    uri=self.path,
                    qop=fields.get("qop"),
                    nc=fields.get("nc", ""),
                    cnonce=fields.get("cnonce", ""),
                )
                return (
                    fields.get("username") == store.user
                    and fields.get("uri") == self.path
                    and fields.get("response") == expected
                    and fields.get("opaque") == "0paque"
                )
            return False

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            store.requests.append(
                (self.command, self.path, body, self.headers.get("Authorization"))
            )
            if not self.authorised():
                self.send_response(401)
                challenge = (
                    f'Digest realm="{store.realm}", nonce="n0nce", opaque="0paque", '
                    'qop="auth", algorithm="MD5"'
                    if store.scheme == "Digest"
                    else f'Basic realm="{store.realm}"'
                )
                self.send_header("WWW-Authenticate", challenge)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            graph = self.path.split("graph=", 1)[-1]
            if self.command == "PUT":
                status = 200 if graph in store.graphs else 201
                store.graphs[graph] = body
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.command == "GET":
                data = store.graphs.get(graph, b"")
                self.send_response(200)
                self.send_header("Content-Type", "application/n-triples")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        do_PUT = do_GET = do_HEAD = handle_any

    return Handler


@pytest.fixture
def fake_store() -> Iterator[tuple[FakeStore, str]]:
    store = FakeStore()
    server = HTTPServer(("127.0.0.1", 0), fake_handler(store))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store, f"http://127.0.0.1:{server.server_address[1]}/gsp"
    finally:
        server.shutdown()
        server.server_close()


NT = b'<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "d"@en .\n'


def test_digest_authorization_answers_the_challenge(fake_store: tuple[FakeStore, str]) -> None:
    store, url = fake_store
    result = publish_ntriples(
        NT, endpoint=url, graph="urn:g", credentials=Credentials("auditor", "s3cret")
    )
    assert (result.sent, result.status, result.stored) == (2, 201, 2)
    methods = [r[0] for r in store.requests]
    # HEAD for the challenge, PUT once (authenticated), then HEAD + GET to count.
    assert methods == ["HEAD", "PUT", "HEAD", "GET"]
    puts = [r for r in store.requests if r[0] == "PUT"]
    assert puts[0][2] == NT and puts[0][3] and puts[0][3].startswith("Digest ")
    assert puts[0][1] == "/gsp?graph=urn%3Ag"
    again = publish_ntriples(
        NT, endpoint=url, graph="urn:g", credentials=Credentials("auditor", "s3cret")
    )
    assert again.status == 200


def test_basic_authorization(fake_store: tuple[FakeStore, str]) -> None:
    store, url = fake_store
    store.scheme = "Basic"
    result = publish_ntriples(
        NT, endpoint=url, graph="urn:g", credentials=Credentials("auditor", "s3cret")
    )
    assert result.stored == 2


def test_wrong_credentials_and_no_credentials_are_refused(
    fake_store: tuple[FakeStore, str],
) -> None:
    store, url = fake_store
    with pytest.raises(PublishError, match="refused user 'auditor' \\(HTTP 401\\)"):
        publish_ntriples(NT, endpoint=url, graph="urn:g", credentials=Credentials("auditor", "x"))
    with pytest.raises(PublishError, match="refused an anonymous request"):
        publish_ntriples(NT, endpoint=url, graph="urn:g")
    assert store.graphs == {}


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
        publish_ntriples(NT, endpoint="http://127.0.0.1:9/gsp", graph="no-scheme")
    with pytest.raises(InputError, match="http"):
        publish_ntriples(NT, endpoint="ftp://example.org/gsp", graph="urn:g")
    assert graph_url("http://h/gsp?x=1", "urn:g") == "http://h/gsp?x=1&graph=urn%3Ag"


def test_an_unreachable_store_is_a_clean_error() -> None:
    result = CliRunner().invoke(
        main, ["publish", "--endpoint", "http://127.0.0.1:9/gsp", "--graph", "urn:g"]
    )
    assert result.exit_code == 2
    assert "cannot reach http://127.0.0.1:9/gsp" in result.output
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


@dataclass(frozen=True)
class Virtuoso:
    sparql: str
    store: str
    credentials: Credentials


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A running Virtuoso: the one ROPA_VIRTUOSO_URL names, or one started for this module."""
    in_ci = os.environ.get("CI", "").lower() in ("true", "1")
    credentials = Credentials(
        os.environ.get("ROPA_VIRTUOSO_USER", "dba"), os.environ.get("ROPA_VIRTUOSO_PASSWORD", "dba")
    )
    given = os.environ.get("ROPA_VIRTUOSO_URL")
    if given:
        store = os.environ.get("ROPA_VIRTUOSO_STORE_URL") or re.sub(
            r"/sparql/?$", "/sparql-graph-crud-auth", given
        )
        server = Virtuoso(given, store, credentials)
        yield server
        drop_test_graphs(server)
        return
    if shutil.which("virtuoso-t") is None and not in_ci:
        pytest.skip(
            "no Virtuoso here: apt-get install virtuoso-opensource or set ROPA_VIRTUOSO_URL "
            "(with CI=true this fails instead)"
        )
    env = {**os.environ, "ROPA_VIRTUOSO_DIR": str(tmp_path_factory.mktemp("virtuoso"))}
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=900
    )
    if started.returncode != 0:
        pytest.fail(f"scripts/virtuoso.sh start failed:\n{started.stderr}", pytrace=False)
    url = started.stdout.strip().splitlines()[-1]
    try:
        yield Virtuoso(url, url + "-graph-crud-auth", Credentials("dba", "dba"))
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=60)


def drop_test_graphs(server: Virtuoso) -> None:
    for graph in (GRAPH, OTHER, SCRATCH):
        with contextlib.suppress(PublishError):
            _request("DELETE", graph_url(server.store, graph), credentials=server.credentials)


@pytest.fixture(scope="module")
def published(virtuoso: Virtuoso) -> Virtuoso:
    """The shipped register, published to GRAPH; the kitchen sink to OTHER."""
    result = publish(endpoint=virtuoso.store, graph=GRAPH, credentials=virtuoso.credentials)
    assert result.stored == result.sent == triples_of()
    publish([KITCHEN_SINK], endpoint=virtuoso.store, graph=OTHER, credentials=virtuoso.credentials)
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
    return engines.RemoteEngine(published.sparql, graph=GRAPH)


def test_publish_replaces_the_graph_with_put(virtuoso: Virtuoso) -> None:
    first = publish_ntriples(
        NT, endpoint=virtuoso.store, graph=SCRATCH, credentials=virtuoso.credentials
    )
    assert (first.sent, first.stored) == (2, 2)
    second = publish_ntriples(
        b"<urn:x> <urn:y> <urn:z> .\n",
        endpoint=virtuoso.store,
        graph=SCRATCH,
        credentials=virtuoso.credentials,
    )
    assert second.status in (200, 201, 204)
    assert second.stored == 1, "PUT must replace the graph, not add to it"


def test_a_failed_put_keeps_the_old_graph(virtuoso: Virtuoso) -> None:
    publish_ntriples(NT, endpoint=virtuoso.store, graph=SCRATCH, credentials=virtuoso.credentials)
    with pytest.raises(PublishError, match=r"HTTP [45]\d\d"):
        publish_ntriples(
            b'<urn:a> <urn:b> "unterminated .\n',
            endpoint=virtuoso.store,
            graph=SCRATCH,
            credentials=virtuoso.credentials,
        )
    assert count_graph(virtuoso.store, SCRATCH, virtuoso.credentials) == 2


def test_virtuoso_refuses_wrong_credentials(virtuoso: Virtuoso) -> None:
    wrong = Credentials(virtuoso.credentials.user, "not-the-password")
    with pytest.raises(PublishError, match="HTTP 401"):
        publish_ntriples(NT, endpoint=virtuoso.store, graph=SCRATCH, credentials=wrong)


def test_ropa_publish_command(virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROPA_PUBLISH_PASSWORD", virtuoso.credentials.password)
    args = ["publish", str(KITCHEN_SINK), "--endpoint", virtuoso.store, "--graph", SCRATCH]
    result = CliRunner().invoke(main, [*args, "--user", virtuoso.credentials.user])
    assert result.exit_code == 0, result.output
    sent = triples_of(KITCHEN_SINK)
    assert re.fullmatch(
        rf"published {sent} triples to graph <{re.escape(SCRATCH)}> at \S+ "
        rf"\(HTTP 20[01] (created|replaced)\); the store holds {sent}\n",
        result.stderr,
    ), result.stderr
    monkeypatch.delenv("ROPA_PUBLISH_PASSWORD")
    result = CliRunner().invoke(main, [*args, "--password", "x"])
    assert result.exit_code == 2 and "--password needs --user" in result.output


CASES = [
    (name, {})
    for name in sorted(query_library.saved_queries())
    if name not in ("processor-footprint", "provenance")
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
    assert {name for name, _ in CASES} == set(query_library.saved_queries())


@pytest.mark.parametrize(
    ("name", "binds"), CASES, ids=[f"{n}-{'-'.join(b.values())}" for n, b in CASES]
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
        ["special-category-data", "--format", "markdown"],
    ],
)
def test_ropa_query_endpoint_prints_what_the_embedded_graph_prints(
    published: Virtuoso, built_once: None, args: list[str]
) -> None:
    embedded = CliRunner().invoke(main, ["query", *args])
    served = CliRunner().invoke(
        main, ["query", *args, "--endpoint", published.sparql, "--graph", GRAPH]
    )
    assert embedded.exit_code == served.exit_code == 0, served.output
    assert served.stdout == embedded.stdout


def test_graph_scoping_on_the_server(published: Virtuoso) -> None:
    count = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a dpv:Process }"

    def processes(*extra: str) -> int:
        result = CliRunner().invoke(
            main, ["query", count, "--endpoint", published.sparql, "--format", "csv", *extra]
        )
        assert result.exit_code == 0, result.output
        return int(result.stdout.splitlines()[1])

    customs, sink = processes("--graph", GRAPH), processes("--graph", OTHER)
    assert customs == 50
    kitchen = engines.LocalEngine.from_paths([KITCHEN_SINK]).query(count)
    assert isinstance(kitchen, results.Solutions)
    assert sink == int(kitchen.rows[0][0].value) != customs  # type: ignore[union-attr]
    # Without --graph, Virtuoso's default graph is the union of every graph it holds.
    assert processes() >= customs + sink


def test_updates_are_refused_before_reaching_the_server(published: Virtuoso) -> None:
    result = CliRunner().invoke(
        main, ["query", f"DROP GRAPH <{GRAPH}>", "--endpoint", published.sparql, "--graph", GRAPH]
    )
    assert result.exit_code == 2
    assert "DROP is a SPARQL update" in result.output
    assert count_graph(published.store, GRAPH, published.credentials) == triples_of()


def test_a_server_syntax_error_is_reported(published: Virtuoso) -> None:
    result = CliRunner().invoke(
        main, ["query", "SELECT ?s WHERE { ?s ?p ", "--endpoint", published.sparql]
    )
    assert result.exit_code == 2
    assert "the endpoint answered HTTP 400" in result.output
    assert "syntax error" in result.output.lower()
