"""A read-only SPARQL 1.1 Protocol endpoint over the built graph (``ropa serve``).

An auditor's own tools (YASGUI, Protégé, curl, rdflib's ``SPARQLStore``) query the graph
at ``http://127.0.0.1:PORT/sparql``:

- ``GET /sparql?query=...`` and ``POST /sparql`` with ``application/x-www-form-urlencoded``
  (``query=...``) or ``application/sparql-query`` bodies, as the protocol defines them;
  ``default-graph-uri`` and ``named-graph-uri`` are honoured (the built graph is the
  store's default graph).
- Results by content negotiation (``Accept``, with q-values): SPARQL JSON (the default),
  XML, CSV and TSV for SELECT and ASK; Turtle (the default), N-Triples, RDF/XML and JSON-LD
  for CONSTRUCT and DESCRIBE. No acceptable format: 406.
- Read-only: an update (``update=``, ``application/sparql-update``, or update text sent as
  a query) is refused with 403 Forbidden, and so is a federated ``SERVICE`` call (the
  server would otherwise fetch URLs on a client's behalf). Other methods: 405.
- Every query runs in a child process with a time limit (see :func:`checker.query.engines.run_isolated`);
  past it the client gets 503. At most ``max_concurrent`` queries run at once.
- ``GET /sparql`` without a query returns the SPARQL 1.1 Service Description.

Loopback by default; then requests must name a loopback host (``Host:``), which stops a web
page from reading the graph through DNS rebinding. Cross-origin browser access (a hosted
YASGUI) needs ``--cors ORIGIN``.
"""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from checker.errors import RopaError
from checker.query.engines import DEFAULT_TIMEOUT, LocalEngine, NotAcceptable
from checker.query.text import QueryRefused, QuerySyntaxError, QueryText, QueryTimeout

#: The path of the query endpoint.
ENDPOINT_PATH = "/sparql"

#: The default port (the one Oxigraph's own server uses).
DEFAULT_PORT = 7878

#: Longest query text accepted, in bytes.
MAX_QUERY_BYTES = 1 << 20

T = TypeVar("T")

#: Media types offered for SELECT and ASK answers, preferred first, with the format each
#: gets (pyoxigraph's name of it).
_RESULT_MEDIA = """
    application/sparql-results+json JSON   application/sparql-results+xml XML
    text/csv CSV   text/tab-separated-values TSV
    application/json JSON   application/xml XML   text/xml XML
"""

#: Media types offered for CONSTRUCT and DESCRIBE answers, preferred first.
_GRAPH_MEDIA = """
    text/turtle TURTLE   application/n-triples N_TRIPLES   application/rdf+xml RDF_XML
    application/ld+json JSON_LD   text/plain N_TRIPLES
"""


def _offers(table: str, formats: type[T]) -> tuple[tuple[str, T], ...]:
    words = table.split()
    return tuple(
        (media, getattr(formats, name)) for media, name in zip(words[::2], words[1::2], strict=True)
    )


