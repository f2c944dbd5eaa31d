"""`ropa query` and the embedded engine: read-only, time limits, syntax errors, labels,
bound values, output formats."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.errors import InputError
from checker.query import binding, engines, results
from checker.query import library as query_library
from checker.query import text as query_text

KITCHEN_SINK = Path(__file__).parent / "fixtures" / "kitchen-sink"
BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"

#: A query that runs for minutes on the shipped register (a four-way cross product).
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/>\nINSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP DEFAULT",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "# a comment first\ndrop all",
]


def ropa(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["query", *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def engine() -> engines.LocalEngine:
    return engines.LocalEngine.from_paths()


@pytest.fixture(autouse=True)
def built_once(engine: engines.LocalEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds the shipped register once for this module (it takes a second)."""
    build = engines.LocalEngine.from_paths

    def cached(paths: tuple[Path, ...] | list[Path] = ()) -> engines.LocalEngine:
        return engine if not paths else build(paths)

    monkeypatch.setattr(engines.LocalEngine, "from_paths", staticmethod(cached))


def child_pids() -> set[int]:
    """Live child processes of this process (Linux /proc)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        text = (task / "children").read_text().split()
        pids.update(int(p) for p in text)
    return pids


# --- the saved-query library ------------------------------------------------------------------


def test_the_library_is_pinned_and_every_entry_has_a_title_and_description() -> None:
    library = query_library.saved_queries()
    assert sorted(library) == [
        "activities-without-retention",
        "data-from-source",
        "flows-leaving-controller",
        "indefinite-retention",
        "personal-identity-code",
        "processor-footprint",
        "processors-personal-data",
        "provenance",
        "recipients",
        "retention-by-data",
        "special-category-data",
        "unit-handovers",
    ]
    for saved in library.values():
        assert saved.title and saved.description, saved.name
        assert len(saved.description) > 60, saved.name
        assert query_text.inspect_query(saved.text).form == "SELECT", saved.name
        order = saved.text.rpartition("ORDER BY")[2]
        ordered = {t.text[1:] for t in query_text.tokenize(order) if t.kind == "var"}
        projected = query_text.inspect_query(saved.text).projected
        assert projected and projected <= ordered, f"{saved.name}: ORDER BY every column"


def test_list_shows_every_saved_query_with_its_parameters() -> None:
    code, out = ropa("--list")
    assert code == 0
    for name in query_library.saved_queries():
        assert name in out
    assert "processor-footprint  --bind processor=..." in out
    assert "(default suomi-fi)" in out


def test_a_saved_query_without_a_title_is_an_error() -> None:
    with pytest.raises(InputError, match="title"):
        query_library.parse_saved_query("broken", "# description: x\nASK {}")


# --- read-only --------------------------------------------------------------------------------


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_and_change_nothing(engine: engines.LocalEngine, update: str) -> None:
    before = set(engine.store)
    with pytest.raises(query_text.UpdateRefused, match="read-only"):
        engine.query(update)
    assert set(engine.store) == before


def test_the_cli_refuses_an_update_before_building_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_build(*args: object) -> None:
        raise AssertionError("the graph was built for an update")

    monkeypatch.setattr(engines.LocalEngine, "from_paths", no_build)
    code, out = ropa("DELETE WHERE { ?s ?p ?o }")
    assert code == 2
    assert "Error: query:1:1: DELETE is a SPARQL update" in out
    assert "nothing was run or changed" in out


def test_update_words_in_strings_iris_comments_and_names_are_not_updates(
    engine: engines.LocalEngine,
) -> None:
    text = (
        "# INSERT DATA would be refused here\n"
        "PREFIX drop: <http://example.org/drop#>\n"
        'SELECT ?load WHERE { BIND ("DELETE WHERE" AS ?load) '
        "OPTIONAL { ?load drop:clear <http://example.org/INSERT> } }"
    )
    result = engine.query(text)
    assert isinstance(result, results.Solutions)
    assert result.rows == ((ox.Literal("DELETE WHERE"),),)


def test_federated_service_calls_are_refused_by_the_embedded_engine(
    engine: engines.LocalEngine,
) -> None:
    with pytest.raises(query_text.QueryRefused, match="SERVICE"):
        engine.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


# --- time limits ------------------------------------------------------------------------------


def test_a_query_past_its_time_limit_is_stopped_and_its_process_killed(
    engine: engines.LocalEngine,
) -> None:
    with pytest.raises(query_text.QueryTimeout, match=r"stopped after 0\.5 s"):
        engine.query(SLOW_QUERY, timeout=0.5)
    assert child_pids() == set(), "the query's child process was left running"
    # The engine still answers afterwards.
    assert engine.query("ASK { ?s a dpv:Process }") == results.Boolean(True)


def test_the_cli_reports_a_timeout_with_exit_status_2() -> None:
    code, out = ropa(SLOW_QUERY, "--timeout", "0.5")
    assert code == 2
    assert "Error: query stopped after 0.5 s: it ran past the time limit (--timeout)" in out


def test_the_cli_refuses_a_timeout_of_zero() -> None:
    code, out = ropa("ASK {}", "--timeout", "0")
    assert code == 2
    assert "--timeout" in out


# --- syntax errors ----------------------------------------------------------------------------


def test_a_syntax_error_says_where(engine: engines.LocalEngine) -> None:
    text = "SELECT ?s WHERE {\n  ?s ?p\n}"
    with pytest.raises(query_text.QuerySyntaxError) as caught:
        engine.query(text)
    error = caught.value
    assert (error.file, error.line) == ("query", 3)
    assert error.column >= 1
    assert str(error).startswith(f"query:3:{error.column}: syntax error: ")
    assert str(error).splitlines()[1] == "  }"


def test_an_unknown_prefix_is_named(engine: engines.LocalEngine) -> None:
    with pytest.raises(
        query_text.QuerySyntaxError, match=r"query:2:\d+: syntax error: unknown prefix 'foo:'"
    ):
        engine.query("SELECT ?s WHERE {\n  ?s a foo:Bar\n}")


def test_a_text_that_is_no_query_says_what_was_found() -> None:
    code, out = ropa("hello world")
    assert code == 2
    assert "query:1:1: expected SELECT, ASK, CONSTRUCT or DESCRIBE, found 'hello'" in out


def test_a_syntax_error_in_a_query_file_names_the_file(workdir: Path) -> None:
    (workdir / "bad.rq").write_text("PREFIX dpv: <https://w3id.org/dpv#>\nSELECT * {\n  ?a ?b\n}\n")
    code, out = ropa("bad.rq")
    assert code == 2
    assert out.startswith("Error: bad.rq:4:2: syntax error")
    assert "syntax error" in out


def test_a_missing_query_file_and_an_unknown_saved_query_are_errors(workdir: Path) -> None:
    code, out = ropa("missing.rq")
    assert (code, out.strip()) == (2, "Error: missing.rq: query file not found")
    code, out = ropa("processors-of-everything")
    assert code == 2
    assert "no saved query called 'processors-of-everything'" in out
    assert "processors-personal-data" in out


# --- answers, labels and formats --------------------------------------------------------------


def test_every_iri_column_gets_a_label_column(engine: engines.LocalEngine) -> None:
    result = engine.query(
        "SELECT ?processor ?name WHERE { ?a dpv:hasDataProcessor ?processor . "
        "?processor rdfs:label ?name } ORDER BY ?processor"
    )
    shown = results.labelled(
        results.as_solutions(result), engine.labels(results.result_nodes(result))
    )
    assert shown.variables == ("processor", "processor_label", "name")
    for row in shown.rows:
        assert row[1].value == row[2].value, "the label column shows the node's rdfs:label"  # type: ignore[union-attr]


def test_csv_has_full_iris_and_labels() -> None:
    code, out = ropa("processors-personal-data", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "processor",
        "processor_label",
        "data",
        "data_label",
        "activity",
        "activity_label",
        "evidence",
    ]
    elisa = [r for r in rows if r["processor"] == BASE + "elisa"]
    assert elisa and {r["processor_label"] for r in elisa} == {"Elisa Oyj"}


def test_json_is_sparql_results_json_with_the_label_columns() -> None:
    code, out = ropa("recipients", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"] == [
        "recipient",
        "recipient_label",
        "activity",
        "activity_label",
        "unit",
        "unit_label",
    ]
    parsed = ox.parse_query_results(out.encode(), format=ox.QueryResultsFormat.JSON)
    rows = list(parsed)
    assert rows and all(r["recipient_label"] is not None for r in rows)


def test_table_and_markdown_shorten_iris_and_show_labels() -> None:
    code, out = ropa("processors-personal-data")
    assert code == 0
    assert ":elisa" in out and "Elisa Oyj" in out and "pd:IPAddress" in out
    assert out.rstrip().endswith("(9 rows)")
    code, out = ropa("processors-personal-data", "--format", "markdown")
    assert code == 0
    assert out.startswith("| processor | processor_label | data |")
    assert "| `:elisa` | Elisa Oyj | `pd:IPAddress` | IP Address |" in out


def test_ask_construct_and_describe() -> None:
    assert ropa("ASK { ?a dpv:hasDataProcessor ?p }") == (0, "true\n")
    assert ropa("ASK { ?a dpv:hasDataProcessor ?p }", "--format", "json") == (
        0,
        '{"head": {}, "boolean": true}\n',
    )
    construct = "CONSTRUCT { ?a dpv:hasDataProcessor ?p } WHERE { ?a dpv:hasDataProcessor ?p }"
    code, out = ropa(construct, "--format", "turtle")
    assert code == 0
    graph = list(ox.parse(out.encode(), format=ox.RdfFormat.TURTLE))
    # chat IP, chatbot IP (Elisa), chatbot discussions (Ultimate.ai), Paytrail, web analytics
    assert len(graph) == 5
    code, out = ropa(f"DESCRIBE <{BASE}elisa>", "--format", "csv")
    assert code == 0
    assert (
        out.splitlines()[0] == "subject,subject_label,predicate,predicate_label,object,object_label"
    )
    assert "Elisa Oyj" in out
    code, out = ropa("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--format", "turtle")
    assert code == 2
    assert "for CONSTRUCT and DESCRIBE" in out


def test_the_same_query_gives_the_same_bytes() -> None:
    first = ropa("special-category-data", "--format", "csv")
    assert first[0] == 0
    assert ropa("special-category-data", "--format", "csv") == first


def test_paths_select_the_graph(engine: engines.LocalEngine) -> None:
    code, out = ropa("SELECT (COUNT(?a) AS ?n) WHERE { ?a a dpv:Process }", str(KITCHEN_SINK))
    assert code == 0
    kitchen = int(out.splitlines()[2])
    shipped = engine.query("SELECT (COUNT(?a) AS ?n) WHERE { ?a a dpv:Process }")
    assert isinstance(shipped, results.Solutions)
    assert int(shipped.rows[0][0].value) == 50  # type: ignore[union-attr]
    assert 0 < kitchen != 50


def test_paths_and_endpoint_exclude_each_other() -> None:
    code, out = ropa("ASK {}", str(KITCHEN_SINK), "--endpoint", "http://127.0.0.1:9/sparql")
    assert code == 2
    assert "PATHS or --endpoint" in out
    code, out = ropa("ASK {}", "--graph", "urn:g")
    assert code == 2
    assert "--graph needs --endpoint" in out


# --- binding values by name -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["elisa", "Elisa Oyj", "elisa oyj", f"<{BASE}elisa>", f"{BASE}elisa"],
)
def test_a_value_is_bound_by_id_label_or_iri(engine: engines.LocalEngine, value: str) -> None:
    assert binding.resolve_node(engine, value) == ox.NamedNode(BASE + "elisa")


def test_a_curie_is_expanded(engine: engines.LocalEngine) -> None:
    node = binding.resolve_node(engine, "pd:IPAddress")
    assert node == ox.NamedNode("https://w3id.org/dpv/pd#IPAddress")


def test_unknown_and_ambiguous_values_are_errors(engine: engines.LocalEngine) -> None:
    with pytest.raises(InputError, match="nothing in the graph has the id or label 'nobody'"):
        binding.resolve_node(engine, "nobody")
    with pytest.raises(InputError, match=r"'duration' names \d+ nodes"):
        binding.resolve_node(engine, "duration")  # every retention rule has a #duration node
    with pytest.raises(InputError, match="not a valid IRI"):
        binding.resolve_node(engine, "<https://example.org/a b>")


def test_bind_options_are_checked() -> None:
    code, out = ropa("processor-footprint")
    assert code == 2
    assert "processor-footprint needs a value for processor" in out
    code, out = ropa("processor-footprint", "--bind", "procesor=elisa")
    assert code == 2
    assert "has no parameter 'procesor' (parameters: processor)" in out
    code, out = ropa("processor-footprint", "--bind", "processor")
    assert code == 2
    assert "write NAME=VALUE" in out


def test_an_ad_hoc_query_binds_selected_variables_only() -> None:
    code, out = ropa(
        "SELECT ?p ?a WHERE { ?a dpv:hasDataProcessor ?p } ORDER BY ?a",
        "--bind",
        "p=fonecta",
        "--format",
        "csv",
    )
    assert code == 0
    assert out.splitlines()[1:] == [
        f"{BASE}fonecta,Fonecta Oy,{BASE}web-analytics,"
        "Web analytics of the electronic services on Customs’ website "
        "(Snoobi Analytics)"
    ]
    code, out = ropa("SELECT ?a WHERE { ?a dpv:hasDataProcessor ?p }", "--bind", "p=fonecta")
    assert code == 2
    assert "?p is not selected" in out
    code, out = ropa("SELECT ?a WHERE { ?a ?b ?c }", "--bind", "x=fonecta")
    assert code == 2
    assert "no variable ?x" in out


# --- the tokenizer --------------------------------------------------------------------------


def test_the_where_group_is_found_after_projections_and_templates() -> None:
    for text in (
        "SELECT ?x (EXISTS { ?x ?p ?o } AS ?e) WHERE { ?x ?p ?o }",
        "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }",
        "SELECT * FROM <urn:g> { ?x ?p ?o }",
    ):
        shape = query_text.inspect_query(text)
        assert shape.where is not None
        assert text[shape.where :].strip() == "?x ?p ?o }", text
