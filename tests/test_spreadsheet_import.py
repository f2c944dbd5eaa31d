"""`ropa import`: the regulators' spreadsheet layouts become records that build and check.

The fixtures (tests/fixtures/spreadsheets/, written by make_fixtures.py) are small filled
registers of fictional example.org controllers with planted gaps and messy cells. Each
planted gap must be reported by `ropa check`, pointing at the records line whose
derived_from names a cell of the gap's row; every bad input must give one message naming
the file (and sheet, row, column where there is one), exit 2, and write nothing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF

from checker.check.run import check
from checker.cli import main
from checker.graph.build import build
from checker.records.yamlload import load_yaml
from checker.spreadsheet.read import MAX_BYTES

SHEETS = Path(__file__).resolve().parent / "fixtures" / "spreadsheets"
DPV = Namespace("https://w3id.org/dpv#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
PD = Namespace("https://w3id.org/dpv/pd#")
LOC = Namespace("https://w3id.org/dpv/loc#")
GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")

#: The planted gaps: fixture -> (rule, row of the sheet the gap is in).
PLANTED = {
    "ico-bakery.xlsx": [
        ("ART6-1-LEGAL-BASIS", 12),
        ("ART30-1-F-RETENTION", 12),
        ("ART9-2-CONDITION", 13),
        ("ART30-1-C-DATA-SUBJECT", 14),
    ],
    "fides-shop.xlsx": [
        ("ART6-1-LEGAL-BASIS", 13),
        ("ART30-1-F-RETENTION", 13),
        ("ART30-1-F-RETENTION", 15),
    ],
    "fi-esimerkki.ods": [
        ("TRANSFER-THIRD-COUNTRY", 9),
        ("ART30-1-F-RETENTION", 9),
        ("ART6-1-LEGAL-BASIS", 10),
    ],
    "cnil-exemple.xlsx": [
        ("ART30-1-C-DATA-SUBJECT", 10),
        ("ART30-1-F-RETENTION", 10),
        ("ART6-1-LEGAL-BASIS", 10),
    ],
    "ico-bakery.csv": [("ART6-1-LEGAL-BASIS", 6)],
}
ACTIVITIES = {
    "ico-bakery.xlsx": 5,
    "fides-shop.xlsx": 3,
    "fi-esimerkki.ods": 3,
    "cnil-exemple.xlsx": 3,
    "ico-bakery.csv": 2,
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every filled fixture imported once, into its own folder."""
    root = tmp_path_factory.mktemp("imported")
    folders = {}
    for name in PLANTED:
        folder = root / name.replace(".", "-")
        code, out = run("import", str(SHEETS / name), "-o", str(folder))
        assert code == 0, out
        folders[name] = folder
    return folders


def activities(folder: Path) -> list[dict]:
    return yaml.safe_load((folder / "activities.yaml").read_text(encoding="utf-8"))["activities"]


def entries(folder: Path) -> dict[str, dict]:
    found = {}
    for path in folder.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for value in doc.values():
            for entry in value if isinstance(value, list) else [value]:
                found[entry["id"]] = entry
    return found


def activity_of_row(folder: Path, row: int) -> dict:
    cells = {e["id"]: e["cell"]["row"] for e in entries(folder).values() if "cell" in e}
    [found] = [a for a in activities(folder) if row in {cells[p] for p in a["derived_from"]}]
    return found


