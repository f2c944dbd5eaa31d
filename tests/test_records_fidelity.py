"""The Finnish Customs records say exactly what the register description says (issue 15).

Each test names the item of issue 15 it checks and quotes the passage it rests on. The
tests look at the built graph, the flow graph, the saved queries, the findings and the
privacy notice: what a user of ropa-kg sees, not the YAML.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from checker.check.findings import Finding
from checker.check.run import check
from checker.graph.build import build
from checker.graph.flows import flow_graph
from checker.notice.compose import Item, compose_notice, plain
from checker.query import engines, results
from checker.query import text as query_text
from tests.conftest import english

FC = Namespace("https://w3id.org/ropa-kg/registers/fi-customs/customer-services/")
DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
EU = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")


@pytest.fixture(scope="module")
def g() -> Graph:
    return build()


@pytest.fixture(scope="module")
def findings(g: Graph) -> list[Finding]:
    return check(g).findings


@pytest.fixture(scope="module")
def engine() -> engines.LocalEngine:
    return engines.LocalEngine.from_paths()


def rows(engine: engines.LocalEngine, name: str) -> list[dict[str, str]]:
    """A saved query's rows, each value as its IRI or literal text ('' when unbound)."""
    result = engine.query(query_text.load_query(name))
    assert isinstance(result, results.Solutions)
    return [
        {v: ("" if t is None else t.value) for v, t in zip(result.variables, row, strict=True)}
        for row in result.rows
    ]


def derives_from(g: Graph, node: URIRef, passage: str) -> bool:
    return (node, PROV.wasDerivedFrom, FC[passage]) in g


def flows_into(g: Graph, receiver: URIRef) -> list[URIRef]:
    return [f for f in g.subjects(ROPA.receiver, receiver) if (f, RDF.type, ROPA.DataFlow) in g]


def narrower_or_same(g: Graph, term: URIRef) -> set[URIRef]:
    """``term`` and every category narrower than it (the graph's skos:broader hierarchy)."""
    found, todo = {term}, [term]
    while todo:
        for narrower in g.subjects(SKOS.broader, todo.pop()):
            if isinstance(narrower, URIRef) and narrower not in found:
                found.add(narrower)
                todo.append(narrower)
    return found


def rules_on(findings: list[Finding], focus: URIRef) -> set[str]:
    return {f.rule for f in findings if f.focus == str(focus)}


def processor_item(g: Graph, name: str) -> Item:
    """The notice's entry for one processor (section "Regular disclosures", "Processors")."""
    notice = compose_notice(g, "en")
    for section in notice.sections:
        for sub in section.subsections:
            if sub.heading is None or plain(sub.heading) != "Processors":
                continue
            for block in sub.blocks:
                for item in getattr(block, "items", ()):
                    if plain(item.text) == name:
                        return item
    raise AssertionError(f"the notice lists no processor {name!r}")


# --- Item 1: Paytrail receives the email addresses; the text names no sender -----------------


def test_item_1_paytrail_email_flow_names_no_sender(g: Graph, engine: engines.LocalEngine) -> None:
    """Issue 15, item 1: "Paytrail also receives our customers' email addresses for sending a
    payment confirmation message." names no sender, so no flow makes Finnish Customs (or
    anybody) the sender; Paytrail still receives the email addresses as the processor of the
    payments."""
    paytrail = FC["paytrail"]
    assert flows_into(g, paytrail) == [], "a flow names a sender the text does not name"
    leaving = rows(engine, "flows-leaving-controller")
    assert not [r for r in leaving if r["party"] == str(paytrail)]
    received = {
        (r["data"], r["activity"])
        for r in rows(engine, "processors-personal-data")
        if r["processor"] == str(paytrail)
    }
    assert (str(PD.EmailAddress), str(FC["paytrail-payments"])) in received
    assert (FC["paytrail-payments"], DPV.hasPurpose, FC["payment-confirmation"]) in g


# --- Item 2: visitor statistics "are generated from the data" --------------------------------


