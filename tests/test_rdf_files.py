"""RDF inputs of `ropa build`: Turtle, JSON-LD, N-Triples, RDF/XML — and the bad ones.

Bad RDF gets one message naming file and line, exit status 2, nothing written. Nothing is
ever fetched: a remote JSON-LD context or an XML external entity is refused before parsing
(the autouse ``no_network`` fixture in conftest.py fails any test that tries to connect).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from checker.errors import InputError
from checker.graph.rdf_files import RDF_FORMATS, parse_rdf_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD = FIXTURES / "bad"
RDF_DIR = FIXTURES / "rdf"
DPV = "https://w3id.org/dpv#"
EX = "https://example.org/extra/"


def _copy(workdir: Path, source: Path, name: str | None = None) -> str:
    """Copy a fixture into the working directory; return the name messages will show."""
    target = workdir / (name or source.name)
    shutil.copyfile(source, target)
    return target.name


# --- 11. Remote JSON-LD contexts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "line", "url"),
    [
        ("remote-context.jsonld", 2, "https://w3id.org/dpv/examples/context.jsonld"),
        ("remote-context-list.jsonld", 4, "https://w3id.org/dpv/context.jsonld"),
        ("remote-context-nested.jsonld", 10, "https://w3id.org/dpv/pd/context.jsonld"),
        ("remote-context-import.jsonld", 4, "https://w3id.org/dpv/context.jsonld"),
        ("remote-context-scoped.jsonld", 6, "https://w3id.org/dpv/context.jsonld"),
    ],
)
def test_remote_jsonld_context_is_refused_without_network(
    workdir, ropa_build, no_network, monkeypatch, fixture, line, url
):
    import urllib.request

    opened: list[object] = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: opened.append(a))
    name = _copy(workdir, BAD / fixture)
    run = ropa_build(name)
    run.assert_input_error(f"{name}:{line}", "context", url)
    assert opened == []
    assert no_network == []


def test_rdflib_alone_would_fetch_a_remote_context(no_network):
    """The guard is what keeps the network out: rdflib by itself tries to fetch."""
    data = (BAD / "remote-context.jsonld").read_text(encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - any failure: the fetch is refused
        Graph().parse(data=data, format="json-ld")
    assert no_network, "rdflib did not try to fetch: this file no longer proves the guard"
    no_network.clear()


def test_file_url_context_is_refused_too(workdir, ropa_build):
    (workdir / "local.jsonld").write_text(
        '{\n  "@context": "file:///etc/passwd",\n  "@id": "https://example.org/a"\n}\n',
        encoding="utf-8",
    )
    ropa_build("local.jsonld").assert_input_error("local.jsonld:2", "file:///etc/passwd")


def test_inline_jsonld_context_loads(workdir, ropa_build):
    name = _copy(workdir, RDF_DIR / "extra.jsonld")
    run = ropa_build(name)
    assert run.result.exit_code == 0, run.text
    graph = Graph().parse(run.output, format="turtle")
    surveys = URIRef(EX + "surveys")
    assert (surveys, RDF.type, URIRef(DPV + "Process")) in graph
    assert (surveys, URIRef(DPV + "hasPurpose"), URIRef(DPV + "ServiceOptimisation")) in graph


def test_jsonld_syntax_error_names_the_line(workdir, ropa_build):
    name = _copy(workdir, BAD / "syntax-error.jsonld")
    ropa_build(name).assert_input_error(f"{name}:5", "JSON syntax error")


@pytest.mark.parametrize("content", ["5", '"text"', "null"])
def test_jsonld_that_is_not_an_object_or_array_is_refused(workdir, ropa_build, content):
    (workdir / "odd.jsonld").write_text(content, encoding="utf-8")
    message = ropa_build("odd.jsonld").assert_input_error("odd.jsonld")
    assert "local variable" not in message  # an rdflib internal, not a message for a person


def test_deeply_nested_jsonld_names_the_file(workdir, ropa_build):
    (workdir / "deep.jsonld").write_text(
        '{"@context": {"a": "http://a/"}, "a": ' + "[" * 100_000 + "]" * 100_000 + "}",
        encoding="utf-8",
    )
    ropa_build("deep.jsonld").assert_input_error("deep.jsonld")


# --- 12. XML entities -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "line"),
    [("xxe.rdf", 3), ("xxe-parameter.rdf", 4), ("xxe-public-doctype.rdf", 3)],
)
def test_xml_external_entity_is_refused_with_line(workdir, ropa_build, no_network, fixture, line):
    name = _copy(workdir, BAD / fixture)
    run = ropa_build(name)
    run.assert_input_error(f"{name}:{line}", "external entity")
    assert no_network == []


@pytest.mark.parametrize("suffix", [".owl", ".xml"])
def test_xml_external_entity_is_refused_under_every_xml_extension(workdir, ropa_build, suffix):
    name = _copy(workdir, BAD / "xxe.rdf", f"xxe{suffix}")
    ropa_build(name).assert_input_error(f"{name}:3", "external entity")


def test_rdf_xml_with_internal_entities_loads(workdir, ropa_build):
    name = _copy(workdir, RDF_DIR / "internal-entities.rdf")
    run = ropa_build(name)
    assert run.result.exit_code == 0, run.text
    graph = Graph().parse(run.output, format="turtle")
    payroll = URIRef(EX + "payroll")
    assert (payroll, RDF.type, URIRef(DPV + "Process")) in graph
    assert (payroll, RDFS.label, Literal("Payroll", lang="en")) in graph
    assert (payroll, URIRef(DPV + "hasPurpose"), URIRef(DPV + "HumanResourceManagement")) in graph
    # The vocabulary's label of the purpose came along.
    hrm = URIRef(DPV + "HumanResourceManagement")
    assert (hrm, SKOS.prefLabel, Literal("Human Resource Management", lang="en")) in graph


def test_internal_entity_expansion_bomb_is_refused_without_expanding(workdir):
    """Only internal entities, but nested: 10^9 characters if expanded (billion laughs).

    Run in a child process so a hang fails this test instead of the suite.
    """
    name = _copy(workdir, BAD / "entity-bomb.rdf")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "checker", "build", name, "-o", "out.ttl"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("ropa build was still expanding XML entities after 30 s")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{name}:" in proc.stderr
    assert not (workdir / "out.ttl").exists()


# --- 16. Syntax errors ----------------------------------------------------------------------


def test_turtle_syntax_error_names_file_and_line(workdir, ropa_build):
    name = _copy(workdir, BAD / "syntax-error.ttl")
    message = ropa_build(name).assert_input_error(name, "turtle syntax error")
    # The '.' missing at the end of line 5 is noticed at line 6: either is fine.
    assert re.search(rf"{re.escape(name)}:[56]: ", message), message


def test_turtle_unbound_prefix_names_its_line(workdir, ropa_build):
    name = _copy(workdir, BAD / "unbound-prefix.ttl")
    ropa_build(name).assert_input_error(f"{name}:4", "ex:")


def test_ntriples_syntax_error_names_the_file(workdir, ropa_build):
    name = _copy(workdir, BAD / "syntax-error.nt")
    message = ropa_build(name).assert_input_error(name, "syntax error")
    line = re.search(rf"{re.escape(name)}:(\d+): ", message)
    if line is not None:  # rdflib gives no line for N-Triples; if one is given it is right
        assert line.group(1) == "3"


def test_rdf_xml_syntax_error_names_file_and_line(workdir, ropa_build):
    name = _copy(workdir, BAD / "syntax-error.rdf")
    # expat reports "mismatched tag" at line 5, column 2.
    ropa_build(name).assert_input_error(f"{name}:5", "syntax error")


def test_latin1_turtle_names_the_line(workdir, ropa_build):
    (workdir / "latin1.ttl").write_bytes(
        b'@prefix ex: <https://example.org/> .\n\nex:a ex:b "caf\xe9" .\n'
    )
    ropa_build("latin1.ttl").assert_input_error("latin1.ttl:3", "UTF-8")


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("bom.ttl", "@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\n"),
        ("bom.nt", "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"),
        (
            "bom.jsonld",
            '{"@id": "https://example.org/a", "https://example.org/b": {"@id": "https://example.org/c"}}',
        ),
    ],
)
def test_a_byte_order_mark_is_read_past(workdir, ropa_build, name, body):
    """Some editors start UTF-8 files with a byte order mark: still the same triples."""
    (workdir / name).write_bytes(b"\xef\xbb\xbf" + body.encode())
    run = ropa_build(name, output="out.nt")
    assert run.result.exit_code == 0, run.text
    triple = "<https://example.org/a> <https://example.org/b> <https://example.org/c> ."
    assert triple in (workdir / "out.nt").read_text(encoding="utf-8").splitlines()


def test_deeply_nested_turtle_is_a_clean_error(workdir, ropa_build):
    (workdir / "deep.ttl").write_text(
        "@prefix ex: <http://e/> .\nex:a ex:b " + "(" * 50_000 + ")" * 50_000 + " .\n",
        encoding="utf-8",
    )
    ropa_build("deep.ttl").assert_input_error("deep.ttl")


# --- 17. Extensions -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".tsv", ".txt", ".n3", ""])
def test_unknown_input_extension(workdir, ropa_build, suffix):
    name = f"data{suffix}"
    (workdir / name).write_text("<a> <b> <c> .\n", encoding="utf-8")
    ropa_build(name).assert_input_error(name, "unknown file type")


def test_parse_rdf_file_refuses_unknown_extension_itself(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_rdf_file(ox.Store(), path, "x.csv")
    assert caught.value.file == "x.csv"
    assert "unknown file type" in caught.value.message


# --- The good formats, by extension ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "suffix", "subject"),
    [
        ("extra.ttl", ".ttl", "newsletter"),
        ("extra.ttl", ".turtle", "newsletter"),
        ("extra.nt", ".nt", "archive"),
        ("extra.nt", ".ntriples", "archive"),
        ("extra.jsonld", ".jsonld", "surveys"),
        ("extra.jsonld", ".json", "surveys"),
        ("internal-entities.rdf", ".rdf", "payroll"),
        ("internal-entities.rdf", ".owl", "payroll"),
        ("internal-entities.rdf", ".xml", "payroll"),
    ],
)
def test_parse_rdf_file_by_extension(tmp_path, source, suffix, subject):
    assert suffix in RDF_FORMATS
    path = tmp_path / f"input{suffix.upper() if suffix == '.ttl' else suffix}"
    shutil.copyfile(RDF_DIR / source, path)
    store = ox.Store()
    parse_rdf_file(store, path, path.name)
    assert (
        ox.Quad(
            ox.NamedNode(EX + subject), ox.NamedNode(str(RDF.type)), ox.NamedNode(DPV + "Process")
        )
        in store
    )


@pytest.mark.parametrize("fixture", ["named-graphs.trig", "named-graphs.nq"])
def test_named_graph_formats_keep_their_triples(workdir, ropa_build, fixture):
    """TriG and N-Quads are accepted inputs: their triples must reach the graph, not vanish."""
    name = _copy(workdir, RDF_DIR / fixture)
    run = ropa_build(name)
    assert run.result.exit_code == 0, run.text
    graph = Graph().parse(run.output, format="turtle")
    assert (URIRef(EX + "in-a-named-graph"), RDF.type, URIRef(DPV + "Process")) in graph
