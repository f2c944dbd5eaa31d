"""The record of processing activities in an authority's layout (``ropa export``).

One row per processing activity under the layout's headers (verbatim), the controller,
DPO and representative block above them, multi-valued cells one value per line. A cell
the records cannot fill shows the rule of the real ``ropa check`` finding that reports the
gap (``missing: ART30-1-F-RETENTION``), never an invented value; a cell no rule asks for
stays empty. In ``.xlsx`` and ``.ods`` each filled cell carries its provenance as a cell
comment (the quotes with their section and item, or the source cells), and where the
records have processors a second sheet holds the processors' record (GDPR Art. 30(2)) as
far as the controller's records can fill it. ``.csv`` holds the controller's record only
(one sheet, no comments); ``.md`` holds both records, without comments.

The output is the same bytes for the same records: fixed document properties, fixed ZIP
timestamps, rows in the order of the records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from odf.office import Annotation
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableColumnProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter
from rdflib import Graph, Literal, URIRef

from checker.check.findings import Finding
from checker.check.rules.unmapped import cell_of
from checker.check.run import check
from checker.errors import InputError
from checker.files import format_of
from checker.spreadsheet.layouts import LAYOUTS, Layout
from checker.spreadsheet.read import column_letters
from checker.vocab import durations
from checker.vocab.concepts import is_special_category, outside_eu_eea
from checker.vocab.labels import label_of
from checker.vocab.namespaces import DCTERMS, DPV, OA, PROV, RDF, RDFS, ROPA, SCHEMA, local_id

GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"

#: Output formats of ``ropa export -o``, by file extension.
FORMATS = {".xlsx": "xlsx", ".ods": "ods", ".csv": "csv", ".md": "md"}

#: Fixed date of every exported file's properties and ZIP members: no clock in the output.
FIXED_DATE = dt.datetime(1980, 1, 1)

#: The rules whose findings explain an empty cell of each field.
FIELD_RULES: dict[str, tuple[str, ...]] = {
    "purposes": ("ART30-1-B-PURPOSE",),
    "subjects": ("ART30-1-C-DATA-SUBJECT",),
    "data": ("ART30-1-C-PERSONAL-DATA",),
    "recipients": ("ART30-1-D-RECIPIENT-KNOWN",),
    "transfers": ("TRANSFER-LOCATION-UNKNOWN",),
    "safeguards": ("TRANSFER-THIRD-COUNTRY", "FLOW-THIRD-COUNTRY-CHAIN"),
    "retention": ("ART30-1-F-RETENTION",),
    "measures": ("ART30-1-G-MEASURES",),
    "legal_basis": ("ART6-1-LEGAL-BASIS",),
    "art9_condition": ("ART9-2-CONDITION",),
    "contract": ("ART28-3-CONTRACT",),
    "rights": ("NOTICE-RIGHTS",),
    "sources": ("NOTICE-SOURCE",),
}

#: The findings a filled cell of each field is annotated with (its value is there, but).
NOTE_RULES: dict[str, tuple[str, ...]] = {
    "retention": ("RETENTION-INDEFINITE", "RETENTION-DELEGATED", "RETENTION-UNSPECIFIED"),
    "legal_basis": ("ART6-3-LAW", "ART6-CONSENT-AND-OBLIGATION"),
    "data": ("FI-DPA-29-IDENTITY-CODE",),
}

_WORDS = {
    "en": {"at most": "at most {}", "after": "{} after {}", "calendar": "the current year plus {}",
           "from": " from {}", "until": "until {}", "indefinite": "indefinitely",
           "not-stored": "not stored", "delegated": "retention delegated to {}",
           "unspecified": "unspecified period", "missing": "missing: {}"},
    "fi": {"at most": "enintään {}", "after": "{} {} jälkeen", "calendar": "kuluva vuosi + {}",
           "from": " {} alkaen", "until": "kunnes {}", "indefinite": "pysyvästi",
           "not-stored": "ei tallenneta", "delegated": "säilytys siirretty {}:lle",
           "unspecified": "määrittelemätön aika", "missing": "missing: {}"},
    "fr": {"at most": "au maximum {}", "after": "{} à compter de {}",
           "calendar": "l'année en cours + {}", "from": " à compter de {}",
           "until": "jusqu'à {}", "indefinite": "indéfiniment", "not-stored": "non conservé",
           "delegated": "conservation déléguée à {}", "unspecified": "durée non précisée",
           "missing": "missing: {}"},
}  # fmt: skip

#: Art. 6(1) and 9(2) bases in Finnish and French words, with the article's number.
_BASES = {
    "fi": {
        "A6-1-a": "Suostumus", "A6-1-b": "Sopimus", "A6-1-c": "Lakisääteinen velvoite",
        "A6-1-d": "Elintärkeiden etujen suojaaminen", "A6-1-e": "Yleistä etua koskeva tehtävä",
        "A6-1-f": "Oikeutettu etu",
    },
    "fr": {
        "A6-1-a": "Consentement", "A6-1-b": "Contrat", "A6-1-c": "Obligation légale",
        "A6-1-d": "Sauvegarde des intérêts vitaux", "A6-1-e": "Mission d'intérêt public",
        "A6-1-f": "Intérêt légitime",
    },
}  # fmt: skip


def export_format(path: Path) -> str:
    """The export format for an output path, from its extension.

    Raises:
        InputError: an extension ``ropa export`` does not write.
    """
    return format_of(path, FORMATS, "export to")


@dataclass
class Cell:
    """One exported cell: its text and the provenance its comment shows."""

    text: str = ""
    note: list[str] = field(default_factory=list)


@dataclass
class Record:
    """What the export writes: the block, the activities' rows, the processors' rows."""

    layout: Layout
    title: str
    block: dict[str, dict[str, Cell]]
    rows: list[dict[str, Cell]]
    processors: list[dict[str, Cell]]


def _iris(graph: Graph, node: URIRef, prop: URIRef) -> list[URIRef]:
    return sorted({o for o in graph.objects(node, prop) if isinstance(o, URIRef)}, key=str)


class _Reader:
    """Reads what the export needs from a built graph, in one language."""

    def __init__(self, graph: Graph, layout: Layout, findings: Sequence[Finding]) -> None:
        self.graph = graph
        self.layout = layout
        self.lang = layout.language
        self.words = _WORDS[self.lang]
        self.findings = findings

    def label(self, node: URIRef) -> str:
        for value in self.graph.objects(node, RDFS.label):
            if isinstance(value, Literal) and value.language == self.lang:
                return str(value)
        return label_of(self.graph, node)

    def labels(self, nodes: Iterable[URIRef]) -> list[str]:
        return sorted({self.label(n) for n in nodes}, key=str.casefold)

    # --- provenance ----------------------------------------------------------------------

    def passages(self, node: URIRef) -> set[URIRef]:
        return {p for p in self.graph.objects(node, PROV.wasDerivedFrom) if isinstance(p, URIRef)}

    def sources(self, activity: URIRef, values: Iterable[URIRef]) -> list[str]:
        """The provenance lines of a cell: its values' passages the activity also cites."""
        own = self.passages(activity)
        found: set[URIRef] = set()
        for value in values:
            mine = self.passages(value)
            if not mine:
                for group in self.graph.objects(activity, ROPA.hasDataGroup):
                    if (group, ROPA.includes, value) in self.graph:
                        mine |= self.passages(group)  # type: ignore[arg-type]
            found |= (mine & own) or mine
        if not found and values:
            found = own
        return [self.quote(p) for p in sorted(found, key=self._order)][:12]

    def _order(self, passage: URIRef) -> tuple[Any, ...]:
        line = self.graph.value(passage, ROPA.documentLine)
        for selector in self.graph.objects(passage, OA.hasSelector):
            row = self.graph.value(selector, ROPA.row)
            if row is not None:
                column = str(self.graph.value(selector, ROPA.column))
                return (int(row), len(column), column, str(passage))
        return (int(line) if line is not None else 0, 0, "", str(passage))

    def quote(self, passage: URIRef) -> str:
        text = next(
            (
                str(e)
                for s in self.graph.objects(passage, OA.hasSelector)
                for e in self.graph.objects(s, OA.exact)
            ),
            label_of(self.graph, passage),
        )
        where = cell_of(self.graph, passage)
        if not where:
            section = self.graph.value(passage, ROPA.inSection)
            item = self.graph.value(passage, ROPA.item)
            heading = label_of(self.graph, section) if section is not None else ""
            where = ", ".join(p for p in (heading, f"item {item}" if item else "") if p)
        short = text if len(text) <= 300 else text[:297] + "..."
        return f"“{short}” ({where})" if where else f"“{short}”"

    # --- findings ------------------------------------------------------------------------

    def rules_for(self, nodes: set[str], names: Iterable[str]) -> list[str]:
        wanted = set(names)
        return sorted(
            {
                f.rule
                for f in self.findings
                if f.rule in wanted and (f.focus in nodes or f.activity in nodes)
            }
        )

    def cell(
        self, activity: URIRef, field_name: str, texts: list[str], values: list[URIRef]
    ) -> Cell:
        related = {str(activity), *map(str, self.related(activity))}
        if texts:
            note = self.sources(activity, values)
            rules = self.rules_for(related, NOTE_RULES.get(field_name, ()))
            note += [f"ropa check: {rule}" for rule in rules]
            return Cell("\n".join(texts), note)
        rules = self.rules_for(related, FIELD_RULES.get(field_name, ()))
        if rules:
            return Cell(self.words["missing"].format(", ".join(rules)))
        return Cell()

    def related(self, activity: URIRef) -> set[URIRef]:
        """The nodes an activity's findings may be about: itself, what it names, the register."""
        nodes = {o for _, o in self.graph.predicate_objects(activity) if isinstance(o, URIRef)}
        nodes |= {s for s in self.graph.subjects(RDF.type, DPV.ROPA) if isinstance(s, URIRef)}
        return nodes

    # --- values --------------------------------------------------------------------------

    def retention(self, rule: URIRef) -> str:
        g, w = self.graph, self.words
        node = g.value(rule, DPV.hasDuration)
        node = node if isinstance(node, URIRef) else rule
        types = set(g.objects(node, RDF.type))
        value = g.value(node, RDF.value)
        period = (durations.words(str(value), self.lang) or str(value)) if value is not None else ""
        maximum = any(v.toPython() is True for v in g.objects(node, ROPA.isMaximum))
        counted = g.value(node, ROPA.countedFrom)
        until = g.value(node, ROPA.untilEvent)
        if ROPA.CurrentYearPlus in types:
            text = w["calendar"].format(period)
            if counted is not None:
                text += w["from"].format(self.label(counted))  # type: ignore[arg-type]
        elif until is not None:
            text = w["until"].format(self.label(until))  # type: ignore[arg-type]
        elif counted is not None and period:
            text = w["after"].format(period, self.label(counted))  # type: ignore[arg-type]
            text = w["at most"].format(text) if maximum else text
        elif DPV.EndlessDuration in types:
            text = w["indefinite"]
        elif ROPA.NotStored in types:
            text = w["not-stored"]
        elif ROPA.DelegatedRetention in types:
            to = ", ".join(self.labels(_iris(g, node, ROPA.delegatedTo)))
            text = w["delegated"].format(to)
        elif period:
            text = w["at most"].format(period) if maximum else period
        else:
            text = w["unspecified"]
        data = self.labels(_iris(g, rule, ROPA.coversData))
        return f"{', '.join(data)}: {text}" if data else text

    def basis(self, term: URIRef) -> str:
        local = str(term).removeprefix(GDPR)
        words = _BASES.get(self.lang, {}).get(local)
        if words:
            article, paragraph, point = local[1:].split("-")[:3]
            if self.lang == "fi":
                return f"{words} ({article} artiklan {paragraph} kohdan {point} alakohta)"
            return f"{words} (article {article}.{paragraph}.{point})"
        return label_of(self.graph, term)


