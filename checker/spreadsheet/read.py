"""Read the cells of a spreadsheet (``.xlsx``, ``.ods``, ``.csv``) as text, safely.

- ``.xlsx``: openpyxl, read-only, cached values only (``data_only``): no formula is
  evaluated, no macro is run (``keep_vba=False``), external links are not loaded
  (``keep_links=False``).
- ``.ods``: python-calamine (cached values; it runs nothing).
- ``.csv``: the csv module; UTF-8 (a byte order mark is read past), comma, semicolon or tab.

The file is refused before it is read when it is larger than :data:`MAX_BYTES`, and an
archive that would unpack to more than :data:`MAX_UNPACKED` is refused before it is
unpacked. A password-protected (encrypted) workbook is named as such. A cell holding a
formula error (``#DIV/0!``, ``#REF!``, ...) is kept as an error: reading it through
:meth:`Sheet.text` raises an :class:`~checker.errors.InputError` naming file, sheet, row
and column, so an error only stops the import where the importer needs that cell.

>>> column_letters(28), column_index("AB")
('AB', 28)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from checker.errors import InputError
from checker.files import decode_utf8, read_input

#: The spreadsheet file types we read (and ``ropa export`` writes, with ``.md``).
SUFFIXES = (".xlsx", ".ods", ".csv")

#: A spreadsheet larger than this is refused before it is read.
MAX_BYTES = 50 * 1024 * 1024

#: An ``.xlsx``/``.ods`` archive whose members add up to more than this is refused unread.
MAX_UNPACKED = 400 * 1024 * 1024

#: Rows and columns read from one sheet at most.
MAX_ROWS = 100_000
MAX_COLUMNS = 500

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: an encrypted OOXML file, or .xls
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ERROR_LITERALS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"}
)
_ODS_ERROR = re.compile(r"^(Err:\d{3}|#[A-Z/0]+[!?]?)$")


def column_letters(index: int) -> str:
    """Column letters of a 1-based column index, as spreadsheets name them."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """The 1-based index of a column given in letters."""
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - ord("A") + 1)
    return index


def where(sheet: str, row: int, column: int) -> str:
    """A cell as messages name it: ``sheet 'Template', cell C9``."""
    cell = f"cell {column_letters(column)}{row}"
    return f"sheet {sheet!r}, {cell}" if sheet else cell


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name ("" for a CSV file) and its cells as text, row by row."""

    file: str
    name: str
    rows: tuple[tuple[str, ...], ...]
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return len(self.rows)

    def text(self, row: int, column: int) -> str:
        """The text of the cell at ``row``, ``column`` (1-based); "" for an empty cell.

        Raises:
            InputError: the cell holds a formula error.
        """
        error = self.errors.get((row, column))
        if error is not None:
            raise InputError(
                f"{where(self.name, row, column)} (row {row}, column {column_letters(column)}) "
                f"holds a formula error ({error}); correct the formula or type the value",
                self.file,
            )
        if row < 1 or row > len(self.rows):
            return ""
        cells = self.rows[row - 1]
        return cells[column - 1] if 0 < column <= len(cells) else ""


@dataclass(frozen=True)
class Workbook:
    """The sheets of a spreadsheet file, in the file's order."""

    file: str
    sheets: tuple[Sheet, ...]

    def sheet(self, name: str | None) -> Sheet | None:
        """The sheet called ``name``; without a name, the only sheet (a CSV file's)."""
        if name is None:
            return self.sheets[0] if len(self.sheets) == 1 else None
        return next((s for s in self.sheets if s.name == name), None)


