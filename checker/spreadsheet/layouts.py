"""The three spreadsheet layouts: their column headers, controller blocks, and detection.

Each column of a layout has a *field*, the part of the record it holds (``purposes``,
``subjects``, ``data``, ...): :mod:`checker.spreadsheet.to_records` turns a field's
values into records keys, :mod:`checker.spreadsheet.export` fills a field from the graph.
Fields in :data:`NOT_IMPORTED` are recognised (so a sheet that has them is still found)
but carry nothing our records hold.

- ``ico``: the UK ICO's controller template (sheet ``Template``), with the aliases of
  Fides' data-map export, which copies the ICO columns and adds its own.
- ``fi``: our rendering of the Finnish Data Protection Ombudsman's guidance, headers in
  Finnish from the official Finnish text of GDPR Art. 30(1); the columns marked ``ours``
  are not Art. 30 items.
- ``cnil``: our table rendering of the CNIL's per-activity fiche ("registre des activités
  de traitement"): one row per activity, one column per field of the fiche.

Headers are matched case-insensitively, spacing aside. The header row is the row of the
first :data:`SCAN_ROWS` rows of a sheet that names most of a layout's columns (at least
:data:`MIN_MATCHES`, the purposes among them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError
from checker.spreadsheet.read import Sheet, Workbook
from checker.spreadsheet.values import is_blank, normalise

#: Rows of a sheet searched for the header row.
SCAN_ROWS = 50

#: Columns a header row must name, the purposes among them.
MIN_MATCHES = 3

#: Fields that are recognised but not imported (no records key holds them).
NOT_IMPORTED = frozenset(
    {
        "joint_controller",
        "contract",
        "legitimate_interest",
        "automated",
        "dataset",
        "other",
        # accountability: written by ropa export, not read back (yet)
        "dpia",
        "dpia_reference",
        "owner",
        "last_reviewed",
        "review_interval",
    }
)


@dataclass(frozen=True)
class Column:
    """One column of a layout: its header (verbatim), field, and other spellings."""

    header: str
    field: str
    aliases: tuple[str, ...] = ()
    ours: bool = False  # our own column, not one of the authority's
    export: bool = True  # written by ropa export (Fides' own columns are only read)


@dataclass(frozen=True)
class Layout:
    """A regulator's layout: sheet, title, columns in order, and the block above them."""

    name: str
    label: str
    language: str
    sheet: str
    title: str
    columns: tuple[Column, ...]
    block_title: str
    block_fields: tuple[tuple[str, str, tuple[str, ...]], ...]  # (field, label, aliases)
    block_roles: tuple[tuple[str, str, tuple[str, ...]], ...]  # (role, label, aliases)
    groups: tuple[tuple[str, str], ...]  # (label, header of the group's first column)
    processor_sheet: str
    processor_title: str
    processor_columns: tuple[tuple[str, str], ...]  # (field, header)
    processor_suffix: str  # marks a processor among the recipients: "Elisa Oyj (processor)"

    def header_fields(self) -> dict[str, str]:
        """Normalised header (and alias) -> field."""
        found: dict[str, str] = {}
        for column in self.columns:
            for header in (column.header, *column.aliases):
                found.setdefault(normalise(header), column.field)
        return found


def _layout(name: str, data: dict[str, Any]) -> Layout:
    """A layout from its entry in ``layouts.yaml``."""

    def triples(
        items: list[dict[str, Any]], key: str
    ) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        return tuple((i[key], i["label"], tuple(i.get("aliases", ()))) for i in items)

    return Layout(
        name=name,
        label=data["label"],
        language=data["language"],
        sheet=data["sheet"],
        title=data["title"],
        columns=tuple(
            Column(
                c["header"],
                c["field"],
                tuple(c.get("aliases", ())),
                ours=c.get("ours", False),
                export=c.get("export", True),
            )
            for c in data["columns"]
        ),
        block_title=data["block_title"],
        block_fields=triples(data["block_fields"], "field"),
        block_roles=triples(data["block_roles"], "role"),
        groups=tuple((g["label"], g["first_column"]) for g in data["groups"]),
        processor_sheet=data["processor_sheet"],
        processor_title=data["processor_title"],
        processor_columns=tuple((c["field"], c["header"]) for c in data["processor_columns"]),
        processor_suffix=data["processor_suffix"],
    )


