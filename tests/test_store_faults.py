"""`ropa publish`, `ropa check --endpoint`, `ropa query --endpoint` and `ropa diff
--endpoint` against a store that misbehaves (tests/fakestore.py): nothing lost, nothing
leaked, one clear line and exit status 2 for every fault.

The fake store is a standards-conforming SPARQL 1.1 store on pyoxigraph, so it also shows
that the remote check is not tuned to one store: its findings equal the local check's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fakestore import PASSWORD, USER, FakeStore, Fault, running

from checker.check.remote import check_endpoint
from checker.check.run import check
from checker.cli import main
from checker.errors import InputError
from checker.graph.build import build
from checker.query import publish as publish_module
from checker.query.client import Client, Credentials, StoreError, credentials
from checker.query.publish import PublishError, graph_for, publish, publish_ntriples
from checker.query.store import blank, parse_xml_rows

REPO = Path(__file__).resolve().parents[1]
KITCHEN_SINK = REPO / "tests" / "fixtures" / "kitchen-sink"
OLD = b'<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "old"@en .\n'
NEW = b'<urn:a> <urn:b> <urn:d> .\n<urn:a> <urn:b> "new"@en .\n<urn:a> <urn:e> <urn:f> .\n'
GRAPH = "urn:ropa-kg:test:register"
CREDENTIALS = Credentials(USER, PASSWORD)


@pytest.fixture
def store() -> Iterator[FakeStore]:
    with running() as served:
        yield served


def put(store: FakeStore, data: bytes, **kwargs: object) -> object:
    return publish_ntriples(
        data,
        endpoint=f"{store.url}/gsp",
        sparql=f"{store.url}/sparql",
        graph=GRAPH,
        credentials=CREDENTIALS,
        **kwargs,  # type: ignore[arg-type]
    )


def triples(data: bytes) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}


def test_publish_goes_through_a_staging_graph_and_the_catalogue(store: FakeStore) -> None:
    result = put(store, OLD)
    assert store.graph(GRAPH) == triples(OLD)
    result = put(store, NEW)
    assert (result.sent, result.stored) == (3, 3)  # type: ignore[attr-defined]
    assert store.graph(GRAPH) == triples(NEW)
    assert store.graphs() == {GRAPH, "urn:ropa-kg:catalogue"}, "no staging graph left"
    staged = [path for method, path, _ in store.requests if method == "PUT"]
    assert all("staging" in path for path in staged), "the upload never goes to the target"
    entry = store.data.query(
        "SELECT ?n WHERE { GRAPH <urn:ropa-kg:catalogue> { "
        f"<{GRAPH}> a <http://rdfs.org/ns/void#Dataset> ; <http://rdfs.org/ns/void#triples> ?n }} }}"
    )
    assert [row[0].value for row in entry] == ["3"]  # type: ignore[union-attr]


def test_a_store_that_loses_triples_is_exit_2_and_the_graph_stays(store: FakeStore) -> None:
    put(store, OLD)
    store.faults.append(Fault("lose", method="PUT"))
    with pytest.raises(PublishError, match=r"holds 2 of the 3 triples sent: nothing was published"):
        put(store, NEW)
    assert store.graph(GRAPH) == triples(OLD)
    assert store.graphs() == {GRAPH, "urn:ropa-kg:catalogue"}


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault("reset", method="PUT"), "the connection broke"),
        (Fault("error", method="POST", match="MOVE"), "HTTP 500"),
        (Fault("cut", method="POST", match="COUNT"), "cut its answer short"),
        (Fault("error", method="PUT"), "HTTP 500"),
        (Fault("deadlock", method="PUT"), "40001 .*unchanged"),
    ],
    ids=[
        "reset-during-upload",
        "500-on-the-swap",
        "count-cut-halfway",
        "500-on-upload",
        "deadlocked-every-time",
    ],
)
def test_a_failing_store_leaves_the_old_graph(
    store: FakeStore, fault: Fault, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish_module, "DEADLOCK_PAUSE", 0.0)
    put(store, OLD)
    store.faults.append(fault)
    with pytest.raises(PublishError, match=message) as caught:
        put(store, NEW)
    assert "\n" not in str(caught.value)
    assert store.graph(GRAPH) == triples(OLD)
    assert store.graphs() == {GRAPH, "urn:ropa-kg:catalogue"}, "the staging graph is removed"


@pytest.mark.parametrize(
    "fault",
    [
        Fault("deadlock", method="PUT", times=2),
        Fault("deadlock", method="POST", match="MOVE", times=2),
    ],
    ids=["upload", "swap"],
)
def test_a_write_given_up_as_deadlocked_is_sent_again(
    store: FakeStore, fault: Fault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two registers published at once can deadlock in Virtuoso (SQLSTATE 40001, seen with
    1M-triple uploads): the store rolls one back, and publish sends it again."""
    monkeypatch.setattr(publish_module, "DEADLOCK_PAUSE", 0.0)
    put(store, OLD)
    store.faults.append(fault)
    put(store, NEW)
    assert fault.times == 0 and store.graph(GRAPH) == triples(NEW)
    assert store.graphs() == {GRAPH, "urn:ropa-kg:catalogue"}


