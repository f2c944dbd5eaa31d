"""The rights of the data subject, the supervisory authority, automated decision-making and
the Art. 13(2)(e) requirement statement.
"""

from __future__ import annotations

import re

from rdflib import URIRef
from rdflib.term import Node

from checker.notice.basis_rights import BASIS_POINTS, RIGHT_ORDER, RIGHTS_BY_BASIS
from checker.notice.gdpr_terms import ASKED_RIGHTS, RIGHTS
from checker.notice.model import (
    Block,
    BulletList,
    Item,
    Line,
    Link,
    Paragraph,
    Part,
    Subsection,
    fill,
    join,
    sort_key,
)
from checker.notice.reader import (
    LAW_BASED,
    Activity,
    Reader,
    basis_part,
    controllers_of,
    necessity_of,
)
from checker.notice.topics import register_parties
from checker.vocab.concepts import is_country
from checker.vocab.namespaces import DPV, EU_GDPR, FOAF, PREFIXES, RDF, ROPA, SKOS

_GDPR = PREFIXES["eu-gdpr"]
_WEB = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
#: A source that is the data subject: Art. 13 applies to what is collected from it.
_SUBJECT_SOURCES = frozenset({DPV.DataSubject, DPV.DataSubjectDataSource})
_DPA = frozenset({EU_GDPR.DataProtectionAuthority, DPV.DataProtectionAuthority})


def _dpv_rights(r: Reader, basis: Node) -> list[Node]:
    """The rights DPV attaches to a legal basis, inherited from the nearest broader basis."""
    level = [basis]
    seen: set[Node] = set()
    while level:
        rights = {x for b in level for x in r.graph.objects(b, DPV.hasRight)}
        if rights:
            return sorted(rights, key=str)
        seen.update(level)
        level = [p for b in level for p in r.graph.objects(b, SKOS.broader) if p not in seen]
    return []


def basis_table(r: Reader, basis: Node) -> dict[str, str] | None:
    """Right IRI -> status for one legal basis: from :data:`RIGHTS_BY_BASIS` where the basis
    is (or is narrower than) an Art. 6(1) point, else DPV's ``dpv:hasRight`` ("yes" for each);
    None when neither says anything."""
    points = sorted({BASIS_POINTS[k] for k in r.kinds(basis) if k in BASIS_POINTS})
    if points:
        return {_GDPR + right: status for right, status in RIGHTS_BY_BASIS[points[0]].items()}
    rights = _dpv_rights(r, basis)
    return {str(right): "yes" for right in rights} or None


def _from_subject(r: Reader, act: Activity, source: Node) -> bool:
    subjects = set(r.graph.objects(act.node, DPV.hasDataSubject))
    return source in subjects or r.is_a(source, _SUBJECT_SOURCES)


def _context(r: Reader, acts: list[Activity]) -> set[str]:
    """The conditions of :data:`CONDITIONS` that hold for a group of activities."""
    held = set()
    for act in acts:
        for source in r.graph.objects(act.node, DPV.hasDataSource):
            held.add("from_subject" if _from_subject(r, act, source) else "from_elsewhere")
        if any(r.is_a(p, {DPV.DirectMarketing}) for p in act.purposes):
            held.add("direct_marketing")
    return held | {"extent", "automated"}


def _right_order(iri: str) -> tuple[int, str]:
    name = iri.removeprefix(_GDPR)
    return (RIGHT_ORDER.index(name) if name in RIGHT_ORDER else len(RIGHT_ORDER), iri)


def _right_name(r: Reader, iri: str) -> Part:
    known = RIGHTS.get(iri)
    return known[r.lang][0] if known else r.term(URIRef(iri))