RESULT_TYPES: tuple[tuple[str, ox.QueryResultsFormat], ...] = _offers(
    _RESULT_MEDIA, ox.QueryResultsFormat
)
GRAPH_TYPES: tuple[tuple[str, ox.RdfFormat], ...] = _offers(_GRAPH_MEDIA, ox.RdfFormat)

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('text/csv', 0.5), ('application/sparql-results+json', 1.0)]
    """
    ranges = []
    for part in (header or "*/*").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def negotiate(header: str | None, offers: Sequence[tuple[str, T]]) -> tuple[str, T] | None:
    """The best offer for an ``Accept`` header: highest q, then the server's preference.

    The most specific matching media range decides an offer's q (RFC 9110, 12.5.1).

    >>> negotiate("text/csv, */*;q=0.1", RESULT_TYPES)[0]
    'text/csv'
    >>> negotiate(None, RESULT_TYPES)[0]
    'application/sparql-results+json'
    >>> negotiate("image/png", RESULT_TYPES) is None
    True
    """
    ranges = parse_accept(header)
    best: tuple[float, int] | None = None
    chosen = None
    for order, (media, value) in enumerate(offers):
        kind = media.split("/")[0]
        matches = [
            (3 if r == media else 2 if r == f"{kind}/*" else 1, q)
            for r, q in ranges
            if r in (media, f"{kind}/*", "*/*")
        ]
        if not matches:
            continue
        q = max(matches)[1]
        if q > 0 and (best is None or (q, -order) > best):
            best, chosen = (q, -order), (media, value)
    return chosen


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses.

    >>> [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0")]
    [True, True, True, False]
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class EndpointServer(ThreadingHTTPServer):
    """The HTTP server: one thread per connection, one child process per query."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        engine: LocalEngine,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        cors: str | None = None,
        quiet: bool = False,
        max_concurrent: int = 4,
    ):
        self.engine = engine
        self.query_timeout = timeout
        self.cors = cors
        self.quiet = quiet
        self.slots = threading.BoundedSemaphore(max_concurrent)
        self.triples = len(engine.store)
        super().__init__(address, SparqlHandler)

    @property
    def url(self) -> str:
        """The endpoint's URL, e.g. ``http://127.0.0.1:7878/sparql``."""
        host, port = self.server_address[:2]
        host = str(host)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}{ENDPOINT_PATH}"

    def service_description(self) -> list[ox.Triple]:
        """The SPARQL 1.1 Service Description of this endpoint, as triples."""
        service = ox.NamedNode(self.url)
        dataset, graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
        a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

        def sd(name: str) -> ox.NamedNode:
            return ox.NamedNode(SD + name)

        formats = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"]
        formats += ["SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"]
        triples = [
            ox.Triple(service, a, sd("Service")),
            ox.Triple(service, sd("endpoint"), service),
            ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
            ox.Triple(service, sd("defaultDataset"), dataset),
            ox.Triple(dataset, a, sd("Dataset")),
            ox.Triple(dataset, sd("defaultGraph"), graph),
            ox.Triple(graph, a, sd("Graph")),
            ox.Triple(
                graph,
                ox.NamedNode("http://rdfs.org/ns/void#triples"),
                ox.Literal(
                    str(self.triples),
                    datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
                ),
            ),
        ]
        triples += [
            ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS_NS + f)) for f in formats
        ]
        return triples


class SparqlHandler(BaseHTTPRequestHandler):
    """Answers the SPARQL 1.1 Protocol's query operation; refuses everything that writes."""

    server: EndpointServer
    server_version = "ropa-kg-sparql/0.1"

    # --- HTTP methods ---

    def do_GET(self) -> None:
        """A query in the URL, the service description, or a short help page."""
        if not self._host_allowed():
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/":
            help_text = f"ropa-kg: a read-only SPARQL 1.1 endpoint at {self.server.url}\n"
            self._send(200, help_text.encode(), "text/plain; charset=utf-8")
        elif url.path != ENDPOINT_PATH:
            self._error(404, f"not found: the SPARQL endpoint is {ENDPOINT_PATH}")
        else:
            self._dispatch(urllib.parse.parse_qs(url.query, keep_blank_values=True), None)

    def do_POST(self) -> None:
        """A query in a form body or a ``application/sparql-query`` body."""
        if not self._host_allowed():
            return
        url = urllib.parse.urlsplit(self.path)
        if url.path != ENDPOINT_PATH:
            self._error(404, f"not found: the SPARQL endpoint is {ENDPOINT_PATH}")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._error(411, "a POST needs a Content-Length")
            return
        if int(length) > MAX_QUERY_BYTES:
            self._error(413, f"the request is longer than {MAX_QUERY_BYTES} bytes")
            return
        body = self.rfile.read(int(length))
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        media = self.headers.get_content_type()
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            text = body.decode(charset)
        except (UnicodeDecodeError, LookupError):
            self._error(400, f"the body is not {charset} text")
            return
        if media == "application/x-www-form-urlencoded":
            for key, values in urllib.parse.parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
            self._dispatch(params, None)
        elif media == "application/sparql-query":
            self._dispatch(params, text)
        elif media == "application/sparql-update":
            self._error(403, "this endpoint is read-only: SPARQL updates are refused")
        else:
            self._error(
                415,
                "send application/x-www-form-urlencoded (query=...) or application/sparql-query",
            )

    def do_OPTIONS(self) -> None:
        """CORS preflight (only with ``--cors``) and the allowed methods."""
        self.send_response(204)
        self.send_header("Allow", "GET, POST, OPTIONS")
        self._cors_headers()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _read_only(self) -> None:
        self._error(405, "this endpoint is read-only: use GET or POST with a query")

    do_PUT = do_DELETE = do_PATCH = _read_only

    # --- the query operation ---

    def _dispatch(self, params: dict[str, list[str]], body_query: str | None) -> None:
        if "update" in params:
            self._error(403, "this endpoint is read-only: SPARQL updates are refused")
            return
        queries = params.get("query", [])
        if body_query is not None:
            queries = [*queries, body_query]
        if not queries:
            if self.command == "GET":
                self._service_description()
            else:
                self._error(400, "no query: send query=... or an application/sparql-query body")
            return
        if len(queries) > 1:
            self._error(400, "send exactly one query")
            return
        try:
            default_graph = [ox.NamedNode(g) for g in params.get("default-graph-uri", [])]
            named_graphs = [ox.NamedNode(g) for g in params.get("named-graph-uri", [])]
        except ValueError as exc:
            self._error(400, f"a graph IRI is not valid: {exc}")
            return
        accept = self.headers.get("Accept")
        results = negotiate(accept, RESULT_TYPES)
        graphs = negotiate(accept, GRAPH_TYPES)
        if results is None and graphs is None:
            self._error(406, "no acceptable format: ask for SPARQL JSON, XML, CSV, TSV or RDF")
            return
        if not self.server.slots.acquire(timeout=self.server.query_timeout):
            self._error(503, "too many queries at once; try again")
            return
        try:
            raw = self.server.engine.raw(
                QueryText(queries[0], "query"),
                timeout=self.server.query_timeout,
                results_format=results[1] if results else None,
                graph_format=graphs[1] if graphs else None,
                default_graph=default_graph or None,
                named_graphs=named_graphs or None,
            )
        except QueryRefused as exc:
            self._error(403, str(exc))
        except QuerySyntaxError as exc:
            self._error(400, str(exc))
        except QueryTimeout as exc:
            self._error(503, str(exc))
        except NotAcceptable as exc:
            self._error(406, str(exc))
        except RopaError as exc:
            self._error(500, str(exc))
        else:
            self._send(200, raw.data, _with_charset(raw.media_type))
        finally:
            self.server.slots.release()

    def _service_description(self) -> None:
        chosen = negotiate(self.headers.get("Accept"), GRAPH_TYPES)
        if chosen is None:
            self._error(406, "the service description is RDF: ask for Turtle or another RDF")
            return
        prefixes = {"sd": SD, "void": "http://rdfs.org/ns/void#"}
        data = ox.serialize(self.server.service_description(), format=chosen[1], prefixes=prefixes)
        self._send(200, data, _with_charset(chosen[1].media_type))

    # --- responses ---

    def _host_allowed(self) -> bool:
        """On loopback, answer only requests addressed to a loopback name (DNS rebinding)."""
        if not is_loopback(str(self.server.server_address[0])):
            return True
        host = (self.headers.get("Host") or "").strip()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if host and not is_loopback(name):
            self._error(403, "this endpoint answers requests to localhost only")
            return False
        return True

    def _cors_headers(self) -> None:
        if self.server.cors:
            self.send_header("Access-Control-Allow-Origin", self.server.cors)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
            self.send_header("Vary", "Origin")

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self._cors_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        if status == 405:
            self.send_response(status)
            self.send_header("Allow", "GET, POST, OPTIONS")
            body = (message + "\n").encode()
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8")

    def log_message(self, format: str, *args: object) -> None:
        """Log requests on stderr, unless the server is quiet."""
        if not self.server.quiet:
            super().log_message(format, *args)