def _activities(graph: Graph) -> list[URIRef]:
    """The processing activities, in the order of the records (file, line), then by IRI."""

    def key(node: URIRef) -> tuple[str, int, str]:
        line = graph.value(node, ROPA.recordLine)
        return (str(graph.value(node, ROPA.recordFile) or ""), int(line or 0), str(node))

    found = {s for s in graph.subjects(RDF.type, DPV.Process) if isinstance(s, URIRef)}
    return sorted(found, key=key)


def _row(reader: _Reader, activity: URIRef) -> dict[str, Cell]:
    g, layout = reader.graph, reader.layout
    fields = {c.field for c in layout.columns if c.export}
    processors = _iris(g, activity, DPV.hasDataProcessor)
    recipients = [r for r in _iris(g, activity, DPV.hasRecipient) if r not in processors]
    units = [r for r in recipients if (r, RDF.type, DPV.OrganisationalUnit) in g]
    bases = _iris(g, activity, DPV.hasLegalBasis)
    rights = set(_iris(g, activity, DPV.hasRight))
    for register in g.subjects(RDF.type, DPV.ROPA):
        rights |= set(_iris(g, register, DPV.hasRight))  # type: ignore[arg-type]
    countries = set(_iris(g, activity, DPV.hasThirdCountry))
    for party in (*processors, *recipients):
        for place in _iris(g, party, DPV.hasLocation):
            if outside_eu_eea(g, place):
                countries.add(place)
    data = _iris(g, activity, DPV.hasPersonalData)
    contracts = [
        m
        for m in _iris(g, activity, DPV.hasTechnicalOrganisationalMeasure)
        if {DPV.DataProcessingAgreement, DPV.ControllerProcessorAgreement}
        & set(g.objects(m, RDF.type))
    ]
    chosen: dict[str, list[URIRef]] = {
        "activity": [activity],
        "unit": _iris(g, activity, DPV.hasOrganisationalUnit),
        "purposes": _iris(g, activity, DPV.hasPurpose),
        "subjects": _iris(g, activity, DPV.hasDataSubject),
        "data": data,
        "special_data": [d for d in data if is_special_category(g, d)],
        "processors": processors,
        "transfers": sorted(countries, key=str),
        "safeguards": [
            b for b in bases if str(b).removeprefix(GDPR).startswith(("A45", "A46", "A49"))
        ],
        "retention": sorted(
            (o for o in g.objects(activity, DPV.hasStorageCondition) if isinstance(o, URIRef)),
            key=str,
        ),
        "measures": _iris(g, activity, DPV.hasTechnicalOrganisationalMeasure),
        "legal_basis": [b for b in bases if str(b).removeprefix(GDPR).startswith("A6-")],
        "art9_condition": [b for b in bases if str(b).removeprefix(GDPR).startswith("A9-")],
        "rights": sorted(rights, key=str),
        "sources": _iris(g, activity, DPV.hasDataSource),
        "system": _iris(g, activity, DPV.isImplementedUsingTechnology),
        "contract": contracts,
        "joint_controller": [
            m
            for j in _iris(g, activity, DPV.hasJointDataControllers)
            for m in _iris(g, j, DPV.hasEntity)
        ],
        "owner": _iris(g, activity, DPV.hasResponsibleEntity)
        or _register_value(g, activity, DPV.hasResponsibleEntity),
    }
    literals = _accountability_texts(g, activity)
    if "processors" in fields:
        chosen["recipients"] = [
            r for r in recipients if r not in units or "internal_recipients" not in fields
        ]
    else:  # the ICO layout has no processor column: processors are recipients (Art. 4(9))
        chosen["recipients"] = [*recipients, *processors]
    if "internal_recipients" in fields:
        chosen["internal_recipients"] = units
        chosen["recipients"] = [r for r in chosen["recipients"] if r not in units]
    row: dict[str, Cell] = {}
    for name in fields:
        values = chosen.get(name, [])
        if name in literals:
            texts = literals[name]
        elif name == "retention":
            texts = [reader.retention(v) for v in values]
        elif name in ("legal_basis", "art9_condition", "safeguards"):
            texts = [reader.basis(v) for v in values]
        elif name == "recipients" and "processors" not in fields:
            texts = [
                reader.label(r) + (layout.processor_suffix if r in processors else "")
                for r in values
            ]
            texts.sort(key=str.casefold)
        else:
            texts = reader.labels(values)
        if name != "activity" and any("," in text or ";" in text for text in texts):
            texts = [f"• {text}" for text in texts]  # one value per line, never split at commas
        row[name] = reader.cell(activity, name, texts, values)
    return row