def test_item_2_visitor_statistics_have_no_invented_sender(g: Graph) -> None:
    """Issue 15, item 2: "Statistics on visitor numbers to be used by the Authorisation
    Services and Customs Statistics are generated from the data." says neither who generates
    them nor who hands them over: no flow makes Snoobi Analytics their sender."""
    stated = [
        f
        for f in g.subjects(RDF.type, ROPA.DataFlow)
        if derives_from(g, f, "purpose-visitor-statistics")
    ]
    assert stated == []
    for unit in ("authorisation-services", "customs-statistics"):
        senders = {g.value(f, ROPA.sender) for f in flows_into(g, FC[unit])}
        assert FC["snoobi-analytics"] not in senders, unit
    # The purpose stays, with its passage.
    purpose = FC["visitor-statistics"]
    assert (FC["web-analytics"], DPV.hasPurpose, purpose) in g
    assert derives_from(g, purpose, "purpose-visitor-statistics")


# --- Item 3: the supplier list's sources are not stated --------------------------------------


def test_item_3_supplier_list_sources_are_a_reported_gap(g: Graph) -> None:
    """Issue 15, item 3: the text says the list of contact persons of software companies "is
    published on Customs' website with the approval of the contact persons of the companies",
    not where its data come from; the records name no source and the notice reports it."""
    activity = FC["supplier-list"]
    assert list(g.objects(activity, DPV.hasDataSource)) == []
    assert not derives_from(g, activity, "sources-customers")
    notice = compose_notice(g, "en")
    gaps = {gap.key: {t.iri for t in gap.subjects} for gap in notice.gaps}
    assert str(activity) in gaps.get("sources", set())


# --- Item 4: who gets what in the chatbot service --------------------------------------------


def test_item_4_no_path_gives_ultimate_ai_an_ip_address(
    g: Graph, engine: engines.LocalEngine
) -> None:
    """Issue 15, item 4: "Elisa Oyj's Elisa Desk platform ... processes IP addresses of those who
    use Customs' chatbot service. Ultimate.ai in the Google Cloud anonymises the personal data
    of the discussions in the chatbot service": Elisa gets the IP addresses, Ultimate.ai the
    discussions, and nothing in the graph gives Ultimate.ai an IP address."""
    ultimate, elisa = str(FC["ultimate-ai"]), str(FC["elisa"])
    ip = {str(t) for t in narrower_or_same(g, PD.IPAddress)}
    flows = flow_graph(g)
    into_ultimate = [
        attrs["carries"]
        for _, target, attrs in flows.edges(data=True)
        if target == ultimate or (URIRef(target), ROPA.providedBy, URIRef(ultimate)) in g
    ]
    assert into_ultimate, "Ultimate.ai is a processor: the flow graph reaches it"
    for carries in into_ultimate:
        assert not carries.data & ip
        assert str(FC["chatbot-discussions"]) in carries.data
    elisa_data = set().union(*(a["carries"].data for _, t, a in flows.in_edges(elisa, data=True)))
    assert str(PD.IPAddress) in elisa_data
    assert str(FC["chatbot-discussions"]) not in elisa_data
    # The saved query says the same: each processor of the chatbot with its own data.
    received = {
        (r["processor"], r["data"])
        for r in rows(engine, "processors-personal-data")
        if r["processor"] in (ultimate, elisa)
    }
    assert (ultimate, str(FC["chatbot-discussions"])) in received
    assert not {(p, d) for p, d in received if p == ultimate and d in ip}
    assert (ultimate, "") not in received, "the records say which data each processor gets"
    # And so does the notice.
    ultimate_lines = [plain(line) for line in processor_item(g, "Ultimate.ai").children]
    assert any("Personal data of the discussions" in line for line in ultimate_lines)
    assert not any("IP Address" in line for line in ultimate_lines)


# --- Item 5: "customer registrations" is ambiguous -------------------------------------------


