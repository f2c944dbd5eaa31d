"""checker.views: the tables and details the dashboard shows (issues 6 and 12).

Most tests read the shipped register (built once for the module); the edge cases use small
hand-written DPV graphs. Nothing here draws or starts Streamlit: see test_dashboard_figures.py
for the figures, test_dashboard_apptest.py and test_dashboard_browser.py for the pages.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF

from checker.assets import default_records
from checker.cli import main as cli
from checker.graph.flows import EdgeData, flow_graph
from checker.query import library as query_library
from checker.query import text as query_text
from checker.query.ask import ask
from checker.query.results import Boolean
from checker.views.activities import (
    ACTIVITY_FIELDS,
    activities_table,
    activity_detail,
    search_activities,
)
from checker.views.findings import activities_with_findings, findings_by_rule, findings_table
from checker.views.flowmap import REGIONS, flow_map
from checker.views.flows import (
    FlowFilter,
    data_category_options,
    edge_facts,
    edge_kind,
    filter_flows,
    handlers,
    legal_basis_options,
    narrower_closure,
    node_detail,
    processing_units,
    processor_options,
    unit_options,
)
from checker.views.geometry import crossings
from checker.views.hierarchy import ancestors, parents
from checker.views.journey import RELATIONS, journey, journey_markdown, subject_groups
from checker.views.layout import acyclic, flow_layout, layers, sankey_data
from checker.views.matrix import SEVERAL_BASES, holdings
from checker.views.model import Model, cached_model, input_files, input_fingerprint, load_model
from checker.views.notice import notice_view
from checker.views.registers import join_registers
from checker.views.retention import RETENTION_KINDS, retention_kind, retention_rows
from checker.views.summary import register_summary
from checker.vocab.concepts import is_special_category
from checker.vocab.durations import years
from checker.vocab.namespaces import local_id

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
PD = "https://w3id.org/dpv/pd#"
DPV = "https://w3id.org/dpv#"
ROPA = "https://w3id.org/ropa-kg/ontology#"
EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
IP = PD + "IPAddress"
PERSONAL_IDENTITY_CODE = ROPA + "FinnishPersonalIdentityCode"
ELISA, FONECTA, PAYTRAIL = BASE + "elisa", BASE + "fonecta", BASE + "paytrail"
CHAT_IP = BASE + "chat-ip-disruption-management"
PREFIXES = f"""
@prefix dpv: <{DPV}> . @prefix pd: <{PD}> . @prefix ropa: <{ROPA}> .
@prefix eu-gdpr: <{EU_GDPR}> . @prefix ex: <https://example.org/r#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model([])


@pytest.fixture(scope="module")
def labels(model: Model) -> dict[str, str]:
    return {n: d["label"] for n, d in model.flows.nodes(data=True)}


def turtle(text: str) -> Graph:
    graph = Graph()
    graph.parse(data=PREFIXES + text, format="turtle")
    return graph


def node_labels(flows: nx.DiGraph) -> set[str]:
    return {d["label"] for _, d in flows.nodes(data=True)}


# --- loading and the cache key ----------------------------------------------------------------


def test_model_holds_graph_findings_and_flows(model: Model) -> None:
    assert len(model.graph) > 1000
    assert model.findings, "the shipped register has findings"
    assert model.flows.number_of_edges() > 10
    assert model.paths == ()


def test_input_files_are_the_record_set_and_its_register_description() -> None:
    names = {p.name for p in input_files([])}
    assert {"activities.yaml", "register-description.txt"} <= names
    assert all(p.is_file() for p in input_files([]))


def test_fingerprint_follows_content_not_time(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "kitchen-sink", records)
    first = input_fingerprint([records])
    assert input_fingerprint([records]) == first
    (records / "data.yaml").touch()  # same content, new time: same key
    assert input_fingerprint([records]) == first
    with (records / "data.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# an edit\n")
    assert input_fingerprint([records]) != first
    assert input_fingerprint([records / "missing.yaml"]) != input_fingerprint([records])


def test_views_do_not_change_the_graph(model: Model) -> None:
    """Read-only: computing every view leaves the graph as it was."""
    before = to_isomorphic(model.graph)
    size = len(model.graph)
    activities_table(model.graph, model.findings)
    for row in model.activities[:5]:
        activity_detail(model.graph, row.iri, model.findings)
    retention_rows(model.graph)
    flt = FlowFilter(data=frozenset({IP}))
    shown = filter_flows(model.graph, model.flows, flt)
    flow_layout(shown)
    for node in shown.nodes:
        node_detail(model.graph, shown, node)
    sankey_data(model.graph, model.flows)
    ask(query_text.QueryText("SELECT * WHERE { ?s a dpv:Process }", "query"), model.engine)
    notice_view(model.notice("en"))
    assert len(model.graph) == size
    assert to_isomorphic(model.graph) == before


# --- activities --------------------------------------------------------------------------------


def test_activities_table_lists_every_activity_sorted(model: Model) -> None:
    rows = activities_table(model.graph, model.findings)
    processes = {str(s) for s in model.graph.subjects(RDF.type, URIRef(DPV + "Process"))}
    assert {r.iri for r in rows} == processes
    assert [r.name.casefold() for r in rows] == sorted(r.name.casefold() for r in rows)
    assert all(r.source.startswith("ropa/finnish-customs/") for r in rows)
    with_activity = [f for f in model.findings if f.activity]
    assert sum(r.findings for r in rows) == len(with_activity)


def test_activity_row_facts(model: Model) -> None:
    row = {r.iri: r for r in model.activities}[CHAT_IP]
    assert row.id == "chat-ip-disruption-management"
    assert "Elisa Oyj" in row.processors
    assert "30 days" in row.retention
    assert row.legal_bases
    missing = [r for r in model.activities if r.retention == "missing"]
    assert missing, "the shipped register has activities without retention"