def _with_charset(media_type: str) -> str:
    media = media_type.split(";")[0].strip()
    textual = media.startswith("text/") or media.endswith(("+json", "+xml", "/json", "/xml"))
    textual = textual or media in ("application/n-triples", "application/ld+json")
    return f"{media}; charset=utf-8" if textual else media


def make_server(
    engine: LocalEngine,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cors: str | None = None,
    quiet: bool = False,
    max_concurrent: int = 4,
) -> EndpointServer:
    """An endpoint server bound to ``host:port`` (port 0: a free port), not yet serving.

    Raises:
        RopaError: the address cannot be bound (in use, or not this machine's).
    """
    if timeout <= 0:
        raise RopaError("--timeout must be more than 0 seconds")
    try:
        return EndpointServer(
            (host, port),
            engine,
            timeout=timeout,
            cors=cors,
            quiet=quiet,
            max_concurrent=max_concurrent,
        )
    except OSError as exc:
        raise RopaError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(
    paths: Sequence[Path] = (),
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    cors: str | None = None,
    announce: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> None:
    """Build the graph and serve it until interrupted (``ropa serve``)."""
    server = make_server(LocalEngine(ox.Store()), host, port, timeout=timeout, cors=cors)
    server.engine = LocalEngine.from_paths(paths)  # after binding: a busy port fails fast
    server.triples = len(server.engine.store)
    if not is_loopback(host):
        announce(
            f"warning: listening on {host}: anyone who can reach this machine can read the graph"
        )
    announce(
        f"serving {server.triples} triples read-only at {server.url} "
        f"(time limit {timeout:g} s per query; Ctrl-C stops)"
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly on TERM as on Ctrl-C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        announce("stopped")
    finally:
        server.server_close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