def _register_value(g: Graph, activity: URIRef, prop: URIRef) -> list[URIRef]:
    """``prop`` of the activity's register (an activity's own value overrides it)."""
    return [v for r in g.subjects(DCTERMS.hasPart, activity) for v in _iris(g, r, prop)]  # type: ignore[arg-type]


def _accountability_texts(g: Graph, activity: URIRef) -> dict[str, list[str]]:
    """The cells of the accountability keys that hold no entries: review date and interval
    (the activity's, else its register's), the DPIA's status (with its date) and reference."""
    texts: dict[str, list[str]] = {}
    registers = list(g.subjects(DCTERMS.hasPart, activity))
    for name, prop in (
        ("last_reviewed", ROPA.lastReviewed),
        ("review_interval", ROPA.reviewInterval),
    ):
        value = next((v for n in (activity, *registers) for v in g.objects(n, prop)), None)
        texts[name] = [str(value)] if value is not None else []
    texts["dpia"], texts["dpia_reference"] = [], []
    for dpia in _iris(g, activity, DPV.hasImpactAssessment):
        status = g.value(dpia, DPV.hasActivityStatus) or g.value(dpia, DPV.hasStatus)
        day = g.value(dpia, DCTERMS.date)
        texts["dpia"].append(
            local_id(status) + (f" ({day})" if day is not None else "") if status else "recorded"
        )
        texts["dpia_reference"] += [str(r) for r in g.objects(dpia, DCTERMS.identifier)]
    return texts