def cell_text(value: Any) -> str:
    """A cell value as the text a person sees (numbers without a needless ``.0``).

    >>> [cell_text(v) for v in (None, 3.0, 2.5, True, " a\\r\\nb ")]
    ['', '3', '2.5', 'TRUE', 'a\\nb']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def read_workbook(path: Path, name: str | None = None) -> Workbook:
    """Read every sheet of the spreadsheet at ``path``.

    Args:
        path: an ``.xlsx``, ``.ods`` or ``.csv`` file.
        name: the file as messages name it (default: ``path``).

    Raises:
        InputError: unknown file type, missing, too large, encrypted or unreadable.
    """
    name = name or str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"cannot read {suffix or 'a file without extension'} as a spreadsheet: "
            f"use {', '.join(SUFFIXES)}",
            name,
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", name) from None
    if size > MAX_BYTES:
        raise InputError(
            f"{size / 1024 / 1024:.1f} MB: larger than the {MAX_BYTES // 1024 // 1024} MB "
            "a spreadsheet may be; split the register or remove what is not the record",
            name,
        )
    data = read_input(path, name)
    if suffix == ".csv":
        return Workbook(name, (_read_csv(data, name),))
    _check_archive(data, suffix, name)
    if suffix == ".xlsx":
        return _read_xlsx(data, name)
    return _read_ods(data, name)


def _check_archive(data: bytes, suffix: str, name: str) -> None:
    if data.startswith(_CFB_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise InputError(
                "the workbook is password-protected (encrypted); save a copy without a "
                "password and import that",
                name,
            )
        raise InputError(
            f"not an {suffix} file: an old binary Office document (.xls?); save it as {suffix}",
            name,
        )
    kind = "an Excel workbook (.xlsx)" if suffix == ".xlsx" else "an OpenDocument spreadsheet"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"cannot be read as {kind}: not a ZIP archive", name) from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise InputError(
                f"unpacks to more than {MAX_UNPACKED // 1024 // 1024} MB; refused unread", name
            )
        manifest = "META-INF/manifest.xml"
        if suffix == ".ods" and manifest in archive.namelist():
            encrypted = b"encryption-data" in archive.read(manifest)
            if encrypted:
                raise InputError(
                    "the spreadsheet is password-protected (encrypted); save a copy without "
                    "a password and import that",
                    name,
                )


def _grid(
    file: str, sheet: str, rows: Any, is_error: Any
) -> tuple[tuple[tuple[str, ...], ...], dict[tuple[int, int], str]]:
    grid: list[tuple[str, ...]] = []
    errors: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows, start=1):
        if r > MAX_ROWS:
            raise InputError(
                f"sheet {sheet!r} has more than {MAX_ROWS} rows; a register of processing "
                "activities is smaller: remove what is not the record",
                file,
            )
        texts = []
        for c, value in enumerate(row, start=1):
            if c > MAX_COLUMNS:
                break
            error = is_error(value)
            if error is not None:
                errors[(r, c)] = error
                texts.append("")
            else:
                texts.append(cell_text(getattr(value, "value", value)))
        while texts and not texts[-1]:
            texts.pop()
        grid.append(tuple(texts))
    while grid and not grid[-1]:
        grid.pop()
    return tuple(grid), errors


def _read_xlsx(data: bytes, name: str) -> Workbook:
    # Imported here: openpyxl takes 0.3-1 s to import (python -X importtime), and every
    # `ropa build` of YAML records passes through this module without reading a workbook.
    import openpyxl

    def is_error(cell: Any) -> str | None:
        if getattr(cell, "data_type", None) == "e":
            return str(cell.value)
        return None

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it skips
            book = openpyxl.load_workbook(
                io.BytesIO(data),
                read_only=True,
                data_only=True,
                keep_vba=False,
                keep_links=False,
            )
            try:
                sheets = []
                for ws in book.worksheets:
                    rows, errors = _grid(name, ws.title, ws.iter_rows(), is_error)
                    sheets.append(Sheet(name, ws.title, rows, errors))
            finally:
                book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InputError(f"cannot be read as an Excel workbook (.xlsx): {exc}", name) from None
    return Workbook(name, tuple(sheets))


def _read_ods(data: bytes, name: str) -> Workbook:
    def is_error(value: Any) -> str | None:
        if isinstance(value, str) and _ODS_ERROR.match(value.strip()):
            return value.strip()
        return None

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in book.sheet_names:
            values = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            rows, errors = _grid(name, sheet_name, values, is_error)
            sheets.append(Sheet(name, sheet_name, rows, errors))
    except python_calamine.PasswordError:
        raise InputError(
            "the spreadsheet is password-protected (encrypted); save a copy without a "
            "password and import that",
            name,
        ) from None
    except python_calamine.CalamineError as exc:
        raise InputError(f"cannot be read as an OpenDocument spreadsheet: {exc}", name) from None
    return Workbook(name, tuple(sheets))


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: the one that splits most of the first lines alike.

    >>> _delimiter("a;b, c;d\\n1;2;3\\n")
    ';'
    """
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best, score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w)) if widths else 1
        candidate = (widths.count(common), common) if common > 1 else (0, 0)
        if candidate > score:
            best, score = delimiter, candidate
    return best


def _read_csv(data: bytes, name: str) -> Sheet:
    text = decode_utf8(data, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def is_error(value: Any) -> str | None:
        return value.strip() if value.strip() in _ERROR_LITERALS else None

    try:
        rows, errors = _grid(name, "", reader, is_error)
    except csv.Error as exc:
        raise InputError(f"CSV error: {exc}", name, reader.line_num) from None
    return Sheet(name, "", rows, errors)