def test_search_needs_every_word(model: Model) -> None:
    rows = model.activities
    elisa = search_activities(rows, "elisa")
    assert CHAT_IP in {r.iri for r in elisa}
    assert all("elisa" in r.text() for r in elisa)
    both = search_activities(rows, "ELISA chat")
    assert {r.iri for r in both} <= {r.iri for r in elisa}
    assert search_activities(rows, "") == list(rows)
    assert search_activities(rows, "no-such-word-anywhere") == []


def test_activity_detail_quotes_the_register(model: Model) -> None:
    detail = activity_detail(model.graph, CHAT_IP, model.findings)
    assert detail.name.startswith("IP addresses")
    assert detail.source.startswith("ropa/finnish-customs/activities.yaml:")
    assert [q.number for q in detail.quotes] == list(range(1, len(detail.quotes) + 1))
    order = [(q.section_order, q.item or 0, q.line or 0) for q in detail.quotes]
    assert order == sorted(order), "quotes follow the register description"
    processors = [f for f in detail.facts if f.field == "Processors"]
    assert [f.value for f in processors] == ["Elisa Oyj"]
    purpose = next(f for f in detail.facts if f.field == "Purposes")
    quoted = " ".join(detail.quotes[n - 1].text for n in purpose.quotes)
    assert "IP addresses" in quoted
    assert all(1 <= n <= len(detail.quotes) for f in detail.facts for n in f.quotes)
    assert all(q.section and q.item for q in detail.quotes)
    assert "Purpose of processing personal data" in detail.quotes[0].where
    assert {f.rule for f in detail.findings} == {
        f.rule for f in model.findings if f.activity == CHAT_IP
    }
    fields = [name for name, _ in ACTIVITY_FIELDS]
    assert [fields.index(f) for f in detail.fields()] == sorted(
        fields.index(f) for f in detail.fields()
    )


def test_every_activity_has_provenance_quoted_verbatim(model: Model) -> None:
    text = (default_records() / "register-description.txt").read_text(encoding="utf-8")
    for row in model.activities:
        detail = activity_detail(model.graph, row.iri)
        assert detail.quotes, f"{row.id} has no passage"
        for quote in detail.quotes:
            assert quote.text in text, quote.text


def test_activity_detail_of_a_non_activity() -> None:
    with pytest.raises(KeyError):
        activity_detail(Graph(), BASE + "nothing")


def test_special_category_data_is_marked(model: Model) -> None:
    detail = activity_detail(model.graph, BASE + "general-info-chat")
    special = [f for f in detail.facts if f.note.startswith("special category")]
    assert special and all(f.field == "Personal data" for f in special)
    row = {r.iri: r for r in model.activities}[BASE + "general-info-chat"]
    assert row.special_data


# --- retention ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("P2Y", 2.0),
        ("P6M", 0.5),
        ("P1Y6M", 1.5),
        ("P30D", 30 / 365.25),
        ("P2W", 14 / 365.25),
        ("PT36H", 1.5 / 365.25),
        ("P0D", 0.0),
    ],
)
def test_years_of_a_duration(value: str, length: float) -> None:
    """The timeline's bar lengths: checker.vocab.durations.years, a year of 365.25 days."""
    assert years(value) == pytest.approx(length)


@pytest.mark.parametrize("value", ["", "P", "2Y", "PT", "forever", "P2Y junk"])
def test_years_of_what_is_no_duration(value: str) -> None:
    assert years(value) is None


RETENTION_GRAPH = """
ex:a a dpv:Process ; rdfs:label "A" ; dpv:hasPersonalData pd:Name ;
    dpv:hasStorageCondition ex:fixed, ex:calendar, ex:forever, ex:gone, ex:elsewhere,
        ex:vague, ex:until, ex:from .
ex:b a dpv:Process ; rdfs:label "B" ; dpv:hasPersonalData pd:Name .
ex:c a dpv:Process ; rdfs:label "C" ;
    dpv:hasStorageCondition [ a dpv:StorageDuration ;
        dpv:hasDuration [ a dpv:TemporalDuration ; rdf:value "P6Y"^^xsd:duration ] ] .
ex:fixed dpv:hasDuration [ a dpv:TemporalDuration ; rdf:value "P2Y"^^xsd:duration ;
    ropa:isMaximum true ] ; ropa:coversData pd:Name, pd:EmailAddress .
ex:calendar dpv:hasDuration [ a dpv:TemporalDuration, ropa:CurrentYearPlus ;
    rdf:value "P6Y"^^xsd:duration ] .
ex:forever dpv:hasDuration [ a dpv:EndlessDuration ] ; ropa:coversData pd:Name .
ex:gone dpv:hasDuration [ a ropa:NotStored ] .
ex:elsewhere dpv:hasDuration [ a ropa:DelegatedRetention ; ropa:delegatedTo ex:archive ] .
ex:archive rdfs:label "The archive" .
ex:vague dpv:hasDuration [ a dpv:IndeterminateDuration ] .
ex:until dpv:hasDuration [ a dpv:UntilEventDuration ; ropa:untilEvent ex:closed ] .
ex:closed rdfs:label "Case closed" .
ex:from dpv:hasDuration [ a dpv:UntilEventDuration ; rdf:value "P1Y"^^xsd:duration ;
    ropa:countedFrom ex:closed ] .
"""


def test_retention_kinds_of_every_duration_class() -> None:
    graph = turtle(RETENTION_GRAPH)
    ex = "https://example.org/r#"
    kinds = {
        name: retention_kind(graph, URIRef(ex + name))
        for name in ("fixed", "calendar", "forever", "gone", "elsewhere", "vague", "until", "from")
    }
    assert kinds == {
        "fixed": "fixed",
        "calendar": "calendar",
        "forever": "indefinite",
        "gone": "not-stored",
        "elsewhere": "delegated",
        "vague": "unspecified",
        "until": "until-event",
        "from": "from-event",
    }