def _contact_cells(reader: _Reader, node: URIRef | None, name: str = "") -> dict[str, Cell]:
    g = reader.graph
    if node is None:
        return {}
    cells = {"name": Cell(name or reader.label(node), reader.sources(node, [node])[:3])}
    contacts = _iris(g, node, DPV.hasContact) or [node]
    for key, prop in (("address", SCHEMA.address), ("email", SCHEMA.email)):
        value = next((str(v) for c in contacts for v in g.objects(c, prop)), "")
        if value:
            cells[key] = Cell(value)
    phone = next((str(v) for c in contacts for v in g.objects(c, SCHEMA.telephone)), "")
    if phone:
        cells["telephone"] = Cell(phone)
    return cells


def _block(reader: _Reader, controller: URIRef | None) -> dict[str, dict[str, Cell]]:
    g = reader.graph
    block: dict[str, dict[str, Cell]] = {}
    block["controller"] = _contact_cells(reader, controller)
    nodes = {str(controller)} if controller is not None else set()
    if controller is not None and not {"address", "email", "telephone"} & set(block["controller"]):
        rules = reader.rules_for(nodes, ("ART30-1-A-CONTACT",))
        if rules:
            block["controller"]["email"] = Cell(reader.words["missing"].format(rules[0]))
    dpo = g.value(controller, DPV.hasDataProtectionOfficer) if controller is not None else None
    if isinstance(dpo, URIRef):
        block["dpo"] = _contact_cells(reader, dpo)
    else:
        rules = reader.rules_for(nodes, ("ART37-DPO",))
        block["dpo"] = {"name": Cell(reader.words["missing"].format(rules[0]))} if rules else {}
    # The controller's own (Art. 27, records: representative), else a lone Representative
    # entry (a spreadsheet import), never another organisation's.
    own = _iris(g, controller, DPV.hasRepresentative) if controller is not None else []
    representative = next(
        iter(own),
        next(
            (
                s
                for s in g.subjects(RDF.type, DPV.Representative)
                if isinstance(s, URIRef) and (None, DPV.hasRepresentative, s) not in g
            ),
            None,
        ),
    )
    block["representative"] = _contact_cells(reader, representative)
    return block


