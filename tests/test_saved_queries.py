"""Each saved query answers on the shipped register what its register description says.

The expected answers are read off ``ropa/finnish-customs/register-description.txt``; the
comment above each check quotes the sentence it rests on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from checker.assets import default_records
from checker.errors import InputError
from checker.query import ask, binding, engines, results
from checker.query import library as query_library
from checker.query import text as query_text
from checker.vocab import namespaces

BASE = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
TEXT = (default_records() / "register-description.txt").read_text(encoding="utf-8")

Row = dict[str, str]


@pytest.fixture(scope="module")
def engine() -> engines.LocalEngine:
    return engines.LocalEngine.from_paths()


def short(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """A register IRI as its id, a vocabulary IRI as a CURIE, a literal as its text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(BASE):
            return term.value[len(BASE) :]
        return namespaces.compact(term.value, namespaces.QUERY_PREFIXES)
    return term.value if isinstance(term, ox.Literal) else str(term)


def answer(engine: engines.LocalEngine, name: str, **binds: str) -> list[Row]:
    """Run a saved query as ``ropa query`` does (binds resolved by name), with labels."""
    query = query_text.load_query(name)
    bindings = binding.bind_values(engine, query, binds)
    result = engine.query(query, bindings=bindings)
    assert isinstance(result, results.Solutions)
    shown = results.labelled(result, engine.labels(results.result_nodes(result)))
    rows = [dict(zip(shown.variables, map(short, row), strict=True)) for row in shown.rows]
    assert rows, f"{name} has no answer on the shipped register"
    return rows


def column(rows: list[Row], name: str) -> set[str]:
    return {r[name] for r in rows}


def check_processors_personal_data(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "processors-personal-data")
    # "Fonecta Oy's Snoobi Analytics tool, processes IP addresses of visitors ..."
    # "Elisa Oyj's Elisa Desk platform ... processes IP addresses of those who use ... chatbot"
    ip = [r for r in rows if r["data"] == "pd:IPAddress"]
    assert column(ip, "processor_label") == {"Fonecta Oy", "Elisa Oyj"}
    # "The Paytrail payment service processes the personal details of Customs' customers (name,
    # payment amount, reference number and payment method details) ... Paytrail also receives
    # our customers' email addresses for sending a payment confirmation message."
    paytrail = [r for r in rows if r["processor_label"] == "Paytrail"]
    assert column(paytrail, "data_label") == {
        "Name",
        "Payment amount",
        "Payment reference number",
        "Payment method details",
        "Email Address",
    }
    assert column(paytrail, "activity") == {"paytrail-payments"}
    # "Ultimate.ai in the Google Cloud anonymises the personal data of the discussions in the
    # chatbot service": the discussions, and no IP address (issue 15, item 4).
    ultimate = [r for r in rows if r["processor_label"] == "Ultimate.ai"]
    assert [(r["activity"], r["data"]) for r in ultimate] == [
        ("chatbot-discussions-anonymisation", "chatbot-discussions")
    ]
    elisa_chatbot = [r for r in rows if r["activity"] == "chatbot-ip-addresses"]
    assert [(r["processor"], r["data"]) for r in elisa_chatbot] == [("elisa", "pd:IPAddress")]
    assert column(rows, "processor_label") == {"Elisa Oyj", "Fonecta Oy", "Paytrail", "Ultimate.ai"}


def check_indefinite_retention(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "indefinite-retention")
    # "Feedback on accessibility and related replies, are saved indefinitely."
    # "Memorandums drafted at Customs in meetings of customer cooperation networks ... indefinitely"
    # "Control requests regarding personal data ... as well as replies to them, are stored indefinitely."
    assert column(rows, "data") == {
        "accessibility-feedback",
        "customs-cooperation-memorandums",
        "control-requests",
    }
    for row in rows:
        assert row["quote"] in TEXT
        assert "indefinitely" in row["quote"]
    # "data can be transferred to the National Archives of Finland insofar as they are to be
    # stored indefinitely."
    for data in column(rows, "data"):
        handed = {r["handedTo_label"] for r in rows if r["data"] == data}
        assert "National Archives of Finland" in handed, data
    assert column(rows, "activity") >= {
        "cis-accessibility-feedback",
        "control-and-document-requests",
    }