def test_retention_rows_per_rule_and_data() -> None:
    rows = retention_rows(turtle(RETENTION_GRAPH))
    by_activity: dict[str, list] = {}
    for row in rows:
        by_activity.setdefault(row.activity_name, []).append(row)
    fixed = [r for r in by_activity["A"] if r.kind == "fixed"]
    assert sorted(r.data_label for r in fixed) == ["EmailAddress", "Name"]  # ids: no vocabulary
    assert all(r.years == 2.0 and r.maximum for r in fixed)
    assert [r.kind for r in by_activity["B"]] == ["missing"]
    assert by_activity["B"][0].missing and by_activity["B"][0].attention
    assert [(r.kind, r.years) for r in by_activity["C"]] == [("fixed", 6.0)], "blank rules count"
    kinds = {r.kind: r for r in by_activity["A"]}
    assert kinds["indefinite"].indefinite and kinds["indefinite"].years is None
    assert kinds["not-stored"].not_stored and kinds["not-stored"].years == 0.0
    assert kinds["delegated"].delegated_to == "The archive"
    assert kinds["delegated"].period == "delegated to The archive"
    assert kinds["until-event"].period == "until case closed"
    assert kinds["from-event"].event == "Case closed" and kinds["from-event"].years == 1.0
    assert kinds["calendar"].years == 6.0
    assert kinds["not-stored"].data_label == "all data of the activity"
    assert [r.activity_name for r in rows] == sorted(r.activity_name for r in rows)


def test_retention_of_the_shipped_register(model: Model) -> None:
    rows = model.retention
    assert {r.activity for r in rows} == {r.iri for r in model.activities}
    assert {r.kind for r in rows} <= set(RETENTION_KINDS)
    indefinite = {r.data_label for r in rows if r.indefinite}
    assert "Feedback on accessibility and related replies" in indefinite
    chat = [r for r in rows if r.activity == CHAT_IP]
    assert [(r.kind, r.data) for r in chat] == [("fixed", IP)]
    assert chat[0].years == pytest.approx(30 / 365.25)
    assert "30 days" in chat[0].quote
    assert all(r.delegated_to for r in rows if r.delegated)
    for row in model.activities:
        mine = [r for r in rows if r.activity == row.iri]
        if row.retention == "missing":
            assert [r.kind for r in mine] == ["missing"]
        else:
            assert "missing" not in {r.kind for r in mine}


# --- flows -------------------------------------------------------------------------------------


def test_ip_addresses_reach_fonecta_and_elisa(model: Model, labels: dict[str, str]) -> None:
    """Done-when: which processors receive IP addresses."""
    shown = filter_flows(model.graph, model.flows, FlowFilter(data=frozenset({IP})))
    processors = {label for _, label in handlers(shown)["processor"]}
    assert {"Elisa Oyj", "Fonecta Oy"} <= processors
    assert "Paytrail" not in processors
    for a, b, attrs in shown.edges(data=True):
        assert attrs["matched"] == {IP}, (labels[a], labels[b])
    assert nx.has_path(shown, BASE + "website-visitors", FONECTA)
    assert nx.has_path(shown, BASE + "chat-users", ELISA)


def test_personal_identity_code_by_its_broader_category(model: Model) -> None:
    """Done-when: which units handle personal identity codes (broader ropa:Finnish...)."""
    closure = narrower_closure(model.graph, [PERSONAL_IDENTITY_CODE])
    assert BASE + "personal-identity-code" in closure
    flt = FlowFilter(data=frozenset({PERSONAL_IDENTITY_CODE}))
    shown = filter_flows(model.graph, model.flows, flt)
    assert shown.number_of_edges() > 0
    assert all(attrs["matched"] <= closure for *_, attrs in shown.edges(data=True))
    uses = processing_units(model.graph, [PERSONAL_IDENTITY_CODE])
    assert uses
    unit_names = {u.label for u in uses}
    assert "General information service" in unit_names
    for use in uses:
        for activity, _ in use.activities:
            data = {
                str(d)
                for d in model.graph.objects(URIRef(activity), URIRef(DPV + "hasPersonalData"))
            }
            assert data & closure


def test_unit_filter_takes_its_sub_units(model: Model) -> None:
    unit = BASE + "customer-information-service"
    shown = filter_flows(model.graph, model.flows, FlowFilter(units=frozenset({unit})))
    assert BASE + "general-information-service" in shown, "a sub-unit's activities count"
    assert shown.number_of_edges() < model.flows.number_of_edges()


def test_processor_filter_shows_the_paths_to_it(model: Model) -> None:
    shown = filter_flows(model.graph, model.flows, FlowFilter(processors=frozenset({FONECTA})))
    assert nx.has_path(shown, BASE + "website-visitors", FONECTA)
    others = {n for n, k in shown.nodes(data="kind") if k == "processor"} - {FONECTA}
    assert not others, "edges to other processors are left out"


def test_legal_basis_filter(model: Model) -> None:
    graph = turtle("""
    ex:u a dpv:OrganisationalUnit ; rdfs:label "Office" .
    ex:p a dpv:DataProcessor ; rdfs:label "Processor" .
    ex:c a dpv:Process ; dpv:hasOrganisationalUnit ex:u ; dpv:hasDataProcessor ex:p ;
        dpv:hasLegalBasis eu-gdpr:A6-1-a .
    ex:o a dpv:Process ; dpv:hasOrganisationalUnit ex:u ; dpv:hasRecipient ex:r ;
        dpv:hasLegalBasis eu-gdpr:A6-1-c .
    ex:r a dpv:Recipient ; rdfs:label "Recipient" .
    """)
    flows = flow_graph(graph)
    for basis, activity in (("A6-1-a", "c"), ("A6-1-c", "o")):
        flt = FlowFilter(legal_bases=frozenset({EU_GDPR + basis}))
        shown = filter_flows(graph, flows, flt)
        activities = set().union(*(a["carries"].activities for *_, a in shown.edges(data=True)))
        assert activities == {"https://example.org/r#" + activity}, basis
    # In the shipped register every activity rests on the statutory obligation, the web
    # analytics too (its consent is to cookies: issue 15, item 6); none on consent.
    consent = FlowFilter(legal_bases=frozenset({EU_GDPR + "A6-1-a"}))
    assert filter_flows(model.graph, model.flows, consent).number_of_edges() == 0


