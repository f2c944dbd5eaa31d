"""`ropa export`: the shipped register in the authorities' layouts, read back independently.

The exported .xlsx (written by openpyxl) and .ods (written by odfpy) are read here with
python-calamine, a reader that shares no code with either writer; cell comments are read
from the files' XML with the standard library. Exports of the Customs register are
imported back (`ropa import`) and must give the same Art. 30 content: the same number of
activities as the graph has, with their purposes, data categories, data subjects,
recipients, transfers and retention.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import python_calamine
from click.testing import CliRunner
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from checker.check.run import check
from checker.cli import main
from checker.graph.build import build
from checker.spreadsheet.export import FIELD_RULES
from checker.spreadsheet.layouts import LAYOUTS
from checker.vocab.concepts import outside_eu_eea
from checker.vocab.labels import label_of

DPV = Namespace("https://w3id.org/dpv#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
TEMPLATES = ("ico", "fi", "cnil")
FORMATS = ("xlsx", "ods", "csv")


@pytest.fixture(scope="module")
def customs() -> Graph:
    return build()


@pytest.fixture(scope="module")
def findings(customs: Graph) -> list:
    return check(customs).findings


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The shipped register exported once in every template and format."""
    root = tmp_path_factory.mktemp("exported")
    files = {}
    for template in TEMPLATES:
        for fmt in (*FORMATS, "md"):
            path = root / f"{template}.{fmt}"
            result = CliRunner().invoke(main, ["export", "--template", template, "-o", str(path)])
            assert result.exit_code == 0, result.output
            files[(template, fmt)] = path
    return files


def activity_count(graph: Graph) -> int:
    return len(set(graph.subjects(RDF.type, DPV.Process)))


