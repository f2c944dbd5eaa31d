"""`ropa notice`: the GDPR Art. 13/14 privacy notice generated from the graph (issue 5).

Golden files hold the whole notice; run with ``ROPA_UPDATE_SNAPSHOTS=1`` to rewrite them
after an intended change, and review the diff.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS

from checker import markdown
from checker.check.findings import Severity
from checker.check.run import check
from checker.cli import main
from checker.graph.build import build
from checker.notice.compose import (
    GAP_ARTICLES,
    Notice,
    Term,
    compose_notice,
    notice_text,
    render_notice,
)
from checker.notice.render import walk_sections
from checker.vocab.durations import words as period_words

FIXTURES = Path(__file__).parent / "fixtures"
NOTICE = FIXTURES / "notice"
GOLDEN = NOTICE / "golden"
PLAIN_DPV = NOTICE / "plain-dpv.ttl"
COMPLETE_DPV = NOTICE / "complete-dpv.ttl"
MARKUP = NOTICE / "markup.ttl"
LIBRARY = NOTICE / "library"

DPV = Namespace("https://w3id.org/dpv#")
EU_GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")

UPDATE = os.environ.get("ROPA_UPDATE_SNAPSHOTS") == "1"

#: (record set, language, format) of each golden file: tests/fixtures/notice/golden/<name>.
GOLDEN_CASES = {
    "customs-en.md": (None, "en", "md"),
    "customs-en.html": (None, "en", "html"),
    "customs-fi.md": (None, "fi", "md"),
    "customs-sv.html": (None, "sv", "html"),
    "plain-dpv-en.md": (PLAIN_DPV, "en", "md"),
    "plain-dpv-fi.md": (PLAIN_DPV, "fi", "md"),
    "complete-dpv-sv.md": (COMPLETE_DPV, "sv", "md"),
    "library-en.md": (LIBRARY, "en", "md"),
    "library-fi.html": (LIBRARY, "fi", "html"),
}


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def snapshot() -> Callable[[str, str], None]:
    """Compare text with a golden file exactly; ROPA_UPDATE_SNAPSHOTS=1 rewrites it."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if UPDATE:
            path.write_text(text, encoding="utf-8", newline="\n")
            return
        assert path.exists(), f"no golden file {name}: run with ROPA_UPDATE_SNAPSHOTS=1"
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"golden/{name}",
                    "generated",
                    n=1,
                )
            )
            pytest.fail(
                f"the notice differs from golden/{name} "
                f"(ROPA_UPDATE_SNAPSHOTS=1 accepts it):\n{diff[:6000]}"
            )

    return check


_GRAPHS: dict[Path | None, Graph] = {}


def graph_of(source: Path | None) -> Graph:
    """The built graph of a fixture (the shipped register for None), built once per run."""
    if source not in _GRAPHS:
        _GRAPHS[source] = build([source] if source is not None else [])
    return _GRAPHS[source]


@pytest.fixture(scope="module")
def customs() -> Graph:
    return graph_of(None)


@pytest.fixture(scope="module")
def customs_en(customs: Graph) -> Notice:
    return compose_notice(customs, "en")


@pytest.fixture(scope="module")
def customs_en_text(customs_en: Notice) -> str:
    return notice_text(customs_en)


def notice_cli(*args: str) -> Result:
    result = CliRunner().invoke(main, ["notice", *args])
    assert "Traceback" not in result.output, result.output
    return result


# --- Golden files --------------------------------------------------------------------------


def test_golden_cases_are_pinned() -> None:
    assert len(GOLDEN_CASES) == 9
    if not UPDATE:
        assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(GOLDEN_CASES)


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_notice(name: str, snapshot: Callable[[str, str], None]) -> None:
    source, lang, fmt = GOLDEN_CASES[name]
    snapshot(name, render_notice(compose_notice(graph_of(source), lang), fmt))


# --- What the notice of the shipped register carries ---------------------------------------