def test_special_category_filter(model: Model) -> None:
    shown = filter_flows(model.graph, model.flows, FlowFilter(special_only=True))
    assert shown.number_of_edges() > 0
    for *_, attrs in shown.edges(data=True):
        assert attrs["matched"] and all(
            is_special_category(model.graph, URIRef(d)) for d in attrs["matched"]
        )


def test_filters_combine_and_can_match_nothing(model: Model) -> None:
    both = FlowFilter(data=frozenset({IP}), processors=frozenset({ELISA}))
    shown = filter_flows(model.graph, model.flows, both)
    assert ELISA in shown and FONECTA not in shown
    nothing = FlowFilter(processors=frozenset({PAYTRAIL}), data=frozenset({IP}))
    assert filter_flows(model.graph, model.flows, nothing).number_of_nodes() == 0
    assert not FlowFilter().active and both.active
    unfiltered = filter_flows(model.graph, model.flows, FlowFilter())
    assert set(unfiltered.edges) == set(model.flows.edges)


def test_filter_options(model: Model) -> None:
    data = {o.iri: o for o in data_category_options(model.graph, model.flows)}
    assert IP in data and PERSONAL_IDENTITY_CODE in data
    assert DPV + "PersonalData" not in data and DPV + "Data" not in data
    assert data[PERSONAL_IDENTITY_CODE].count >= data[BASE + "personal-identity-code"].count > 0
    labels = [o.label.casefold() for o in data.values()]
    assert labels == sorted(labels)
    units = {o.label for o in unit_options(model.graph, model.flows)}
    assert "Customer information service" in units
    processors = {o.label for o in processor_options(model.graph, model.flows)}
    assert {"Elisa Oyj", "Fonecta Oy"} <= processors
    bases = {o.iri: o.count for o in legal_basis_options(model.graph)}
    assert bases[EU_GDPR + "A6-1-c"] == len(model.activities)
    assert str(data[IP]) == f"{data[IP].label} ({data[IP].count})"


def test_equal_labels_are_told_apart() -> None:
    graph = turtle("""
    ex:u1 a dpv:OrganisationalUnit ; rdfs:label "Office" .
    ex:u2 a dpv:OrganisationalUnit ; rdfs:label "Office" .
    ex:s a dpv:DataSubject ; rdfs:label "People" .
    ex:a a dpv:Process ; dpv:hasOrganisationalUnit ex:u1, ex:u2 ; dpv:hasDataSource ex:s .
    """)
    options = unit_options(graph, flow_graph(graph))
    assert [o.label for o in options] == ["Office [u1]", "Office [u2]"]


def test_layout_columns_run_from_sources_to_processors(model: Model) -> None:
    positions = flow_layout(model.flows)
    assert positions == flow_layout(model.flows), "deterministic"
    assert set(positions) == set(model.flows.nodes)
    kinds = dict(model.flows.nodes(data="kind"))
    left = min(x for x, _ in positions.values())
    right = max(x for x, _ in positions.values())
    for node, (x, _) in positions.items():
        if kinds[node] == "data subject":
            assert x == left
        if kinds[node] == "processor" and model.flows.out_degree(node) == 0:
            assert x == right
    for a, b in acyclic(model.flows).edges:
        assert layers(model.flows)[a] < layers(model.flows)[b] or kinds[b] in (
            "processor",
            "recipient",
        )


def test_spring_layout_is_seeded(model: Model) -> None:
    assert flow_layout(model.flows, "spring") == flow_layout(model.flows, "spring")
    assert flow_layout(nx.DiGraph()) == {}


def test_cycles_are_broken_deterministically() -> None:
    cycle = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("a", "d")])
    dag = acyclic(cycle)
    assert nx.is_directed_acyclic_graph(dag)
    assert sorted(dag.edges) == [("a", "b"), ("a", "d"), ("b", "c"), ("c", "d")]
    nx.set_node_attributes(cycle, "unit", "kind")
    assert layers(cycle) == layers(cycle)


def test_sankey_links(model: Model) -> None:
    data = sankey_data(model.graph, model.flows)
    assert len(data.labels) == model.flows.number_of_nodes()
    assert len(data.kinds) == len(data.nodes) == len(data.labels)
    assert len(data.sources) == len(data.targets) == len(data.values) == len(data.data)
    assert all(v == max(1, len(d)) for v, d in zip(data.values, data.data, strict=True))
    links = nx.DiGraph(zip(data.sources, data.targets, strict=True))
    assert nx.is_directed_acyclic_graph(links)
    kinds = dict(model.flows.nodes(data="kind"))
    assert list(data.kinds) == [kinds[n] for n in data.nodes]


def test_node_detail_of_a_processor(model: Model) -> None:
    shown = filter_flows(model.graph, model.flows, FlowFilter(data=frozenset({IP})))
    detail = node_detail(model.graph, shown, ELISA)
    assert detail.label == "Elisa Oyj" and detail.kind == "processor"
    assert detail.incoming and not detail.outgoing
    assert all(edge.data == ("IP Address",) for edge in detail.incoming)
    assert CHAT_IP in {a for a, _ in detail.activities}
    assert detail.source.startswith("ropa/finnish-customs/parties.yaml:")
    with pytest.raises(KeyError):
        node_detail(model.graph, shown, PAYTRAIL)


def test_node_detail_of_a_unit_names_its_parts(model: Model) -> None:
    detail = node_detail(model.graph, model.flows, BASE + "customer-information-service")
    assert "Customer services (information services)" in detail.part_of
    assert "General information service" in detail.parts