def _right_item(r: Reader, iri: str, by_basis: dict[Node, str], bases: list[Node]) -> Item:
    """One right with its explanation, its condition and, where only some of the activities'
    legal bases give it, the bases that do."""
    known = RIGHTS.get(iri)
    statuses = set(by_basis.values())
    children: list[Line] = []
    if "direct_marketing" in statuses and statuses <= {"direct_marketing"}:
        children.append((r.t("condition.direct_marketing"),))
    elif known:
        children.append((known[r.lang][1],))
    for status in ("extent", "automated"):
        if status in statuses:
            children.append((r.t(f"condition.{status}"),))
    if len(by_basis) < len(bases):
        only = join((basis_part(r, b) for b in bases if b in by_basis), r.t("list.and"))
        children.append(fill(r.t("condition.only_bases"), bases=only))
    return Item((_right_name(r, iri),), tuple(children), strong=True)


def _groups(r: Reader, acts: list[Activity]) -> list[tuple[list[Node], dict[str, dict[Node, str]]]]:
    """For each group of activities that share their legal bases: the bases whose rights are
    known, and right IRI -> {basis: status} of the rights that apply (a basis from which no
    right follows is a gap). A source the register names as a whole (a flow of no activity)
    that is not the data subject may concern any activity: Art. 14 then applies to each."""
    groups: dict[tuple[Node, ...], list[Activity]] = {}
    for act in acts:
        if act.bases:
            groups.setdefault(tuple(sorted(act.bases, key=str)), []).append(act)
    own_sources = register_parties(r, acts, ROPA.sender)
    elsewhere = (
        {"from_elsewhere"} if any(not r.is_a(s, _SUBJECT_SOURCES) for s in own_sources) else set()
    )
    result = []
    for key in sorted(groups, key=lambda bases: [str(b) for b in bases]):
        tables = {}
        for basis in key:
            table = basis_table(r, basis)
            if table is None:
                r.gap("rights", [basis])
            else:
                tables[basis] = table
        if not tables:
            continue
        held = _context(r, groups[key]) | elsewhere
        rights: dict[str, dict[Node, str]] = {}
        for basis, table in tables.items():
            for iri, status in table.items():
                if status == "yes" or status in held:
                    rights.setdefault(iri, {})[basis] = status
        result.append((list(tables), rights))
    return result


def applying_rights(r: Reader, acts: list[Activity]) -> set[str]:
    """The local names (``A15``) of the GDPR rights that apply to any of the activities."""
    return {iri.removeprefix(_GDPR) for _, rights in _groups(r, acts) for iri in rights}


def rights_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    """The rights of each group of activities that share their legal bases (GDPR Art.
    13(2)(b)-(c), 14(2)(c)-(d)), by :data:`RIGHTS_BY_BASIS`, with their conditions."""
    blocks: list[Block] = [Paragraph((r.t("rights.intro"),))]
    for bases, rights in _groups(r, acts):
        heading = join((basis_part(r, b) for b in bases), r.t("list.and"))
        blocks.append(Paragraph(fill(r.t("rights.basis"), basis=heading)))
        ordered = sorted(rights, key=_right_order)
        blocks.append(BulletList(tuple(_right_item(r, i, rights[i], bases) for i in ordered)))
        missing = [_GDPR + a for a in ASKED_RIGHTS if _GDPR + a not in rights]
        if missing:
            names = join(_right_name(r, m) for m in missing)
            blocks.append(Paragraph(fill(r.t("rights.not_applicable"), rights=names)))
    return [Subsection(None, tuple(blocks))]


def authorities_for(r: Reader, place: Node) -> list[Node]:
    """The data protection authorities with jurisdiction over ``place`` (a country or a region
    of one), from the graph, else from the shipped vocabulary (DPV names every EU/EEA
    authority with its ``dpv:hasJurisdiction``)."""
    found = {s for s in r.graph.subjects(DPV.hasJurisdiction, place) if r.is_a(s, _DPA)}
    if not found and r.vocab is not None and isinstance(place, URIRef):
        for subject in r.vocab.subjects_with(DPV.hasJurisdiction, place):
            described = r.vocab.describe(subject)
            if any(p in (RDF.type, SKOS.broader) and o in _DPA for p, o in described):
                found.add(subject)
    return r.sort(found)