#: The layouts, by the name ``--profile`` and ``--template`` take (``layouts.yaml``, shipped
#: with the package).
LAYOUTS: dict[str, Layout] = {
    name: _layout(name, data)
    for name, data in yaml.safe_load(
        (Path(__file__).parent / "layouts.yaml").read_text(encoding="utf-8")
    ).items()
}


@dataclass(frozen=True)
class Table:
    """Where a layout's record stands in a workbook: sheet, header row, and column fields."""

    layout: Layout
    sheet: Sheet
    header_row: int
    fields: dict[int, str]  # column index (1-based) -> field, first column of a field wins
    headers: dict[int, str]  # column index -> the header as the sheet writes it

    def column_of(self, field: str) -> int | None:
        return next((c for c, f in sorted(self.fields.items()) if f == field), None)


def _match_row(sheet: Sheet, row: int, layout: Layout) -> tuple[dict[int, str], dict[int, str]]:
    known = layout.header_fields()
    fields: dict[int, str] = {}
    headers: dict[int, str] = {}
    cells = sheet.rows[row - 1] if row <= sheet.height else ()
    for column, text in enumerate(cells, start=1):
        if (row, column) in sheet.errors:
            continue
        field = known.get(normalise(text))
        if field is not None and field not in fields.values():
            fields[column] = field
            headers[column] = text
    return fields, headers


def find_table(workbook: Workbook, profile: str | None = None) -> Table:
    """Find the record's header row: the layout ``profile``, or whichever layout fits best.

    Raises:
        InputError: no sheet has a header row of the layout (or of any layout).
    """
    layouts = [LAYOUTS[profile]] if profile else list(LAYOUTS.values())
    best: tuple[int, Table] | None = None
    for sheet in workbook.sheets:
        for row in range(1, min(SCAN_ROWS, sheet.height) + 1):
            for layout in layouts:
                fields, headers = _match_row(sheet, row, layout)
                score = len({f for f in fields.values() if f != "other"})
                if score < MIN_MATCHES or "purposes" not in fields.values():
                    continue
                if best is None or score > best[0]:
                    best = (score, Table(layout, sheet, row, fields, headers))
    if best is None:
        if profile:
            layout = LAYOUTS[profile]
            wanted = ", ".join(repr(c.header) for c in layout.columns[:4])
            raise InputError(
                f"no header row of the {layout.label} layout in the first {SCAN_ROWS} rows of "
                f"any sheet (looked for {MIN_MATCHES} or more of its headers, among them "
                f"{wanted}); check --profile, or see docs/spreadsheets.md",
                workbook.file,
            )
        raise InputError(
            "unknown layout: no sheet has a header row of the ICO, Finnish (fi) or CNIL layout "
            f"in its first {SCAN_ROWS} rows; give --profile ico|fi|cnil, or see "
            "docs/spreadsheets.md for the headers each layout needs",
            workbook.file,
        )
    return best[1]


@dataclass(frozen=True)
class BlockCell:
    """One filled cell of the controller block."""

    row: int
    column: int
    text: str


def read_block(table: Table) -> dict[str, dict[str, BlockCell]]:
    """The controller, DPO and representative block above the header row: role -> field -> cell.

    The block is a row of field labels (Name, Address, Email, Telephone, in the layout's
    language) and, below it, one row per role whose first filled cell is the role's label.
    """
    layout, sheet = table.layout, table.sheet
    field_names = {
        normalise(a): f for f, label, aliases in layout.block_fields for a in (label, *aliases)
    }
    role_names = {
        normalise(a): r for r, label, aliases in layout.block_roles for a in (label, *aliases)
    }
    label_row: dict[int, str] | None = None
    block: dict[str, dict[str, BlockCell]] = {}
    for row in range(1, table.header_row):
        cells = sheet.rows[row - 1] if row <= sheet.height else ()
        found = {
            c: field_names[normalise(t)]
            for c, t in enumerate(cells, 1)
            if normalise(t) in field_names
        }
        if len(found) >= 2:
            label_row = found
            continue
        if label_row is None:
            continue
        filled = [(c, t) for c, t in enumerate(cells, 1) if t.strip()]
        if not filled:
            continue
        role = role_names.get(normalise(filled[0][1]))
        if role is None or role in block:
            continue
        values = {}
        for column, field in label_row.items():
            text = sheet.text(row, column)
            if not is_blank(text):
                values[field] = BlockCell(row, column, text)
        block[role] = values
    return block