def test_credentials_never_follow_a_redirect(store: FakeStore) -> None:
    with running() as elsewhere:
        store.faults.append(Fault("redirect", method="PUT", location=f"{elsewhere.url}/gsp"))
        with pytest.raises(PublishError, match=r"redirected PUT .* \(HTTP 307\) to http"):
            put(store, OLD)
        assert elsewhere.requests == [], "nothing, and no password, reaches the other server"
    assert store.graph(GRAPH) == set()


def test_a_redirected_query_is_refused(store: FakeStore) -> None:
    put(store, OLD)
    store.faults.append(Fault("redirect", method="POST"))
    result = CliRunner().invoke(
        main, ["query", "ASK {}", "--endpoint", f"{store.url}/sparql", "--graph", GRAPH]
    )
    assert result.exit_code == 2
    assert "redirected POST" in result.output and "Traceback" not in result.output


def test_wrong_and_missing_credentials(store: FakeStore) -> None:
    with pytest.raises(PublishError, match=r"refused user 'auditor' \(HTTP 401\)"):
        publish_ntriples(
            OLD,
            endpoint=f"{store.url}/gsp",
            sparql=f"{store.url}/sparql",
            graph=GRAPH,
            credentials=Credentials(USER, "wrong"),
        )
    with pytest.raises(PublishError, match="refused an anonymous request"):
        publish_ntriples(
            OLD, endpoint=f"{store.url}/gsp", sparql=f"{store.url}/sparql", graph=GRAPH
        )
    assert store.graph(GRAPH) == set()


def test_basic_authentication(store: FakeStore) -> None:
    store.scheme = "Basic"
    put(store, OLD)
    assert store.graph(GRAPH) == triples(OLD)


# --- passwords: environment, netrc, prompt; never an option -----------------------------------