def calamine_rows(path: Path, sheet: str) -> list[list[str]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert sheet in book.sheet_names
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [[str(v) for v in row] for row in rows]


def export_headers(template: str) -> list[str]:
    return [c.header for c in LAYOUTS[template].columns if c.export]


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_an_independent_reader_reads_the_export(
    template: str, fmt: str, exported: dict, customs: Graph
) -> None:
    layout = LAYOUTS[template]
    rows = calamine_rows(exported[(template, fmt)], layout.sheet)
    headers = export_headers(template)
    [header_row] = [i for i, row in enumerate(rows) if row[: len(headers)] == headers]
    body = [row for row in rows[header_row + 1 :] if any(row)]
    assert len(body) == activity_count(customs)
    assert rows[0][0] in (f"{layout.title}: Finnish Customs", f"{layout.title}: Tulli")
    controller_row = next(r for r in rows[:header_row] if r and r[0] == layout.block_roles[0][1])
    assert "Finnish Customs" in controller_row or "Tulli" in controller_row
    assert "anna.rajala@tulli.fi" in controller_row


def test_finnish_headers_are_finnish(exported: dict) -> None:
    rows = calamine_rows(exported[("fi", "xlsx")], "Seloste")
    headers = next(r for r in rows if "Käsittelyn tarkoitukset" in r)
    assert "Eri tietoryhmien poistamisen suunnitellut määräajat" in headers
    assert "Henkilötietojen vastaanottajien ryhmät" in headers


@pytest.mark.parametrize("template", TEMPLATES)
def test_gaps_show_the_rule_of_a_real_finding(
    template: str, exported: dict, findings: list
) -> None:
    layout = LAYOUTS[template]
    rows = calamine_rows(exported[(template, "xlsx")], layout.sheet)
    headers = export_headers(template)
    [header_row] = [i for i, row in enumerate(rows) if row[: len(headers)] == headers]
    fields = [c.field for c in layout.columns if c.export]
    per_rule: dict[str, int] = {}
    for row in rows[header_row + 1 :]:
        for field, text in zip(fields, row, strict=False):
            if text.startswith("missing: "):
                for rule in text.removeprefix("missing: ").split(", "):
                    assert rule in FIELD_RULES[field], (field, rule)
                    per_rule[rule] = per_rule.get(rule, 0) + 1
    assert per_rule, "the register has gaps: some cell must show one"
    found: dict[str, set[str]] = {}
    for finding in findings:
        found.setdefault(finding.rule, set()).add(finding.activity or finding.focus)
    for rule in ("ART30-1-B-PURPOSE", "ART30-1-C-DATA-SUBJECT", "ART30-1-F-RETENTION"):
        assert per_rule.get(rule, 0) == len(found[rule]), rule
    assert set(per_rule) <= set(found)  # never a rule that did not fire


def test_filled_cells_carry_their_provenance_as_comments(exported: dict) -> None:
    with zipfile.ZipFile(exported[("ico", "xlsx")]) as archive:
        names = [n for n in archive.namelist() if "comments" in n and n.endswith(".xml")]
        assert names
        texts = []
        for name in names:
            root = ElementTree.fromstring(archive.read(name))
            texts += ["".join(t.itertext()) for t in root.iter() if t.tag.endswith("}comment")]
    description = Path("ropa/finnish-customs/register-description.txt").read_text(encoding="utf-8")
    assert len(texts) > 100
    quoted = [t for t in texts if "“" in t]
    assert quoted
    for text in quoted[:50]:
        quote = text.split("“", 1)[1].split("”", 1)[0].removesuffix("...")
        assert quote in description, quote
    assert any("Purpose of processing personal data, item" in t for t in texts)
    with zipfile.ZipFile(exported[("fi", "ods")]) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    annotations = [a for a in root.iter() if a.tag.endswith("}annotation")]
    assert len(annotations) > 100


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_processors_record_is_a_second_sheet(
    template: str, exported: dict, customs: Graph
) -> None:
    layout = LAYOUTS[template]
    rows = calamine_rows(exported[(template, "xlsx")], layout.processor_sheet)
    processors = {label_of(customs, p) for p in customs.objects(None, DPV.hasDataProcessor)}
    assert processors
    listed = {row[0].split("\n")[0] for row in rows[3:] if row and row[0]}
    assert listed == processors
    header = rows[2]
    assert header == [h for _, h in layout.processor_columns]


def test_csv_and_markdown_hold_the_controllers_record(exported: dict, customs: Graph) -> None:
    text = exported[("ico", "csv")].read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    headers = export_headers("ico")
    [header_row] = [i for i, row in enumerate(rows) if row[: len(headers)] == headers]
    assert len([r for r in rows[header_row + 1 :] if any(r)]) == activity_count(customs)
    markdown = exported[("cnil", "md")].read_text(encoding="utf-8")
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert "| Nom de l'activité |" in markdown
    assert len(table) >= activity_count(customs) + 1


@pytest.mark.parametrize("fmt", (*FORMATS, "md"))
def test_the_same_records_give_the_same_bytes(fmt: str, tmp_path: Path, exported: dict) -> None:
    again = tmp_path / f"again.{fmt}"
    result = CliRunner().invoke(main, ["export", "--template", "fi", "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == exported[("fi", fmt)].read_bytes()


def art30_content(graph: Graph, lang: str = "en") -> list[tuple]:
    """Each activity's Art. 30 content as sorted label tuples, sorted: comparable as is. In
    ``lang``: the Finnish layout exports the records' Finnish names."""

    def labels(nodes) -> tuple[str, ...]:
        return tuple(sorted(label_of(graph, n, lang) for n in nodes))

    content = []
    for activity in set(graph.subjects(RDF.type, DPV.Process)):
        parties = set(graph.objects(activity, DPV.hasRecipient)) | set(
            graph.objects(activity, DPV.hasDataProcessor)
        )
        countries = set(graph.objects(activity, DPV.hasThirdCountry))
        for party in parties:
            countries |= {
                p for p in graph.objects(party, DPV.hasLocation) if outside_eu_eea(graph, p)
            }
        retention = []
        for rule in graph.objects(activity, DPV.hasStorageCondition):
            node = graph.value(rule, DPV.hasDuration)
            kinds = tuple(sorted(str(t).rsplit("#", 1)[1] for t in graph.objects(node, RDF.type)))
            retention.append((kinds, str(graph.value(node, RDF.value))))
        content.append(
            (
                labels(graph.objects(activity, DPV.hasPurpose)),
                labels(graph.objects(activity, DPV.hasPersonalData)),
                labels(graph.objects(activity, DPV.hasDataSubject)),
                labels(parties),
                labels(countries),
                tuple(sorted(retention)),
            )
        )
    return sorted(content)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_gives_back_the_art30_content(
    template: str, fmt: str, exported: dict, customs: Graph, tmp_path: Path
) -> None:
    folder = tmp_path / "records"
    result = CliRunner().invoke(main, ["import", str(exported[(template, fmt)]), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    graph = build([folder])
    assert activity_count(graph) == activity_count(customs)
    lang = "fi" if template == "fi" else "en"
    original, back = art30_content(customs, lang), art30_content(graph, lang)
    assert any(row[5] for row in original) and any(row[0] for row in original)
    assert back == original


def test_an_unknown_output_type_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "--template", "ico", "-o", str(tmp_path / "r.pdf")]
    )
    assert result.exit_code == 2
    assert "r.pdf" in result.output and ".xlsx" in result.output
    assert not (tmp_path / "r.pdf").exists()
