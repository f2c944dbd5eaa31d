"""A spreadsheet ROPA as a record set in our YAML format, every fact derived from its cell.

Each cell the import uses becomes a passage that names the cell (``cell: {sheet, row,
column}``) and quotes its text; the spreadsheet itself is the register's document
(``document.file``), so ``ropa build`` checks every quote against its cell, as it checks a
quote of a register description. One row is one processing activity; rows that repeat an
activity (the same name, system and purposes: Fides' export writes one row per data
category) are one activity with the values of all of them.

A value becomes a DPV term only where :mod:`checker.spreadsheet.values` is certain of the
mapping; otherwise it is the register's own concept (a purpose, data subject, data
category or retention rule named by the cell's text) marked ``unmapped: true``, or, where
our records have no entry for it (a legal basis, a country, a right), the cell's passage
is marked ``unmapped: true`` and adds nothing. ``ropa check`` lists both as
``IMPORT-UNMAPPED``. A blank cell (empty, N/A, -, none) adds nothing: the gap stays a gap.

:func:`import_spreadsheet` makes the files, :func:`write_record_set` writes them (all at
once), :func:`load_spreadsheet_records` reads a spreadsheet straight into a checked record
set (``ropa build ropa.xlsx``), its findings pointing at the spreadsheet's rows.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError
from checker.records.load import RecordSet, display_path, load_record_set, record_path
from checker.spreadsheet import values as v
from checker.spreadsheet.layouts import NOT_IMPORTED, Layout, Table, find_table, read_block
from checker.spreadsheet.read import Workbook, column_letters, read_workbook

#: The files of an imported record set and the keys each holds, in order.
FILES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("register.yaml", ("register", "organisations:controller"), "The register and its controller"),
    ("passages.yaml", ("passages",), "The cells the records derive from, with their text"),
    (
        "parties.yaml",
        ("organisations", "units", "systems"),
        "Recipients, processors, units and systems named in the cells",
    ),
    (
        "data.yaml",
        ("data_subjects", "data_categories", "purposes", "events", "measures"),
        "Data subjects, personal data, purposes, events and measures named in the cells",
    ),
    ("retention.yaml", ("retention",), "Retention rules, one per retention phrase"),
    ("activities.yaml", ("activities",), "Processing activities, one per row of the sheet"),
)

_TITLES = {"en": "Record of processing activities", "fi": "Seloste käsittelytoimista"}
_TITLES["fr"] = "Registre des activités de traitement"


def slug(text: str, limit: int = 48) -> str:
    """An id made from text: lower-case ASCII letters, digits and hyphens.

    >>> slug("Käsittelyn tarkoitukset: HR & payroll!")
    'kasittelyn-tarkoitukset-hr-payroll'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-")


@dataclass
class _Builder:
    """Collects the entries of the record set, one per distinct name and kind."""

    workbook: Workbook
    table: Table
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    named: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    passages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    rows_of: dict[str, int] = field(default_factory=dict)  # entry id -> first row

    def new_id(self, base: str, fallback: str) -> str:
        base = slug(base) or fallback
        candidate, n = base, 1
        if candidate in self.ids and not base.startswith(fallback):
            base = candidate = slug(f"{fallback}-{base}")
        while candidate in self.ids:
            n += 1
            candidate = f"{base}-{n}"
        self.ids.add(candidate)
        return candidate

    def add(self, kind: str, entry: dict[str, Any]) -> dict[str, Any]:
        self.entries.setdefault(kind, []).append(entry)
        return entry

    def passage(self, row: int, column: int) -> str:
        """The passage of a cell (made once), its id."""
        found = self.passages.get((row, column))
        if found is None:
            sheet = self.table.sheet
            prefix = slug(sheet.name, 24) or "cell"
            cell: dict[str, Any] = {"row": row, "column": column_letters(column)}
            if sheet.name:
                cell = {"sheet": sheet.name, **cell}
            found = {
                "id": self.new_id(f"{prefix}-{column_letters(column)}{row}", "cell"),
                "quote": sheet.text(row, column),
                "cell": cell,
            }
            self.passages[(row, column)] = found
            self.rows_of[found["id"]] = row
            self.add("passages", found)
        return str(found["id"])

    def unmapped_passage(self, passage: str) -> None:
        for entry in self.passages.values():
            if entry["id"] == passage:
                entry["unmapped"] = True

    def named_entry(
        self, kind: str, name: str, passage: str, fallback: str, **fields: Any
    ) -> dict[str, Any]:
        """The entry of ``kind`` called ``name`` (made once), derived from ``passage`` too."""
        key = (kind, v.normalise(name))
        entry = self.named.get(key)
        if entry is None:
            entry = {"id": self.new_id(name, fallback), "name": name, **fields}
            entry["derived_from"] = []
            self.named[key] = entry
            self.rows_of[entry["id"]] = self.rows_of.get(passage, 0)
            self.add(kind, entry)
        if passage not in entry["derived_from"]:
            entry["derived_from"].append(passage)
        return entry