def test_the_case_list_is_not_empty() -> None:
    assert sum(len(gaps) for gaps in PLANTED.values()) == 14
    assert sorted(
        p.name for p in SHEETS.iterdir() if not p.name.startswith(("bad-", "make"))
    ) == sorted(PLANTED)


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_import_writes_a_record_set_that_builds(name: str, imported: dict[str, Path]) -> None:
    folder = imported[name]
    assert (folder / name).read_bytes() == (SHEETS / name).read_bytes()  # the document
    assert len(activities(folder)) == ACTIVITIES[name]
    graph = build([folder])
    assert len(set(graph.subjects(RDF.type, DPV.Process))) == ACTIVITIES[name]


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_every_fact_derives_from_its_cell(name: str, imported: dict[str, Path]) -> None:
    folder = imported[name]
    everything = entries(folder)
    passages = {i: e for i, e in everything.items() if "quote" in e}
    assert passages
    for entry in everything.values():
        if "quote" in entry or ("title" in entry and "base" in entry):
            continue
        assert entry["derived_from"], entry["id"]
        assert set(entry["derived_from"]) <= set(passages), entry["id"]
    for passage in passages.values():
        assert set(passage["cell"]) <= {"sheet", "row", "column"}
        assert passage["quote"].strip()
    graph = build([folder])
    selectors = list(graph.subjects(RDF.type, ROPA.CellSelector))
    assert len(selectors) == len(passages)
    for selector in selectors:
        assert graph.value(selector, ROPA.row) is not None
        assert re.fullmatch(r"[A-Z]+", str(graph.value(selector, ROPA.column)))


def entry_at(entries: list, line: int):
    """The entry written on ``line``: the last that starts on it or above."""
    return max((e for e in entries if e.line <= line), key=lambda e: e.line)