def check_personal_identity_code(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "personal-identity-code")
    # "The following personal data of private customers ...: first and last names, personal
    # identity codes, ..." and the same list for businesses' responsible and contact persons.
    assert "personal identity codes" in TEXT
    assert column(rows, "data") == {"personal-identity-code"}
    assert column(rows, "group") == {"private-identity-contact", "business-identity-contact"}
    assert column(rows, "activity") == {
        "general-info-phone-letter-email",
        "business-advice-customs-message-exchange",
        "business-procedure-specific-advice",
        "business-traces-advice",
        "business-information-visits",
        "cis-further-processing",
        "e-services-development",
        "e-services-further-processing",
    }
    # "The basis for the legal processing ... is compliance with the controller's statutory
    # obligation", under the Customs Act (304/2016), the Union Customs Code and the
    # Administrative Procedure Act (434/2003).
    assert column(rows, "legalBasis") == {"eu-gdpr:A6-1-c"}
    assert column(rows, "law") == {
        "customs-act",
        "union-customs-code",
        "administrative-procedure-act",
    }
    activities = column(rows, "activity")
    for activity in activities:
        laws = {r["law"] for r in rows if r["activity"] == activity}
        assert len(laws) == 3, activity


def check_special_category_data(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "special-category-data")
    # "Personal data belonging to special categories ... may be included in customer feedback
    # and in questions by customers."
    assert column(rows, "data") == {"special-category-data"}
    assert {
        "general-info-phone-letter-email",
        "general-info-chat",
        "business-advice-customs-message-exchange",
        "customs-offices-feedback-and-questions",
        "traces-officer-advice-messages",
        "cis-feedback-responses",
    } <= column(rows, "activity")
    # "The following personal data are only processed by personnel at Customs' customer
    # service, who have separate user rights ... (customer information and e-services):
    # personal data in customer feedback, enquiries, ..."
    permitted = {r["who"] for r in rows if r["role"] == "permitted by an access rule"}
    assert permitted == {"customer-information-service", "e-services"}
    # "Customs officials at the customs offices receive ... customer feedback and customers
    # questions ... as well as transfer them to the customer services for responses."
    offices = {
        (r["who"], r["role"])
        for r in rows
        if r["activity"] == "customs-offices-feedback-and-questions"
    }
    assert offices == {
        ("customs-offices", "unit of the activity"),
        ("customer-services", "receiver of a data flow of the activity"),
    }
    # No processor is named for feedback and questions.
    assert "processor" not in column(rows, "role")


def check_flows_leaving_controller(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "flows-leaving-controller")
    # Regular disclosures (parties concerned, National Archives, other authorities) and the
    # processors Elisa Oyj and Fonecta Oy (through Snoobi Analytics). "Paytrail also receives our
    # customers' email addresses" names no sender, so it is no recorded flow (issue 15, item 1).
    assert column(rows, "party_label") == {
        "Parties concerned",
        "National Archives of Finland",
        "Other authorities",
        "Elisa Oyj",
        "Fonecta Oy",
    }
    snoobi = [r for r in rows if r["receiver"] == "snoobi-analytics"]
    assert [(r["party"], r["data"]) for r in snoobi] == [("fonecta", "pd:IPAddress")]
    # "based on the customers' consent to the use of cookies"
    assert "consent to the use of cookies" in snoobi[0]["condition"]
    archives = {r["data"] for r in rows if r["receiver"] == "national-archives-of-finland"}
    assert archives == {
        "accessibility-feedback",
        "control-requests",
        "customs-cooperation-memorandums",
    }
    # Nothing handed between Customs' own units counts as leaving.
    assert not column(rows, "receiver") & {"communication", "e-services", "customer-services"}


def check_unit_handovers(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "unit-handovers")
    pairs = {(r["sender"], r["receiver"], r["data"]) for r in rows}
    # "Customs officials at the customs offices receive oral and written customer feedback and
    # customers questions, respond to them as well as transfer them to the customer services"
    assert ("customs-offices", "customer-services", "customer-feedback") in pairs
    assert ("customs-offices", "customer-services", "customer-questions") in pairs
    # "Customs' Communication receives customer surveys from the customer services to be
    # transferred to the customer information service."
    assert ("customer-services", "communication", "survey-replies") in pairs
    assert ("communication", "customer-information-service", "survey-replies") in pairs
    # "The Customs School sends feedback surveys ... transfers this information to the
    # customer information service."
    assert ("customs-school", "customer-information-service", "training-feedback") in pairs
    # "The e-services process personal data of the customer information service, customs
    # clearance, the tax collection and authorisation services as well as customer data of
    # Customs' Statistics, when developing Customs' electronic services."
    into_e_services = {r["sender"] for r in rows if r["receiver"] == "e-services"}
    assert into_e_services == {
        "customer-information-service",
        "customs-clearance",
        "tax-collection",
        "authorisation-services",
        "customs-statistics",
    }
    # The General Staff gets cooperation data only "if there is a well-founded reason".
    staff = [r for r in rows if r["receiver"] == "general-staff"]
    assert staff and all("well-founded reason" in r["condition"] for r in staff)


