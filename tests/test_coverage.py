"""`ropa coverage`: which items of a register description the graph's provenance cites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph

from checker.assets import default_records
from checker.cli import main
from checker.coverage import CoverageReport, coverage, read_source, render, uncited_text
from checker.graph.build import build

LIBRARY = Path(__file__).parent / "fixtures" / "notice" / "library"
LIBRARY_TEXT = LIBRARY / "register-description.txt"
LIBRARY_HTML = LIBRARY / "register-description.html"
CUSTOMS_TEXT = default_records() / "register-description.txt"


@pytest.fixture(scope="module")
def library() -> Graph:
    return build([LIBRARY])


@pytest.fixture(scope="module")
def customs() -> Graph:
    return build([])


def uncovered(report: CoverageReport) -> list[tuple[str | None, int, str]]:
    return [
        (report.source.sections[i.item.section].heading, i.item.number, i.item.text)
        for i in report.items
        if not i.covered
    ]


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, ["coverage", *args])
    assert "Traceback" not in result.output, result.output
    return result


def test_text_source_items_and_sections(library: Graph) -> None:
    report = coverage(library, LIBRARY_TEXT)
    assert (report.covered, report.total, report.in_full) == (6, 9, 6)
    assert uncovered(report) == [
        ("Purpose of processing personal data", 3, "• The library also organises reading circles."),
        # Quoted by a passage, but no fact is derived from it: not covered.
        ("Categories of personal data", 2, "• Nothing else is collected."),
        ("Personal data retention and disposal times", 2, "Reading circle lists are not stored."),
    ]
    assert [(s.heading, c, t) for s, c, t in report.section_counts()] == [
        (None, 1, 1),
        ("Purpose of processing personal data", 2, 3),
        ("Categories of personal data", 1, 2),
        ("Personal data retention and disposal times", 1, 2),
        ("Contact person of the data controller", 1, 1),
    ]
    assert report.missing_quotes == ()
    lines = {i.item.text: i.item.line for i in report.items}
    assert lines["Reading circle lists are not stored."] == 17


def test_html_source_one_item_per_block(library: Graph) -> None:
    report = coverage(library, LIBRARY_HTML)
    texts = [i.item.text for i in report.items]
    assert texts == [
        "Processing of personal data in the Example City Library",
        "The Example City Library lends books to its customers.",  # across two source lines
        "Loans are recorded to remind customers of due dates.",
        "The library also organises reading circles.",  # inline <em> stays in its item
        "names, email addresses and library card numbers of customers",  # <li><p>: one item
        "Nothing else is collected.",
        "Loan data are stored for three years after the loan ends.",
        "Reading circle lists are not stored.",
        "Cookies",
        "The web pages of the library use no cookies.",  # <script> text is not text
        "Liisa Librarian, liisa@example.org",  # character references decoded
    ]
    assert (report.covered, report.total) == (5, 11)
    sections = [(s.heading, s.in_graph) for s, _, _ in report.section_counts()]
    assert ("Cookies", False) in sections
    assert ("Purpose of processing personal data", True) in sections
    # The HTML says three years; the records quote two: the source changed.
    assert [q.text for q in report.missing_quotes] == [
        "Loan data are stored for two years after the loan ends."
    ]


def test_customs_register_coverage(customs: Graph) -> None:
    """Every item of the Customs description is cited; two are cited only in part."""
    report = coverage(customs, CUSTOMS_TEXT)
    assert (report.covered, report.total, report.in_full) == (81, 81, 79)
    assert [(s.heading, c, t) for s, c, t in report.section_counts()] == [
        (None, 1, 1),
        ("Purpose of processing personal data", 25, 25),
        ("Categories of personal data", 9, 9),
        ("Sources of personal data", 1, 1),
        ("Regular disclosures of personal data", 25, 25),
        ("Personal data retention and disposal times", 18, 18),
        ("Contact person of the data controller and additional information", 2, 2),
    ]
    partial = [i.uncited for i in report.items if i.uncited]
    assert partial == [
        (
            "Personal data in matters concerning information for customers are processed as follows:",
        ),
        ("Personal data in matters concerning e-services are processed as follows:",),
    ]
    assert report.missing_quotes == ()


def test_uncited_text_ignores_bullets_and_punctuation() -> None:
    assert uncited_text("  • We help.", ["We help."]) == ()
    assert uncited_text("A. B.", ["A.", "B."]) == ()
    assert uncited_text("Call us. Or write.", ["Call us."]) == ("Or write.",)


def test_text_report(library: Graph) -> None:
    text = render(coverage(library, LIBRARY_TEXT), "text")
    assert text.startswith(
        f"Coverage of {LIBRARY_TEXT}: 6 of 9 items (66.7%) are cited by at least one fact, "
        "6 of them in full; 4 of 4 sections have a cited item.\n"
    )
    assert "  line 12, Categories of personal data, item 2: • Nothing else is collected.\n" in text


def test_cli_json_exits_0_and_is_deterministic() -> None:
    first = run(str(LIBRARY_HTML), str(LIBRARY), "--format", "json")
    second = run(str(LIBRARY_HTML), str(LIBRARY), "--format", "json")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert (data["items"], data["covered"], data["covered_in_full"]) == (11, 5, 5)
    assert (
        data["missing_quotes"][0]["passage"] == "https://example.org/ropa/library/p-loan-retention"
    )
    cookies = next(s for s in data["sections"] if s["heading"] == "Cookies")
    assert cookies["in_graph"] is False and cookies["covered"] == 0
    entry = data["sections"][1]["entries"][0]
    assert set(entry) == {"number", "line", "text", "covered", "passages", "uncited"}


def test_cli_default_records_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "coverage.txt"
    result = run(str(CUSTOMS_TEXT), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "81 of 81 items (100.0%)" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("missing.txt", "register description not found"),
        ("", "is a directory"),  # click refuses a folder before the engine sees it
        ("latin1.txt", "UTF-8"),
    ],
)
def test_cli_bad_source_exits_2(tmp_path: Path, name: str, words: str) -> None:
    if name == "latin1.txt":
        (tmp_path / name).write_bytes(b"caf\xe9\n")
    result = run(str(tmp_path / name))
    assert result.exit_code == 2
    assert words in result.output


def test_read_source_headings_of_the_graph_only(tmp_path: Path) -> None:
    source = tmp_path / "d.txt"
    source.write_text("Title\n\nKnown\n\nfirst\nUnknown\nsecond\n", encoding="utf-8")
    document = read_source(source, ["Known"])
    assert [(document.sections[i.section].heading, i.number, i.text) for i in document.items] == [
        (None, 1, "Title"),
        ("Known", 1, "first"),
        ("Known", 2, "Unknown"),  # a line that is not a heading of the graph is an item
        ("Known", 3, "second"),
    ]