def test_item_5_customer_registrations_ambiguity_is_recorded(g: Graph) -> None:
    """Issue 15, item 5: "customer registrations" means registrations "for Customs' projects,
    events and trials" on line 17 and the data of "Customs' customer register" on line 56;
    "The e-services also process customer registrations." (line 25) and "details of customer
    registrations ... are stored for a maximum of two years" (line 98) do not say which. The
    records keep the bare phrase with a note of the ambiguity, not the sign-up reading."""
    rule = FC["questions-registrations-contacts-two-years"]
    covered = set(g.objects(rule, ROPA.coversData))
    assert FC["event-registrations"] not in covered
    e_services = set(g.objects(FC["e-services-registrations"], DPV.hasPersonalData))
    assert FC["event-registrations"] not in e_services
    bare = [
        d
        for d in covered & e_services
        if derives_from(g, d, "purpose-es-registrations")
        and derives_from(g, d, "retention-questions")
    ]
    assert len(bare) == 1
    assert g.value(bare[0], ROPA.ambiguity) is not None
    # Neither reading is taken: the bare category is narrower than neither of them.
    broader = set(g.objects(bare[0], SKOS.broader))
    assert not broader & {FC["event-registrations"], FC["customer-registration-data"]}
    # The sign-ups of line 17 are no longer given the two-year rule by that reading.
    assert (FC["cis-project-event-registrations"], DPV.hasStorageCondition, rule) not in g


# --- Item 6: web analytics rests on the statutory obligation, with cookie consent ------------


def test_item_6_web_analytics_basis_and_cookie_consent(g: Graph) -> None:
    """Issue 15, item 6: "The basis for the legal processing of personal data ... is compliance
    with the controller's statutory obligation." and the IP addresses "are collected ... based on
    the customers' consent to the use of cookies": the basis is Art. 6(1)(c); the cookie consent
    is the flow's condition and a consent measure, and the record notes the question for Customs."""
    activity = FC["web-analytics"]
    assert set(g.objects(activity, DPV.hasLegalBasis)) == {EU["A6-1-c"]}
    consent = [
        m
        for m in g.objects(activity, DPV.hasTechnicalOrganisationalMeasure)
        if (m, RDF.type, DPV.ConsentManagement) in g
    ]
    assert len(consent) == 1 and derives_from(g, consent[0], "purpose-web-analytics")
    flow = FC["website-visitors-to-snoobi"]
    assert "consent to the use of cookies" in english(g, flow, ROPA.condition)
    assert g.value(activity, ROPA.ambiguity) is not None


# --- Item 7: the "pre-determined time" refers to the customer information service -----------


def test_item_7_pre_determined_time_points_at_the_customer_information_service(g: Graph) -> None:
    """Issue 15, item 7: "Data received from customer registrations, customs clearance systems
    and authorisation services, are included in the abovementioned data of the customer
    information service, where they are stored for a pre-determined time." The rule stays
    unspecified, and says what it refers to and what is open."""
    rule = FC["registrations-clearance-authorisation-pre-determined"]
    duration = g.value(rule, DPV.hasDuration)
    assert (duration, RDF.type, DPV.IndeterminateDuration) in g
    note = g.value(rule, ROPA.ambiguity)
    assert note is not None and "customer information service" in str(note)


# --- Item 8: facts the records missed --------------------------------------------------------


def test_item_8_administrative_procedure_act_role(g: Graph) -> None:
    """Issue 15, item 8: "Personal data are processed as prescribed by the Finnish
    Administrative Procedures Act (434/2003), in order to implement the service principal and
    the authority's duty to provide service." The law's entry says why it applies."""
    law = FC["administrative-procedure-act"]
    description = english(g, law, DCTERMS.description)
    assert "service principle" in description and "duty to provide service" in description
    assert derives_from(g, law, "purpose-administrative-procedure-act")


def test_item_8_non_recurring_contacts_justification(g: Graph) -> None:
    """Issue 15, item 8: "non-recurring contact details of customer cooperation groups are stored
    for three years to safeguard development and feedback obtained regarding the development."
    The rule carries the reason as its justification (dpv:hasJustification)."""
    rule = FC["non-recurring-contacts-three-years"]
    justification = g.value(rule, DPV.hasJustification)
    assert isinstance(justification, Literal)
    assert "safeguard development" in str(justification)
    assert derives_from(g, rule, "retention-non-recurring-contacts")


def test_item_8_business_data_collected_on_transactions_and_becoming_a_customer(g: Graph) -> None:
    """Issue 15, item 8: "The following personal data of businesses are collected to the
    customer services based on transactions and on becoming a customer:" each of the three
    lists says when its data are collected."""
    for group in ("business-identity-contact", "business-identifying", "business-background"):
        description = english(g, FC[group], DCTERMS.description)
        assert "transactions" in description and "becoming a customer" in description, group
        assert derives_from(g, FC[group], "categories-businesses")


# --- Item 9: weak provenance and inferred facts -----------------------------------------------