def check_data_from_source(engine: engines.LocalEngine) -> None:
    # "Data of identification transactions are obtained from the Suomi.fi service maintained
    # by the Digital and Population Data Services Agency."
    rows = answer(engine, "data-from-source")
    assert column(rows, "source") == {"suomi-fi"}
    assert column(rows, "provider_label") == {"Digital and Population Data Services Agency"}
    assert column(rows, "data") == {"identification-transaction-data"}
    assert column(rows, "receiver") == {"customer-services"}
    # A source of the register as a whole: the text names no activity that uses the data.
    assert column(rows, "activity") == {""}
    # Onward: only the flows that do not name their data ("details from the customer services
    # can be transferred on reasonable grounds to other functions"; other authorities).
    assert column(rows, "onwardTo") == {"other-customs-functions", "other-authorities"}
    # Another source, bound by name: "Data of the customer registrations are obtained from
    # Customs' customer register."
    register = answer(engine, "data-from-source", source="customer-register")
    assert "customer-registration-data" in column(register, "data")
    assert column(register, "source") == {"customer-register"}


def check_retention_by_data(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "retention-by-data")

    def durations(data: str) -> set[str]:
        return {r["duration_label"] for r in rows if r["data"] == data}

    # "IP addresses collected by the Chat service are retained for 30 days in Elisa Oyj's
    # technical log." / "IP addresses collected by Fonecta Oy's Snoobi Analytics tool, are
    # not stored"
    assert durations("pd:IPAddress") == {"30 days", "not stored"}
    # "Feedback on accessibility and related replies, are saved indefinitely."
    assert durations("accessibility-feedback") == {"indefinitely"}
    # "Customer cards of customer services are stored for the current year plus six years
    # counting from the end of the customer status."
    cards = [r for r in rows if r["data"] == "customer-cards"]
    assert [(r["duration_label"], r["event"]) for r in cards] == [
        ("the current year plus 6 years", "end-of-customer-status")
    ]
    # "Customer feedback that has arrived ... by email or on forms ... stored for two years at most."
    assert durations("written-feedback") == {"at most 2 years"}
    # "The authorisation services and the Corporate Audit are responsible for the storage of
    # other AEO material."
    assert {r["delegatedTo"] for r in rows if r["data"] == "other-aeo-material"} == {
        "authorisation-services",
        "corporate-audit",
    }
    # The register states no retention for the personal identity code: the row is empty.
    assert durations("personal-identity-code") == {""}


def check_activities_without_retention(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "activities-without-retention")
    activities = column(rows, "activity")
    assert len(activities) == 18
    # The retention section says nothing of Paytrail payments or customer connections.
    assert {"paytrail-payments", "ict-customer-connections"} <= activities
    # "IP addresses collected by the Chat service are retained for 30 days" - has a rule.
    assert "chat-ip-disruption-management" not in activities
    # The chatbot users' IP addresses on Elisa Desk have none, and "details of customer
    # registrations" (two years) may or may not mean the sign-ups of line 17 (issue 15).
    assert {"chatbot-ip-addresses", "cis-project-event-registrations"} <= activities
    for activity in activities:
        has_rule = engine.query(
            "ASK { ?a dpv:hasStorageCondition ?r }", bindings={"a": ox.NamedNode(BASE + activity)}
        )
        assert has_rule == results.Boolean(False), activity


def check_processor_footprint(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "processor-footprint", processor="Elisa Oyj")
    assert column(rows, "processor") == {"elisa"}

    def items(relation: str) -> set[str]:
        return {r["item"] for r in rows if r["relation"] == relation}

    # "Elisa Oyj's Elisa Desk platform, which is located in the Google Cloud of Finland"
    assert items("provides the system") == {"elisa-desk", "elisa-technical-log"}
    assert items("location of a system it provides") == {"loc:FI"}
    # "In Customs' chat service on the web, IP addresses are collected for disruption
    # management. The data are collected for Customs by Elisa Oyj." (30 days in its log)
    assert items("processor of the activity") == {
        "chat-ip-disruption-management",
        "chatbot-ip-addresses",
    }
    assert items("receives in a data flow") == {"pd:IPAddress"}
    assert items("retention rule of the activity") == {"chat-ip-thirty-days"}
    # The processor bound by id gives the same answer; Fonecta's footprint runs through its tool.
    assert answer(engine, "processor-footprint", processor="elisa") == rows
    fonecta = answer(engine, "processor-footprint", processor="fonecta")
    assert {
        r["item"] for r in fonecta if r["relation"] == "receives in a data flow to its system"
    } == {"pd:IPAddress"}