# --- findings ----------------------------------------------------------------------------------


def test_findings_tables(model: Model) -> None:
    rows = findings_table(model.graph, model.findings)
    assert len(rows) == len(model.findings)
    assert [r.severity for r in rows] == [f.severity.label for f in model.findings]
    linked = [r for r in rows if r.activity]
    assert linked and all(r.activity_name for r in linked)
    counts = findings_by_rule(model.findings)
    assert sum(c.count for c in counts) == len(model.findings)
    rank = {"violation": 0, "warning": 1, "info": 2}
    assert [rank[c.severity] for c in counts] == sorted(rank[c.severity] for c in counts)


def test_activities_with_findings(model: Model) -> None:
    """Done-when: which activities have findings."""
    rows = activities_with_findings(model.graph, model.findings)
    assert {r.activity for r in rows} == {f.activity for f in model.findings if f.activity}
    assert sum(r.total for r in rows) == len([f for f in model.findings if f.activity])
    assert [r.violation for r in rows] == sorted((r.violation for r in rows), reverse=True)


def test_register_summary(model: Model) -> None:
    summary = register_summary(model.graph, model.flows, model.findings)
    assert summary.title == "Processing of personal data in customer services"
    assert summary.activities == len(model.activities)
    assert summary.processors >= 2
    assert sum(summary.findings.values()) == len(model.findings)


# --- the console (checker.query.ask on the model's engine) and the notice ------------------------


def saved_query(name: str) -> query_text.QueryText:
    saved = query_library.saved_queries()[name]
    return query_text.QueryText(saved.text, f"{name}.rq", saved)


def free_query(text: str) -> query_text.QueryText:
    return query_text.QueryText(text, "query")


def test_saved_query_with_labels_and_csv(model: Model) -> None:
    answer = ask(saved_query("processors-personal-data"), model.engine)
    columns, rows = answer.table()
    assert rows and not isinstance(answer.result, Boolean)
    assert any(c.endswith("_label") for c in columns)
    csv = answer.render("csv")
    assert "Elisa Oyj" in csv and csv.splitlines()[0].split(",") == list(columns)
    assert any(cell.startswith(":") for row in rows for cell in row), "the register's prefix"


def test_saved_query_parameters(model: Model) -> None:
    answer = ask(saved_query("processor-footprint"), model.engine, binds={"processor": "fonecta"})
    assert answer.table()[1]
    assert "Elisa Oyj" not in answer.render("csv")


def test_console_refuses_updates_and_reports_errors(model: Model) -> None:
    size = len(model.graph)
    with pytest.raises(query_text.UpdateRefused):
        ask(free_query("DELETE WHERE { ?s ?p ?o }"), model.engine)
    with pytest.raises(query_text.QuerySyntaxError) as error:
        ask(free_query("SELECT * WHERE { ?s ?p }"), model.engine)
    assert error.value.line == 1
    with pytest.raises(query_text.QueryTimeout):
        ask(
            free_query(
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
            ),
            model.engine,
            timeout=0.3,
        )
    assert len(model.graph) == size
    answer = ask(free_query("ASK { ?s a dpv:Process }"), model.engine)
    assert isinstance(answer.result, Boolean) and answer.result.value is True
    assert answer.table() == (("answer",), (("true",),))


def test_notice_view_in_every_language(model: Model) -> None:
    for lang in ("en", "fi", "sv"):
        view = notice_view(model.notice(lang))
        assert view.lang == lang
        assert view.markdown.startswith("#")
        assert view.html.lstrip().lower().startswith("<!doctype html")
        assert view.gaps, "the shipped register lacks items (the DPO, ...)"
    assert model.notice("fi") is model.notice("fi"), "composed once per language"


# --- other inputs ------------------------------------------------------------------------------


def test_plain_dpv_without_provenance() -> None:
    """Any DPV ROPA: no sections, no passages, names in dpv:hasName, blank retention nodes."""
    plain = load_model([FIXTURES / "notice" / "plain-dpv.ttl"])
    rows = plain.activities
    assert rows and all(r.source == "" for r in rows)
    orders = next(r for r in rows if r.id == "orders")
    assert orders.processors == "Example Mailer Inc.", "dpv:hasName, never a bare IRI"
    assert orders.retention == "6 years"
    detail = activity_detail(plain.graph, orders.iri, plain.findings)
    assert detail.quotes == () and all(f.quotes == () for f in detail.facts)
    assert [r.kind for r in plain.retention if r.activity == orders.iri] == ["fixed"]


def test_kitchen_sink_record_set() -> None:
    sink = load_model([FIXTURES / "kitchen-sink"])
    assert sink.activities
    assert {r.kind for r in sink.retention} >= {"fixed", "not-stored"}
    for row in sink.activities:
        assert activity_detail(sink.graph, row.iri).quotes


@pytest.mark.parametrize(
    "paths",
    [[], [FIXTURES / "kitchen-sink"], [FIXTURES / "notice" / "plain-dpv.ttl"]],
    ids=["register", "kitchen-sink", "plain-dpv"],
)
def test_no_bare_iri_reaches_a_table(paths: list[Path]) -> None:
    """Every name on the pages comes from checker.vocab.labels: a label, else the id."""
    shown = load_model(paths)
    fields = ("name", "units", "purposes", "data_subjects", "legal_bases", "processors")
    texts = [getattr(row, f) for row in shown.activities for f in (*fields, "retention")]
    texts += [t for r in shown.retention for t in (r.activity_name, r.data_label, r.period)]
    assert texts
    assert [t for t in texts if "://" in t] == []
    for node in shown.flows.nodes:
        detail = node_detail(shown.graph, shown.flows, node)
        for edge in (*detail.incoming, *detail.outgoing):
            assert not any(d.startswith("http") for d in edge.data + edge.purposes), edge
        assert not detail.label.startswith("http"), node


