"""`ropa serve`: a read-only SPARQL 1.1 Protocol endpoint, queried over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from checker.query import engines
from checker.query.serve import RESULT_TYPES, EndpointServer, make_server, negotiate

REPO = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
PROCESSORS = (
    "SELECT DISTINCT ?processor WHERE { ?a <https://w3id.org/dpv#hasDataProcessor> ?processor } "
    "ORDER BY ?processor"
)
EXPECTED = [BASE + p for p in ("elisa", "fonecta", "paytrail", "ultimate-ai")]


@pytest.fixture(scope="module")
def engine() -> engines.LocalEngine:
    return engines.LocalEngine.from_paths()


def running(server: EndpointServer) -> Iterator[EndpointServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def endpoint(engine: engines.LocalEngine) -> Iterator[EndpointServer]:
    yield from running(make_server(engine, port=0, quiet=True, timeout=10))


@pytest.fixture(scope="module")
def impatient(engine: engines.LocalEngine) -> Iterator[EndpointServer]:
    """A server whose queries may run half a second, open to one web origin."""
    server = make_server(engine, port=0, quiet=True, timeout=0.5, cors="https://yasgui.example")
    yield from running(server)


def call(
    url: str,
    *,
    query: str | None = None,
    method: str = "GET",
    accept: str | None = None,
    body: bytes | None = None,
    content_type: str | None = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, bytes]:
    """One HTTP request: (status, content type, body)."""
    fields = dict(params or {})
    if query is not None:
        fields["query"] = query
    target = url + ("?" + urllib.parse.urlencode(fields) if fields else "")
    sent = dict(headers or {})
    if accept:
        sent["Accept"] = accept
    if content_type:
        sent["Content-Type"] = content_type
    request = urllib.request.Request(target, data=body, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def solution_values(body: bytes) -> list[str]:
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    return [s[0].value for s in parsed]  # type: ignore[union-attr]


# --- the query operation ------------------------------------------------------------------


def test_get_answers_in_sparql_json_by_default(endpoint: EndpointServer) -> None:
    status, media, body = call(endpoint.url, query=PROCESSORS)
    assert status == 200
    assert media.startswith("application/sparql-results+json")
    assert solution_values(body) == EXPECTED


def test_post_form_and_post_query_bodies(endpoint: EndpointServer) -> None:
    form = urllib.parse.urlencode({"query": PROCESSORS}).encode()
    status, _, body = call(
        endpoint.url, method="POST", body=form, content_type="application/x-www-form-urlencoded"
    )
    assert status == 200 and solution_values(body) == EXPECTED
    status, _, body = call(
        endpoint.url,
        method="POST",
        body=PROCESSORS.encode(),
        content_type="application/sparql-query",
    )
    assert status == 200 and solution_values(body) == EXPECTED


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_results_by_content_negotiation(endpoint: EndpointServer, accept: str, media: str) -> None:
    status, got, body = call(endpoint.url, query=PROCESSORS, accept=accept)
    assert status == 200
    assert got.split(";")[0] == media
    if media == "text/csv":  # lossy: pyoxigraph does not read it back
        values = [row[0] for row in csv.reader(io.StringIO(body.decode()))][1:]
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media)
        assert fmt is not None
        values = [s[0].value for s in ox.parse_query_results(body, format=fmt)]  # type: ignore[union-attr]
    assert values == EXPECTED


def test_csv_answer_is_plain_csv(endpoint: EndpointServer) -> None:
    _, _, body = call(endpoint.url, query=PROCESSORS, accept="text/csv")
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows == [["processor"], *([p] for p in EXPECTED)]


def test_ask_construct_and_describe(endpoint: EndpointServer) -> None:
    status, _, body = call(endpoint.url, query="ASK { ?a a <https://w3id.org/dpv#Process> }")
    assert (status, json.loads(body)["boolean"]) == (200, True)
    construct = (
        "CONSTRUCT { ?a <https://w3id.org/dpv#hasDataProcessor> ?p } "
        "WHERE { ?a <https://w3id.org/dpv#hasDataProcessor> ?p }"
    )
    for accept, fmt in (
        (None, ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ):
        status, media, body = call(endpoint.url, query=construct, accept=accept)
        assert status == 200, body
        assert media.split(";")[0] == fmt.media_type
        assert len(list(ox.parse(body, format=fmt))) == 5
    status, _, body = call(endpoint.url, query=f"DESCRIBE <{BASE}elisa>", accept="text/turtle")
    assert status == 200 and b"Elisa Oyj" in body


def test_no_acceptable_format_is_406(endpoint: EndpointServer) -> None:
    assert call(endpoint.url, query=PROCESSORS, accept="image/png")[0] == 406
    construct = "CONSTRUCT WHERE { ?s a <https://w3id.org/dpv#Process> }"
    status, _, body = call(endpoint.url, query=construct, accept="application/sparql-results+json")
    assert status == 406 and b"triples" in body


def test_dataset_parameters_are_honoured(endpoint: EndpointServer) -> None:
    status, _, body = call(
        endpoint.url, query=PROCESSORS, params={"default-graph-uri": "urn:no:such:graph"}
    )
    assert status == 200 and solution_values(body) == []
    status, _, _ = call(endpoint.url, query=PROCESSORS, params={"default-graph-uri": "not an iri"})
    assert status == 400


# --- read-only, errors, limits -------------------------------------------------------------


def test_updates_are_refused_with_403_and_change_nothing(
    endpoint: EndpointServer, engine: engines.LocalEngine
) -> None:
    before = len(engine.store)
    drop = "DROP ALL"
    assert call(endpoint.url, query=drop)[0] == 403
    assert call(endpoint.url, query="INSERT DATA { <urn:a> <urn:b> <urn:c> }")[0] == 403
    form = urllib.parse.urlencode({"update": drop}).encode()
    status, _, body = call(
        endpoint.url, method="POST", body=form, content_type="application/x-www-form-urlencoded"
    )
    assert status == 403 and b"read-only" in body
    status, _, _ = call(
        endpoint.url, method="POST", body=drop.encode(), content_type="application/sparql-update"
    )
    assert status == 403
    for method in ("PUT", "DELETE", "PATCH"):
        status, _, _ = call(endpoint.url, method=method, body=b"", content_type="text/turtle")
        assert status == 405, method
    assert len(engine.store) == before
    assert solution_values(call(endpoint.url, query=PROCESSORS)[2]) == EXPECTED


def test_federated_service_is_refused(endpoint: EndpointServer) -> None:
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    status, _, body = call(endpoint.url, query=text)
    assert status == 403 and b"SERVICE" in body


def test_a_syntax_error_is_400_with_line_and_column(endpoint: EndpointServer) -> None:
    status, media, body = call(endpoint.url, query="SELECT ?s WHERE {\n  ?s ?p\n}")
    assert status == 400
    assert media.startswith("text/plain")
    assert re.match(r"query:3:\d+: syntax error", body.decode())


def test_malformed_requests(endpoint: EndpointServer) -> None:
    assert call(endpoint.url, method="POST", body=b"x", content_type="text/plain")[0] == 415
    status, _, _ = call(
        endpoint.url, method="POST", body=b"", content_type="application/x-www-form-urlencoded"
    )
    assert status == 400
    two = urllib.parse.urlencode([("query", "ASK {}"), ("query", "ASK {}")])
    assert call(endpoint.url + "?" + two)[0] == 400
    assert call(endpoint.url.replace("/sparql", "/nothing-here"), query="ASK {}")[0] == 404


def test_a_query_past_the_limit_is_503(impatient: EndpointServer) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    status, _, body = call(impatient.url, query=slow)
    assert status == 503
    assert b"stopped after 0.5 s" in body
    assert call(impatient.url, query="ASK {}")[0] == 200


def test_requests_for_another_host_name_are_refused_on_loopback(endpoint: EndpointServer) -> None:
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 gets nothing."""
    status, _, _ = call(endpoint.url, query="ASK {}", headers={"Host": "evil.example"})
    assert status == 403
    status, _, _ = call(endpoint.url, query="ASK {}", headers={"Host": "localhost:7878"})
    assert status == 200


