"""The second layer of the notice: each processing activity with everything the records say
about it (purposes, legal basis, data, sources, recipients, transfers, retention, whether
the data must be provided), in a section a reader opens (EDPB transparency guidelines,
WP260 rev.01, on layered notices). Retention stands with the activity and the data it
governs, never on its own.
"""

from __future__ import annotations

import re

from rdflib import URIRef
from rdflib.term import Node

from checker.notice.model import (
    BulletList,
    Item,
    Line,
    Paragraph,
    Subsection,
    fill,
    join,
    sort_key,
)
from checker.notice.reader import Activity, Reader, basis_part, law_line, necessity_of
from checker.notice.retention import retention_lines
from checker.notice.topics import transfers_of
from checker.vocab.namespaces import DCTERMS, DPV, ROPA, local_id

_NOT_ID = re.compile(r"[^a-z0-9-]+")


def activity_anchors(r: Reader, acts: list[Activity]) -> dict[Node, str]:
    """A unique, stable HTML id for each activity, from its IRI's local id."""
    anchors: dict[Node, str] = {}
    used: set[str] = set()
    for index, act in enumerate(sorted(acts, key=lambda a: r.node_key(a.node)), start=1):
        base = _NOT_ID.sub("-", local_id(str(act.node)).lower()).strip("-")
        anchor = (
            f"activity-{base}" if isinstance(act.node, URIRef) and base else f"activity-{index}"
        )
        while anchor in used:
            anchor += "-x"
        used.add(anchor)
        anchors[act.node] = anchor
    return anchors


def _fields(r: Reader, act: Activity) -> list[Line]:
    lines: list[Line] = []

    def add(key: str, nodes: list[Node]) -> None:
        if nodes:
            lines.append(fill(r.t(key), value=r.terms(nodes)))

    add("field.purposes", list(act.purposes))
    if act.bases:
        bases = join((basis_part(r, b) for b in act.bases), "; ")
        lines.append(fill(r.t("field.basis"), value=bases))
    if act.laws:
        lines.append(fill(r.t("field.laws"), value=join(law_line(r, law) for law in act.laws)))
    add("field.data_subjects", r.objects(act.node, DPV.hasDataSubject))
    add("field.personal_data", list(act.data))
    add("field.sources", r.objects(act.node, DPV.hasDataSource))
    add("field.recipients", r.objects(act.node, DPV.hasRecipient, DPV.hasDataImporter))
    add("field.processors", r.objects(act.node, DPV.hasDataProcessor))
    transfers = [
        (r.term(country),) if party is None else (r.term(party), " (", r.term(country), ")")
        for party, country in transfers_of(r, act)
    ]
    if transfers:
        lines.append(fill(r.t("field.transfers"), value=join(transfers, "; ")))
    for line in retention_lines(r, act):
        lines.append(fill(r.t("field.retention"), value=line))
    necessity = necessity_of(r, act)
    if necessity:
        lines.append(fill(r.t("field.necessity"), value=r.terms(necessity)))
    consequences = r.labels.text(act.node, ROPA.consequences)
    if consequences is not None:
        lines.append(fill(r.t("field.consequences"), value=consequences))
    add("field.units", r.objects(act.node, DPV.hasOrganisationalUnit))
    add("field.systems", r.objects(act.node, DPV.isImplementedUsingTechnology))
    return lines


def activity_details(r: Reader, acts: list[Activity]) -> list[Subsection]:
    """One collapsible subsection per activity, in the order of their names."""
    anchors = activity_anchors(r, acts)
    subsections = []
    for act in sorted(acts, key=lambda a: (sort_key(a.name), anchors[a.node])):
        blocks = []
        description = r.labels.text(act.node, DCTERMS.description)
        if description is not None:
            blocks.append(Paragraph((description,)))
        blocks.append(BulletList(tuple(Item(line) for line in _fields(r, act))))
        heading = (act.name,) if act.name.text else (r.t("activity.unnamed"),)
        subsections.append(Subsection(heading, tuple(blocks), True, anchors[act.node]))
    return subsections
