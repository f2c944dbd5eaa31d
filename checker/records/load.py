"""Read a record set (a folder of YAML files) and check it before anything becomes RDF.

Checks, each failing with an :class:`~checker.errors.InputError` that names file and line:
the JSON Schema (unknown keys, wrong types, malformed ids and durations), duplicate ids,
exactly one ``register``, references that resolve to an entry of an allowed kind or to a
known vocabulary term, and quotes that occur exactly once in the register description.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from checker.errors import InputError
from checker.files import LINK_LOOP, decode_utf8, read_input
from checker.records.document import Document, Location
from checker.records.yamlload import LineDict, LineList, load_yaml
from checker.spreadsheet.read import SUFFIXES as SPREADSHEET_SUFFIXES
from checker.spreadsheet.read import Workbook, column_index, read_workbook, where
from checker.vocab.namespaces import expand_curie

#: Top-level keys that hold lists of entries, in the order the graph is written.
KINDS = (
    "passages",
    "organisations",
    "units",
    "systems",
    "laws",
    "data_subjects",
    "data_categories",
    "data_groups",
    "purposes",
    "events",
    "measures",
    "retention",
    "activities",
    "flows",
)

ANY_TERM = "term"
_AGENTS = frozenset({"units", "organisations"})
_DATA = frozenset({"data_categories", "data_groups", ANY_TERM})

#: For each reference field: the kinds of entry it may point at (ANY_TERM: a vocabulary term).
REFERENCE_KINDS: dict[str, frozenset[str]] = {
    "derived_from": frozenset({"passages"}),
    "controller": frozenset({"organisations"}),
    "part_of": _AGENTS,
    "provided_by": _AGENTS,
    "broader": frozenset({"data_subjects", "data_categories", "purposes", ANY_TERM}),
    "subjects": frozenset({"data_subjects", ANY_TERM}),
    "includes": frozenset({"data_categories", ANY_TERM}),
    "units": frozenset({"units"}),
    "purposes": frozenset({"purposes", ANY_TERM}),
    "data_subjects": frozenset({"data_subjects", ANY_TERM}),
    "personal_data": _DATA,
    "sources": frozenset({"organisations", "systems", "units", "data_subjects", ANY_TERM}),
    "recipients": frozenset({"organisations", "units", ANY_TERM}),
    "processors": frozenset({"organisations"}),
    "systems": frozenset({"systems"}),
    "legal_bases": frozenset({ANY_TERM}),
    "laws": frozenset({"laws", ANY_TERM}),
    "measures": frozenset({"measures"}),
    "retention": frozenset({"retention"}),
    "sender": frozenset({"units", "organisations", "systems", "data_subjects"}),
    "receiver": frozenset({"units", "organisations", "systems", "data_subjects"}),
    "data": _DATA,
    "activity": frozenset({"activities"}),
    "permitted": _AGENTS,
    "counted_from": frozenset({"events"}),
    "until": frozenset({"events"}),
    "delegated_to": _AGENTS,
    "types": frozenset({ANY_TERM}),
    "location": frozenset({ANY_TERM}),
    "jurisdiction": frozenset({ANY_TERM}),
    "rights": frozenset({ANY_TERM}),
    "supervisory_authority": frozenset({"organisations", ANY_TERM}),
    "owner": _AGENTS,
    "joint_controllers": frozenset({"organisations"}),
    "controllers": frozenset({"organisations"}),
    "processor": frozenset({"organisations"}),
    "processing": frozenset({ANY_TERM}),
}


@dataclass
class Entry:
    """One entry of the records, with where it was written."""

    kind: str
    data: LineDict
    file: str  # as the user knows it (relative to the working directory): for messages
    record_file: str  # stable, for the graph: see record_path()

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def line(self) -> int:
        return self.data.line


@dataclass
class RecordSet:
    """A checked record set, ready to become RDF."""

    register: LineDict
    register_file: str
    register_record_file: str
    document: Document | Workbook  # a register description, or the spreadsheet it is kept in
    entries: dict[str, Entry] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)  # passage id -> location
    cells: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # passage -> cell

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == kind]


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema_path = Path(__file__).parent / "schema" / "records.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(_inline_refs(schema, schema.get("$defs", {})))  # type: ignore[no-any-return]


def _inline_refs(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    """The schema with its ``#/$defs/...`` references written out in place.

    The same schema; but jsonschema resolves a ``$ref`` at every use (about half the time
    of validating the register), and an inlined one costs nothing.
    """
    if isinstance(node, list):
        return [_inline_refs(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 20:
        target = _inline_refs(defs[ref.removeprefix("#/$defs/")], defs, depth + 1)
        rest = {k: _inline_refs(v, defs, depth) for k, v in node.items() if k != "$ref"}
        return {**rest, "allOf": [target]} if rest else target
    return {k: _inline_refs(v, defs, depth) for k, v in node.items()}


def _line_of(doc: Any, path: Iterable[Any]) -> int | None:
    """The line of the value at ``path`` (keys and indices) in a loaded YAML document."""
    line = getattr(doc, "line", None)
    node = doc
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


def _schema_message(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message}; allowed keys here: {', '.join(allowed)}"
    if error.validator == "pattern" and "duration" in str(error.schema.get("description", "")):
        return f"{error.instance!r} is not an ISO 8601 duration (write P2Y, P30D, P6M)"
    if error.validator == "pattern" and str(error.schema.get("pattern", "")).startswith("^\\d{4}-"):
        return f"{where}: {error.instance!r} is not a date (write YYYY-MM-DD: 2026-03-31)"
    if error.validator == "pattern" and where.endswith("id"):
        return f"{error.instance!r} is not a valid id (lower-case letters, digits, hyphens)"
    if error.validator == "oneOf" and where == "register":
        return "register: give either controller (a controller's record) or processor (a processor's record, GDPR Art. 30(2)), not both"
    if error.validator == "oneOf" and "text" in str(error.schema.get("description", "")):
        return f"{where}: {_text_problem(error.instance)}"
    return f"{where}: {error.message}" if where else error.message


def _text_problem(value: Any) -> str:
    """Why a name or text is malformed, for the schema message."""
    if isinstance(value, dict):
        for tag, text in value.items():
            if not (isinstance(tag, str) and len(tag) == 2 and tag.isalpha() and tag.islower()):
                return f"{tag!r} is not a language tag: write a text per language as {{en: ..., fi: ..., sv: ...}}"
            if not isinstance(text, str) or not text.strip():
                return f"the {tag} text must be non-empty text"
    return "a name or text is text, or a mapping of language tags to text ({en: ..., fi: ..., sv: ...})"


def _check_schema(doc: Any, name: str) -> None:
    if doc is None:
        raise InputError("the file is empty; a records file is a mapping of entry lists", name, 1)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    # The deepest error is the most precise one (oneOf/anyOf report their branches too).
    error = max(errors, key=lambda e: len(e.absolute_path))
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unexpected = sorted(k for k in error.instance if k not in allowed)
        if unexpected:
            path.append(unexpected[0])  # point at the unknown key itself
    raise InputError(_schema_message(error), name, _line_of(doc, path))


def record_files(folder: Path) -> list[Path]:
    """The YAML files of a record set, in a stable order: every name ending in ``.yaml`` or
    ``.yml`` but a folder, so that a link loop or a FIFO among them is reported, not
    skipped."""
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and not p.is_dir())


def display_path(path: Path) -> str:
    """A path as the user knows it: relative to the working directory where possible."""
    try:
        # A link is named as given (its folder resolved): a broken link or a loop has no
        # target to name.
        full = path.parent.resolve() / path.name if path.is_symlink() else path.resolve()
        return str(full.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop (Python < 3.13)
        return str(path)


def record_path(file: Path, record_set: Path) -> str:
    """The path of a records file as the graph stores it, the same from any directory.

    Relative to the root of the git work tree that holds the record set (so findings point
    where code scanning expects them: ``ropa/finnish-customs/activities.yaml``); outside a
    work tree, relative to the folder that holds the record set (``finnish-customs/...``).
    """
    try:
        folder = record_set.resolve() if record_set.is_dir() else record_set.resolve().parent
        resolved = file.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link loop (Python < 3.13)
        raise InputError(f"{LINK_LOOP}: cannot read it", display_path(file)) from None
    for parent in (folder, *folder.parents):
        if (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    return resolved.relative_to(folder.parent).as_posix()


def load_record_set(path: Path, known_terms: frozenset[str]) -> RecordSet:
    """Load and check the record set at ``path`` (a folder of YAML files, or one YAML file).

    Args:
        path: the folder (every ``*.yaml`` under it) or a single YAML file.
        known_terms: IRIs of the vocabulary terms a CURIE may name.

    Returns:
        The checked :class:`RecordSet`.

    Raises:
        InputError: on the first problem found, naming its file and line.
    """
    files = record_files(path) if path.is_dir() else [path]
    if not files:
        raise InputError("no records (*.yaml) in this folder", display_path(path))
    register: tuple[LineDict, str, Path] | None = None
    stable = {file: record_path(file, path) for file in files}
    entries: dict[str, Entry] = {}
    for file in files:
        name = display_path(file)
        doc = load_yaml(file, name)
        _check_schema(doc, name)
        if "register" in doc:
            if register is not None:
                raise InputError(
                    f"a second register (the first is in {register[1]})",
                    name,
                    doc.key_lines["register"],
                )
            register = (doc["register"], name, file)
        for kind in KINDS:
            for item in doc.get(kind, []):
                entry = Entry(kind, item, name, stable[file])
                if entry.id in entries:
                    first = entries[entry.id]
                    raise InputError(
                        f"duplicate id '{entry.id}' (first used in {first.file}:{first.line})",
                        name,
                        item.key_lines["id"],
                    )
                entries[entry.id] = entry
    if register is None:
        raise InputError("no 'register' entry in the record set", display_path(path))
    reg, reg_name, reg_path = register
    if reg["id"] in entries:
        other = entries[reg["id"]]
        raise InputError(
            f"duplicate id '{reg['id']}': the register's id is also used in {other.file}:{other.line}",
            reg_name,
            reg.key_lines["id"],
        )
    document = _load_document(reg, reg_name, reg_path)
    records = RecordSet(reg, reg_name, stable[reg_path], document, entries)
    _check_references(records, known_terms)
    _check_controllers(records)
    _locate_passages(records)
    return records


def document_path(reg: LineDict, reg_name: str, reg_path: Path) -> Path:
    """The file ``document.file`` names: a relative path to a regular file inside the
    folder of the register's records file (links resolved), never anything else: the
    records of a pull request must not make ropa read ``/etc/hostname`` or ``/dev/zero``.

    Raises:
        InputError: naming the register's ``file:`` line.
    """
    given = reg["document"]["file"]
    line = reg["document"].key_lines["file"]
    what = (
        "spreadsheet"
        if Path(given).suffix.lower() in SPREADSHEET_SUFFIXES
        else "register description"
    )
    if Path(given).is_absolute() or given.startswith("~"):
        raise InputError(
            f"document.file {given!r} is not a relative path: name the {what} "
            "relative to the folder of this file",
            reg_name,
            line,
        )
    folder = reg_path.parent.resolve()
    path = reg_path.parent / given
    try:
        inside = path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # RuntimeError: a link loop (Python < 3.13)
        raise InputError(f"{what} {given!r}: {LINK_LOOP}", reg_name, line) from None
    if not inside:
        raise InputError(
            f"document.file {given!r} is outside the folder of the records (links "
            f"followed): the {what} must be inside it",
            reg_name,
            line,
        )
    if not path.exists():
        raise InputError(f"{what} {given!r} not found beside the records", reg_name, line)
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        raise InputError(f"{what} {given!r} is {kind}", reg_name, line)
    return path


def _load_document(reg: LineDict, reg_name: str, reg_path: Path) -> Document | Workbook:
    doc_info = reg["document"]
    doc_path = document_path(reg, reg_name, reg_path)
    if doc_path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return read_workbook(doc_path, display_path(doc_path))
    data = read_input(doc_path, display_path(doc_path))
    text = decode_utf8(data, display_path(doc_path)).replace("\r\n", "\n")
    headings: dict[str, str] = {}
    lang = str(doc_info.get("language", "en"))
    for i, section in enumerate(reg["sections"]):
        heading = section["heading"]  # the document's own, where the records give several
        heading = heading if isinstance(heading, str) else heading.get(lang, "")
        if section["id"] in headings or heading.strip() in map(str.strip, headings.values()):
            raise InputError(
                f"section {section['id']!r} ({heading!r}) is listed twice",
                reg_name,
                reg["sections"].item_lines[i],
            )
        headings[section["id"]] = heading
    document = Document(text, headings)
    for i, section in enumerate(reg["sections"]):
        if headings[section["id"]].strip() in document.missing_headings:
            raise InputError(
                f"section heading {headings[section['id']]!r} is not a line of {doc_info['file']}",
                reg_name,
                reg["sections"].item_lines[i],
            )
    found = [sid for sid in document.section_order if sid in headings]
    if found != list(headings):
        raise InputError(
            f"sections are listed in another order than {doc_info['file']} has them: "
            f"{', '.join(found)}",
            reg_name,
            reg.key_lines["sections"],
        )
    return document


def _references(data: LineDict) -> Iterable[tuple[str, str, int]]:
    """(field, value, line) of every reference in an entry."""
    for key, value in data.items():
        if key not in REFERENCE_KINDS:
            continue
        if isinstance(value, LineList):
            for i, item in enumerate(value):
                yield key, item, value.item_lines[i]
        else:
            yield key, value, data.key_lines[key]


def _check_references(records: RecordSet, known_terms: frozenset[str]) -> None:
    reg_refs = [(records.register, records.register_file, "register")]
    everything = [(e.data, e.file, e.kind) for e in records.entries.values()]
    for data, file, kind in reg_refs + everything:
        for key, value, line in _references(data):
            allowed = REFERENCE_KINDS[key]
            if key == "broader":  # a category is narrower than its own kind, or a term
                allowed = frozenset({kind, ANY_TERM})
            iri = expand_curie(value)
            if iri is not None:
                if ANY_TERM not in allowed:
                    raise InputError(
                        f"{key}: {value} must be the id of an entry, not a term", file, line
                    )
                if iri not in known_terms:
                    raise InputError(
                        f"{key}: unknown vocabulary term {value} (not in ontology/)", file, line
                    )
                continue
            target = records.entries.get(value)
            if target is None:
                raise InputError(f"{key}: no entry with id '{value}'", file, line)
            if target.kind not in allowed:
                kinds = ", ".join(sorted(k for k in allowed if k != ANY_TERM))
                raise InputError(
                    f"{key}: '{value}' is one of {target.kind}, expected one of {kinds}", file, line
                )


def _check_controllers(records: RecordSet) -> None:
    """``controllers`` of an activity belong to a processor's record (register: processor)."""
    if "processor" in records.register:
        return
    for entry in records.of_kind("activities"):
        if "controllers" in entry.data:
            raise InputError(
                "controllers: only a processor's record (register: processor) names the "
                "controllers an activity is carried out for; in a controller's record, name "
                "the other controllers with joint_controllers",
                entry.file,
                entry.data.key_lines["controllers"],
            )