def _append(activity: dict[str, Any], key: str, value: str) -> None:
    values = activity.setdefault(key, [])
    if value not in values:
        values.append(value)


@dataclass(frozen=True)
class Imported:
    """The record set made from a spreadsheet: YAML text by file name, and where it came from."""

    source: str
    layout: Layout
    sheet: str
    header_row: int
    activities: int
    files: dict[str, str]
    document: str  # the spreadsheet's file name, as the register's document.file


class _Import:
    """One spreadsheet's record, turned into entries."""

    def __init__(self, workbook: Workbook, table: Table, document: str) -> None:
        self.b = _Builder(workbook, table)
        self.table = table
        self.layout = table.layout
        self.document = document
        self.labels = v.labels()
        self.controller = self._controller()
        self.subject_names: dict[str, str] = {}

    # --- the block above the header row: controller, DPO, representative ---------------

    def _controller(self) -> dict[str, Any]:
        block = read_block(self.table)
        sheet = self.table.sheet
        cells = block.get("controller", {})
        if "name" not in cells:
            raise InputError(
                f"sheet {sheet.name!r}: no controller name in the block above the header row "
                f"(row {self.table.header_row}); GDPR Art. 30(1)(a) needs it: fill in the "
                "controller's name (the row labelled "
                f"{self.layout.block_roles[0][1]!r}, column {self.layout.block_fields[0][1]!r})",
                self.b.workbook.file,
            )
        name_cell = cells["name"]
        passage = self.b.passage(name_cell.row, name_cell.column)
        controller = self.b.named_entry(
            "organisations", name_cell.text, passage, "controller", types=["dpv:DataController"]
        )
        contact = self._contact(cells, controller, name_cell.text)
        if contact:
            controller["contact"] = contact
        dpo = block.get("dpo", {})
        if "name" in dpo:
            controller["dpo"] = self._contact(dpo, controller, dpo["name"].text, with_name=True)
        rep = block.get("representative", {})
        if "name" in rep:
            rep_passage = self.b.passage(rep["name"].row, rep["name"].column)
            entry = self.b.named_entry(
                "organisations",
                rep["name"].text,
                rep_passage,
                "representative",
                types=["dpv:Representative"],
            )
            rep_contact = self._contact(rep, entry, rep["name"].text)
            if rep_contact:
                entry["contact"] = rep_contact
        return controller

    def _contact(
        self, cells: dict[str, Any], owner: dict[str, Any], name: str, with_name: bool = False
    ) -> dict[str, Any]:
        contact: dict[str, Any] = {}
        for key in ("address", "email", "telephone"):
            cell = cells.get(key)
            if cell is None or v.is_blank(cell.text):
                continue
            text = " ".join(cell.text.split())
            if key == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+", text):
                continue  # not an address we can record; the cell stays uncited
            contact[key] = text
            passage = self.b.passage(cell.row, cell.column)
            if passage not in owner["derived_from"]:
                owner["derived_from"].append(passage)
        if with_name:
            passage = self.b.passage(cells["name"].row, cells["name"].column)
            if passage not in owner["derived_from"]:
                owner["derived_from"].append(passage)
            return {"name": name, **contact}
        return {"name": name, **contact} if contact else {}

    # --- the rows: one activity per row (or per repeated activity) ---------------------

    def rows(self) -> list[list[int]]:
        """Rows of the table below the header row, rows of one activity together."""
        table = self.table
        used = [c for c, f in table.fields.items() if f not in NOT_IMPORTED]
        key_columns = [
            c for f in ("activity", "system", "purposes") if (c := table.column_of(f)) is not None
        ]
        groups: dict[tuple[str, ...], list[int]] = {}
        order: list[list[int]] = []
        group_by_key = any(table.fields[c] in ("activity", "system") for c in key_columns)
        for row in range(table.header_row + 1, table.sheet.height + 1):
            if all(v.is_blank(table.sheet.text(row, c)) for c in used):
                continue
            key = tuple(v.normalise(table.sheet.text(row, c)) for c in key_columns)
            if group_by_key and any(key):
                if key in groups:
                    groups[key].append(row)
                    continue
                groups[key] = [row]
                order.append(groups[key])
            else:
                order.append([row])
        return order

    def activity(self, rows: list[int]) -> dict[str, Any]:
        sheet, table = self.table.sheet, self.table
        first = rows[0]

        def text(field: str) -> str:
            column = table.column_of(field)
            return sheet.text(first, column) if column is not None else ""

        purposes = "; ".join(v.split(text("purposes")))
        system = "; ".join(v.split(text("system")))
        name = next(
            (
                n
                for n in (
                    " ".join(text("activity").split()) if not v.is_blank(text("activity")) else "",
                    f"{purposes} ({system})" if purposes and system else "",
                    purposes,
                    system,
                    "; ".join(v.split(text("unit"))),
                )
                if n
            ),
            f"Row {first} of {sheet.name or self.document}",
        )
        activity: dict[str, Any] = {"id": self.b.new_id(name, "activity"), "name": name}
        self.b.rows_of[activity["id"]] = first
        derived: list[str] = []
        for row in rows:
            for column, field_name in sorted(table.fields.items()):
                if field_name in NOT_IMPORTED or field_name == "activity":
                    continue
                cell = sheet.text(row, column)
                if v.is_blank(cell):
                    continue
                passage = self.b.passage(row, column)
                if passage not in derived:
                    derived.append(passage)
                mapped = self.field(activity, field_name, cell, passage)
                if not mapped:
                    self.b.unmapped_passage(passage)
            column = table.column_of("activity")
            if column is not None and not v.is_blank(sheet.text(row, column)):
                passage = self.b.passage(row, column)
                if passage not in derived:
                    derived.insert(0, passage)
        if not derived:
            raise AssertionError("a row without cells was not skipped")  # pragma: no cover
        activity["derived_from"] = derived
        return activity

    def field(self, act: dict[str, Any], name: str, text: str, passage: str) -> bool:
        """Add what a cell of field ``name`` says to the activity.

        Returns:
            False when a value of the cell maps to no term and has no entry of its own: it
            added nothing, and the cell's passage is marked unmapped.
        """
        b, labels = self.b, self.labels
        controller = self.controller["id"]
        if name == "unit":
            for value in v.split(text):
                unit = b.named_entry("units", value, passage, "unit", part_of=controller)
                _append(act, "units", unit["id"])
            return True
        if name == "purposes":
            for value in v.split(text):
                term = labels.term("purpose", value)
                if term is None:
                    term = b.named_entry(
                        "purposes", value, passage, "purpose", broader="dpv:Purpose", unmapped=True
                    )["id"]
                _append(act, "purposes", term)
            return True
        if name == "subjects":
            for value in v.split(text, commas=True):
                term = labels.term("subject", value)
                if term is None:
                    term = b.named_entry(
                        "data_subjects",
                        value,
                        passage,
                        "subject",
                        broader="dpv:DataSubject",
                        unmapped=True,
                    )["id"]
                self.subject_names[v.normalise(value)] = term
                _append(act, "data_subjects", term)
            return True
        if name in ("data", "special_data"):
            return self._data(act, text, passage, special=name == "special_data")
        if name in ("recipients", "processors", "internal_recipients"):
            for value in v.split(text, commas=True):
                self._party(act, name, value, passage)
            return True
        if name == "system":
            for value in v.split(text):
                system = b.named_entry("systems", value, passage, "system")
                _append(act, "systems", system["id"])
            return True
        if name == "transfers":
            every = True
            for value in v.split(text, commas=True):
                term = v.country(value, labels)
                if term is not None:
                    _append(act, "third_countries", term)
                every = every and term is not None
            return every
        if name in ("safeguards", "legal_basis", "art9_condition", "rights"):
            wordings = {
                "safeguards": v.SAFEGUARD_WORDINGS,
                "legal_basis": v.ART6_WORDINGS,
                "art9_condition": v.ART9_WORDINGS,
                "rights": v.RIGHT_WORDINGS,
            }[name]
            key = "rights" if name == "rights" else "legal_bases"
            every = True
            for value in v.split(text, commas=name in ("legal_basis", "rights")):
                found = False
                for term in v.gdpr_terms(value, wordings):
                    is_right = bool(re.fullmatch(r"eu-gdpr:A(1[3-9]|2[0-2]|7-3|77)", term))
                    if is_right == (key == "rights"):
                        _append(act, key, term)
                        found = True
                every = every and found
            return every
        if name == "retention":
            for value in v.split(text):
                self._retention(act, value, passage)
            return True
        if name == "measures":
            for value in v.split(text):
                measure = b.named_entry(
                    "measures",
                    value,
                    passage,
                    "measure",
                    types=["dpv:TechnicalOrganisationalMeasure"],
                )
                _append(act, "measures", measure["id"])
            return True
        if name == "sources":
            every = True
            for value in v.split(text, commas=True):
                term = self.subject_names.get(v.normalise(value)) or labels.term("subject", value)
                if term is not None:
                    _append(act, "sources", term)
                every = every and term is not None
            return every
        return False

    def _data(self, act: dict[str, Any], text: str, passage: str, special: bool) -> bool:
        if special:
            norm = v.normalise(text)
            if norm in ("non", "no", "ei") or norm.startswith(("non ", "non,", "no ")):
                return True
            text = re.sub(r"^\s*(oui|yes|kyllä)\s*[:,-]?\s*", "", text, flags=re.I)
            if not text.strip():
                return False
        for value in v.split(text, commas=True):
            term = self.labels.term("data", value)
            if term is None:
                fields: dict[str, Any] = {"broader": "dpv:PersonalData"}
                if special:
                    fields["special"] = True
                fields["unmapped"] = True
                term = self.b.named_entry("data_categories", value, passage, "data", **fields)["id"]
            _append(act, "personal_data", term)
        return True

    def _party(self, act: dict[str, Any], field_name: str, value: str, passage: str) -> None:
        suffix = self.layout.processor_suffix.strip()
        processor = field_name == "processors"
        if value.casefold().endswith(suffix.casefold()):
            value, processor = value[: -len(suffix)].strip(), True
        if field_name == "internal_recipients":
            unit = self.b.named_entry(
                "units", value, passage, "unit", part_of=self.controller["id"]
            )
            _append(act, "recipients", unit["id"])
            return
        entry = self.b.named_entry(
            "organisations",
            value,
            passage,
            "party",
            types=["dpv:DataProcessor" if processor else "dpv:Recipient"],
        )
        if processor and "dpv:DataProcessor" not in entry["types"]:
            entry["types"] = ["dpv:DataProcessor"]
        _append(act, "processors" if processor else "recipients", entry["id"])

    def _retention(self, act: dict[str, Any], line: str, passage: str) -> None:
        rule = v.parse_retention(line)
        if rule is None and ": " in line:
            rule = v.parse_retention(line.rsplit(": ", 1)[1])
        fields: dict[str, Any]
        if rule is None:
            fields = {"rule": "unspecified", "unmapped": True}
        else:
            fields = {"rule": rule.rule}
            if rule.duration:
                fields["duration"] = rule.duration
            if rule.maximum:
                fields["maximum"] = True
            if rule.event and rule.rule in ("from-event", "calendar", "until-event"):
                event = self.b.named_entry("events", rule.event, passage, "event")
                fields["until" if rule.rule == "until-event" else "counted_from"] = event["id"]
            if rule.rule == "delegated":
                party = self._delegate(rule.event or line, passage)
                fields["delegated_to"] = [party]
        entry = self.b.named_entry("retention", line, passage, "retention", **fields)
        _append(act, "retention", entry["id"])

    def _delegate(self, name: str, passage: str) -> str:
        for kind in ("units", "organisations"):
            found = self.b.named.get((kind, v.normalise(name)))
            if found is not None:
                return str(found["id"])
        return str(self.b.named_entry("organisations", name, passage, "party")["id"])

    # --- the record set -------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        activities = [self.activity(rows) for rows in self.rows()]
        for activity in activities:
            self.b.add("activities", activity)
        if not activities:
            raise InputError(
                f"sheet {self.table.sheet.name!r}: no processing activity below the header "
                f"row (row {self.table.header_row})",
                self.b.workbook.file,
            )
        title = _TITLES[self.layout.language]
        register_id = self.b.new_id(f"{self.controller['name']} ropa", "register")
        register = {
            "id": register_id,
            "title": f"{title}: {self.controller['name']}",
            "base": f"https://example.org/ropa/{register_id}/",
            "controller": self.controller["id"],
            "document": {
                "file": self.document,
                "title": self.document,
                "language": self.layout.language,
            },
            "derived_from": [self.controller["derived_from"][0]],
        }
        self.b.rows_of[register_id] = self.b.rows_of[self.controller["id"]]
        return register


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )


def _files(register: dict[str, Any], builder: _Builder, imported_from: str) -> dict[str, str]:
    controller_id = register["controller"]
    files: dict[str, str] = {}
    for name, keys, what in FILES:
        doc: dict[str, Any] = {}
        for key in keys:
            if key == "register":
                doc["register"] = register
            elif key == "organisations:controller":
                doc["organisations"] = [
                    e for e in builder.entries.get("organisations", []) if e["id"] == controller_id
                ]
            elif key == "organisations":
                rest = [
                    e for e in builder.entries.get("organisations", []) if e["id"] != controller_id
                ]
                if rest:
                    doc["organisations"] = rest
            elif builder.entries.get(key):
                doc[key] = builder.entries[key]
        if doc:
            header = f"# {what}: imported from {imported_from} by ropa import.\n"
            files[name] = header + _dump(doc)
    return files


def import_workbook(
    workbook: Workbook, document: str, profile: str | None = None
) -> tuple[Imported, dict[str, int]]:
    """The record set of a read workbook, and the spreadsheet row of every entry id."""
    table = find_table(workbook, profile)
    run = _Import(workbook, table, document)
    register = run.build()
    files = _files(register, run.b, f"{document} ({table.layout.name} layout)")
    imported = Imported(
        source=workbook.file,
        layout=table.layout,
        sheet=table.sheet.name,
        header_row=table.header_row,
        activities=len(run.b.entries.get("activities", [])),
        files=files,
        document=document,
    )
    return imported, dict(run.b.rows_of)


