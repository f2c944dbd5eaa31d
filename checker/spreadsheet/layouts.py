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

from checker.errors import InputError
from checker.spreadsheet.read import Sheet, Workbook
from checker.spreadsheet.values import is_blank, normalise

#: Rows of a sheet searched for the header row.
SCAN_ROWS = 50

#: Columns a header row must name, the purposes among them.
MIN_MATCHES = 3

#: Fields that are recognised but not imported (no records key holds them).
NOT_IMPORTED = frozenset(
    {"joint_controller", "contract", "legitimate_interest", "automated", "dataset", "other"}
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


_BLOCK_FIELDS_EN = (
    ("name", "Name", ("name",)),
    ("address", "Address", ("address", "postal address")),
    ("email", "Email", ("email", "e-mail", "email address")),
    ("telephone", "Telephone", ("telephone", "phone", "telephone number", "phone number")),
)
_BLOCK_ROLES_EN = (
    ("controller", "Controller", ("controller", "data controller", "organisation")),
    ("dpo", "Data Protection Officer", ("data protection officer", "dpo")),
    ("representative", "Representative", ("representative", "controller's representative")),
)

_ICO_COLUMNS = (
    Column("Business function", "unit", ("Department or Business Function",)),
    Column("Purpose of processing", "purposes"),
    Column(
        "Name and contact details of joint controller (if applicable)",
        "joint_controller",
        ("Joint Controller",),
    ),
    Column("Categories of individuals", "subjects"),
    Column(
        "Categories of personal data", "data", ("Categories of Personal Data (Fides Taxonomy)",)
    ),
    Column("Categories of recipients", "recipients"),
    Column("Link to contract with processor", "contract"),
    Column(
        "Names of third countries or international organisations that personal data are "
        "transferred to (if applicable)",
        "transfers",
        ("Third Country Transfers",),
    ),
    Column(
        "Safeguards for exceptional transfers of personal data to third countries or "
        "international organisations (if applicable)",
        "safeguards",
        ("Safeguards for Exceptional Transfers of Personal Data",),
    ),
    Column("Retention schedule (if possible)", "retention", ("Retention Schedule",)),
    Column(
        "General description of technical and organisational security measures (if possible)",
        "measures",
        ("General Description of Security Measures",),
    ),
    Column("Article 6 lawful basis for processing personal data", "legal_basis"),
    Column("Article 9 condition for processing special category data", "art9_condition"),
    Column("Legitimate interests for the processing (if applicable)", "legitimate_interest"),
    Column("Link to record of legitimate interests assessment (if applicable)", "other"),
    Column("Rights available to individuals", "rights"),
    Column(
        "Existence of automated decision-making, including profiling (if applicable)",
        "automated",
    ),
    Column("The source of the personal data (if applicable)", "sources"),
    Column("Link to record of consent", "other"),
    Column("Location of personal data", "other"),
    Column("Data Protection Impact Assessment required?", "other"),
    Column("Data Protection Impact Assessment progress", "other"),
    Column("Link to Data Protection Impact Assessment", "other"),
    Column("Has a personal data breach occurred?", "other"),
    Column("Link to record of personal data breach", "other"),
    Column("Data Protection Act 2018 Schedule 1 Condition for processing", "other"),
    Column("GDPR Article 6 lawful basis for processing", "other"),
    Column("Link to retention and erasure policy document", "other"),
    Column("Is personal data retained and erased in accordance with the policy document?", "other"),
    Column("Reasons for not adhering to policy document (if applicable)", "other"),
    # Fides' data-map export adds these (it is read, never written)
    Column("Fides System", "system", ours=True, export=False),
    Column("Fides Dataset", "dataset", ours=True, export=False),
    Column("Role or Responsibility", "other", ours=True, export=False),
)

ICO = Layout(
    name="ico",
    label="ICO (UK) controller template",
    language="en",
    sheet="Template",
    title="Record of processing activities",
    columns=_ICO_COLUMNS,
    block_title="Record of processing activities",
    block_fields=_BLOCK_FIELDS_EN,
    block_roles=_BLOCK_ROLES_EN,
    groups=(
        ("Article 30 Record of Processing Activities", "Business function"),
        ("Privacy notices", "Article 6 lawful basis for processing personal data"),
        ("Consent", "Link to record of consent"),
        ("Location of personal data", "Location of personal data"),
        ("Data protection impact assessments", "Data Protection Impact Assessment required?"),
        ("Personal data breaches", "Has a personal data breach occurred?"),
        (
            "Data Protection Act 2018 special category or criminal conviction and offence data",
            "Data Protection Act 2018 Schedule 1 Condition for processing",
        ),
    ),
    processor_sheet="Processor",
    processor_title="Record of processing activities carried out as a processor (GDPR Art. 30(2))",
    processor_columns=(
        ("processor", "Name and contact details of processor"),
        ("controller", "Name and contact details of controller"),
        ("categories", "Categories of processing carried out on behalf of the controller"),
        (
            "transfers",
            "Names of third countries or international organisations that personal data are "
            "transferred to (if applicable)",
        ),
        (
            "measures",
            "General description of technical and organisational security measures (if possible)",
        ),
    ),
    processor_suffix=" (processor)",
)

FI = Layout(
    name="fi",
    label="Finnish (tietosuoja.fi) record, headers from the Finnish text of GDPR Art. 30(1)",
    language="fi",
    sheet="Seloste",
    title="Seloste käsittelytoimista",
    columns=(
        Column("Käsittelytoimi", "activity", ours=True),
        Column("Vastuuyksikkö", "unit", ours=True),
        Column("Käsittelyn tarkoitukset", "purposes"),
        Column("Kuvaus rekisteröityjen ryhmistä", "subjects", ("Rekisteröityjen ryhmät",)),
        Column("Kuvaus henkilötietoryhmistä", "data", ("Henkilötietoryhmät",)),
        Column("Henkilötietojen vastaanottajien ryhmät", "recipients"),
        Column("Henkilötietojen käsittelijät", "processors", ours=True),
        Column(
            "Tiedot henkilötietojen siirtämisestä kolmanteen maahan tai kansainväliselle "
            "järjestölle",
            "transfers",
            ("Siirrot kolmansiin maihin",),
        ),
        Column("Asianmukaisia suojatoimia koskevat asiakirjat", "safeguards"),
        Column("Eri tietoryhmien poistamisen suunnitellut määräajat", "retention"),
        Column(
            "Yleinen kuvaus teknisistä ja organisatorisista turvatoimista",
            "measures",
        ),
        Column("Käsittelyn oikeusperuste", "legal_basis", ours=True),
        Column(
            "Erityisiä henkilötietoryhmiä koskeva käsittelyperuste", "art9_condition", ours=True
        ),
        Column("Henkilötietojen lähteet", "sources", ours=True),
        Column("Rekisteröidyn oikeudet", "rights", ours=True),
    ),
    block_title="Seloste käsittelytoimista",
    block_fields=(
        ("name", "Nimi", ("nimi",)),
        ("address", "Osoite", ("osoite", "postiosoite")),
        ("email", "Sähköposti", ("sähköposti", "sähköpostiosoite")),
        ("telephone", "Puhelin", ("puhelin", "puhelinnumero")),
    ),
    block_roles=(
        ("controller", "Rekisterinpitäjä", ("rekisterinpitäjä",)),
        ("dpo", "Tietosuojavastaava", ("tietosuojavastaava",)),
        ("representative", "Rekisterinpitäjän edustaja", ("rekisterinpitäjän edustaja",)),
    ),
    groups=(
        ("Seloste käsittelytoimista (tietosuoja-asetuksen 30 artiklan 1 kohta)", "Käsittelytoimi"),
    ),
    processor_sheet="Käsittelijät",
    processor_title="Henkilötietojen käsittelijän seloste käsittelytoimista (30 artiklan 2 kohta)",
    processor_columns=(
        ("processor", "Henkilötietojen käsittelijän nimi ja yhteystiedot"),
        ("controller", "Rekisterinpitäjän nimi ja yhteystiedot"),
        ("categories", "Rekisterinpitäjän lukuun suoritettavien käsittelyjen ryhmät"),
        (
            "transfers",
            "Tiedot henkilötietojen siirtämisestä kolmanteen maahan tai kansainväliselle "
            "järjestölle",
        ),
        ("measures", "Yleinen kuvaus teknisistä ja organisatorisista turvatoimista"),
    ),
    processor_suffix=" (henkilötietojen käsittelijä)",
)

CNIL = Layout(
    name="cnil",
    label="CNIL (France) registre des activités de traitement, as a table (our rendering)",
    language="fr",
    sheet="Registre",
    title="Registre des activités de traitement",
    columns=(
        Column("Nom de l'activité", "activity", ("Activité",)),
        Column("Service chargé de la mise en œuvre", "unit", ours=True),
        Column("Nom du responsable conjoint du traitement", "joint_controller"),
        Column("Nom du logiciel ou de l'application", "system"),
        Column("Objectifs poursuivis", "purposes", ("Finalité(s) du traitement", "Finalités")),
        Column("Catégories de personnes concernées", "subjects"),
        Column("Catégories de données collectées", "data"),
        Column("Données sensibles", "special_data"),
        Column("Durées de conservation des catégories de données", "retention"),
        Column("Destinataires internes", "internal_recipients"),
        Column("Organismes externes", "recipients"),
        Column("Sous-traitants", "processors"),
        Column("Transferts des données hors UE", "transfers"),
        Column("Garanties", "safeguards", ours=True),
        Column("Mesures de sécurité", "measures"),
        Column("Base légale", "legal_basis", ours=True),
        Column("Condition de traitement des données sensibles", "art9_condition", ours=True),
        Column("Source des données", "sources", ours=True),
        Column("Droits des personnes", "rights", ours=True),
        Column("Date de création de la fiche", "other"),
        Column("Date de dernière mise à jour de la fiche", "other"),
    ),
    block_title="Registre des activités de traitement",
    block_fields=(
        ("name", "Nom", ("nom", "nom de l'organisme")),
        ("address", "Adresse", ("adresse", "adresse postale")),
        ("email", "Adresse de messagerie", ("adresse de messagerie", "courriel", "e-mail")),
        ("telephone", "Téléphone", ("téléphone",)),
    ),
    block_roles=(
        (
            "controller",
            "Responsable du traitement",
            ("responsable du traitement", "responsable de traitement", "organisme"),
        ),
        (
            "dpo",
            "Délégué à la protection des données",
            (
                "délégué à la protection des données",
                "délégué à la protection des données (dpo)",
                "dpo",
            ),
        ),
        ("representative", "Représentant", ("représentant",)),
    ),
    groups=(("Fiche de registre", "Nom de l'activité"),),
    processor_sheet="Sous-traitant",
    processor_title="Registre des catégories d'activités de traitement du sous-traitant (article 30.2)",
    processor_columns=(
        ("processor", "Nom et coordonnées du sous-traitant"),
        ("controller", "Nom et coordonnées du responsable du traitement"),
        ("categories", "Catégories de traitements effectués pour le compte du responsable"),
        ("transfers", "Transferts des données hors UE"),
        ("measures", "Mesures de sécurité"),
    ),
    processor_suffix=" (sous-traitant)",
)

#: The layouts, by the name ``--profile`` and ``--template`` take.
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (ICO, FI, CNIL)}


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