def test_summary_counts_each_unit_once(model: Model) -> None:
    """Regression (issue 12): an rdflib IRI and the same IRI as a flow graph node were
    counted as two units (32 instead of 19 on the shipped register)."""
    units = {str(u) for u in model.graph.objects(None, URIRef(DPV + "hasOrganisationalUnit"))}
    units |= {n for n, k in model.flows.nodes(data="kind") if k == "unit"}
    assert model.summary.units == len(units) == len({local_id(u) for u in units})


def test_edge_facts_name_what_an_edge_carries(model: Model) -> None:
    chat = [
        (a, b)
        for a, b, attrs in model.flows.edges(data=True)
        if CHAT_IP in attrs["carries"].activities and b == ELISA
    ]
    assert chat
    facts = edge_facts(model.graph, model.flows, *chat[0])
    assert "IP Address" in facts.data and facts.data == facts.all_data
    assert "processor" in facts.kinds
    assert list(facts.activities) == sorted(facts.activities, key=str.casefold)
    shown = filter_flows(model.graph, model.flows, FlowFilter(data=frozenset({IP})))
    narrowed = edge_facts(model.graph, shown, *chat[0])
    assert narrowed.data == ("IP Address",) and set(narrowed.data) <= set(narrowed.all_data)
    flows = nx.DiGraph()
    flows.add_edge("a", "b", carries=EdgeData(purposes={"https://e.org/p#serve"}))
    assert edge_facts(Graph(), flows, "a", "b").purposes == ("serve",)


def test_checker_imports_no_screen_library() -> None:
    """The engine knows no screen: nothing under checker/ imports streamlit or plotly
    (they are the optional extra ``ropa-kg[dashboard]``)."""
    screen = {"streamlit", "plotly"}
    root = Path(__file__).resolve().parents[1] / "checker"
    modules = sorted(root.rglob("*.py"))
    assert len(modules) > 30
    found = []
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"), str(module))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", ""))
                in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names = [str(node.args[0].value)]
            found += [
                f"{module.relative_to(root.parent)}:{node.lineno} {n}"
                for n in names
                if n.split(".")[0] in screen
            ]
    assert found == []


def test_layout_is_the_same_in_every_process() -> None:
    """Positions must not follow Python's per-process string hashing (networkx's
    multipartite_layout groups nodes in sets, so it cannot be used as it is)."""
    script = f"""
from rdflib import Graph
from checker.graph.flows import flow_graph
from checker.views.layout import flow_layout
g = Graph().parse(data='''{PREFIXES}
ex:a a dpv:Process ; dpv:hasOrganisationalUnit ex:u1, ex:u2, ex:u3 ;
    dpv:hasDataSource ex:s1, ex:s2, ex:s3, ex:s4 ; dpv:hasRecipient ex:r1, ex:r2 .
ex:u1 a dpv:OrganisationalUnit . ex:u2 a dpv:OrganisationalUnit . ex:u3 a dpv:OrganisationalUnit .
''', format="turtle")
flows = flow_graph(g)
print(sorted(flow_layout(flows).items()), sorted(flow_layout(flows, "spring").items()))
"""
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


# --- the reading graph and the cached model (issue 18) -----------------------------------------


def test_the_reading_graph_answers_as_the_store(model: Model) -> None:
    """The views read through a cache (checker.views.reading); it gives what the store gives."""
    assert set(model.graph) == set(model.built)
    subject = URIRef(CHAT_IP)
    for predicate in (URIRef(DPV + "hasDataProcessor"), RDF.type, None):
        assert set(model.graph.triples((subject, predicate, None))) == set(
            model.built.triples((subject, predicate, None))
        )
    ip = URIRef(IP)
    assert set(model.graph.subjects(None, ip)) == set(model.built.subjects(None, ip))
    assert activities_table(model.graph, model.findings) == activities_table(
        model.built, model.findings
    )