@pytest.mark.parametrize(
    ("name", "rule", "row"), [(n, r, row) for n, gaps in PLANTED.items() for r, row in gaps]
)
def test_planted_gap_points_at_the_line_that_names_its_cell(
    name: str, rule: str, row: int, imported: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = imported[name]
    monkeypatch.chdir(folder.parent)
    target = activity_of_row(folder, row)
    findings = [f for f in check(build([folder])).findings if f.rule == rule]
    [finding] = [f for f in findings if f.activity and f.activity.endswith("/" + target["id"])]
    doc = load_yaml(folder.parent / finding.file)
    entry = entry_at(doc["activities"], finding.line)  # the line of a key of the entry
    cells = {e["id"]: e["cell"] for e in entries(folder).values() if "cell" in e}
    assert row in {cells[p]["row"] for p in entry["derived_from"]}


def test_ico_values_map_only_where_certain(imported: dict[str, Path]) -> None:
    folder = imported["ico-bakery.xlsx"]
    payroll = activity_of_row(folder, 10)
    assert payroll["data_subjects"] == ["dpv:Employee"]
    assert payroll["personal_data"] == ["pd:Name", "pd:BankAccount", "pd:Salary"]
    assert payroll["legal_bases"] == ["eu-gdpr:A6-1-c"]
    assert payroll["rights"] == ["eu-gdpr:A15", "eu-gdpr:A16", "eu-gdpr:A17"]
    marketing = activity_of_row(folder, 11)
    assert marketing["purposes"] == ["dpv:DirectMarketing"]
    assert marketing["third_countries"] == ["loc:US"]
    assert sorted(marketing["legal_bases"]) == ["eu-gdpr:A46-2-c", "eu-gdpr:A6-1-a"]
    everything = entries(folder)
    [processor] = [everything[p] for p in marketing["processors"]]
    assert processor["name"] == "Example Mail Inc"
    assert processor["types"] == ["dpv:DataProcessor"]
    [until] = [everything[r] for r in marketing["retention"]]
    assert until["rule"] == "until-event"
    assert everything[until["until"]]["name"] == "consent is withdrawn"
    complaints = activity_of_row(folder, 12)  # N/A, "-" and empty cells add nothing
    assert not {"recipients", "legal_bases", "retention", "third_countries"} & set(complaints)
    assert complaints["units"] == ["customer-service"]  # stray spaces trimmed
    names = [everything[d]["name"] if d in everything else d for d in complaints["personal_data"]]
    assert names == ["pd:Name", "pd:TelephoneNumber", "complaint details"]  # bullets split
    assert everything[complaints["personal_data"][2]]["unmapped"] is True
    controller = everything[
        yaml.safe_load((folder / "register.yaml").read_text())["register"]["controller"]
    ]
    assert controller["contact"] == {
        "name": "Example Bakery Ltd",
        "address": "1 Example Street, London",
        "email": "privacy@example.org",
        "telephone": "+44 20 7946 0000",
    }
    assert "dpo" not in controller  # "N/A" names nobody


def test_fides_rows_of_one_activity_become_one_activity(imported: dict[str, Path]) -> None:
    folder = imported["fides-shop.xlsx"]
    everything = entries(folder)
    shop = activity_of_row(folder, 10)
    assert shop is activity_of_row(folder, 12) or shop["id"] == activity_of_row(folder, 12)["id"]
    categories = [everything[c]["name"] for c in shop["personal_data"]]
    assert categories == ["user.contact.email", "user.contact.address.street", "user.name"]
    assert all(everything[c]["unmapped"] for c in shop["personal_data"])
    assert shop["data_subjects"] == ["dpv:Customer"]
    assert shop["third_countries"] == ["loc:GB", "loc:US", "loc:CA"]
    assert shop["legal_bases"] == ["eu-gdpr:A46-2-c", "eu-gdpr:A6-1-b"]
    assert {"eu-gdpr:A15", "eu-gdpr:A17", "eu-gdpr:A20", "eu-gdpr:A21", "eu-gdpr:A7-3"} <= set(
        shop["rights"]
    )
    [rule] = [everything[r] for r in shop["retention"]]
    assert (rule["rule"], rule["duration"]) == ("from-event", "P30D")
    assert everything[rule["counted_from"]]["name"] == "account deletion"
    # "Informed" is no right of the GDPR's list: the rights cell is marked, the rest mapped
    rights_cells = [
        everything[p] for p in shop["derived_from"] if everything[p]["cell"]["column"] == "S"
    ]
    assert rights_cells and all(p.get("unmapped") for p in rights_cells)
    dpo = everything["example-shop-ltd"]["dpo"]
    assert dpo == {
        "name": "Dana Example",
        "address": "2 Example Road, Leeds",
        "email": "dpo@example.org",
    }


def test_finnish_and_french_sheets_map_their_own_words(imported: dict[str, Path]) -> None:
    fi = imported["fi-esimerkki.ods"]
    everything = entries(fi)
    payroll = activity_of_row(fi, 8)
    assert payroll["name"] == "Palkanlaskenta"
    assert payroll["legal_bases"] == ["eu-gdpr:A6-1-c"]
    [rule] = [everything[r] for r in payroll["retention"]]
    assert (rule["rule"], rule["duration"]) == ("from-event", "P6Y")
    assert "third_countries" not in payroll  # "Ei"
    assert activity_of_row(fi, 9)["third_countries"] == ["loc:US"]
    fr = imported["cnil-exemple.xlsx"]
    everything = entries(fr)
    paie = activity_of_row(fr, 8)
    assert paie["legal_bases"] == ["eu-gdpr:A6-1-c"]
    [rule] = [everything[r] for r in paie["retention"]]
    assert (rule["rule"], rule["duration"]) == ("from-event", "P5Y")
    assert everything[paie["processors"][0]]["name"] == "Exemple Paie SAS"
    assert everything[paie["recipients"][0]]["name"] == "Service comptabilité"
    assert "part_of" in everything[paie["recipients"][0]]  # an internal recipient is a unit
    clients = activity_of_row(fr, 9)
    assert clients["third_countries"] == ["loc:CA"]
    assert clients["legal_bases"] == ["eu-gdpr:A45-3", "eu-gdpr:A6-1-b"]
    video = activity_of_row(fr, 10)
    special = [everything[d] for d in video["personal_data"] if d in everything]
    assert {d["name"] for d in special if d.get("special")} == {"données de santé"}


def test_import_unmapped_lists_what_stayed_text(
    imported: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = imported["ico-bakery.xlsx"]
    monkeypatch.chdir(folder.parent)
    found = [f for f in check(build([folder])).findings if f.rule == "IMPORT-UNMAPPED"]
    labels = {f.focus_label for f in found}
    assert {"Narnia", "Informed", "CCTV footage", "complaint details", "Payroll"} <= labels
    assert {f.severity.label for f in found} == {"info"}
    [narnia] = [f for f in found if f.focus_label == "Narnia"]
    assert "cell H14" in narnia.message and narnia.file.endswith("passages.yaml")
    doc = load_yaml(folder.parent / narnia.file)
    entry = entry_at(doc["passages"], narnia.line)
    assert entry["cell"] == {"sheet": "Template", "row": 14, "column": "H"}
    # mapped values are not listed
    assert not {"Employees", "USA", "Name", "Consent"} & labels


def test_a_spreadsheet_is_a_path_of_build_check_and_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SHEETS)
    code, out = run("check", "ico-bakery.xlsx", "--format", "json")
    assert code == 1
    findings = json.loads(out)["findings"]
    [basis] = [f for f in findings if f["rule"] == "ART6-1-LEGAL-BASIS"]
    assert basis["source"]["line"] == 12  # the sheet's row
    assert basis["source"]["file"] == "tests/fixtures/spreadsheets/ico-bakery.xlsx"
    code, out = run("build", "fi-esimerkki.ods", "-o", str(tmp_path / "g.ttl"))
    assert code == 0, out
    assert "CellSelector" in (tmp_path / "g.ttl").read_text(encoding="utf-8")
    code, out = run("notice", "cnil-exemple.xlsx", "--allow-gaps", "-o", str(tmp_path / "n.md"))
    assert code == 0, out
    assert "Exemple SARL" in (tmp_path / "n.md").read_text(encoding="utf-8")


def test_the_graph_carries_each_cell_for_views(imported: dict[str, Path]) -> None:
    graph = build([imported["ico-bakery.xlsx"]])
    payroll = next(s for s in graph.subjects(RDF.type, DPV.Process) if str(s).endswith("/payroll"))
    cells = set()
    for passage in graph.objects(payroll, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")):
        for selector in graph.objects(passage, OA.hasSelector):
            if (selector, RDF.type, ROPA.CellSelector) in graph:
                cells.add(
                    (
                        str(graph.value(selector, ROPA.sheet)),
                        int(graph.value(selector, ROPA.row)),
                        str(graph.value(selector, ROPA.column)),
                    )
                )
            else:
                assert (selector, RDF.type, OA.TextQuoteSelector) in graph
    assert ("Template", 10, "B") in cells  # the purpose cell
    assert {row for _, row, _ in cells} == {10}


def test_coverage_of_a_spreadsheet_names_cells(
    imported: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = imported["ico-bakery.xlsx"]
    monkeypatch.chdir(folder)
    code, out = run("coverage", "ico-bakery.xlsx", ".", "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    template = next(s for s in report["sections"] if s["heading"] == "Template")
    by_cell = {e["cell"]: e for e in template["entries"]}
    assert by_cell["B10"]["covered"] and by_cell["H14"]["covered"]
    assert not by_cell["B9"]["covered"]  # a header
    assert not by_cell["J12"]["covered"]  # "N/A" adds nothing
    code, text = run("coverage", "ico-bakery.xlsx", ".")
    assert "Template, cell J12: N/A" in text


# --- the records format: a passage that names a cell ------------------------------------------


@pytest.fixture
def copy(imported: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    target = tmp_path / "r"
    shutil.copytree(imported["ico-bakery.xlsx"], target)
    monkeypatch.chdir(tmp_path)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> int:
    text = (folder / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (folder / name).write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "    row: 10\n    column: B\n",
            "    row: 10\n    column: B\n    colour: red\n",
            ["colour"],
        ),
        ("  quote: Payroll\n", "  quote: Pay roll\n", ["quote not in", "cell B10"]),
        (
            "    sheet: Template\n    row: 10\n    column: B\n",
            "    sheet: Tempalte\n    row: 10\n    column: B\n",
            ["no sheet 'Tempalte'"],
        ),
    ],
)
def test_a_bad_cell_passage_names_its_line(
    copy: Path, old: str, new: str, words: list[str]
) -> None:
    line = edit(copy, "passages.yaml", old, new)
    code, out = run("build", "r")
    assert code == 2
    [message] = out.strip().splitlines()
    assert re.search(r"r/passages\.yaml:(\d+):", message), message
    assert abs(int(re.search(r":(\d+):", message).group(1)) - line) <= 3
    for word in words:
        assert word in message


def test_a_spreadsheet_register_needs_cells_and_no_sections(copy: Path) -> None:
    edit(copy, "passages.yaml", "  cell:\n    sheet: Template\n    row: 3\n    column: B\n", "")
    code, out = run("build", "r")
    assert code == 2 and "give the cell" in out
    edit(
        copy,
        "passages.yaml",
        "  quote: Example Bakery Ltd\n",
        "  quote: Example Bakery Ltd\n  cell:\n    sheet: Template\n    row: 3\n    column: B\n",
    )
    edit(
        copy,
        "register.yaml",
        "\norganisations:\n",
        "\n  sections:\n  - {id: a, heading: A}\norganisations:\n",
    )
    code, out = run("build", "r")
    assert code == 2 and "register.yaml" in out


# --- bad input ------------------------------------------------------------------------------


BAD = [
    ("bad-unknown-layout.xlsx", [], ["unknown layout"]),
    ("bad-header-too-low.xlsx", ["--profile", "ico"], ["no header row", "ICO"]),
    ("bad-formula-error.xlsx", [], ["sheet 'Template', cell J11", "row 11", "column J", "#REF!"]),
    ("bad-encrypted.xlsx", [], ["password-protected"]),
    ("bad-encrypted.ods", [], ["password-protected"]),
    ("bad-not-a-spreadsheet.xlsx", [], ["not a ZIP archive"]),
    ("bad-no-controller.xlsx", [], ["sheet 'Template'", "no controller name", "Art. 30(1)(a)"]),
]


@pytest.mark.parametrize(("name", "options", "words"), BAD)
def test_bad_input_one_message_exit_2_nothing_written(
    name: str, options: list[str], words: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("import", str(SHEETS / name), *options, "-o", "records")
    assert code == 2
    [message] = out.strip().splitlines()
    assert message.startswith(f"Error: {SHEETS / name}: ") or message.startswith("Error: ")
    assert name in message
    for word in words:
        assert word in message, message
    assert os.listdir(tmp_path) == []  # no folder, no temporary folder left


@pytest.mark.parametrize(("name", "words"), [(n, w) for n, o, w in BAD if not o])
def test_bad_input_given_to_check_directly(name: str, words: list[str]) -> None:
    code, out = run("check", str(SHEETS / name))
    assert code == 2
    [message] = out.strip().splitlines()
    assert name in message and words[0] in message


def test_a_spreadsheet_over_50_mb_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 50 MB written to disk
    code, out = run("import", "big.xlsx", "-o", "records")
    assert code == 2
    [message] = out.strip().splitlines()
    assert "big.xlsx" in message and "50 MB" in message
    assert sorted(os.listdir(tmp_path)) == ["big.xlsx"]


def test_an_existing_output_folder_is_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "keep.txt").write_text("mine", encoding="utf-8")
    code, out = run("import", str(SHEETS / "ico-bakery.xlsx"), "-o", "records")
    assert code == 2 and "already exists" in out
    assert os.listdir(tmp_path / "records") == ["keep.txt"]


def test_a_csv_that_is_not_utf8_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = (
        (SHEETS / "ico-bakery.csv").read_bytes().replace(b"London", "Lond\xf6n".encode("latin-1"))
    )
    (tmp_path / "latin.csv").write_bytes(data)
    code, out = run("import", "latin.csv", "-o", "records")
    assert code == 2
    assert re.search(r"latin\.csv:2: not UTF-8", out), out
    assert sorted(os.listdir(tmp_path)) == ["latin.csv"]


def test_literal_true_marks_unmapped_in_the_graph(imported: dict[str, Path]) -> None:
    graph = build([imported["fides-shop.xlsx"]])
    marked = set(graph.subjects(ROPA.isUnmapped, Literal(True)))
    assert marked
    assert all(
        (m, RDF.type, ROPA.Passage) in graph
        or (m, RDF.type, DPV.PersonalData) in graph
        or (m, RDF.type, DPV.Purpose) in graph
        for m in marked
    )