def test_cors_only_when_asked(endpoint: EndpointServer, impatient: EndpointServer) -> None:
    request = urllib.request.Request(endpoint.url + "?query=ASK%20%7B%7D")
    with urllib.request.urlopen(request) as response:
        assert response.headers.get("Access-Control-Allow-Origin") is None
    with urllib.request.urlopen(impatient.url + "?query=ASK%20%7B%7D") as response:
        assert response.headers["Access-Control-Allow-Origin"] == "https://yasgui.example"
    request = urllib.request.Request(impatient.url, method="OPTIONS")
    with urllib.request.urlopen(request) as response:
        assert response.status == 204
        assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_get_without_a_query_describes_the_service(endpoint: EndpointServer) -> None:
    status, media, body = call(endpoint.url, accept="text/turtle")
    assert status == 200 and media.startswith("text/turtle")
    description = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(endpoint.url), URIRef(sd + "endpoint"), URIRef(endpoint.url)) in description
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in description


def test_negotiation_prefers_the_clients_q_then_ours() -> None:
    assert negotiate("text/csv;q=0.2, text/*;q=0.9", RESULT_TYPES)[0] == "text/tab-separated-values"  # type: ignore[index]
    assert negotiate("application/*", RESULT_TYPES)[0] == "application/sparql-results+json"  # type: ignore[index]
    assert negotiate("*/*;q=0", RESULT_TYPES) is None


# --- an auditor's own tools ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["json", "xml", "csv"])
def test_rdflib_sparqlstore_reads_the_endpoint(
    endpoint: EndpointServer, method: str, return_format: str
) -> None:
    store = SPARQLStore(endpoint.url, returnFormat=return_format, method=method)
    graph = Graph(store=store)
    rows = list(graph.query(PROCESSORS))
    assert [str(r[0]) for r in rows] == EXPECTED
    count = list(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(count[0][0]) == len(endpoint.engine.store)


def test_rdflib_sparqlstore_triples_api(endpoint: EndpointServer) -> None:
    graph = Graph(store=SPARQLStore(endpoint.url, returnFormat="json"))
    labels = {str(o) for o in graph.objects(URIRef(BASE + "paytrail"), URIRef(RDFS_LABEL))}
    assert labels == {"Paytrail"}


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


# --- the command --------------------------------------------------------------------------


@pytest.mark.slow
def test_ropa_serve_command_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", "serve", "--port", "0", "--timeout", "5"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(
            r"serving (\d+) triples read-only at (http://127\.0\.0\.1:\d+/sparql)", line
        )
        assert match, line
        status, _, body = call(match.group(2), query=PROCESSORS)
        assert status == 200 and solution_values(body) == EXPECTED
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ropa_serve_reports_a_port_in_use(endpoint: EndpointServer) -> None:
    from click.testing import CliRunner

    from checker.cli import main

    port = endpoint.server_address[1]
    result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