def import_spreadsheet(path: Path, profile: str | None = None) -> Imported:
    """Read the spreadsheet at ``path`` and make its record set (not yet written).

    Raises:
        InputError: a bad file, an unknown layout, no header row, a formula error cell.
    """
    workbook = read_workbook(path, display_path(path))
    return import_workbook(workbook, path.name, profile)[0]


def _write_files(folder: Path, imported: Imported, source: Path) -> None:
    for name, text in imported.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copyfile(source, folder / imported.document)


def write_record_set(
    imported: Imported, source: Path, output: Path, known_terms: frozenset[str]
) -> None:
    """Write the record set into the new folder ``output``, all at once.

    The files are written into a temporary folder beside ``output``, checked as ``ropa
    build`` checks records, and the folder is then renamed: a failure leaves nothing.

    Raises:
        InputError: ``output`` exists, or its parent does not.
    """
    name = display_path(output)
    if output.exists():
        raise InputError("already exists; give a new folder for the records", name)
    parent = output.resolve().parent
    if not parent.is_dir():
        raise InputError("the folder it would be made in does not exist", name)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{output.name}.", suffix=".tmp"))
    try:
        _write_files(tmp, imported, source)
        load_record_set(tmp, known_terms)  # what ropa build will say, before anything is kept
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        os.rename(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_spreadsheet_records(path: Path, known_terms: frozenset[str]) -> RecordSet:
    """A spreadsheet given to ``ropa build`` directly, as a checked record set.

    The records are made as ``ropa import`` makes them and checked as ``ropa build``
    checks a folder; every entry then points at the spreadsheet and the row it came from
    (``ropa check ropa.xlsx`` reports ``ropa.xlsx:12``), not at files nobody sees.
    """
    name = display_path(path)
    workbook = read_workbook(path, name)
    imported, rows = import_workbook(workbook, path.name)
    with tempfile.TemporaryDirectory(prefix="ropa-import-") as folder:
        _write_files(Path(folder), imported, path)
        records = load_record_set(Path(folder), known_terms)
    stable = record_path(path, path)
    records.register_file = name
    records.register_record_file = stable
    records.register.line = rows.get(str(records.register["id"]), 1)
    for entry in records.entries.values():
        entry.file = name
        entry.record_file = stable
        entry.data.line = rows.get(entry.id, 1)
    return records


def summary(imported: Imported, output: Path) -> Iterable[str]:
    """What ``ropa import`` reports on stderr."""
    yield (
        f"read {imported.source}: {imported.layout.label}, sheet {imported.sheet!r}, "
        f"header row {imported.header_row}; {imported.activities} processing activities"
    )
    yield f"wrote {len(imported.files)} records files and a copy of the spreadsheet to {output}"
