"""The rights of the data subject, the supervisory authority, automated decision-making and
the Art. 13(2)(e) requirement statement.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

from checker.notice.model import (
    Block,
    BulletList,
    Item,
    Paragraph,
    Part,
    Subsection,
    fill,
    join,
    sort_key,
)
from checker.notice.phrases import ASKED_RIGHTS, RIGHTS
from checker.notice.reader import (
    LAW_BASED,
    Activity,
    Reader,
    basis_part,
    controllers_of,
)
from checker.vocab.concepts import is_country
from checker.vocab.namespaces import DPV, EU_GDPR, RDF, SKOS


def _rights_of(r: Reader, basis: Node) -> list[Node]:
    """The rights DPV attaches to a legal basis, inherited from the nearest broader basis."""
    level = [basis]
    seen: set[Node] = set()
    while level:
        rights = {x for b in level for x in r.graph.objects(b, DPV.hasRight)}
        if rights:
            return sorted(rights, key=_right_order)
        seen.update(level)
        level = [p for b in level for p in r.graph.objects(b, SKOS.broader) if p not in seen]
    return []


_RIGHT_ORDER = {iri: i for i, iri in enumerate(RIGHTS)}


def _right_order(node: Node) -> tuple[int, str]:
    return (_RIGHT_ORDER.get(str(node), len(_RIGHT_ORDER)), str(node))


def _right_name(r: Reader, node: Node) -> Part:
    known = RIGHTS.get(str(node))
    return known[r.lang][0] if known else r.term(node)


def rights_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    blocks: list[Block] = [Paragraph((r.t("rights.intro"),))]
    for basis in sorted({b for a in acts for b in a.bases}, key=str):
        rights = _rights_of(r, basis)
        if not rights:
            r.gap("rights", [basis])
            continue
        blocks.append(Paragraph(fill(r.t("rights.basis"), basis=basis_part(r, basis))))
        items = []
        for right in rights:
            known = RIGHTS.get(str(right))
            children = ((known[r.lang][1],),) if known else ()
            items.append(Item((_right_name(r, right),), children, strong=True))
        blocks.append(BulletList(tuple(items)))
        missing = [URIRef(x) for x in ASKED_RIGHTS if URIRef(x) not in rights]
        if missing:
            names = join(_right_name(r, m) for m in missing)
            blocks.append(Paragraph(fill(r.t("rights.not_applicable"), rights=names)))
    return [Subsection(None, tuple(blocks))]


def _authorities(r: Reader, country: Node) -> list[Node]:
    """Data protection authorities with jurisdiction over ``country`` (graph, then vocabulary)."""
    dpa = {EU_GDPR.DataProtectionAuthority}
    found = {s for s in r.graph.subjects(DPV.hasJurisdiction, country) if r.is_a(s, dpa)}
    if not found and r.vocab is not None and isinstance(country, URIRef):
        for subject in r.vocab.subjects_with(DPV.hasJurisdiction, country):
            described = r.vocab.describe(subject)
            if any(p in (RDF.type, SKOS.broader) and o in dpa for p, o in described):
                found.add(subject)
    return r.sort(found)


def complaint_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    blocks: list[Block] = [Paragraph((r.t("complaint.right"),))]
    controllers = controllers_of(r, acts)
    located = r.sort(
        place
        for c in controllers
        for place in r.graph.objects(c, DPV.hasLocation)
        if is_country(r.graph, place)
    )
    phrase = "complaint.by_location"
    countries = located
    if not located:
        phrase = "complaint.by_law"
        countries = r.sort(
            place
            for a in acts
            if any(r.is_a(b, LAW_BASED) for b in a.bases)
            for law in a.laws
            for place in r.graph.objects(law, DPV.hasJurisdiction)
            if is_country(r.graph, place)
        )
    named = False
    for country in countries:
        authorities = _authorities(r, country)
        if authorities:
            blocks.append(Paragraph(fill(r.t(phrase), country=r.term(country))))
            blocks.append(BulletList(tuple(Item((r.term(a),), strong=True) for a in authorities)))
            named = True
    if not named:
        r.gap("authority", controllers)
    return [Subsection(None, tuple(blocks))]


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
    """Art. 13(2)(e): where data come from the data subject, whether they must be provided."""
    for act in acts:
        subjects = set(r.graph.objects(act.node, DPV.hasDataSubject))
        sources = set(r.graph.objects(act.node, DPV.hasDataSource))
        from_subject = any(s in subjects or r.is_a(s, {DPV.DataSubject}) for s in sources)
        states_it = any(
            isinstance(o, URIRef) and r.is_a(o, {DPV.Necessity})
            for _, o in r.graph.predicate_objects(act.node)
        )
        if from_subject and not states_it:
            r.gap("requirement", [act.node])