def _locate_cells(records: RecordSet, workbook: Workbook) -> None:
    """A spreadsheet register: every passage names its cell, whose text holds the quote."""
    doc_name = records.register["document"]["file"]
    for entry in records.of_kind("passages"):
        cell = entry.data.get("cell")
        if cell is None:
            raise InputError(
                f"the register is kept in the spreadsheet {doc_name}: give the cell this "
                "quote is taken from (cell: {sheet, row, column})",
                entry.file,
                entry.data.key_lines["quote"],
            )
        line = entry.data.key_lines["cell"]
        sheet = workbook.sheet(cell.get("sheet"))
        if sheet is None:
            names = ", ".join(repr(s.name) for s in workbook.sheets)
            raise InputError(
                f"cell: no sheet {cell.get('sheet')!r} in {doc_name} (sheets: {names})"
                if "sheet" in cell
                else f"cell: name the sheet ({names})",
                entry.file,
                line,
            )
        column = column_index(cell["column"])
        text = sheet.text(cell["row"], column)
        if entry.data["quote"] not in text:
            raise InputError(
                f"quote not in {where(sheet.name, cell['row'], column)} of {doc_name}, "
                f"which says {text[:60]!r}: quote the cell's text exactly",
                entry.file,
                entry.data.key_lines["quote"],
            )
        records.cells[entry.id] = (sheet.name, cell["row"], cell["column"])


def _locate_passages(records: RecordSet) -> None:
    if isinstance(records.document, Workbook):
        _locate_cells(records, records.document)
        return
    doc_name = records.register["document"]["file"]
    for entry in records.of_kind("passages"):
        quote = entry.data["quote"]
        line = entry.data.key_lines["quote"]
        if "cell" in entry.data:
            raise InputError(
                f"cell: {doc_name} is a text, not a spreadsheet; a text passage has no cell",
                entry.file,
                entry.data.key_lines["cell"],
            )
        found = records.document.count(quote)
        if found == 0:
            raise InputError(
                f"quote not found in {doc_name} (copy it exactly; one line at most): "
                f"{quote[:60]!r}",
                entry.file,
                line,
            )
        if found > 1:
            raise InputError(
                f"quote occurs {found} times in {doc_name}; quote a longer span: {quote[:60]!r}",
                entry.file,
                line,
            )
        location = records.document.locate(quote)
        if location is None:
            raise InputError(f"quote spans more than one line of {doc_name}", entry.file, line)
        records.locations[entry.id] = location