def _processor_rows(
    reader: _Reader, activities: list[URIRef], controller: URIRef | None
) -> list[dict[str, Cell]]:
    g = reader.graph
    by_processor: dict[URIRef, list[URIRef]] = {}
    for activity in activities:
        for processor in _iris(g, activity, DPV.hasDataProcessor):
            by_processor.setdefault(processor, []).append(activity)
    rows = []
    controller_name = reader.label(controller) if controller is not None else ""
    for processor in sorted(by_processor, key=lambda p: (reader.label(p).casefold(), str(p))):
        places = [p for p in _iris(g, processor, DPV.hasLocation) if outside_eu_eea(g, p)]
        transfers = Cell("\n".join(reader.labels(places)), reader.sources(processor, [processor]))
        if not places:
            rules = reader.rules_for({str(processor)}, ("TRANSFER-LOCATION-UNKNOWN",))
            transfers = Cell(reader.words["missing"].format(rules[0])) if rules else Cell()
        contact = _contact_cells(reader, processor)
        rows.append(
            {
                "processor": Cell(
                    "\n".join(c.text for c in contact.values()),
                    reader.sources(processor, [processor]),
                ),
                "controller": Cell(controller_name),
                "categories": Cell(
                    "\n".join(
                        sorted({reader.label(a) for a in by_processor[processor]}, key=str.casefold)
                    )
                ),
                "transfers": transfers,
                "measures": Cell(),
            }
        )
    return rows