def test_item_9_e_services_hand_overs_cite_data_received_from_other_functions(g: Graph) -> None:
    """Issue 15, item 9: the hand-overs into the e-services for development also rest on "The
    e-services do not disclose data of the customer information service that are needed for
    development, or transfer other data received from the other functions, ...")."""
    into = [
        f
        for f in flows_into(g, FC["e-services"])
        if (f, DPV.hasPurpose, FC["develop-electronic-services"]) in g
    ]
    assert len(into) == 5
    for flow in into:
        assert derives_from(g, flow, "purpose-es-development"), flow
        assert derives_from(g, flow, "disclosures-e-services"), flow


def test_item_9_archived_and_anonymised_feedback_are_two_statements(g: Graph) -> None:
    """Issue 15, item 9: "After that, the customer's name and contact information is removed for
    the archiving of the feedback." and "Anonymised customer feedback is stored on the network
    drive for a maximum of ten years." are separate statements: no category merges them."""
    categories = set(g.subjects(RDF.type, DPV.PersonalData))
    merged = [
        c
        for c in categories
        if derives_from(g, c, "retention-feedback-archiving")
        and derives_from(g, c, "retention-anonymised-feedback")
    ]
    assert merged == []
    archived = [c for c in categories if derives_from(g, c, "retention-feedback-archiving")]
    anonymised = [c for c in categories if derives_from(g, c, "retention-anonymised-feedback")]
    assert len(archived) == 1 and len(anonymised) == 1
    # Only the anonymised feedback has the ten-year rule.
    ten_years = FC["anonymised-feedback-ten-years"]
    assert set(g.objects(ten_years, ROPA.coversData)) == set(anonymised)


def test_item_9_inferred_traces_roles_and_cooperation_subjects_are_gaps(
    g: Graph, findings: list[Finding]
) -> None:
    """Issue 15, item 9: "... approves the user roles for the system." names no personal data,
    and no sentence names the data subjects of the cooperation memorandums: the inferred
    category and subjects are gone, and the checker reports the gaps."""
    roles = FC["business-traces-user-roles"]
    assert list(g.objects(roles, DPV.hasPersonalData)) == []
    assert "ART30-1-C-PERSONAL-DATA" in rules_on(findings, roles)
    memorandums = FC["cooperation-meeting-memorandums"]
    assert list(g.objects(memorandums, DPV.hasDataSubject)) == []
    assert "ART30-1-C-DATA-SUBJECT" in rules_on(findings, memorandums)
    # The cooperation itself is "with customers" ("contact information of customers required
    # for the development cooperation and customer cooperation").
    cooperation = FC["cis-customer-cooperation"]
    assert set(g.objects(cooperation, DPV.hasDataSubject)) == {FC["customers"]}
    assert derives_from(g, cooperation, "access-cooperation-contacts")


def test_item_9_data_groups_come_with_their_subjects(g: Graph) -> None:
    """Issue 15, item 9: an activity that processes a list of the register ("personal data of
    businesses ... of responsible persons and contact persons") has that list's data subjects."""
    activities = set(g.subjects(RDF.type, DPV.Process))
    checked = 0
    for activity in activities:
        subjects = set(g.objects(activity, DPV.hasDataSubject))
        for group in g.objects(activity, ROPA.hasDataGroup):
            checked += 1
            missing = set(g.objects(group, ROPA.concernsDataSubject)) - subjects
            assert not missing, (activity, group, missing)
    assert checked > 20


def test_item_9_national_archives_get_no_memorandums_drafted_by_others(g: Graph) -> None:
    """Issue 15, item 9: "data can be transferred to the National Archives of Finland insofar as
    they are to be stored indefinitely", and memorandums "drafted by other parties" are kept
    "for six years": no path gives the National Archives those memorandums."""
    archives = str(FC["national-archives-of-finland"])
    external = {str(t) for t in narrower_or_same(g, FC["cooperation-memorandums"])} - {
        str(FC["customs-cooperation-memorandums"])
    }
    flows = flow_graph(g)
    into = [a["carries"] for _, _, a in flows.in_edges(archives, data=True)]
    assert into
    for carries in into:
        assert not carries.data & external
    assert str(FC["customs-cooperation-memorandums"]) in set().union(*(c.data for c in into))
