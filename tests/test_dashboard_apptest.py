"""The dashboard's pages, headless, with Streamlit's AppTest (issue 6).

Each page renders without an exception; filters change what is shown; details show the
register's own words; bad records give an error page with file and line, not a traceback;
nothing changes the records. The model is cached across tests (st.cache_resource), so the
shipped register is built once per session.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import svg_map
from streamlit.proto.MultiSelect_pb2 import MultiSelect
from streamlit.testing.v1 import AppTest

from checker.assets import default_records
from checker.views.model import input_files

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
FIXTURES = Path(__file__).parent / "fixtures"
TWO_REGISTERS = [
    FIXTURES / "registers" / "city-helpdesk.ttl",
    FIXTURES / "registers" / "tax-office.ttl",
]
CITY_ROPA = "https://example.org/city/ropa"
BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
IP = "https://w3id.org/dpv/pd#IPAddress"
PERSONAL_IDENTITY_CODE = "https://w3id.org/ropa-kg/ontology#FinnishPersonalIdentityCode"
PAGES = {
    "flows": "Data flows",
    "matrix": "Who holds what",
    "journey": "A person's journey",
    "activities": "Processing activities",
    "retention": "Retention",
    "findings": "Findings",
    "query": "SPARQL console",
    "notice": "Privacy notice",
}


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard on the shipped register, run once (the Flows page)."""
    monkeypatch.delenv("ROPA_DASHBOARD_PATHS", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=120)
    return at.run()