def _processor_record_rows(reader: _Reader) -> list[dict[str, Cell]]:
    """The processor's record (Art. 30(2)) of a record set kept by a processor: a row per
    activity and controller it acts for (``ropa:ProcessorActivity``)."""
    g = reader.graph
    rows = []
    for activity in sorted(
        s for s in g.subjects(RDF.type, ROPA.ProcessorActivity) if isinstance(s, URIRef)
    ):
        processor = next(iter(_iris(g, activity, DPV.hasDataProcessor)), None)
        contact = _contact_cells(reader, processor)
        for controller in _iris(g, activity, DPV.hasDataController) or [None]:
            rows.append(
                {
                    "processor": Cell("\n".join(c.text for c in contact.values())),
                    "controller": Cell(
                        "\n".join(c.text for c in _contact_cells(reader, controller).values())
                    ),
                    "categories": Cell(
                        "\n".join(
                            [
                                reader.label(activity),
                                *reader.labels(_iris(g, activity, DPV.hasProcessing)),
                            ]
                        )
                    ),
                    "transfers": Cell(
                        "\n".join(reader.labels(_iris(g, activity, DPV.hasThirdCountry)))
                    ),
                    "measures": Cell(
                        "\n".join(
                            reader.labels(_iris(g, activity, DPV.hasTechnicalOrganisationalMeasure))
                        )
                    ),
                }
            )
    return rows


def record(graph: Graph, template: str, findings: Sequence[Finding] | None = None) -> Record:
    """What the export writes for ``graph`` in the layout ``template``, before formatting."""
    layout = LAYOUTS[template]
    if findings is None:
        findings = check(graph).findings
    reader = _Reader(graph, layout, findings)
    activities = _activities(graph)
    controllers = sorted(
        {
            c
            for a in activities
            for c in graph.objects(a, DPV.hasDataController)
            if isinstance(c, URIRef)
        },
        key=str,
    )
    controller = controllers[0] if controllers else None
    title = layout.title + (f": {reader.label(controller)}" if controller is not None else "")
    return Record(
        layout=layout,
        title=title,
        block=_block(reader, controller),
        rows=[_row(reader, a) for a in activities],
        processors=_processor_rows(reader, activities, controller) + _processor_record_rows(reader),
    )


def export_record(graph: Graph, template: str, fmt: str) -> tuple[bytes, int]:
    """The record in ``template``'s layout as ``fmt`` (xlsx, ods, csv, md) bytes, and its rows.

    Raises:
        InputError: an unknown template or format.
    """
    if template not in LAYOUTS:
        raise InputError(f"no template {template!r}: use {', '.join(LAYOUTS)}")
    rec = record(graph, template)
    writer = {"xlsx": _xlsx, "ods": _ods, "csv": _csv, "md": _markdown}.get(fmt)
    if writer is None:
        raise InputError(f"no export format {fmt!r}: use xlsx, ods, csv, md")
    return writer(rec), len(rec.rows)


# --- the grid: what every format writes, cell by cell -----------------------------------------


def _grid(rec: Record) -> list[list[Cell]]:
    """The controller's record as rows of cells: title, block, group row, headers, activities."""
    layout = rec.layout
    columns = [c for c in layout.columns if c.export]
    grid: list[list[Cell]] = [[Cell(rec.title)]]
    grid.append([Cell(), *(Cell(label) for _, label, _ in layout.block_fields)])
    for role, label, _ in layout.block_roles:
        cells = rec.block.get(role, {})
        grid.append([Cell(label), *(cells.get(f, Cell()) for f, _, _ in layout.block_fields)])
    grid.append([])
    groups = {header: label for label, header in layout.groups}
    grid.append([Cell(groups.get(c.header, "")) for c in columns])
    grid.append([Cell(c.header) for c in columns])
    for row in rec.rows:
        grid.append([row.get(c.field, Cell()) if c.field != "other" else Cell() for c in columns])
    return grid


def _processor_grid(rec: Record) -> list[list[Cell]]:
    layout = rec.layout
    grid: list[list[Cell]] = [[Cell(layout.processor_title)], []]
    grid.append([Cell(header) for _, header in layout.processor_columns])
    for row in rec.processors:
        grid.append([row.get(f, Cell()) for f, _ in layout.processor_columns])
    return grid


def _note(cell: Cell) -> str:
    return "\n".join(cell.note)