def test_cached_model_is_kept_per_content(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(FIXTURES / "kitchen-sink", records)
    first = cached_model([records])
    assert cached_model([records]) is first and first.fingerprint == input_fingerprint([records])
    with (records / "data.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# an edit\n")
    assert cached_model([records]) is not first


def test_warm_computes_what_the_pages_show_first(model: Model) -> None:
    model.warm()
    for name in ("summary", "options", "activities", "retention", "holdings", "subjects"):
        assert name in vars(model), f"{name} is computed once and kept"
    assert model.flow_map() is model.flow_map(FlowFilter())


# --- the flow map (issue 18) ---------------------------------------------------------------


def test_flow_map_regions_run_from_sources_to_recipients(model: Model) -> None:
    fmap = model.flow_map()
    assert set(fmap.positions) == set(model.flows.nodes)
    x = {n: p[0] for n, p in fmap.positions.items()}
    kinds = dict(model.flows.nodes(data="kind"))
    left = max(x[n] for n, r in fmap.regions.items() if r == "source")
    middle = {x[n] for n, r in fmap.regions.items() if r == "organisation"}
    right = min(x[n] for n, r in fmap.regions.items() if r == "recipient")
    assert left < min(middle) and max(middle) < right and len(middle) == 1
    for node, kind in kinds.items():
        if kind == "data subject":
            assert fmap.regions[node] == "source"
        if kind in ("unit", "controller"):
            assert fmap.regions[node] == "organisation"
        if kind == "processor":
            assert fmap.regions[node] == "recipient"
    assert [t for t, _ in fmap.titles] == list(REGIONS.values())
    assert flow_map(model.graph, model.flows) == fmap, "deterministic"


def test_flow_map_nests_the_units_as_the_records_do(model: Model) -> None:
    """Customer services > Customer information service > General information service:
    boxes inside boxes, each unit inside the box of everything it is part of."""
    fmap = model.flow_map()
    boxes = {b.group: b for b in fmap.boxes}
    chain = [BASE + "customer-services", BASE + "customer-information-service"]
    outer, inner = boxes[chain[0]], boxes[chain[1]]
    assert outer.depth < inner.depth
    assert outer.x0 < inner.x0 < inner.x1 < outer.x1
    assert outer.y1 < inner.y1 < inner.y0 < outer.y0, "y grows upwards"
    parent_of = parents(model.graph)
    for node, (x, y) in fmap.positions.items():
        if fmap.regions[node] != "organisation":
            continue
        for group in ancestors(parent_of, node):
            if group in boxes:
                box = boxes[group]
                assert box.x0 < x < box.x1 and box.y1 < y < box.y0, (node, group)
    assert boxes[BASE + "enforcement-department"].label == "Enforcement Department", (
        "a group that is no node of the flows still gets its box"
    )


def test_flow_map_draws_every_edge_once(model: Model) -> None:
    """Each hand-over is one curve, or two through a box's port (source -> port -> unit)."""
    fmap = model.flow_map()
    drawn: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for segment in fmap.segments:
        for edge in segment.edges:
            drawn.setdefault(edge, []).append((segment.start, segment.end))
    assert set(drawn) == set(model.flows.edges)
    for (a, b), pieces in drawn.items():
        if len(pieces) == 1:
            assert pieces == [(a, b)]
        else:
            (a1, port), (port2, b2) = sorted(pieces, key=lambda p: p[0] != a)
            assert (a1, b2) == (a, b) and port == port2 and port in fmap.ports
            assert fmap.ports[port][0] in {box.x0 for box in fmap.boxes} | {
                box.x1 for box in fmap.boxes
            }


def test_flow_map_crosses_a_third_of_the_edges_of_the_plain_columns(model: Model) -> None:
    """Issue 18: the plain columns' drawing crosses its edges in hundreds of pairs; the
    grouped map, at most a third as many (the numbers are in bench/results/)."""
    before = crossings(model.flows.edges, flow_layout(model.flows))
    after = model.flow_map().crossings
    assert after is not None and before > 100
    assert 3 * after <= before, (after, before)


def test_flow_map_marks_parties_outside_the_eu(registers_model: Model) -> None:
    fmap = registers_model.flow_map()
    assert fmap.outside == {TAX + "cloud": "United States of America"}, "not the Finnish ones"


def test_geometry_counts_crossing_curves() -> None:
    square = {"a": (0.0, 0.0), "b": (1.0, 1.0), "c": (0.0, 1.0), "d": (1.0, 0.0)}
    assert crossings([("a", "b"), ("c", "d")], square) == 1
    assert crossings([("a", "d"), ("c", "b")], square) == 0
    assert crossings([("a", "b"), ("a", "d")], square) == 0, "a shared end is no crossing"


# --- several registers (issue 18) ----------------------------------------------------------

TWO_REGISTERS = [
    FIXTURES / "registers" / "city-helpdesk.ttl",
    FIXTURES / "registers" / "tax-office.ttl",
]
CITY, TAX = "https://example.org/city/", "https://example.org/tax/"


@pytest.fixture(scope="module")
def registers_model() -> Model:
    return load_model(TWO_REGISTERS)


def test_registers_of_the_shipped_register(model: Model) -> None:
    (register,) = model.registers
    assert register.label == "Processing of personal data in customer services"
    assert len(register.activities) == len(model.activities)
    assert BASE + "general-information-service" in register.parties
    assert model.options.registers == (), "one register: nothing to choose"


def test_a_disclosure_that_is_a_source_elsewhere_is_one_edge(registers_model: Model) -> None:
    flows = registers_model.flows
    joined = flows.edges[CITY + "helpdesk", TAX + "assessment-unit"]["carries"]
    assert joined.kinds == {"register"}
    assert joined.activities == {CITY + "address-changes", TAX + "assessment"}
    assert {PD + "Name", PD + "PhysicalAddress"} <= joined.data
    assert not flows.has_edge(CITY + "helpdesk", TAX + "tax-office"), "the disclosure went"
    assert not flows.has_edge(CITY + "city", TAX + "assessment-unit"), "the source went"
    assert edge_kind(flows, CITY + "helpdesk", TAX + "assessment-unit") == "register"
    separate = flow_graph(registers_model.built)
    assert separate.has_edge(CITY + "helpdesk", TAX + "tax-office"), "the flow graph itself"


def test_register_filter(registers_model: Model) -> None:
    labels_ = {o.label: o.iri for o in registers_model.options.registers}
    assert set(labels_) == {
        "Property tax of the Example Tax Office",
        "Resident services of the City of Example",
    }
    city = labels_["Resident services of the City of Example"]
    shown = filter_flows(
        registers_model.graph, registers_model.flows, FlowFilter(registers=frozenset({city}))
    )
    assert set(shown.edges) == {
        (CITY + "residents", CITY + "helpdesk"),
        (CITY + "helpdesk", TAX + "assessment-unit"),
    }
    boxes = {b.label for b in registers_model.flow_map().boxes}
    assert boxes == {"City of Example", "Example Tax Office"}


def test_one_register_joins_nothing(model: Model) -> None:
    assert join_registers(model.graph, model.flows) is model.flows


# --- who holds what (issue 18) -------------------------------------------------------------


def test_holdings_matrix(model: Model) -> None:
    matrix = model.holdings
    roles = [h.role for h in matrix.holders]
    assert roles == sorted(roles, key=["unit", "processor", "recipient"].index)
    cell = matrix.cell(ELISA, IP)
    assert cell is not None and any("IP addresses" in name for _, name in cell.activities)
    assert cell.basis == cell.bases[0] and len(cell.bases) == 1
    order = [h.iri for h in matrix.holders]
    parent_of = parents(model.graph)
    for unit in order:
        for group in ancestors(parent_of, unit):
            if group in order:
                assert order.index(group) < order.index(unit), "a unit below what it is part of"
    feedback = next(r for r in model.retention if r.kind == "indefinite")
    held = [
        c for c in matrix.cells.values() if any(a == feedback.activity for a, _ in c.activities)
    ]
    assert held and all(c.retention in RETENTION_KINDS for c in held)


def test_holdings_cells_follow_the_activities() -> None:
    graph = turtle(
        """
        ex:a a dpv:Process ; rdfs:label "A" ; dpv:hasOrganisationalUnit ex:u ;
            dpv:hasPersonalData pd:Name ; dpv:hasDataProcessor ex:p ;
            dpv:hasLegalBasis eu-gdpr:A6-1-c ; dpv:hasStorageCondition ex:forever .
        ex:b a dpv:Process ; rdfs:label "B" ; dpv:hasOrganisationalUnit ex:u ;
            dpv:hasPersonalData pd:Name, pd:EmailAddress ; dpv:hasLegalBasis eu-gdpr:A6-1-a .
        ex:u a dpv:OrganisationalUnit ; rdfs:label "Unit" .
        ex:p a dpv:DataProcessor ; rdfs:label "Proc" .
        ex:forever a dpv:StorageDuration ; dpv:hasDuration [ a dpv:EndlessDuration ] .
        """
    )
    matrix = holdings(graph)
    u, p = "https://example.org/r#u", "https://example.org/r#p"
    name, email = PD + "Name", PD + "EmailAddress"
    assert [h.iri for h in matrix.holders] == [u, p]
    assert set(matrix.cells) == {(u, name), (u, email), (p, name)}
    assert matrix.cell(u, name).basis == SEVERAL_BASES
    assert matrix.cell(u, email).retention == "missing"
    assert matrix.cell(p, name).retention == "indefinite"
    assert matrix.cell(p, email) is None


# --- a person's journey (issue 18) ---------------------------------------------------------


def test_journey_of_private_customers(model: Model) -> None:
    trip = model.journey(BASE + "private-customers")
    assert trip.label == "Private customers"
    collected = trip.field_values("Personal data")
    assert {"Personal identity code", "Email Address", "Name"} <= set(collected)
    assert "Parties concerned" in trip.field_values("Recipients")
    assert trip.field_values("Legal bases")
    text = (default_records() / "register-description.txt").read_text(encoding="utf-8")
    quoted = [k for s in trip.steps for k in s.kept if k.quote]
    assert quoted and all(k.quote in text for k in quoted), "retention in the register's words"
    assert trip.quotes and all(q.text in text for q in trip.quotes)
    assert [q.number for q in trip.quotes] == list(range(1, len(trip.quotes) + 1))
    cited = {n for s in trip.steps for _, told in s.fields for t in told for n in t.quotes}
    assert cited <= {q.number for q in trip.quotes}
    kinds = [s.kind for s in trip.steps]
    assert kinds == sorted(kinds, key=list(RELATIONS).index), "their own activities first"
    assert {"subject", "broader", "source"} == set(kinds)
    assert all("Customs’ customers" in s.relation for s in trip.steps if s.kind == "broader")
    chat = next(s for s in trip.steps if s.name == "General information service via chat")
    assert chat.kind == "subject" and chat.relation == ""
    traces = [s for s in trip.steps if "TRACES" in s.name]
    assert traces and all(s.kind == "source" for s in traces), "about TRACES users, not them"
    assert model.journey(BASE + "private-customers") is trip


def test_journey_leaves_out_data_recorded_for_other_subjects() -> None:
    graph = turtle(
        """
        ex:a a dpv:Process ; rdfs:label "A" ; dpv:hasDataSubject ex:private, ex:business ;
            ropa:hasDataGroup ex:g1, ex:g2 ; dpv:hasPersonalData pd:Name, pd:Job, pd:Age .
        ex:g1 a ropa:DataGroup ; ropa:concernsDataSubject ex:private ; ropa:includes pd:Name .
        ex:g2 a ropa:DataGroup ; ropa:concernsDataSubject ex:business ; ropa:includes pd:Job .
        ex:private a dpv:DataSubject ; rdfs:label "Private" .
        ex:business a dpv:DataSubject ; rdfs:label "Business" .
        """
    )
    trip = journey(graph, "https://example.org/r#private")
    assert trip.field_values("Personal data") == ["Age", "Name"]
    other = journey(graph, "https://example.org/r#business")
    assert other.field_values("Personal data") == ["Age", "Job"]
    groups = {g.label: g.activities for g in subject_groups(graph)}
    assert groups == {"Business": 1, "Private": 1}


def test_journey_markdown_is_escaped() -> None:
    graph = turtle(
        """
        ex:a a dpv:Process ; rdfs:label "<b>A</b> | *x*" ; dpv:hasDataSubject ex:s ;
            dpv:hasPersonalData pd:Name .
        ex:s a dpv:DataSubject ; rdfs:label "S" .
        """
    )
    text = journey_markdown(journey(graph, "https://example.org/r#s"))
    assert "## \\<b\\>A\\</b\\> \\| \\*x\\*" in text
    assert "<b>" not in text


# --- spreadsheet cells as provenance (issue 13) ---------------------------------------------


def test_an_imported_activity_cites_its_cells(tmp_path: Path) -> None:

    out = tmp_path / "bakery"
    sheet = FIXTURES / "spreadsheets" / "ico-bakery.xlsx"
    result = CliRunner().invoke(cli, ["import", str(sheet), "-o", str(out)])
    assert result.exit_code == 0, result.output
    bakery = load_model([out])
    payroll = next(r for r in bakery.activities if r.id == "payroll")
    detail = activity_detail(bakery.graph, payroll.iri)
    where = {q.where: q.text for q in detail.quotes}
    assert where["sheet 'Template', cell J10"] == "6 years after the end of employment"
    assert all(q.cell for q in detail.quotes)
    retention = next(f for f in detail.facts if f.field == "Retention")
    numbers = {q.number: q.where for q in detail.quotes}
    assert "sheet 'Template', cell J10" in {numbers[n] for n in retention.quotes}