def test_password_sources(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine store.example login {USER} password from-netrc\n")
    netrc.chmod(0o600)
    url = "https://store.example/sparql"
    env = {"NETRC": str(netrc)}
    assert credentials(url, None, environ=env) == Credentials(USER, "from-netrc")
    assert credentials(url, USER, environ=env) == Credentials(USER, "from-netrc")
    with_env = {**env, "ROPA_STORE_PASSWORD": "from-env"}
    assert credentials(url, USER, environ=with_env) == Credentials(USER, "from-env")
    assert credentials(url, "other", environ=env, prompt=lambda _: "typed") == Credentials(
        "other", "typed"
    )
    with pytest.raises(InputError, match="no password for user 'other'"):
        credentials(url, "other", environ=env)
    assert credentials("https://elsewhere.example/", None, environ=env) is None
    assert "from-netrc" not in repr(credentials(url, None, environ=env))


def test_a_password_option_does_not_exist(store: FakeStore) -> None:
    result = CliRunner().invoke(
        main, ["publish", "--endpoint", f"{store.url}/gsp", "--user", USER, "--password", "x"]
    )
    assert result.exit_code == 2 and "No such option '--password'" in result.output


def test_ropa_publish_reads_the_password_from_the_environment(
    store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROPA_STORE_PASSWORD", PASSWORD)
    args = ["publish", str(KITCHEN_SINK), "--endpoint", f"{store.url}/gsp"]
    args += ["--sparql", f"{store.url}/sparql", "--user", USER]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    register = graph_for_kitchen_sink()
    assert f"to graph <{register}>" in result.stderr and "replaced in one step" in result.stderr
    assert len(store.graph(register)) == len(build([KITCHEN_SINK]))
    monkeypatch.delenv("ROPA_STORE_PASSWORD")
    monkeypatch.setenv("NETRC", str(Path(os.devnull)))
    result = CliRunner().invoke(main, args)  # no password anywhere, no terminal to ask on
    assert result.exit_code == 2 and "no password for user 'auditor'" in result.output


def graph_for_kitchen_sink() -> str:
    from checker.graph.store import ox_store
    from checker.query.catalogue import registers_in

    (register,) = registers_in(ox_store(build([KITCHEN_SINK])))
    return graph_for(register)


def test_an_interrupted_publish_removes_its_staging_graph(store: FakeStore, tmp_path: Path) -> None:
    put(store, OLD)
    store.requests.clear()
    store.faults.append(Fault("stall", method="PUT"))
    data = tmp_path / "new.nt"
    data.write_bytes(NEW)
    env = {**os.environ, "ROPA_STORE_PASSWORD": PASSWORD, "NETRC": os.devnull}
    args = [sys.executable, "-m", "checker", "publish", str(data), "--endpoint"]
    args += [f"{store.url}/gsp", "--sparql", f"{store.url}/sparql", "--graph", GRAPH]
    process = subprocess.Popen(
        [*args, "--user", USER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 30
    while not any(m == "PUT" and "staging" in p for m, p, _ in list(store.requests)):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert b"interrupted: nothing was published" in stderr and b"Traceback" not in stderr
    assert store.graph(GRAPH) == triples(OLD)
    assert store.graphs() == {GRAPH, "urn:ropa-kg:catalogue"}


def test_a_staging_graph_left_by_a_killed_publish_is_removed_later(store: FakeStore) -> None:
    store.data.update(
        "INSERT DATA { GRAPH <urn:ropa-kg:catalogue> { <urn:ropa-kg:staging:old> "
        f"<http://purl.org/dc/terms/isVersionOf> <{GRAPH}> ; <http://purl.org/dc/terms/created> "
        '"2020-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> } '
        "GRAPH <urn:ropa-kg:staging:old> { <urn:x> <urn:y> <urn:z> } }"
    )
    put(store, OLD)
    assert store.graphs() == {GRAPH, "urn:ropa-kg:catalogue"}


# --- the remote check on a standard store -----------------------------------------------------


@pytest.mark.parametrize(
    "paths",
    [
        [],
        [KITCHEN_SINK],
        [REPO / "tests" / "fixtures" / "rules" / "flow-third-country-chain-fail.ttl"],
    ],
    ids=["register", "kitchen-sink", "third-country-chain"],
)
def test_remote_check_equals_the_local_check(store: FakeStore, paths: list[Path]) -> None:
    publish(
        paths,
        endpoint=f"{store.url}/gsp",
        sparql=f"{store.url}/sparql",
        graph=GRAPH,
        credentials=CREDENTIALS,
    )
    local = check(build(paths)).findings
    remote = check_endpoint(f"{store.url}/sparql", [GRAPH], client=Client(CREDENTIALS))
    assert local and remote.findings == local


def test_remote_check_reads_the_catalogue_and_reports_a_fault_in_one_line(
    store: FakeStore,
) -> None:
    publish(
        [KITCHEN_SINK],
        endpoint=f"{store.url}/gsp",
        sparql=f"{store.url}/sparql",
        credentials=CREDENTIALS,
    )
    whole = check_endpoint(f"{store.url}/sparql", client=Client(CREDENTIALS))
    assert whole.findings == check(build([KITCHEN_SINK])).findings
    store.faults.append(Fault("cut", method="POST", match="SELECT"))
    result = CliRunner().invoke(
        main,
        ["check", "--endpoint", f"{store.url}/sparql", "--user", USER],
        env={"ROPA_STORE_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 2, result.output
    assert "cut its answer short" in result.output and "Traceback" not in result.output


def test_diff_against_the_published_graph(store: FakeStore) -> None:
    fixture = REPO / "tests" / "fixtures" / "diff" / "processor-added"
    result = publish(
        [fixture / "old"],
        endpoint=f"{store.url}/gsp",
        sparql=f"{store.url}/sparql",
        credentials=CREDENTIALS,
    )
    args = ["diff", "--endpoint", f"{store.url}/sparql", "--graph", result.graph, "--user", USER]
    env = {"ROPA_STORE_PASSWORD": PASSWORD}
    same = CliRunner().invoke(main, [*args, str(fixture / "old")], env=env)
    assert same.exit_code == 0, same.output
    changed = CliRunner().invoke(main, [*args, str(fixture / "new")], env=env)
    assert changed.exit_code == 1, changed.output
    assert "New external processor" in changed.output
    assert changed.output.startswith(f"<{result.graph}>") or result.graph in changed.output


# --- SPARQL XML results (how `check --endpoint` and `diff --endpoint` read a graph) ----------

_XML_HEAD = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
    b'<head><variable name="s"/><variable name="o"/></head><results>'
)


def test_xml_results_keep_terms_and_blank_node_identity() -> None:
    body = _XML_HEAD + (
        b'<result><binding name="s"><bnode>nodeID://b1&amp;2</bnode></binding>'
        b'<binding name="o"><literal xml:lang="fi">Tulli</literal></binding></result>'
        b'<result><binding name="s"><uri>urn:a</uri></binding><binding name="o"><literal '
        b'datatype="http://www.w3.org/2001/XMLSchema#duration">P6Y</literal></binding></result>'
        b'<result><binding name="s"><bnode>nodeID://b1&amp;2</bnode></binding></result>'
        b"</results></sparql>"
    )
    rows = parse_xml_rows(body)
    assert rows[0] == {"s": blank("nodeID://b1&2"), "o": ox.Literal("Tulli", language="fi")}
    duration = ox.NamedNode("http://www.w3.org/2001/XMLSchema#duration")
    assert rows[1] == {"s": ox.NamedNode("urn:a"), "o": ox.Literal("P6Y", datatype=duration)}
    assert rows[2] == {"s": rows[0]["s"]}  # the same label: the same node, as in JSON answers


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE sparql [<!ENTITY e "x">]>' + _XML_HEAD[21:],
        _XML_HEAD + b"<result><binding name=",  # cut short
        b"<html>Service unavailable</html>",
    ],
    ids=["doctype", "cut-short", "not-results"],
)
def test_bad_xml_results_are_one_store_error(body: bytes) -> None:
    with pytest.raises(StoreError, match="SPARQL XML results"):
        parse_xml_rows(body)