def _fixed_zip(data: bytes, first: str | None = None) -> bytes:
    """The same archive, every member dated :data:`FIXED_DATE` (``first`` stored first)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = source.infolist()
    if first is not None:
        infos.sort(key=lambda i: i.filename != first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in infos:
            fixed = zipfile.ZipInfo(info.filename, FIXED_DATE.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _xlsx(rec: Record) -> bytes:
    book = openpyxl.Workbook()
    book.properties.creator = "ropa-kg"
    book.properties.lastModifiedBy = "ropa-kg"
    book.properties.title = rec.title
    book.properties.created = FIXED_DATE
    book.properties.modified = FIXED_DATE
    sheets = [(rec.layout.sheet, _grid(rec), 8)]
    if rec.processors:
        sheets.append((rec.layout.processor_sheet, _processor_grid(rec), 3))
    for index, (name, grid, header_row) in enumerate(sheets):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = name
        for r, row in enumerate(grid, start=1):
            for c, cell in enumerate(row, start=1):
                if not cell.text:
                    continue
                target = ws.cell(row=r, column=c, value=cell.text)
                target.data_type = "s"  # text, never a formula or a number
                target.alignment = Alignment(wrap_text=True, vertical="top")
                if r in (1, header_row - 1, header_row):
                    target.font = Font(bold=True)
                if cell.note:
                    comment = Comment(_note(cell)[:30000], "ropa-kg")
                    comment.width, comment.height = 480, 240
                    target.comment = comment
        width = max((len(row) for row in grid), default=1)
        for c in range(1, width + 1):
            ws.column_dimensions[column_letters(c)].width = 32
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip(buffer.getvalue())


def _ods(rec: Record) -> bytes:
    doc = OpenDocumentSpreadsheet()
    wide = Style(name="wide", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="6cm"))
    doc.automaticstyles.addElement(wide)
    sheets = [(rec.layout.sheet, _grid(rec))]
    if rec.processors:
        sheets.append((rec.layout.processor_sheet, _processor_grid(rec)))
    for name, grid in sheets:
        table = Table(name=name)
        width = max((len(row) for row in grid), default=1)
        table.addElement(TableColumn(numbercolumnsrepeated=width, stylename=wide))
        for row in grid:
            table_row = TableRow()
            for cell in row:
                if not cell.text:
                    table_row.addElement(TableCell())
                    continue
                target = TableCell(valuetype="string")
                if cell.note:
                    annotation = Annotation()
                    for line in _note(cell).split("\n"):
                        annotation.addElement(P(text=line))
                    target.addElement(annotation)
                for line in cell.text.split("\n"):
                    target.addElement(P(text=line))
                table_row.addElement(target)
            table.addElement(table_row)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return _fixed_zip(buffer.getvalue(), first="mimetype")


def _csv(rec: Record) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _grid(rec):
        writer.writerow([cell.text for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # Excel reads UTF-8 with the BOM


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _markdown(rec: Record) -> bytes:
    layout = rec.layout
    lines = [f"# {rec.title}", ""]
    fields = layout.block_fields
    lines.append("| | " + " | ".join(label for _, label, _ in fields) + " |")
    lines.append("|---" * (len(fields) + 1) + "|")
    for role, label, _ in layout.block_roles:
        cells = rec.block.get(role, {})
        lines.append(
            f"| {label} | "
            + " | ".join(_md_cell(cells.get(f, Cell()).text) for f, _, _ in fields)
            + " |"
        )
    columns = [c for c in layout.columns if c.export]
    lines += ["", "| " + " | ".join(_md_cell(c.header) for c in columns) + " |"]
    lines.append("|---" * len(columns) + "|")
    for row in rec.rows:
        texts = [row.get(c.field, Cell()).text if c.field != "other" else "" for c in columns]
        lines.append("| " + " | ".join(_md_cell(t) for t in texts) + " |")
    if rec.processors:
        lines += ["", f"## {layout.processor_title}", ""]
        lines.append("| " + " | ".join(h for _, h in layout.processor_columns) + " |")
        lines.append("|---" * len(layout.processor_columns) + "|")
        for prow in rec.processors:
            texts = [prow.get(f, Cell()).text for f, _ in layout.processor_columns]
            lines.append("| " + " | ".join(_md_cell(t) for t in texts) + " |")
    return ("\n".join(lines) + "\n").encode("utf-8")