def _labels(graph: Graph, nodes: set[URIRef]) -> set[str]:
    found = set()
    for node in nodes:
        labels = [
            o for o in graph.objects(node, RDFS.label) if getattr(o, "language", None) == "en"
        ]
        labels += list(graph.objects(node, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
        assert labels, f"{node} has no label"
        found.add(str(sorted(labels)[0]))
    return found


def test_customs_notice_carries_every_fact_of_the_register(
    customs: Graph, customs_en_text: str
) -> None:
    """Controllers, acts, categories, subjects, sources, recipients, processors, systems, units,
    purposes, events, measures: every one the records state is named in the notice."""
    activities = set(customs.subjects(RDF.type, DPV.Process))
    assert len(activities) == 50

    def of(*predicates: URIRef) -> set[URIRef]:
        return {o for a in activities for p in predicates for o in customs.objects(a, p)}

    groups = of(ROPA.hasDataGroup)
    expected = {
        "controllers": of(DPV.hasDataController),
        "acts": of(DPV.hasApplicableLaw),
        "purposes": of(DPV.hasPurpose),
        "data subjects": of(DPV.hasDataSubject),
        "personal data": of(DPV.hasPersonalData) | groups,
        "group members": {m for g in groups for m in customs.objects(g, ROPA.includes)},
        "sources": of(DPV.hasDataSource),
        "recipients": of(DPV.hasRecipient),
        "processors": of(DPV.hasDataProcessor),
        "systems": of(DPV.isImplementedUsingTechnology),
        "units": set(customs.subjects(RDF.type, DPV.OrganisationalUnit)),
        "flow parties": set(customs.objects(None, ROPA.sender))
        | set(customs.objects(None, ROPA.receiver)),
        "events": set(customs.subjects(RDF.type, ROPA.Event)),
        "access": set(customs.objects(None, ROPA.permittedEntity)),
    }
    for kind, nodes in expected.items():
        assert nodes, kind
        missing = sorted(
            label
            for label in _labels(customs, {n for n in nodes if isinstance(n, URIRef)})
            if label not in customs_en_text
            and label[:1].lower() + label[1:] not in customs_en_text  # events inside sentences
        )
        assert not missing, f"{kind} missing from the notice: {missing}"
    for law in of(DPV.hasApplicableLaw):
        assert str(customs.value(law, ROPA.statuteNumber)) in customs_en_text
    measures = {
        m
        for m in of(DPV.hasTechnicalOrganisationalMeasure)
        if (m, ROPA.permittedEntity, None) not in customs
    }
    assert _labels(customs, measures) <= set(customs_en_text.splitlines())
    for text in ("Anna Rajala", "anna.rajala@tulli.fi"):
        assert text in customs_en_text


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_customs_notice_names_the_registers_own_sources_recipients_and_acts(
    customs: Graph, lang: str
) -> None:
    """The Suomi.fi source (maintained by the Digital and Population Data Services Agency),
    the disclosure to other authorities and its acts (621/1999, 639/2015) are facts of the
    register as a whole, in no activity: the notice lists them under sources, recipients and
    acts, in every language."""
    base = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"

    def label(name: str) -> str:
        found = {o.language: str(o) for o in customs.objects(URIRef(base + name), RDFS.label)}
        return found[lang]

    activities = set(customs.subjects(RDF.type, DPV.Process))
    cited = {law for a in activities for law in customs.objects(a, DPV.hasApplicableLaw)}
    text = render_notice(compose_notice(customs, lang), "md")
    lines = text.splitlines()
    source = lines.index(f"- {label('suomi-fi')}")  # a source, with its provider below
    assert label("digital-and-population-data-services-agency") in lines[source + 1]
    assert f"- **{label('other-authorities')}**" in lines  # a recipient
    for law, number in (("openness-act", "621/1999"), ("customs-personal-data-act", "639/2015")):
        assert URIRef(base + law) not in cited
        assert f"{label(law)} ({number})" in text


def test_customs_retention_in_plain_words(customs_en_text: str) -> None:
    lines = customs_en_text.splitlines()
    for data, period in [
        (
            "Customer feedback arrived to the customer services by email or on forms via the "
            "Customs website",
            "at most two years",
        ),
        (
            "Customer cards with contact information of Customs’ business customers (ASPA "
            "workspace)",
            "the current year plus six years from end of the customer status",
        ),
        ("Details of business consultation memorandums", "the current year plus ten years"),
        ("Feedback on accessibility and related replies", "indefinitely"),
        (
            "Customer contacts arrived to personal email addresses of customer information "
            "service personnel",
            "not stored",
        ),
        ("IP Address", "30 days"),
        ("Email addresses of a survey medium", "until the survey is completed"),
        (
            "Personal data in materials related to customer training arranged by the Customs "
            "School",
            "kept and deleted under the responsibility of Customs School",
        ),
        (
            "Other personal data in customer cooperation groups and customer cooperation networks",
            "until end of the membership in a customer cooperation group or network",
        ),
    ]:
        assert data in lines, data
        assert any(line == period for line in lines), period
    assert "The data is deleted once the membership has ended." in lines


#: The sections of a notice with gaps, in order (the register's order where it has sections).
SECTIONS = [
    "summary",
    "activities",
    "purpose",
    "categories",
    "sources",
    "disclosures",
    "retention",
    "contact",
    "rights",
    "complaint",
    "gaps",
]


def test_customs_sections_follow_the_register_description(
    customs: Graph, customs_en: Notice
) -> None:
    headings = [
        str(h)
        for _, h in sorted(
            (int(customs.value(s, ROPA.order)), h)
            for s in customs.subjects(RDF.type, ROPA.Section)
            for h in customs.objects(s, ROPA.heading)
            if h.language == "en"
        )
    ]
    register_sections = [s for s in customs_en.sections if s.from_register]
    assert [s.heading[0] for s in register_sections] == headings
    assert [s.anchor for s in customs_en.sections] == SECTIONS


def test_customs_gaps_are_reported_and_pinned(customs_en: Notice) -> None:
    """The register description has no DPO, no purpose for nine activities, no Art. 9(2)
    condition, ...: each is a gap, reported with the article that requires it."""
    gaps = {g.key: g for g in customs_en.gaps}
    assert list(gaps) == [k for k in GAP_ARTICLES if k in gaps]  # in the order of the law
    assert {k: len(g.subjects) for k, g in gaps.items()} == {
        "dpo": 0,
        "purpose": 9,
        "special_condition": 10,
        "personal_data": 4,
        "processor_location": 7,
        "retention": 18,
        "retention_period": 1,
        "requirement": 39,
        "sources": 1,
    }
    # Processors, and systems processors provide, with no location term: Elisa's technical
    # log is listed although Elisa Desk's location is recorded (issue 20).
    assert [t.text for t in gaps["processor_location"].subjects] == [
        "Elisa Oyj",
        "Elisa Oyj’s technical log",
        "Fonecta Oy",
        "Paytrail",
        "Paytrail payment service",
        "Snoobi Analytics",
        "Ultimate.ai",
    ]
    assert gaps["processor_location"].articles == "30(1)(e)"  # a record gap, not 13(1)(f)
    assert gaps["dpo"].articles == "13(1)(b), 14(1)(b)"


def test_customs_gaps_are_never_filled(customs_en: Notice, customs_en_text: str) -> None:
    assert "Data protection officer" not in [s.heading[0] for s in customs_en.sections]
    assert "### Data protection officer" not in render_notice(customs_en, "md")
    # A rule that gives no period says so; it is not given a guessed one.
    assert "period not stated" in customs_en_text


def test_customs_rights_are_derived_from_the_legal_basis(customs_en_text: str) -> None:
    obligation = customs_en_text.split(
        "legal obligation of the controller (GDPR Art. 6(1)(c)), you"
    )[1]
    obligation = obligation.split("Where the legal basis is")[0]
    for right in ("Right of access", "Right to rectification", "Right to restriction"):
        assert f"{right}" in obligation
    assert (
        "These rights do not apply on this legal basis: "
        "Right to data portability (GDPR Art. 20); Right to object (GDPR Art. 21)."
    ) in obligation
    # Erasure applies "to the extent" 17(3)(b) allows; Art. 22 whatever the basis; Art. 14
    # because the register records sources other than the data subjects (issue 20).
    erasure = obligation.split("Right to erasure (GDPR Art. 17)\n")[1].split("\n")[:2]
    assert "does not apply to the extent the processing is necessary" in erasure[1]
    assert "(GDPR Art. 17(3)(b))" in erasure[1]
    assert "Rights related to automated decision-making (GDPR Art. 22)" in obligation
    assert "Right to be informed when the data are not obtained from you (GDPR Art. 14)" in (
        obligation
    )
    assert "Right to withdraw consent (GDPR Art. 7(3))" not in obligation
    # The web analytics rests on the statutory obligation too; its consent is to cookies, a
    # measure, not a legal basis (issue 15, item 6): no activity rests on Art. 6(1)(a).
    assert "consent of the data subject (GDPR Art. 6(1)(a))" not in customs_en_text
    plain = notice_text(compose_notice(graph_of(PLAIN_DPV), "en"))
    consent = plain.split("consent of the data subject (GDPR Art. 6(1)(a)), you")[1]
    assert "Right to withdraw consent (GDPR Art. 7(3))" in consent.split("Where the legal")[0]


def _club_resting_on(basis: URIRef, label: str) -> Graph:
    """The complete DPV fixture with its activity on one legal basis of its own."""
    graph = Graph()
    graph += graph_of(COMPLETE_DPV)
    activity = URIRef("https://example.org/club#membership")
    graph.remove((activity, DPV.hasLegalBasis, None))
    graph.add((activity, DPV.hasLegalBasis, basis))
    graph.add((basis, RDFS.label, Literal(label, lang="en")))
    return graph


def test_a_basis_the_table_does_not_know_takes_dpvs_rights() -> None:
    """A legal basis outside GDPR Art. 6(1)(a)-(f) gets the rights DPV attaches to it."""
    own = URIRef("https://example.org/club#statute-of-the-club")
    graph = _club_resting_on(own, "Statute of the club")
    graph.add((own, DPV.hasRight, EU_GDPR.A15))
    text = notice_text(compose_notice(graph, "en"))
    rights = text.split("Where the legal basis is Statute of the club, you have these rights:")[1]
    assert "Right of access (GDPR Art. 15)" in rights
    assert "Right to rectification" in rights.split("do not apply")[1]


def test_rights_inherit_along_broader_and_a_basis_without_rights_is_a_gap() -> None:
    narrower = URIRef("https://example.org/club#statutory-register")
    graph = _club_resting_on(narrower, "Statutory register of members")
    graph.add((narrower, URIRef("http://www.w3.org/2004/02/skos/core#broader"), EU_GDPR["A6-1-c"]))
    inherited = compose_notice(graph, "en")
    assert not inherited.gaps
    assert "Right of access (GDPR Art. 15)" in notice_text(inherited)
    graph.remove((narrower, None, EU_GDPR["A6-1-c"]))
    orphan = compose_notice(graph, "en")
    assert [(g.key, [t.text for t in g.subjects]) for g in orphan.gaps] == [
        ("rights", ["Statutory register of members"])
    ]


def test_complaint_names_the_data_protection_ombudsman(customs_en_text: str) -> None:
    # Customs records no location: GDPR Art. 55(2) gives the authority of the Member State
    # whose law the legal obligation rests on (Customs Act, Finland).
    assert "under the law of Finland" in customs_en_text
    assert "\nOffice of the Data Protection Ombudsman\n" in customs_en_text
    plain = notice_text(compose_notice(graph_of(PLAIN_DPV), "en"))
    assert "The supervisory authority for a controller in Finland:" in plain
    assert "\nOffice of the Data Protection Ombudsman\n" in plain


def test_complaint_without_a_country_is_a_gap_not_a_guess() -> None:
    notice = compose_notice(graph_of(LIBRARY), "en")
    text = notice_text(notice)
    assert "Art. 77" in text
    assert "Ombudsman" not in text
    assert "authority" in {g.key for g in notice.gaps}


# --- Plain DPV -----------------------------------------------------------------------------


def test_plain_dpv_notice_works_and_reports_its_gaps() -> None:
    notice = compose_notice(graph_of(PLAIN_DPV), "en")
    text = notice_text(notice)
    assert [s.anchor for s in notice.sections] == SECTIONS
    assert not any(s.from_register for s in notice.sections)
    # No DPO gap: a shop is no public authority, and whether it needs a DPO (Art. 37(1)(b),
    # (c)) the records cannot show; Art. 13(1)(b) asks for one "where applicable".
    assert {g.key: [t.text for t in g.subjects] for g in notice.gaps} == {
        "transfer_safeguards": ["Handling web shop orders", "Newsletter"],
        "retention_period": ["Newsletter"],
        "requirement": ["Handling web shop orders"],
        "sources": ["Newsletter"],
    }
    for fact in (
        "Example Shop Oy",
        "privacy@example.org",
        "+358 40 000 0000",
        "Example Mailer Inc. (Handling web shop orders) in United States of America",
        "six years",
        "Service Provision",
        "Direct Marketing",
        "Physical Address",
    ):
        assert fact in text, fact


def test_complete_dpv_has_no_gaps_and_shows_automated_decisions() -> None:
    notice = compose_notice(graph_of(COMPLETE_DPV), "en")
    assert notice.gaps == ()
    text = notice_text(notice)
    assert "The following processing involves automated decision-making" in text
    assert "Data protection officer of the club" in text
    assert "Providing the data: Required" in text
    assert "No transfer of personal data to a third country" in text


# --- Escaping ------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_html_escapes_every_value() -> None:
    html = render_notice(compose_notice(graph_of(MARKUP), "en"), "html")
    parser = _Tags()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert not any(name.startswith("on") for name, _ in parser.attrs)
    assert not any((value or "").startswith("javascript") for _, value in parser.attrs)
    assert "&lt;script&gt;alert(&#39;controller&#39;)&lt;/script&gt;" in html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;" in html
    assert 'href="mailto:a' not in html  # an address with quotes is not made a link


def test_markdown_does_not_render_markup_from_labels() -> None:
    md = render_notice(compose_notice(graph_of(MARKUP), "en"), "md")
    assert "<" not in md.replace("\\<", "")
    assert "\\<script\\>alert('controller')\\</script\\>" in md
    assert "### 1\\. Looks like a list \\| with a pipe" in md
    for line in md.splitlines():
        if line.startswith("#"):
            assert re.match(r"#{1,3} ", line), line
        assert not re.match(r"\s*\d+\. ", line), line
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) == 6, line  # four columns: nothing split a cell
    assert not re.search(r"(?<!\\)\]\(javascript", md)  # no link: the bracket is escaped


def test_markdown_escape_keeps_text_inert() -> None:
    assert markdown.escape("a | b") == "a \\| b"
    assert markdown.escape("two\nlines") == "two lines"
    assert markdown.escape("[x](y)") == "\\[x\\](y)"


# --- Languages -----------------------------------------------------------------------------


def test_finnish_uses_finnish_labels(customs: Graph) -> None:
    notice = compose_notice(customs, "fi")
    text = notice_text(notice)
    assert "Tietosuojaseloste: Henkilötietojen käsittely asiakaspalveluissa" in text
    assert "Tässä selosteessa kerrotaan, miten Tulli käsittelee henkilötietoja" in text
    assert "Tullilaki (304/2016)" in text and "Hallintolaki (434/2003)" in text
    assert "Asiakaspalaute" in text and "Unionin tullikoodeksi" in text
    # ontology/labels-fi-sv.ttl gives the Ombudsman a Finnish name.
    assert "Tietosuojavaltuutetun toimisto" in text
    # The register's own Finnish headings (Customs' wording on tulli.fi).
    assert next(s.heading[0] for s in notice.sections if s.from_register) == (
        "Henkilötietojen käsittelyn tarkoitus"
    )
    html = render_notice(notice, "html")
    assert '<html lang="fi">' in html
    # Only the source document's title is in English: it is cited, not translated.
    assert html.count('<span lang="en">') == 1
    assert '<p>Lähdeasiakirja: <span lang="en">Processing of personal data' in html


@pytest.mark.parametrize(
    ("lang", "cited"),
    [
        ("fi", "Tietosuoja-asetuksen 13 artiklan 2 kohdan e alakohta: "),
        ("sv", "Dataskyddsförordningen artikel 13.2 e: "),
    ],
)
def test_missing_items_cite_articles_as_the_official_text_does(
    customs: Graph, lang: str, cited: str
) -> None:
    """Finnish and Swedish cite GDPR articles their own way, in the gaps as everywhere."""
    lines = notice_text(compose_notice(customs, lang)).splitlines()
    assert any(line.startswith(cited) for line in lines)
    assert not [line for line in lines if re.search(r"\d\(\d\)", line)]


def test_a_term_without_a_finnish_name_falls_back_to_english_and_is_listed() -> None:
    notice = compose_notice(graph_of(PLAIN_DPV), "fi")
    listed = {t.text for t in notice.fallback_terms}
    assert "Newsletter" in listed and "Verkkokaupan tilausten käsittely" not in listed
    assert notice.sections[-1].anchor == "language"
    assert all(t.fallback and t.lang == "en" for t in notice.fallback_terms)
    html = render_notice(notice, "html")
    assert '<span lang="en">Newsletter</span>' in html
    assert '<h2 id="language-heading">Englanninkieliset termit</h2>' in html


def test_swedish_uses_swedish_labels(customs: Graph) -> None:
    text = notice_text(compose_notice(customs, "sv"))
    assert "Dataskyddsbeskrivning:" in text
    assert "Tullen" in text and "Tullag (304/2016)" in text and "Förvaltningslag (434/2003)" in text
    assert "Termer på engelska" not in text
    assert "kaksi" not in text and "två år" in text


def test_english_notice_has_no_language_note(customs_en: Notice) -> None:
    assert customs_en.fallback_terms == ()
    assert all(s.anchor != "language" for s in customs_en.sections)


def test_complete_translation_needs_no_language_note() -> None:
    notice = compose_notice(graph_of(COMPLETE_DPV), "sv")
    names = {t.text for t in notice.fallback_terms}
    assert "Klubbens dataskyddsombud" in notice_text(notice)
    assert names == {"Example Hosting Oy"}


@pytest.mark.parametrize(
    ("value", "lang", "words"),
    [
        ("P2Y", "en", "two years"),
        ("P1Y6M", "en", "one year and six months"),
        ("P30D", "en", "30 days"),
        ("PT12H", "en", "twelve hours"),
        ("P1Y", "fi", "yksi vuosi"),
        ("P10Y", "fi", "kymmenen vuotta"),
        ("P6M", "fi", "kuusi kuukautta"),
        ("P1Y", "sv", "ett år"),
        ("P1W", "sv", "en vecka"),
        ("P2Y3D", "sv", "två år och tre dagar"),
        ("nonsense", "en", None),
        ("P", "en", None),
    ],
)
def test_period_words(value: str, lang: str, words: str | None) -> None:
    assert period_words(value, lang, spelled=True) == words


# --- Determinism ---------------------------------------------------------------------------


def test_two_runs_are_byte_identical() -> None:
    for fmt in ("md", "html"):
        first = render_notice(compose_notice(build([]), "fi"), fmt)
        second = render_notice(compose_notice(build([]), "fi"), fmt)
        assert first == second
    plain = [render_notice(compose_notice(build([PLAIN_DPV]), "en"), "md") for _ in range(2)]
    assert plain[0] == plain[1]  # blank nodes get new ids on every parse


# --- The command ---------------------------------------------------------------------------


def test_cli_exits_1_on_gaps_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "notice.md"
    result = notice_cli("-o", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert not out.exists()
    assert (
        "notice: missing: GDPR Art. 13(1)(b), 14(1)(b): contact details of the data "
        in result.stderr
    )
    assert "--allow-gaps" in result.stderr


def test_cli_allow_gaps_writes_the_notice_with_the_gaps_marked(tmp_path: Path) -> None:
    out = tmp_path / "notice.html"
    result = notice_cli("--allow-gaps", "--format", "html", "--lang", "sv", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<section id="gaps" class="gaps"' in html
    assert "Uppgifter som saknas i registret över behandling" in html
    assert "notice: missing:" in result.stderr  # still said, even when allowed


def test_cli_complete_records_need_no_flag() -> None:
    result = notice_cli(str(COMPLETE_DPV))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("# Privacy notice: Members of the Example Sports Club\n")


def test_cli_output_is_the_library_output() -> None:
    result = notice_cli(str(PLAIN_DPV), "--allow-gaps", "--lang", "fi")
    assert result.exit_code == 0
    assert result.stdout == render_notice(compose_notice(graph_of(PLAIN_DPV), "fi"), "md")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--lang", "de"], "'de' is not one of"),
        (["--format", "pdf"], "'pdf' is not one of"),
        (["no/such/records"], "file not found"),
    ],
)
def test_cli_usage_and_input_errors_exit_2(args: list[str], words: str) -> None:
    result = notice_cli(*args)
    assert result.exit_code == 2
    assert words in result.output


def test_library_rejects_unknown_language_and_format(customs_en: Notice, customs: Graph) -> None:
    from checker.errors import InputError

    with pytest.raises(InputError, match="no notice language"):
        compose_notice(customs, "de")
    with pytest.raises(InputError, match="no notice format"):
        render_notice(customs_en, "pdf")


def test_authority_label_comes_from_the_vocabulary(customs: Graph) -> None:
    """A Finnish label for the Data Protection Ombudsman in the vocabulary is used as is."""
    from checker.notice.compose import shipped_vocabulary

    dpa_fi = URIRef("https://w3id.org/dpv/legal/fi#DPA-FI")
    shipped = shipped_vocabulary()

    class WithFinnishLabel:
        def describe(self, term: URIRef) -> list:
            extra = [(RDFS.label, Literal("Tietosuojavaltuutetun toimisto", lang="fi"))]
            return shipped.describe(term) + (extra if term == dpa_fi else [])

        def subjects_with(self, predicate: URIRef, obj: URIRef) -> list[URIRef]:
            return shipped.subjects_with(predicate, obj)

    notice = compose_notice(customs, "fi", vocab=WithFinnishLabel())
    assert "\nTietosuojavaltuutetun toimisto\n" in notice_text(notice)
    assert "Office of the Data Protection Ombudsman" not in {t.text for t in notice.fallback_terms}


class _Structure(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.mismatched: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        if values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.mismatched.append(tag)


def test_html_is_one_self_contained_accessible_page(customs_en: Notice) -> None:
    html = render_notice(customs_en, "html")
    page = _Structure()
    page.feed(html)
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert page.open == [] and page.mismatched == []
    assert page.tags.count("h1") == 1 and "nav" in page.tags and "main" in page.tags
    assert len(page.ids) == len(set(page.ids))
    internal = [h for h in page.hrefs if h.startswith("#")]
    assert {h[1:] for h in internal} <= set(page.ids)  # the table of contents resolves
    assert all(h.startswith(("#", "mailto:")) for h in page.hrefs)  # nothing fetched
    assert "link" not in page.tags and "script" not in page.tags and "src=" not in html
    assert "@media print" in html
    assert '<th scope="col">' in html


# --- Any controller (issue 14) ---------------------------------------------------------------

COMPLETE_ELSEWHERE = {
    "ireland": "Data Protection Commission (DPC)",
    "ireland.ttl": "Data Protection Commission (DPC)",
    "sweden": "Data Protection Authority (IMY)",
    "sweden.ttl": "Data Protection Authority (IMY)",
}


@pytest.mark.parametrize("name", sorted(COMPLETE_ELSEWHERE))
def test_a_complete_ropa_elsewhere_gets_its_authority_and_no_gap(name: str) -> None:
    """A controller in Ireland or Sweden: exit 0, the authority of its country, and ropa check
    finds nothing either."""
    result = notice_cli(str(NOTICE / name))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    complaint = result.stdout.split("## Right to lodge a complaint")[1]
    assert f"- **{COMPLETE_ELSEWHERE[name]}**" in complaint
    assert "Ombudsman" not in result.stdout
    findings = check(graph_of(NOTICE / name)).findings
    # Only the Swedish register's names in English are left (an info: it publishes in en too).
    assert [(f.rule, f.message.split("'")[1]) for f in findings] in (
        [],
        [("TRANSLATION-MISSING", "en")],
    )


def test_a_plain_string_is_the_registers_own_language() -> None:
    """The Swedish register is written in Swedish: its plain strings are Swedish labels."""
    graph = graph_of(NOTICE / "sweden")
    register = URIRef("https://example.org/ropa/forening/forening")
    assert Literal("Medlemsregister för Exempelföreningen", lang="sv") in set(
        graph.objects(register, RDFS.label)
    )
    sv = notice_text(compose_notice(graph, "sv"))
    assert "Utan namn och postadress kan medlemskapet inte beviljas." in sv
    en = compose_notice(graph, "en")
    assert "Without a name and a postal address the membership cannot be granted." in (
        notice_text(en)
    )
    assert "Medlemsregister för Exempelföreningen" in {t.text for t in en.fallback_terms}


def test_the_authority_the_records_name_overrides_the_location() -> None:
    graph = Graph()
    graph += graph_of(NOTICE / "ireland.ttl")
    register = URIRef("https://example.org/bookshop-dpv#ropa")
    graph.add((register, DPV.hasAuthority, URIRef("https://w3id.org/dpv/legal/se#DPA-SE")))
    text = notice_text(compose_notice(graph, "en"))
    assert "The supervisory authority named in the records:\nData Protection Authority (IMY)" in (
        text
    )
    assert "Data Protection Commission" not in text


def test_plain_dpv_retention_reads_as_the_criterion_it_states() -> None:
    """dpv:UntilEventDuration named "until the subscriber unsubscribes" is a criterion (Art.
    13(2)(a)), not "a retention rule that states none"."""
    notice = compose_notice(graph_of(NOTICE / "ireland.ttl"), "en")
    assert "retention_period" not in {g.key for g in notice.gaps}
    assert "Retention: until the subscriber unsubscribes" in notice_text(notice)


# --- Check and notice agree (issue 14) ------------------------------------------------------

#: The check's rules that report each gap of the notice.
GAP_RULES = {
    "controller": {"ART30-1-A-CONTROLLER"},
    "controller_contact": {"ART30-1-A-CONTACT"},
    "dpo": {"ART37-DPO"},
    "purpose": {"ART30-1-B-PURPOSE"},
    "legal_basis": {"ART6-1-LEGAL-BASIS"},
    "special_condition": {"ART9-2-CONDITION"},
    "personal_data": {"ART30-1-C-PERSONAL-DATA"},
    "transfer_safeguards": {"TRANSFER-THIRD-COUNTRY"},
    "processor_location": {"TRANSFER-LOCATION-UNKNOWN"},
    "retention": {"ART30-1-F-RETENTION"},
    "retention_period": {"RETENTION-UNSPECIFIED", "NOTICE-RETENTION-CRITERION"},
    "rights": {"NOTICE-RIGHTS"},
    "authority": {"NOTICE-COMPLAINT"},
    "requirement": {"NOTICE-REQUIREMENT"},
    "sources": {"NOTICE-SOURCE"},
}


def _gaps_and_findings(graph: Graph) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(gap key, label) of the notice and (rule, label) of the check, for every subject."""
    notice = compose_notice(graph, "en")
    gaps = {(g.key, s.text) for g in notice.gaps for s in g.subjects}
    gaps |= {(g.key, "") for g in notice.gaps if not g.subjects}
    findings = {(f.rule, f.focus_label) for f in check(graph).findings}
    return gaps, findings


def test_gap_rules_cover_every_gap_of_the_notice() -> None:
    assert set(GAP_RULES) == set(GAP_ARTICLES) - {"legitimate_interest"}


@pytest.mark.parametrize("source", [None, PLAIN_DPV, LIBRARY, MARKUP], ids=str)
def test_check_reports_every_gap_of_the_notice(source: Path | None) -> None:
    """No notice gap without a finding of the check about the same thing (issue 14)."""
    gaps, findings = _gaps_and_findings(graph_of(source))
    assert gaps
    rules = {rule for rule, _ in findings}
    for key, label in sorted(gaps):
        if label:
            assert any((rule, label) in findings for rule in GAP_RULES[key]), (key, label)
        else:
            assert rules & GAP_RULES[key], key


def test_check_and_notice_list_the_same_gaps_of_the_shipped_register() -> None:
    """Both lists, side by side, for the shipped register: each gap of the notice is a
    finding, subject by subject; the findings that are no notice gap are Art. 30 record
    items the notice does not show (data subjects of a group, measures) or rules of other
    laws."""
    gaps, findings = _gaps_and_findings(graph_of(None))
    by_rule = {rule: sorted(label for r, label in findings if r == rule) for rule, _ in findings}
    for key in sorted({k for k, _ in gaps}):
        subjects = sorted(label for k, label in gaps if k == key and label)
        reported = sorted({label for rule in GAP_RULES[key] for label in by_rule.get(rule, [])})
        assert set(subjects) <= set(reported), (key, set(subjects) - set(reported))
        if key in {"purpose", "special_condition", "personal_data", "retention", "sources"}:
            assert subjects == reported, key  # one finding per gap, both ways
    assert sorted({k for k, _ in gaps}) == [
        "dpo",
        "personal_data",
        "processor_location",
        "purpose",
        "requirement",
        "retention",
        "retention_period",
        "sources",
        "special_condition",
    ]


# --- Rights by legal basis (issue 20) -------------------------------------------------------


def test_the_rights_table_follows_articles_13_to_22() -> None:
    """Each cell of RIGHTS_BY_BASIS against the scope the article itself gives."""
    from checker.notice.basis_rights import RIGHTS_BY_BASIS

    for point, rights in RIGHTS_BY_BASIS.items():
        # Art. 7(3): withdrawal only of consent.
        assert (rights["A7-3"] == "yes") == (point == "a")
        # Art. 13/14: whatever the basis, by where the data come from.
        assert (rights["A13"], rights["A14"]) == ("from_subject", "from_elsewhere")
        # Art. 15, 16, 18, 22, 77: whatever the basis.
        for article in ("A15", "A16", "A18", "A22", "A77"):
            assert rights[article] == "yes", (point, article)
        # Art. 17(3)(b): not to the extent processing is needed for (c) or (e).
        assert rights["A17"] == ("extent" if point in "ce" else "yes")
        # Art. 20(1)(a),(b): consent or contract, by automated means.
        assert rights["A20"] == ("automated" if point in "ab" else "no")
        # Art. 21(1): (e) and (f); 21(2): direct marketing, whatever the basis.
        assert rights["A21"] == ("yes" if point in "ef" else "direct_marketing")


def test_a_legal_obligation_only_ropa_names_art_22_qualifies_erasure_and_lists_art_14() -> None:
    """Issue 20, done when: the notice on a legal-obligation-only ROPA names Art. 22,
    qualifies erasure by Art. 17(3)(b), and lists Art. 14 where other sources are recorded."""
    graph = Graph()
    graph += graph_of(COMPLETE_DPV)
    activity = URIRef("https://example.org/club#membership")
    registry = URIRef("https://example.org/club#national-registry")
    graph.add((registry, RDFS.label, Literal("National sports registry", lang="en")))
    graph.add((activity, DPV.hasDataSource, registry))
    text = notice_text(compose_notice(graph, "en"))
    rights = text.split("Where the legal basis is")[1]
    assert "Rights related to automated decision-making (GDPR Art. 22)" in rights
    assert "Right to erasure (GDPR Art. 17)" in rights.split("do not apply")[0]
    assert "(GDPR Art. 17(3)(b))" in rights
    assert "Right to be informed when the data are not obtained from you (GDPR Art. 14)" in rights
    graph.remove((activity, DPV.hasDataSource, registry))
    only_subject = notice_text(compose_notice(graph, "en")).split("Where the legal basis is")[1]
    assert "(GDPR Art. 14)" not in only_subject
    # A source the register names as a whole (a flow of no activity) may concern any activity.
    flow = URIRef("https://example.org/club#from-the-registry")
    graph.add((flow, RDF.type, ROPA.DataFlow))
    graph.add((flow, ROPA.sender, registry))
    graph.add((flow, ROPA.receiver, URIRef("https://example.org/club#club")))
    text = notice_text(compose_notice(graph, "en"))
    assert "- National sports registry" in render_notice(compose_notice(graph, "en"), "md")
    assert "(GDPR Art. 14)" in text.split("Where the legal basis is")[1]


def test_two_bases_never_grant_and_deny_the_same_right() -> None:
    """An activity on consent and a legal obligation: erasure and portability are given as
    far as the processing rests on consent, not granted and denied at once (issue 20)."""
    graph = Graph()
    graph += graph_of(COMPLETE_DPV)
    activity = URIRef("https://example.org/club#membership")
    graph.add((activity, DPV.hasLegalBasis, EU_GDPR["A6-1-a"]))
    text = notice_text(compose_notice(graph, "en"))
    rights = text.split("you have these rights:")[1].split("## ")[0]
    assert text.count("you have these rights:") == 1
    portability = rights.split("Right to data portability (GDPR Art. 20)")[1]
    assert "Only as far as the processing rests on consent of the data subject" in portability
    assert "portability" not in rights.split("do not apply")[-1]


# --- The notice's rules in ropa check -------------------------------------------------------

NOTICE_RULES = {
    "complaint": "NOTICE-COMPLAINT",
    "rights": "NOTICE-RIGHTS",
    "requirement": "NOTICE-REQUIREMENT",
    "retention-criterion": "NOTICE-RETENTION-CRITERION",
}


@pytest.mark.parametrize("name", sorted(NOTICE_RULES))
def test_notice_rules_fail_and_pass_fixtures(name: str) -> None:
    rule = NOTICE_RULES[name]
    failing = [f for f in check(graph_of(NOTICE / "rules" / f"{name}-fail.ttl")).findings]
    assert [f.severity for f in failing if f.rule == rule] == [Severity.WARNING]
    passing = check(graph_of(NOTICE / "rules" / f"{name}-pass.ttl")).findings
    assert rule not in {f.rule for f in passing}
    gaps = compose_notice(graph_of(NOTICE / "rules" / f"{name}-fail.ttl"), "en").gaps
    keys = [k for k, rules in GAP_RULES.items() if rule in rules]
    assert len(keys) == 1 and keys[0] in {g.key for g in gaps}  # the notice says it too


def test_no_notice_message_assumes_a_country() -> None:
    from rdflib.namespace import SH

    from checker.check.rules.notice import RULES
    from checker.check.shapes import shapes_graph

    messages = [m for _, _, _, m in RULES.values()]
    shapes = shapes_graph()
    messages += [
        str(m)
        for s in shapes.subjects(SH.severity, None)
        if str(shapes.value(s, URIRef("http://purl.org/dc/terms/identifier"))).startswith("NOTICE")
        for m in shapes.objects(s, SH.message)
    ]
    assert len(messages) == 5
    for message in messages:
        for country in ("Finland", "Finnish", "Ombudsman", "1050/2018"):
            assert country not in message, message


# --- Translations (issue 14) ----------------------------------------------------------------


def test_translation_missing_lists_the_untranslated_names_per_language() -> None:
    """The Swedish register publishes in sv and en: one info finding per language that still
    shows names in another language, naming each of them; none for a declared language the
    records cover."""
    findings = [
        f for f in check(graph_of(NOTICE / "sweden")).findings if f.rule == "TRANSLATION-MISSING"
    ]
    assert {f.severity for f in findings} == {Severity.INFO}
    by_lang = {f.message.split("'")[1]: f.message for f in findings}
    for lang, message in by_lang.items():
        names = {t.text for t in compose_notice(graph_of(NOTICE / "sweden"), lang).fallback_terms}
        assert names and all(name in message for name in names), lang
    assert "Exempelföreningen" in by_lang["en"]
    assert not [f for f in check(graph_of(LIBRARY)).findings if f.rule == "TRANSLATION-MISSING"]


#: Proper names in the Customs records: never translated, so the same in every language.
PROPER_NAMES = (
    "Anna Rajala",
    "ASPA",
    "AREX",
    "Elisa Desk",
    "Elisa Oyj",
    "Fonecta Oy",
    "Google Cloud",
    "Paytrail",
    "Skype",
    "Snoobi Analytics",
    "Suomi.fi",
    "TRACES",
    "Ultimate.ai",
    "Webropol",
)
#: Names whose Finnish and Swedish word is the English one (a data category "Status").
SAME_WORD = ("Status",)
CUSTOMS = Path(__file__).resolve().parents[1] / "ropa" / "finnish-customs"
TEXT_KEYS = ("name", "description", "title", "heading", "after", "condition", "consequences")


def _record_texts() -> list[tuple[str, str, object]]:
    """(file, key, value) of every text of the Customs records the notice can show."""
    found = []

    def walk(file: str, node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in TEXT_KEYS or (key == "contact" and isinstance(value, dict)):
                    if key == "contact":
                        found.append((file, "contact.name", value["name"]))
                    else:
                        found.append((file, key, value))
                if key not in ("passages", "document"):
                    walk(file, value)
        elif isinstance(node, list):
            for item in node:
                walk(file, item)

    for path in sorted(CUSTOMS.glob("*.yaml")):
        walk(path.name, yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_every_text_of_the_customs_records_is_in_finnish_and_swedish() -> None:
    """What translations/check.py checked on the translations branch, kept as a test: a new
    or changed entry without its Finnish and Swedish text fails here. Proper names stay."""
    texts = _record_texts()
    assert len(texts) > 300
    for file, key, value in texts:
        assert isinstance(value, dict), f"{file}: {key} {value!r} has no fi/sv text"
        assert value.keys() >= {"en", "fi", "sv"}, (file, key, value)
        for lang in ("fi", "sv"):
            assert value[lang].strip(), (file, key, lang)
            if value[lang] == value["en"]:
                assert value["en"] in PROPER_NAMES + SAME_WORD, (file, key, value)
            for name in PROPER_NAMES:
                if name in value["en"]:
                    assert name in value[lang], (file, key, lang, name)


def test_every_dpv_term_of_the_customs_records_has_finnish_and_swedish_labels(
    customs: Graph,
) -> None:
    used = set()
    for path in CUSTOMS.glob("*.yaml"):
        used |= set(re.findall(r"\b(dpv|pd|loc):([A-Za-z][A-Za-z0-9_-]*)", path.read_text("utf-8")))
    prefixes = {
        "dpv": str(DPV),
        "pd": "https://w3id.org/dpv/pd#",
        "loc": "https://w3id.org/dpv/loc#",
    }
    assert len(used) > 20
    for prefix, local in sorted(used):
        term = URIRef(prefixes[prefix] + local)
        languages = {getattr(o, "language", None) for o in customs.objects(term, RDFS.label)}
        assert {"fi", "sv"} <= languages, f"{prefix}:{local}"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_finnish_and_swedish_notices_show_no_english_name(customs: Graph, lang: str) -> None:
    """Issue 14, done when: --lang fi and sv contain no English name from the records: every
    label shown is compared with the English labels; proper names stay as they are."""
    notice = compose_notice(customs, lang)
    assert notice.fallback_terms == ()
    assert notice.sections[-1].anchor != "language"
    lines = [notice.title, *notice.intro, *walk_sections(notice.sections)]
    shown = [p for line in lines for p in line if isinstance(p, Term) and p.iri]
    assert len({t.iri for t in shown}) > 250
    for term in shown:
        assert term.lang == lang, term
        english = {
            str(o)
            for o in customs.objects(URIRef(term.iri), RDFS.label)
            if getattr(o, "language", None) == "en"
        }
        if term.text in english:
            assert term.text in PROPER_NAMES + SAME_WORD, term
    text = notice_text(notice)
    footer = {"fi": "suomenkieliset tekstit ovat", "sv": "svenska texter är översättningar"}
    assert footer[lang] in text  # ours, awaiting Customs' review, and the notice says so


def test_docs_list_the_notice_rules_with_their_severity_and_article() -> None:
    from checker.check.rules.notice import RULES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule, severity, article, _ in RULES.values():
        assert f"| `{rule}` | {article} | {severity.label} |" in doc, rule
    assert "| `TRANSLATION-MISSING` | GDPR Art. 12(1) | info |" in doc
