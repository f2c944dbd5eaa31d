"""A small SPARQL 1.1 store for tests: Graph Store PUT, queries and updates on pyoxigraph,
HTTP Digest authentication, and faults on demand (redirects, resets, answers cut short,
a store that loses triples, one that stalls).

It is a real, standard-conforming store (oxigraph evaluates the queries and updates), so
the same tests that run against Virtuoso run against it too.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox

from checker.query.client import digest_response, parse_challenge

USER, PASSWORD = "auditor", "s3cret"


@dataclass
class Fault:
    """What goes wrong, and for which request (``method`` and a substring of the body or
    the path; empty: any)."""

    kind: str  # "redirect", "reset", "cut", "error", "deadlock", "lose", "stall"
    method: str = ""
    match: str = ""
    location: str = ""  # where "redirect" points
    times: int = 1_000_000

    def applies(self, method: str, path: str, body: bytes) -> bool:
        if self.times <= 0 or (self.method and method != self.method):
            return False
        text = urllib.parse.unquote_plus(body.decode("utf-8", "replace")) + path
        return self.match in text


@dataclass
class FakeStore:
    """The store's data and what reached it."""

    data: ox.Store = field(default_factory=ox.Store)
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    scheme: str = "Digest"
    url: str = ""

    def graph(self, iri: str) -> set[ox.Triple]:
        return {q.triple for q in self.data.quads_for_pattern(None, None, None, ox.NamedNode(iri))}

    def graphs(self) -> set[str]:
        return {g.value for g in self.data.named_graphs() if isinstance(g, ox.NamedNode)}

    def fault(self, method: str, path: str, body: bytes) -> Fault | None:
        for fault in self.faults:
            if fault.applies(method, path, body):
                fault.times -= 1
                return fault
        return None


def _handler(store: FakeStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def authorised(self) -> bool:
            header = self.headers.get("Authorization") or ""
            if store.scheme == "Basic":
                import base64

                token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                return header == f"Basic {token}"
            if not header.startswith("Digest "):
                return False
            _, fields = parse_challenge(header)
            expected = digest_response(
                user=USER,
                password=PASSWORD,
                realm="SPARQL",
                nonce="n0nce",
                method=self.command,
                uri=self.path,
                qop=fields.get("qop"),
                nc=fields.get("nc", ""),
                cnonce=fields.get("cnonce", ""),
            )
            return fields.get("username") == USER and fields.get("response") == expected

        def answer(self, status: int, body: bytes = b"", media: str = "text/plain") -> None:
            self.send_response(status)
            if status == 401:
                challenge = (
                    'Digest realm="SPARQL", nonce="n0nce", opaque="0paque", qop="auth"'
                    if store.scheme == "Digest"
                    else 'Basic realm="SPARQL"'
                )
                self.send_header("WWW-Authenticate", challenge)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            fault = store.fault(self.command, self.path, b"")
            if fault is not None and fault.kind == "reset" and length:
                self.rfile.read(min(length, 1000))  # part of the body, then hang up
                self.close_connection = True
                self.connection.close()
                return
            body = self.rfile.read(length) if length else b""
            store.requests.append((self.command, self.path, self.headers.get("Authorization")))
            fault = fault or store.fault(self.command, self.path, body)
            if fault is not None and fault.kind == "redirect":
                self.send_response(307)
                self.send_header("Location", fault.location or "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if fault is not None and fault.kind == "stall":
                time.sleep(30)
            if not self.authorised():
                self.answer(401)
                return
            if fault is not None and fault.kind == "error":
                self.answer(500, b"Virtuoso 42000 Error SR000: the store fell over")
                return
            if fault is not None and fault.kind == "deadlock":  # as Virtuoso says it
                self.answer(500, b"Virtuoso 40001 Error SR172: Transaction deadlocked")
                return
            url = urllib.parse.urlsplit(self.path)
            params = urllib.parse.parse_qs(url.query)
            try:
                if url.path == "/gsp":
                    status, data, media = self.graph_store(params, body, fault)
                else:
                    status, data, media = self.sparql(body)
            except (SyntaxError, ValueError, OSError) as exc:
                self.answer(400, str(exc).encode())
                return
            if fault is not None and fault.kind == "cut":
                self.send_response(status)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.close_connection = True
                self.connection.close()
                return
            self.answer(status, data, media)

        def graph_store(
            self, params: dict[str, list[str]], body: bytes, fault: Fault | None
        ) -> tuple[int, bytes, str]:
            graph = ox.NamedNode(params["graph"][0])
            if self.command == "PUT":
                triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
                if fault is not None and fault.kind == "lose":
                    triples = triples[:-1]
                existed = graph in set(store.data.named_graphs())
                store.data.remove_graph(graph) if existed else None
                store.data.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
                return (204 if existed else 201), b"", "text/plain"
            return 200, b"", "text/plain"

        def sparql(self, body: bytes) -> tuple[int, bytes, str]:
            form = urllib.parse.parse_qs(body.decode("utf-8"))
            if "update" in form:
                store.data.update(form["update"][0])
                return 200, b"done", "text/plain"
            options: dict[str, object] = {}
            if form.get("default-graph-uri"):
                options["default_graph"] = [ox.NamedNode(g) for g in form["default-graph-uri"]]
            if form.get("named-graph-uri"):
                options["named_graphs"] = [ox.NamedNode(g) for g in form["named-graph-uri"]]
            if not options:
                options["use_default_graph_as_union"] = True
            answer = store.data.query(form["query"][0], **options)  # type: ignore[arg-type]
            if isinstance(answer, ox.QueryTriples):
                return 200, answer.serialize(format=ox.RdfFormat.N_TRIPLES), "application/n-triples"
            data = answer.serialize(format=ox.QueryResultsFormat.JSON)
            return 200, data, "application/sparql-results+json"

        do_PUT = do_GET = do_HEAD = do_POST = do_DELETE = handle_any

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that drops its connection (the faults do) is no error worth a traceback: one
    printed by a request thread that outlives its test would land in a later test's output."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@contextmanager
def running(store: FakeStore | None = None) -> Iterator[FakeStore]:
    """Serve ``store`` on a free loopback port; ``store.url`` is its base URL."""
    store = store or FakeStore()
    server = _QuietServer(("127.0.0.1", 0), _handler(store))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    store.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield store
    finally:
        server.shutdown()
        server.server_close()