def check_provenance(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "provenance", entry="chat-ip-thirty-days")
    quote = "IP addresses collected by the Chat service are retained for 30 days in Elisa Oyj’s technical log."
    assert [r["quote"] for r in rows] == [quote]
    assert rows[0]["section_label"] == "Personal data retention and disposal times"
    line = int(rows[0]["line"])
    assert TEXT.splitlines()[line - 1].strip() == quote


def check_recipients(engine: engines.LocalEngine) -> None:
    rows = answer(engine, "recipients")
    # "Regular disclosures of personal data": parties concerned, the National Archives of
    # Finland, other authorities.
    assert column(rows, "recipient_label") == {
        "Parties concerned",
        "National Archives of Finland",
        "Other authorities",
    }
    # "data may be disclosed to other authorities": the register's own disclosure, of no
    # activity; the National Archives receive data of activities and of the register.
    assert column([r for r in rows if r["recipient"] == "other-authorities"], "activity") == {""}
    archives = column(
        [r for r in rows if r["recipient"] == "national-archives-of-finland"], "activity"
    )
    assert "" in archives and "cis-accessibility-feedback" in archives


CHECKS: dict[str, Callable[[engines.LocalEngine], None]] = {
    "processors-personal-data": check_processors_personal_data,
    "indefinite-retention": check_indefinite_retention,
    "personal-identity-code": check_personal_identity_code,
    "special-category-data": check_special_category_data,
    "flows-leaving-controller": check_flows_leaving_controller,
    "unit-handovers": check_unit_handovers,
    "data-from-source": check_data_from_source,
    "retention-by-data": check_retention_by_data,
    "activities-without-retention": check_activities_without_retention,
    "processor-footprint": check_processor_footprint,
    "provenance": check_provenance,
    "recipients": check_recipients,
}


def test_every_saved_query_has_a_check() -> None:
    assert len(CHECKS) == 12
    assert set(CHECKS) == set(query_library.saved_queries())


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_saved_query_answers_as_the_register_says(engine: engines.LocalEngine, name: str) -> None:
    CHECKS[name](engine)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_saved_query_runs_on_any_dpv_graph(name: str) -> None:
    """On another record set (the kitchen sink) each query runs; parameters without a
    default are bound to something that exists there."""
    engine = kitchen_sink_engine()
    query = query_text.load_query(name)
    params = {p.name for p in query.saved.parameters if p.default is None}  # type: ignore[union-attr]
    binds = {p: SINK_VALUES[p] for p in params}
    try:
        bindings = binding.bind_values(engine, query, binds)
    except InputError as exc:  # a default that names a node of the shipped register only
        assert name == "data-from-source", exc
        bindings = binding.bind_values(engine, query, {"source": SINK_VALUES["source"]})
    assert isinstance(engine.query(query, bindings=bindings), results.Solutions)


SINK_VALUES = {"processor": "pd:IPAddress", "entry": "pd:IPAddress", "source": "pd:IPAddress"}
_SINK: list[engines.LocalEngine] = []


def kitchen_sink_engine() -> engines.LocalEngine:
    if not _SINK:
        _SINK.append(
            engines.LocalEngine.from_paths([Path(__file__).parent / "fixtures" / "kitchen-sink"])
        )
    return _SINK[0]


DOCS = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
BEGIN = "<!-- BEGIN GENERATED: saved queries -->\n"
END = "<!-- END GENERATED: saved queries -->\n"


def test_docs_show_every_saved_query_with_its_real_output(engine: engines.LocalEngine) -> None:
    """docs/queries.md carries each saved query's output on the shipped register.

    ``ROPA_UPDATE_DOCS=1 pytest tests/test_saved_queries.py -k docs`` rewrites it.
    """
    text = DOCS.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    assert head and tail is not None and END in text, "the generated section's markers are missing"
    generated = ask.library_reference(engine)
    expected = head + BEGIN + generated + END + tail
    if os.environ.get("ROPA_UPDATE_DOCS") == "1":
        DOCS.write_text(expected, encoding="utf-8")
    assert text == expected, "docs/queries.md is out of date: run with ROPA_UPDATE_DOCS=1"
    for name in query_library.saved_queries():
        assert f"`{name}` ([source](../checker/query/queries/{name}.rq))" in generated