def supervisory_authorities(
    r: Reader, acts: list[Activity]
) -> tuple[str, list[tuple[Node | None, list[Node]]]]:
    """Which supervisory authority the notice names, and why (GDPR Art. 13(2)(d), 14(2)(e)).

    In order: the authority the records name (``dpv:hasAuthority`` on the register or the
    controller; records: ``supervisory_authority``); the authority of the country the
    controller is located in (``dpv:hasLocation``); under Art. 55(2), the authority of the
    Member State whose law a legal obligation or public task rests on. Returns the phrase
    key of the reason and (place, authorities) pairs; no pair: nothing is known.
    """
    owners = controllers_of(r, acts)
    holders = [*owners, *r.graph.subjects(RDF.type, DPV.ROPA)]
    named = r.sort(a for h in holders for a in r.graph.objects(h, DPV.hasAuthority))
    if named:
        return "complaint.named", [(None, named)]
    located = r.sort(
        place
        for c in owners
        for place in r.objects(c, DPV.hasLocation, DPV.hasCountry)
        if r.asks(is_country, place)
    )
    if located:
        return "complaint.by_location", _with_authorities(r, located)
    by_law = r.sort(
        place
        for a in acts
        if any(r.is_a(b, LAW_BASED) for b in a.bases)
        for law in a.laws
        for place in r.graph.objects(law, DPV.hasJurisdiction)
        if r.asks(is_country, place)
    )
    return "complaint.by_law", _with_authorities(r, by_law)


def _with_authorities(r: Reader, places: list[Node]) -> list[tuple[Node | None, list[Node]]]:
    found = [(place, authorities_for(r, place)) for place in places]
    return [(place, authorities) for place, authorities in found if authorities]


def complaint_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    blocks: list[Block] = [Paragraph((r.t("complaint.right"),))]
    phrase, found = supervisory_authorities(r, acts)
    for place, authorities in found:
        intro = fill(r.t(phrase), country=r.term(place)) if place is not None else (r.t(phrase),)
        blocks.append(Paragraph(intro))
        items = []
        for authority in authorities:
            items.append(Item((r.term(authority),), tuple(_contact_of(r, authority)), strong=True))
        blocks.append(BulletList(tuple(items)))
    if not found:
        owners = controllers_of(r, acts)
        r.gap("authority", owners or r.graph.subjects(RDF.type, DPV.ROPA))
    return [Subsection(None, tuple(blocks))]


def _contact_of(r: Reader, authority: Node) -> list[Line]:
    """The authority's web site, where the graph or DPV gives one (``foaf:homepage``)."""
    pages = {str(o) for o in r.graph.objects(authority, FOAF.homepage)}
    if not pages and r.vocab is not None and isinstance(authority, URIRef):
        pages = {str(o) for p, o in r.vocab.describe(authority) if p == FOAF.homepage}
    return [
        fill(r.t("field.website"), value=Link(page, page) if _WEB.fullmatch(page) else page)
        for page in sorted(pages)
    ]


def automated_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    adm = {DPV.AutomatedDecisionMaking}
    found = [
        a
        for a in acts
        if any(
            isinstance(o, URIRef) and r.is_a(o, adm)
            for p, o in r.graph.predicate_objects(a.node)
            if p != RDF.type
        )
    ]
    if not found:
        return []
    items = tuple(Item((a.name,)) for a in sorted(found, key=lambda a: sort_key(a.name)))
    return [Subsection(None, (Paragraph((r.t("automated.intro"),)), BulletList(items)))]


def requirement_gaps(r: Reader, acts: list[Activity]) -> None:
    """Art. 13(2)(e): where data are collected from the data subject, whether providing them
    is a statutory or contractual requirement (``dpv:hasNecessity``; records: ``provision``)."""
    for act in acts:
        sources = list(r.graph.objects(act.node, DPV.hasDataSource))
        if any(_from_subject(r, act, s) for s in sources) and not necessity_of(r, act):
            r.gap("requirement", [act.node])