def page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"app_pages/{name}.py")
    return at.run()


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def at_address(monkeypatch: pytest.MonkeyPatch, name: str, **params: str) -> AppTest:
    """The page ``name`` of the dashboard on the shipped register, opened at its address
    with ``params`` (``/activities?activity=web-analytics``), without an exception."""
    monkeypatch.delenv("ROPA_DASHBOARD_PATHS", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    if name != "flows":
        at.switch_page(f"app_pages/{name}.py")
    at.run()
    no_exceptions(at)
    return at


def text(at: AppTest) -> str:
    """Every Markdown, caption, subheader and title of the page, one per line."""
    parts = [
        e.value for kind in ("title", "subheader", "markdown", "caption") for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def flow_map(at: AppTest) -> ET.Element:
    """The Flows page's map: the SVG its component was given (tests/svg_map.py reads it)."""
    (element,) = at.get("bidi_component")
    assert element.proto.component_name == "ropa_flow_map"
    return svg_map.parse(json.loads(element.proto.json))


def digest(paths: Iterator[Path] | list[Path]) -> str:
    total = hashlib.sha256()
    for path in paths:
        total.update(path.read_bytes())
    return total.hexdigest()


# --- every page ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders(app: AppTest, name: str) -> None:
    page(app, name)
    no_exceptions(app)
    assert [t.value for t in app.title] == [PAGES[name]]
    assert "Processing of personal data in customer services" in text(app), "the sidebar"


def test_pages_leave_the_records_alone(app: AppTest) -> None:
    files = input_files([default_records()])
    before = digest(files)
    for name in PAGES:
        page(app, name)
    page(app, "query")
    app.selectbox(key="query_saved").set_value("").run()
    run_sparql(app, "DELETE WHERE { ?s ?p ?o }")
    assert any("Refused" in e.value for e in app.error)
    assert digest(files) == before


# --- Flows -----------------------------------------------------------------------------------


def test_flows_data_filter_changes_the_network(app: AppTest) -> None:
    full = svg_map.keys(flow_map(app))
    assert not app.get("plotly_chart"), "the first page draws no plotly chart"
    app.multiselect(key="flow_data").select(IP).run()
    no_exceptions(app)
    shown = flow_map(app)
    nodes = [k for k in svg_map.keys(shown) if k.startswith("node:")]
    assert len(nodes) > 0 and len(svg_map.keys(shown)) < len(full)
    labels = set(svg_map.labels(shown).values())
    assert {"Elisa Oyj", "Fonecta Oy"} <= labels
    assert "Paytrail" not in labels
    page_text = text(app)
    assert "Who handles the selected data" in page_text
    reaches = next(line for line in page_text.splitlines() if "Processors it reaches" in line)
    assert "Elisa Oyj" in reaches and "Fonecta Oy" in reaches
    assert app.caption[0].value.startswith("Showing ")


def test_flows_identity_code_units(app: AppTest) -> None:
    """Done-when: which units handle personal identity codes."""
    app.multiselect(key="flow_data").select(PERSONAL_IDENTITY_CODE).run()
    no_exceptions(app)
    assert "Units whose activities process it" in text(app)
    table = app.dataframe[0].value
    assert "General information service" in set(table["Unit"])


def test_flows_filters_from_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    at = at_address(monkeypatch, "flows", data="pd:IPAddress", node="fonecta")
    assert at.multiselect(key="flow_data").value == [IP]
    assert at.selectbox(key="flow_node").value == BASE + "fonecta"
    assert "#### Fonecta Oy" in text(at)


def test_flows_node_details(app: AppTest) -> None:
    app.selectbox(key="flow_node").select(BASE + "elisa").run()
    no_exceptions(app)
    page_text = text(app)
    assert "#### Elisa Oyj" in page_text and "Receives from" in page_text
    receives = app.dataframe[0].value
    assert len(receives) >= 1 and "IP Address" in " ".join(receives["Data"])
    links = [link.proto.label for link in app.get("page_link")]
    assert any("IP addresses" in label for label in links), "its activities link to Activities"


def test_flows_edge_details(app: AppTest) -> None:
    """What a click on an edge's marker shows (the click itself: the browser test)."""
    app.multiselect(key="flow_data").select(IP).run()
    app.session_state["flow_edges"] = ((BASE + "website-visitors", BASE + "snoobi-analytics"),)
    app.run()
    no_exceptions(app)
    page_text = text(app)
    assert "Snoobi Analytics**" in page_text
    assert "**Data:** IP Address" in page_text
    assert "**Condition:**" in page_text and "consent" in page_text
    links = [link.proto.label for link in app.get("page_link")]
    assert any("Web analytics" in label for label in links)
    app.button(key="clear_edge").click().run()
    assert "**Data:** IP Address" not in text(app)


def test_flows_other_filters_and_empty_state(app: AppTest) -> None:
    app.multiselect(key="flow_processors").select(BASE + "fonecta").run()
    no_exceptions(app)
    labels = set(svg_map.labels(flow_map(app)).values())
    assert "Fonecta Oy" in labels and "Elisa Oyj" not in labels
    # Fonecta gets IP addresses only: with special categories asked for, nothing matches.
    app.toggle(key="flow_special").set_value(True).run()
    no_exceptions(app)
    assert any("No data flow matches" in i.value for i in app.info)
    app.multiselect(key="flow_processors").unselect(BASE + "fonecta").run()
    app.multiselect(key="flow_bases").select("https://w3id.org/dpv/legal/eu/gdpr#A6-1-c").run()
    no_exceptions(app)
    assert not app.info, "special-category data do flow"
    app.toggle(key="flow_special").set_value(False).run()
    app.multiselect(key="flow_bases").unselect("https://w3id.org/dpv/legal/eu/gdpr#A6-1-c").run()
    app.radio(key="flow_layout").set_value("spring").run()
    no_exceptions(app)
    network = flow_map(app)
    assert "Elisa Oyj" in svg_map.labels(network).values()
    assert not svg_map.groups(network, "rm-box"), "the force-directed network has no boxes"


def test_flows_sankey(app: AppTest) -> None:
    app.radio(key="flow_layout").set_value("sankey").run()
    no_exceptions(app)
    assert len(app.get("plotly_chart")) == 1, "only the view asked for is drawn"
    assert not app.get("bidi_component")
    sankey = figure(app)
    assert sankey["data"][0]["type"] == "sankey"
    assert "Elisa Oyj" in sankey["data"][0]["node"]["customdata"]


def test_flows_line_of_several_hand_overs(app: AppTest) -> None:
    """A line into a box stands for several hand-overs: its details list each."""
    into = [
        (BASE + "private-customers", BASE + "general-information-service"),
        (BASE + "small-businesses", BASE + "general-information-service"),
    ]
    app.session_state["flow_edges"] = tuple(into)
    app.run()
    no_exceptions(app)
    page_text = text(app)
    assert "Private customers → General information service**" in page_text
    assert "Small businesses → General information service**" in page_text


@pytest.mark.parametrize("key", ["flow_data", "flow_units", "flow_processors", "flow_bases"])
def test_flows_filters_take_exact_matches(app: AppTest, key: str) -> None:
    """Typing "IP add" and Enter picks the first option containing it, never every fuzzy
    match at once (issue 18): the filter matches substrings and offers no "select all"."""
    widget = app.multiselect(key=key).proto
    mode = MultiSelect.DESCRIPTOR.fields_by_name["filter_mode"].enum_type
    assert mode.values_by_number[widget.filter_mode].name == "FILTER_MODE_CONTAINS"
    assert widget.select_all == 0


def test_flows_register_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROPA_DASHBOARD_PATHS", json.dumps([str(p) for p in TWO_REGISTERS]))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    no_exceptions(at)
    picker = at.multiselect(key="flow_registers")
    assert len(picker.options) == 2
    picker.select(CITY_ROPA).run()
    no_exceptions(at)
    drawn = flow_map(at)
    labels = set(svg_map.labels(drawn).values())
    assert "Property tax assessment" in labels and "Example Cloud Inc" not in " ".join(labels)
    assert "between registers" in svg_map.legend(drawn), "the hand-over between the registers"


# --- Who holds what --------------------------------------------------------------------------


def test_matrix_cell_opens_its_activities(app: AppTest) -> None:
    page(app, "matrix")
    no_exceptions(app)
    chart = figure(app)
    assert sum(len(t["x"]) for t in chart["data"]) > 100
    app.selectbox(key="matrix_holder").select(BASE + "elisa").run()
    app.selectbox(key="matrix_pick_data").select(IP).run()
    no_exceptions(app)
    page_text = text(app)
    assert "**Elisa Oyj** handles **IP Address**" in page_text
    assert "legal obligation" in page_text
    links = [link.proto.label for link in app.get("page_link")]
    assert any("IP addresses" in label for label in links)
    app.radio(key="matrix_colour").set_value("retention").run()
    no_exceptions(app)
    names = {t["name"] for t in figure(app)["data"]}
    assert names <= {
        "No retention recorded",
        "Kept indefinitely",
        "Retention delegated",
        "Period not given",
        "Until an event",
        "Current year plus a period",
        "Period from an event",
        "Fixed period",
        "Not stored",
    }
    app.text_input(key="matrix_data").input("no-such-category").run()
    assert any("No square matches" in i.value for i in app.info)


# --- A person's journey ----------------------------------------------------------------------


def test_journey_of_private_customers(monkeypatch: pytest.MonkeyPatch) -> None:
    at = at_address(monkeypatch, "journey", subject="private-customers")
    assert at.selectbox(key="journey_subject").value == BASE + "private-customers"
    glance = at.dataframe[0].value
    assert "Personal identity code" in set(glance["Personal data"])
    assert any("Parties concerned" in r for r in glance["Received by"])
    page_text = text(at)
    assert "**Kept**" in page_text and "> " in page_text, "retention with its quote"
    assert "Where the register says it" in page_text
    assert at.get("download_button"), "the answer to a subject-access request"


# --- Activities ------------------------------------------------------------------------------


def test_activities_search_and_detail_with_provenance(app: AppTest) -> None:
    page(app, "activities")
    full = len(app.dataframe[0].value)
    app.text_input(key="activity_search").input("Elisa").run()
    no_exceptions(app)
    found = app.dataframe[0].value
    assert 0 < len(found) < full
    assert any("IP addresses" in name for name in found["Activity"])
    app.selectbox(key="activity_pick").select(BASE + "chat-ip-disruption-management").run()
    no_exceptions(app)
    page_text = text(app)
    assert "Where the register description says it" in page_text
    assert "IP addresses are collected for disruption management" in page_text
    assert "**[1]**" in page_text
    record = app.dataframe[1].value
    assert "Elisa Oyj" in set(record["Value"])
    assert any(q.startswith("[") for q in record["Quotes"])
    assert app.query_params["activity"] in (
        "chat-ip-disruption-management",
        ["chat-ip-disruption-management"],
    )


def test_activities_link_by_address(monkeypatch: pytest.MonkeyPatch) -> None:
    at = at_address(monkeypatch, "activities", activity="web-analytics")
    assert at.selectbox(key="activity_pick").value == BASE + "web-analytics"
    assert "Snoobi Analytics" in text(at)


def test_activities_search_without_match(app: AppTest) -> None:
    page(app, "activities")
    app.text_input(key="activity_search").input("no-such-thing-anywhere").run()
    no_exceptions(app)
    assert any("No activity matches" in i.value for i in app.info)


# --- Retention -------------------------------------------------------------------------------


def test_retention_highlights_and_filters(app: AppTest) -> None:
    page(app, "retention")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Kept indefinitely"].split()[0].isdigit()
    assert metrics["No retention recorded"].split()[0].isdigit()
    assert "Feedback on accessibility and related replies" in text(app)
    rows = len(app.dataframe[0].value)
    app.toggle(key="retention_attention").set_value(True).run()
    no_exceptions(app)
    attention = app.dataframe[0].value
    assert 0 < len(attention) < rows
    assert set(attention["Retention"]) <= {
        "No retention recorded",
        "Kept indefinitely",
        "Retention delegated",
        "Period not given",
    }
    app.multiselect(key="retention_kinds").set_value(["indefinite"]).run()
    only = app.dataframe[0].value
    assert set(only["Retention"]) == {"Kept indefinitely"}
    timeline = figure(app)
    assert [t["name"] for t in timeline["data"]] == ["Kept indefinitely"]
    app.text_input(key="retention_search").input("nothing-matches-this").run()
    assert any("No retention matches" in i.value for i in app.info)


# --- Findings --------------------------------------------------------------------------------


def test_findings_by_severity_and_activity(app: AppTest) -> None:
    page(app, "findings")
    no_exceptions(app)
    labels = [m.label for m in app.metric]
    assert any("Violations" in label for label in labels)
    table = app.dataframe[1].value
    assert set(table["Severity"]) <= {"violation", "warning", "info"}
    app.multiselect(key="findings_severity").set_value(["info"]).run()
    assert set(app.dataframe[1].value["Severity"]) == {"info"}
    picker = app.selectbox(key="finding_activity")
    activity = picker.options[1]
    picker.select_index(1).run()
    no_exceptions(app)
    page_text = text(app)
    assert "finding(s) for this activity" in page_text
    assert "Where the register description says it" in page_text
    assert activity.rsplit(" (", 1)[0] in page_text


# --- Query -----------------------------------------------------------------------------------


def test_query_runs_a_saved_query_with_labels(app: AppTest) -> None:
    page(app, "query")
    no_exceptions(app)
    answer = app.dataframe[0].value
    assert any(c.endswith("_label") for c in answer.columns)
    assert "Elisa Oyj" in answer.to_csv()
    assert app.get("download_button")


def run_sparql(at: AppTest, query: str) -> AppTest:
    """Type a query into the console and press Run (one submission of the form)."""
    at.text_area(key="query_text_custom").input(query)
    at.button[0].click()
    return at.run()


def test_query_refuses_updates_and_reports_syntax_errors(app: AppTest) -> None:
    page(app, "query")
    app.selectbox(key="query_saved").set_value("").run()
    assert any("press **Run**" in i.value for i in app.info)
    run_sparql(app, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    no_exceptions(app)
    assert any("Refused" in e.value and "INSERT" in e.value for e in app.error)
    assert not app.dataframe
    run_sparql(app, "SELECT * WHERE { ?s ?p }")
    assert any("does not parse" in e.value for e in app.error)
    assert any(c.value.startswith("query:1:") for c in app.code)
    run_sparql(app, "ASK { ?s a dpv:Process }")
    assert [m.value for m in app.metric] == ["yes"]
    run_sparql(app, "SELECT ?s WHERE { ?s a dpv:Nothing }")
    assert any("matched nothing" in i.value for i in app.info)


def test_query_parameters(app: AppTest) -> None:
    page(app, "query")
    app.selectbox(key="query_saved").set_value("processor-footprint").run()
    no_exceptions(app)
    param = app.text_input(key="query_param_processor-footprint_processor")
    assert param.value == "elisa"
    assert "Elisa" in app.dataframe[0].value.to_csv()


# --- Notice ----------------------------------------------------------------------------------


def test_notice_languages_and_downloads(app: AppTest) -> None:
    page(app, "notice")
    no_exceptions(app)
    downloads = app.get("download_button")
    assert len(downloads) == 2
    english = app.code[0].value
    assert english.startswith("# Privacy notice: ")
    assert "missing from the records" in app.expander[0].label, "--allow-gaps: gaps are shown"
    assert "Information missing from the records" in english
    assert "\n## In brief\n" in english  # the layered notice: its first layer
    app.radio(key="notice_lang").set_value("fi").run()
    no_exceptions(app)
    assert app.code[0].value.startswith("# Tietosuojaseloste: ")
    assert "\n## Lyhyesti\n" in app.code[0].value
    app.radio(key="notice_lang").set_value("sv").run()
    no_exceptions(app)
    assert app.code[0].value != english
    assert "\n## I korthet\n" in app.code[0].value


# --- bad input -------------------------------------------------------------------------------


def test_bad_records_show_an_error_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = tmp_path / "ks"
    shutil.copytree(FIXTURES / "kitchen-sink", records)
    with (records / "data.yaml").open("a", encoding="utf-8") as handle:
        handle.write("activities:\n  - id: [unclosed\n")
    line = (records / "data.yaml").read_text(encoding="utf-8").count("\n") + 1
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ROPA_DASHBOARD_PATHS", json.dumps(["ks"]))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    no_exceptions(at)
    assert [t.value for t in at.title] == ["The records could not be loaded"]
    message = at.error[0].value.replace("\\", "")  # Markdown escapes
    assert f"ks/data.yaml:{line}" in message and "YAML syntax error" in message
    assert "Traceback" not in text(at)


def test_a_missing_path_shows_an_error_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ROPA_DASHBOARD_PATHS", json.dumps(["nowhere"]))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    no_exceptions(at)
    assert "nowhere: file not found" in at.error[0].value.replace("\\", "")


def test_other_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain DPV ROPA: no flows to draw, no provenance; every page still renders."""
    monkeypatch.setenv(
        "ROPA_DASHBOARD_PATHS", json.dumps([str(FIXTURES / "notice" / "plain-dpv.ttl")])
    )
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    no_exceptions(at)
    assert any("state no data flows" in i.value for i in at.info)
    for name in PAGES:
        page(at, name)
        no_exceptions(at)
