"""Accountability keys of the records (owner, last_reviewed, review_interval, dpia,
joint_controllers, joint_arrangement, representative): the graph they make, REVIEW-OVERDUE
against a fixed --today, REVIEW-DATE-MISSING once per register, and a clear schema error
for each wrong value (tests/fixtures/accountability/library)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from checker.check.rules.review import due_date
from checker.check.run import check
from checker.diff.risks import accountability_risks
from checker.errors import InputError
from checker.graph.build import build
from checker.notice.compose import compose_notice
from checker.notice.render import render_notice
from checker.spreadsheet.export import export_record
from checker.views.activities import activity_detail
from checker.vocab.namespaces import DCTERMS, DPV, EU_GDPR, RDF, ROPA

LIBRARY = Path(__file__).parent / "fixtures" / "accountability" / "library"
BASE = "https://example.org/ropa/library/"
TODAY = date(2026, 6, 30)


def _review(findings, rule="REVIEW-OVERDUE"):
    return sorted((f.focus.removeprefix(BASE), f.line) for f in findings if f.rule == rule)


def test_the_register_review_is_inherited_and_an_activity_overrides_it() -> None:
    found = check(build([LIBRARY]), today=TODAY).findings
    # lending inherits 2025-01-15 + P1Y (due 2026-01-15); reading-club's own 2026-03-01 is not due.
    assert [focus for focus, _ in _review(found)] == ["lending"]
    (overdue,) = [f for f in found if f.rule == "REVIEW-OVERDUE"]
    assert "due on 2026-01-15" in overdue.message and "Lending desk" in overdue.message
    assert overdue.severity.label == "warning"
    assert _review(found, "REVIEW-DATE-MISSING") == []


def test_nothing_is_overdue_before_the_due_date() -> None:
    assert _review(check(build([LIBRARY]), today=date(2026, 1, 15)).findings) == []
    assert [f for f, _ in _review(check(build([LIBRARY]), today=date(2026, 1, 16)).findings)] == [
        "lending"
    ]


def test_the_customs_register_asks_once_for_a_review_date() -> None:
    found = check(build(), today=TODAY).findings
    assert _review(found) == []
    missing = [f for f in found if f.rule == "REVIEW-DATE-MISSING"]
    assert len(missing) == 1 and missing[0].severity.label == "info"
    assert missing[0].file == "ropa/finnish-customs/register.yaml"


@pytest.mark.parametrize(
    ("last", "interval", "due"),
    [
        (date(2025, 1, 31), "P1M", date(2025, 2, 28)),
        (date(2024, 2, 29), "P1Y", date(2025, 2, 28)),
        (date(2025, 1, 1), "P30D", date(2025, 1, 31)),
        (date(2025, 1, 1), "P1Y6M", date(2026, 7, 1)),
    ],
)
def test_due_date_counts_months_by_the_calendar(last, interval, due) -> None:
    assert due_date(last, interval) == due


def test_the_records_keys_become_dpv_terms() -> None:
    graph = build([LIBRARY])
    club = URIRef(BASE + "reading-club")
    register = next(graph.subjects(DCTERMS.hasPart, club))
    assert graph.value(register, ROPA.reviewInterval) == Literal(
        "P1Y", datatype=URIRef("http://www.w3.org/2001/XMLSchema#duration")
    )
    assert graph.value(club, DPV.hasResponsibleEntity) == URIRef(BASE + "lending-desk")
    dpia = graph.value(club, DPV.hasImpactAssessment)
    assert (dpia, RDF.type, DPV.DPIA) in graph
    assert graph.value(dpia, DPV.hasStatus) == EU_GDPR.DPIANotRequired
    joint = graph.value(club, DPV.hasJointDataControllers)
    assert (joint, RDF.type, DPV.JointDataControllers) in graph
    assert set(graph.objects(joint, DPV.hasEntity)) == {URIRef(BASE + "reading-society")}
    arrangement = graph.value(joint, DPV.hasLegalMeasure)
    assert (arrangement, RDF.type, DPV.JointDataControllersAgreement) in graph
    assert "answers requests" in str(graph.value(arrangement, DCTERMS.description))
    rep = graph.value(URIRef(BASE + "reading-society"), DPV.hasRepresentative)
    assert (rep, RDF.type, DPV.Representative) in graph
    assert graph.value(rep, DPV.hasContact) is not None


def test_a_recorded_dpia_of_any_status_silences_the_screening() -> None:
    assert not [
        f for f in check(build([LIBRARY]), today=TODAY).findings if f.rule == "DPIA-SCREENING"
    ]


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "library"
    shutil.copytree(LIBRARY, folder)
    path = folder / "register.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("last_reviewed: 2025-01-15", 'last_reviewed: "15.1.2025"', "'15.1.2025' is not a date"),
        ("last_reviewed: 2025-01-15", 'last_reviewed: "2025-13-01"', "is not a date (write"),
        ("review_interval: P1Y", "review_interval: yearly", "is not an ISO 8601 duration"),
        (
            "owner: lending-desk\n  last",
            "owner: nobody\n  last",
            "owner: no entry with id 'nobody'",
        ),
        ("dpia: {status: not-required,", "dpia: {status: done,", "'done' is not one of"),
        (
            'dpia: {status: not-required, date: "2026-02-01", reason: One criterion only (names of members).}',
            "dpia: {status: not-required}",
            "'reason' is a required property",
        ),
        ("dpia: {status:", "dpia: {stat: planned, status:", "'stat'"),
        (
            "joint_controllers: [reading-society]",
            "joint_controllers: [lending-desk]",
            "'lending-desk' is one of units, expected one of organisations",
        ),
        (
            "representative: {name: Example EU Representative Oy, email: rep@example.org}",
            "representative: {email: rep@example.org}",
            "'name' is a required property",
        ),
        (
            "    joint_controllers: [reading-society]\n",
            "    controllers: [reading-society]\n",
            "controllers: only a processor's record",
        ),
        (
            "  controller: example-library\n",
            "",
            "give either controller (a controller's record) or processor",
        ),
        (
            "  controller: example-library\n",
            "  controller: example-library\n  processor: example-library\n",
            "not both",
        ),
    ],
)
def test_a_wrong_value_is_one_clear_error_naming_file_and_line(
    tmp_path, old, new, expected
) -> None:
    folder = _edited(tmp_path, old, new)
    with pytest.raises(InputError) as error:
        build([folder])
    assert expected in str(error.value)
    assert "register.yaml" in str(error.value)


def test_check_today_must_be_a_date() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(LIBRARY), "--today", "30.6.2026"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "--today" in run.stderr and "Traceback" not in run.stderr


HOSTING = Path(__file__).parent / "fixtures" / "accountability" / "hosting"


def test_a_processor_record_gets_the_art30_2_shapes_not_the_art30_1_ones() -> None:
    rules = {f.rule for f in check(build([HOSTING]), today=TODAY).findings}
    assert not {r for r in rules if r.startswith(("ART30-2-", "ART30-1-", "ART6-"))}


def test_a_processor_record_without_processing_categories_is_reported_at_the_activity(
    tmp_path,
) -> None:
    folder = tmp_path / "hosting"
    shutil.copytree(HOSTING, folder)
    path = folder / "register.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    processing: [dpv:Store]\n", ""))
    (found,) = [f for f in check(build([folder])).findings if f.rule == "ART30-2-B-CATEGORIES"]
    assert found.focus == "https://example.org/ropa/hosting/shop-order-hosting"
    assert found.file.endswith("register.yaml") and found.line is not None


def test_export_writes_the_accountability_columns_and_the_processor_sheet() -> None:
    fi = export_record(build([LIBRARY]), "fi", "md")[0].decode()
    assert (
        "| Vaikutustenarviointi | Selosteen omistaja | Viimeksi tarkistettu | Tarkistusväli |" in fi
    )
    assert "| DPIANotRequired (2026-02-01) | Lending desk | 2026-03-01 | P1Y |" in fi
    assert "| Lending desk | 2025-01-15 | P1Y |" in fi  # the register's, inherited
    ico = export_record(build([LIBRARY]), "ico", "csv")[0].decode()
    assert "Example Reading Society" in ico  # the joint controller column
    processor = export_record(build([HOSTING]), "fi", "md")[0].decode()
    assert (
        "| Example Hosting Oy<br>privacy@hosting.example.org | Example Shop<br>shop@example.org "
        "| Storing the orders of the Example Shop web shop<br>Store |  | Encryption at rest |"
    ) in processor


def _turtle(body: str):
    prefixes = (
        "@prefix dpv: <https://w3id.org/dpv#> . @prefix ex: <https://example.org/> . "
        "@prefix eu-gdpr: <https://w3id.org/dpv/legal/eu/gdpr#> . "
        "@prefix ropa: <https://w3id.org/ropa-kg/ontology#> . "
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . "
    )
    return Graph().parse(data=prefixes + body, format="turtle")


@pytest.mark.parametrize(
    ("old", "new", "kinds"),
    [
        (
            "ex:a dpv:hasImpactAssessment ex:d .",
            "ex:a dpv:hasImpactAssessment ex:d . ex:d dpv:hasStatus eu-gdpr:DPIANotRequired .",
            ["dpia-withdrawn"],
        ),
        ("ex:a dpv:hasImpactAssessment ex:d .", "ex:a dpv:hasImpactAssessment ex:e .", []),
        (
            'ex:a ropa:lastReviewed "2026-01-15"^^xsd:date ; ropa:reviewInterval "P1Y"^^xsd:duration .',
            'ex:a ropa:lastReviewed "2026-01-15"^^xsd:date ; ropa:reviewInterval "P2Y"^^xsd:duration .',
            ["review-lapsed"],
        ),
        (
            'ex:a ropa:lastReviewed "2026-01-15"^^xsd:date ; ropa:reviewInterval "P1Y"^^xsd:duration .',
            'ex:a ropa:lastReviewed "2027-01-10"^^xsd:date ; ropa:reviewInterval "P2Y"^^xsd:duration .',
            [],
        ),
    ],
)
def test_diff_risks_of_accountability(old, new, kinds) -> None:
    activity = URIRef("https://example.org/a")
    found = accountability_risks(_turtle(old), _turtle(new), activity)
    assert [r.kind for r in found] == kinds


@pytest.mark.parametrize(
    ("lang", "heading", "representative"),
    [
        ("en", "### Joint controllers", "Email of the representative: [rep@example.org]"),
        ("fi", "### Yhteisrekisterinpitäjät", "Edustajan sähköposti: [rep@example.org]"),
        ("sv", "### Gemensamt personuppgiftsansvariga", "Företrädarens e-post: [rep@example.org]"),
    ],
)
def test_the_notice_gives_the_arrangement_and_the_representative(
    lang, heading, representative
) -> None:
    text = render_notice(compose_notice(build([LIBRARY]), lang), "md")
    assert heading in text and representative in text
    assert "the Society keeps the club's list." in text
    # The joint controllers' group is no controller of its own: its member is, with contacts.
    assert "**Example Reading Society**" in text and "**Joint controllers**" not in text


def test_the_dashboard_activity_page_shows_owner_review_and_dpia() -> None:
    graph = build([LIBRARY])
    club = activity_detail(graph, BASE + "reading-club")
    facts = {(f.field, f.value) for f in club.facts}
    assert {("Owner", "Lending desk"), ("Last reviewed", "2026-03-01")} <= facts
    assert ("Review interval", "P1Y") in facts  # the register's
    assert "DPIA" in club.fields()
    lending = activity_detail(graph, BASE + "lending")
    assert ("Last reviewed", "2025-01-15") in {(f.field, f.value) for f in lending.facts}
