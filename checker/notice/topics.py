"""The topics of the register description template: purposes and legal bases, categories of
data, sources, recipients and transfers, and the controller's contact details.

Each topic function reads the activities and returns subsections, recording on the reader
every item Articles 13/14 require that the graph lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.term import Node

from checker.notice.model import (
    Block,
    BulletList,
    Item,
    Line,
    Link,
    Paragraph,
    Part,
    Subsection,
    Table,
    fill,
    join,
    plain,
    sort_key,
)
from checker.notice.reader import (
    LAW_BASED,
    LEGITIMATE_INTEREST,
    Activity,
    Reader,
    basis_part,
    controllers_of,
    law_line,
    measures_of,
)
from checker.vocab.concepts import is_instance_of, is_special_category, outside_eu_eea
from checker.vocab.labels import LABEL_PREDICATES
from checker.vocab.namespaces import DCTERMS, DPV, ORG, RDF, ROPA, SCHEMA


def uncited_laws(r: Reader, acts: list[Activity]) -> list[Node]:
    """The acts the records name that no activity cites: the register's own (those it cites
    for a disclosure to other authorities, say)."""
    cited = {law for a in acts for law in a.laws}
    return [law for law in r.sort(r.graph.subjects(RDF.type, DPV.Law)) if law not in cited]


def purpose_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    groups: dict[tuple[tuple[Node, ...], tuple[Node, ...]], set[Node]] = {}
    for act in acts:
        if not act.purposes:
            r.gap("purpose", [act.node])
        if not act.bases:
            r.gap("legal_basis", [act.node])
        if any(r.is_a(b, LEGITIMATE_INTEREST) for b in act.bases):
            r.gap("legitimate_interest", [act.node])
        if act.purposes:
            key = (tuple(sorted(act.bases, key=str)), act.laws)
            groups.setdefault(key, set()).update(act.purposes)
    blocks: list[Block] = []
    ordered = sorted(
        groups.items(),
        key=lambda kv: ([str(b) for b in kv[0][0]], [plain(law_line(r, law)) for law in kv[0][1]]),
    )
    for (bases, laws), purposes in ordered:
        basis_line = join(basis_part(r, b) for b in sorted(bases, key=str)) if bases else ("—",)
        text = fill(r.t("field.legal_basis"), value=basis_line)
        if laws:
            text += (" ", *fill(r.t("field.acts"), value=join(law_line(r, law) for law in laws)))
        elif bases and any(r.is_a(b, LAW_BASED) for b in bases):
            text += (" ", r.t("field.no_acts"))
        blocks.append(Paragraph(text))
        blocks.append(BulletList(tuple(Item((r.term(p),)) for p in r.sort(purposes))))
    others = uncited_laws(r, acts)
    if others:
        blocks.append(
            Paragraph(fill(r.t("field.other_acts"), value=join(law_line(r, x) for x in others)))
        )
    subsections = [Subsection((r.t("sub.legal_basis"),), tuple(blocks))] if blocks else []
    return subsections


def categories_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    subsections = []
    subjects = r.sort(s for a in acts for s in r.graph.objects(a.node, DPV.hasDataSubject))
    if subjects:
        items = tuple(Item((r.term(s),)) for s in subjects)
        subsections.append(Subsection((r.t("sub.data_subjects"),), (BulletList(items),)))
    for act in acts:
        if not act.all_data:
            r.gap("personal_data", [act.node])
    data = r.sort(d for a in acts for d in a.data)
    items_list = []
    for node in data:
        members = r.objects(node, ROPA.includes)
        children = (r.terms(members),) if members else ()
        items_list.append(Item((r.term(node),), children))
    if items_list:
        subsections.append(
            Subsection((r.t("sub.personal_data"),), (BulletList(tuple(items_list)),))
        )
    special = [
        d for d in r.sort(d for a in acts for d in a.all_data) if r.asks(is_special_category, d)
    ]
    if special:
        items_list = []
        acts_with: dict[Node, list[Activity]] = {}
        for a in acts:
            for d in dict.fromkeys(a.all_data):
                acts_with.setdefault(d, []).append(a)
        for node in special:
            using = acts_with[node]
            conditions = r.sort(b for a in using for b in a.special_bases)
            children = [fill(r.t("field.activities"), value=join(a.name for a in using))]
            if conditions:
                children.append(fill(r.t("field.special_condition"), value=r.terms(conditions)))
            else:
                children.append((r.t("field.no_special_condition"),))
            r.gap("special_condition", [a.node for a in using if not a.special_bases])
            items_list.append(Item((r.term(node),), tuple(children)))
        blocks = (Paragraph((r.t("special.intro"),)), BulletList(tuple(items_list)))
        subsections.append(Subsection((r.t("sub.special"),), blocks))
    return subsections


def _flows(r: Reader, end: URIRef | None = None, party: Node | None = None) -> list[Node]:
    """The data flows (with ``end`` and ``party``: those whose sender or receiver it is)."""
    if end is None:
        return sorted(r.graph.subjects(RDF.type, ROPA.DataFlow), key=str)
    ends = r.graph.subjects(end, party)
    return sorted((f for f in ends if (f, RDF.type, ROPA.DataFlow) in r.graph), key=str)


def _own(r: Reader, controllers: list[Node], node: Node) -> bool:
    """Whether ``node`` is a controller or one of its units."""
    return node in controllers or any(
        r.reaches_via(node, ORG.subOrganizationOf, c) for c in controllers
    )


def register_parties(r: Reader, acts: Sequence[Activity], end: URIRef) -> dict[Node, list[Node]]:
    """The register's own sources (``end`` ``ropa:sender``) or recipients (``ropa:receiver``):
    the parties outside the controller at that end of a flow that belongs to no activity
    (the register says where its data come from or go to, not in which processing), each
    with those flows. Worked out once per notice (``acts`` are all its activities)."""
    if end in r.own_parties:
        return r.own_parties[end]
    controllers = controllers_of(r, list(acts))
    found: dict[Node, list[Node]] = r.own_parties.setdefault(end, {})
    for flow in _flows(r):
        if (flow, ROPA.partOfActivity, None) in r.graph:
            continue
        for party in r.graph.objects(flow, end):
            if isinstance(party, URIRef) and not _own(r, controllers, party):
                found.setdefault(party, []).append(flow)
    return found


def _activities_line(r: Reader, using: list[Activity]) -> Line:
    """The activities a source or party is recorded for, or that the register names it as a
    whole."""
    if not using:
        return (r.t("field.register_wide"),)
    ordered = sorted(using, key=lambda a: sort_key(a.name))
    return fill(r.t("field.activities"), value=join(a.name for a in ordered))


def sources_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    sources: dict[Node, list[Activity]] = {}
    for act in acts:
        found = list(r.graph.objects(act.node, DPV.hasDataSource))
        if not found:
            r.gap("sources", [act.node])
        for source in found:
            sources.setdefault(source, []).append(act)
    for source in register_parties(r, acts, ROPA.sender):
        sources.setdefault(source, [])
    items = []
    for source in r.sort(sources):
        children: list[Line] = []
        provider = r.objects(source, ROPA.providedBy)
        if provider:
            children.append(fill(r.t("field.provided_by"), value=r.terms(provider)))
        flow_data = [
            d
            for f in _flows(r, ROPA.sender, source)
            for d in r.graph.objects(f, DPV.hasPersonalData)
        ]
        if flow_data:
            children.append(fill(r.t("field.data"), value=r.terms(flow_data)))
        children.append(_activities_line(r, sources[source]))
        items.append(Item((r.term(source),), tuple(children)))
    if not items:
        return []
    return [Subsection(None, (BulletList(tuple(items)),))]


def _party_items(
    r: Reader,
    parties: dict[Node, list[Activity]],
    processors: bool,
    own_flows: dict[Node, list[Node]],
) -> tuple[Item, ...]:
    """A party with what it receives: from its activities and from the register's own flows
    to it (``own_flows``)."""
    items = []
    for party in r.sort(parties):
        using = parties[party]
        flows = own_flows.get(party, [])
        children: list[Line] = []
        location = r.objects(party, DPV.hasLocation, DPV.hasCountry)
        if location:
            children.append(fill(r.t("field.location"), value=r.terms(location)))
        if processors:
            systems = r.sort(r.graph.subjects(ROPA.providedBy, party))
            if systems:
                children.append(fill(r.t("field.provides"), value=r.terms(systems)))
        data = r.sort(
            [
                *(d for a in using for d in a.data),
                *(d for f in flows for d in r.graph.objects(f, DPV.hasPersonalData)),
            ]
        )
        if data:
            children.append(fill(r.t("field.data"), value=r.terms(data)))
        purposes = r.sort(
            [
                *(p for a in using for p in a.purposes),
                *(p for f in flows for p in r.graph.objects(f, DPV.hasPurpose)),
            ]
        )
        if purposes:
            children.append(fill(r.t("field.purposes"), value=r.terms(purposes)))
        conditions = sorted(
            {
                term
                for f in _flows(r, ROPA.receiver, party)
                for term in [r.labels.text(f, ROPA.condition)]
                if term is not None
            },
            key=sort_key,
        )
        if conditions:
            children.append(fill(r.t("field.conditions"), value=join(conditions, "; ")))
        children.append(_activities_line(r, using))
        items.append(Item((r.term(party),), tuple(children), strong=True))
    return tuple(items)


def disclosures_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    subsections = []
    recipients: dict[Node, list[Activity]] = {}
    processors: dict[Node, list[Activity]] = {}
    for act in acts:
        for node in r.graph.objects(act.node, DPV.hasRecipient):
            recipients.setdefault(node, []).append(act)
        for node in r.graph.objects(act.node, DPV.hasDataImporter):
            recipients.setdefault(node, []).append(act)
        for node in r.graph.objects(act.node, DPV.hasDataProcessor):
            processors.setdefault(node, []).append(act)
    own_flows = register_parties(r, acts, ROPA.receiver)
    for node in own_flows:
        if node not in processors:
            recipients.setdefault(node, [])
    if recipients:
        block = BulletList(_party_items(r, recipients, False, own_flows))
        subsections.append(Subsection((r.t("sub.recipients"),), (block,)))
    if processors:
        block = BulletList(_party_items(r, processors, True, own_flows))
        subsections.append(Subsection((r.t("sub.processors"),), (block,)))
    access = _access_rules(r, acts)
    if access:
        subsections.append(Subsection((r.t("sub.access"),), (BulletList(access),)))
    flows = _flow_table(r)
    if flows is not None:
        subsections.append(Subsection((r.t("sub.flows"),), (flows,)))
    subsections.append(Subsection((r.t("sub.transfers"),), _transfers(r, acts, processors)))
    return subsections


def _access_rules(r: Reader, acts: list[Activity]) -> tuple[Item, ...]:
    items = []
    for measure in measures_of(r, acts):
        who = r.objects(measure, ROPA.permittedEntity)
        if not who:
            continue
        data = r.objects(measure, ROPA.coversData)
        data_line = r.terms(data) if data else (r.term(measure),)
        condition = r.labels.text(measure, ROPA.condition)
        if r.is_true(measure, ROPA.isExclusive):
            text = fill(r.t("access.only"), data=data_line, who=r.terms(who))
        elif condition is not None:
            text = fill(
                r.t("access.condition"), data=data_line, who=r.terms(who), condition=condition
            )
        else:
            text = fill(r.t("access.also"), data=data_line, who=r.terms(who))
        items.append(Item(text))
    return tuple(sorted(items, key=lambda i: sort_key(i.text)))


def _flow_table(r: Reader) -> Table | None:
    rows = []
    for flow in _flows(r):
        data = r.terms(r.graph.objects(flow, DPV.hasPersonalData))
        description = r.labels.text(flow, DCTERMS.description)
        if description is not None:
            data = join([data, (description,)]) if data else (description,)
        condition = r.labels.text(flow, ROPA.condition)
        rows.append(
            (
                r.terms(r.graph.objects(flow, ROPA.sender)),
                r.terms(r.graph.objects(flow, ROPA.receiver)),
                data,
                r.terms(r.graph.objects(flow, DPV.hasPurpose)),
                (condition,) if condition is not None else (),
            )
        )
    if not rows:
        return None
    header = tuple(
        (r.t(k),) for k in ("col.from", "col.to", "col.data", "col.purposes", "col.condition")
    )
    return Table(header, tuple(sorted(rows, key=lambda row: [sort_key(cell) for cell in row])))


def _located(r: Reader, node: Node) -> list[Node]:
    """The location terms recorded on a party or system (a free-text location is no term)."""
    return [p for p in r.objects(node, DPV.hasLocation, DPV.hasCountry) if isinstance(p, URIRef)]


def _locations(r: Reader, party: Node) -> list[Node]:
    """Where a party processes data: its own location and those of the systems it provides."""
    systems = r.graph.subjects(ROPA.providedBy, party)
    return r.sort([*_located(r, party), *(p for s in systems for p in _located(r, s))])


def unlocated(r: Reader, processors: Iterable[Node]) -> list[Node]:
    """Processors, and systems that processors provide, with no recorded location: nobody
    can tell whether the data leave the EU/EEA there (GDPR Art. 30(1)(e); the check's
    TRANSFER-LOCATION-UNKNOWN asks the same)."""
    provided = [
        s
        for s, provider in r.graph.subject_objects(ROPA.providedBy)
        if r.is_a(provider, {DPV.DataProcessor})
    ]
    nodes = [n for n in [*processors, *provided] if not isinstance(n, Literal)]
    return [n for n in r.sort(nodes) if not _located(r, n)]


def transfers_of(r: Reader, act: Activity) -> list[tuple[Node | None, Node]]:
    """(party, country) of each transfer of an activity outside the EU/EEA: the third
    countries it records (party None), and where its processors and recipients are."""
    found: list[tuple[Node | None, Node]] = [
        (None, c) for c in r.graph.objects(act.node, DPV.hasThirdCountry)
    ]
    for predicate in (DPV.hasDataProcessor, DPV.hasRecipient, DPV.hasDataImporter):
        for party in r.graph.objects(act.node, predicate):
            found.extend(
                (party, place) for place in _locations(r, party) if r.asks(outside_eu_eea, place)
            )
    return sorted(set(found), key=lambda pc: (str(pc[0]), str(pc[1])))


def _transfers(
    r: Reader, acts: list[Activity], processors: dict[Node, list[Activity]]
) -> tuple[Block, ...]:
    items = []
    for act in acts:
        found = transfers_of(r, act)
        for party, country in found:
            who = (act.name,) if party is None else (r.term(party), " (", act.name, ")")
            children: list[Line] = []
            if act.transfer_bases:
                children.append(fill(r.t("field.safeguards"), value=r.terms(act.transfer_bases)))
            else:
                children.append((r.t("field.no_safeguards"),))
                r.gap("transfer_safeguards", [act.node])
            text = fill(r.t("transfers.item"), who=who, country=r.term(country))
            items.append(Item(text, tuple(children)))
    unknown = unlocated(r, processors)
    r.gap("processor_location", unknown)
    blocks: list[Block] = []
    if items:
        blocks.append(BulletList(tuple(sorted(items, key=lambda i: sort_key(i.text)))))
    elif not unknown:
        blocks.append(Paragraph((r.t("transfers.none"),)))
    if unknown:
        blocks.append(Paragraph(fill(r.t("transfers.unknown"), value=r.terms(unknown))))
    return tuple(blocks)


_EMAIL = re.compile(r"[^@\s<>()\[\]\"']+@[^@\s<>()\[\]\"']+")


def _email_part(email: str) -> Part:
    return Link(email, "mailto:" + email) if _EMAIL.fullmatch(email) else email


def email_of(r: Reader, entity: Node) -> list[Part]:
    """The email addresses of an entity, its own first, then those of its contacts."""
    own = sorted(str(e) for e in r.graph.objects(entity, SCHEMA.email))
    contacts = r.objects(entity, DPV.hasContact)
    theirs = sorted(str(e) for c in contacts for e in r.graph.objects(c, SCHEMA.email))
    return [_email_part(e) for e in dict.fromkeys([*own, *theirs])]


def _details(r: Reader, node: Node) -> list[Line]:
    """Email, telephone and address stated on a node."""
    lines: list[Line] = []
    for email in sorted(str(e) for e in r.graph.objects(node, SCHEMA.email)):
        lines.append(fill(r.t("field.email"), value=_email_part(email)))
    for phone in sorted(str(p) for p in r.graph.objects(node, SCHEMA.telephone)):
        lines.append(fill(r.t("field.telephone"), value=phone))
    for address in sorted(str(a) for a in r.graph.objects(node, DPV.hasAddress)):
        lines.append(fill(r.t("field.address"), value=address))
    return lines


def _contact_lines(r: Reader, entity: Node) -> list[Line]:
    lines: list[Line] = []
    for contact in r.objects(entity, DPV.hasContact):
        if isinstance(contact, Literal):
            lines.append(fill(r.t("field.contact"), value=str(contact)))
            continue
        if any((contact, p, None) in r.graph for p in LABEL_PREDICATES):
            lines.append(fill(r.t("field.contact"), value=r.term(contact)))
        lines.extend(_details(r, contact))
    lines.extend(_details(r, entity))
    return lines


def _representative_lines(r: Reader, representatives: Iterable[Node]) -> list[Line]:
    """The email addresses and telephone numbers of a controller's representatives."""
    lines: list[Line] = []
    for rep in representatives:
        contacts = [rep, *r.objects(rep, DPV.hasContact)]
        for email in sorted({str(e) for c in contacts for e in r.graph.objects(c, SCHEMA.email)}):
            lines.append(fill(r.t("field.representative.email"), value=_email_part(email)))
        for phone in sorted(
            {str(p) for c in contacts for p in r.graph.objects(c, SCHEMA.telephone)}
        ):
            lines.append(fill(r.t("field.representative.telephone"), value=phone))
    return lines


def joint_controllers_items(r: Reader, acts: list[Activity]) -> tuple[Item, ...]:
    """GDPR Art. 26(2): per activity with joint controllers, who they are (their contact
    details are with the controllers, Art. 13(1)(a)) and the essence of their arrangement."""
    items = []
    for act in acts:
        for joint in r.objects(act.node, DPV.hasJointDataControllers):
            children: list[Line] = []
            for member in r.sort(r.graph.objects(joint, DPV.hasEntity)):
                children.append(fill(r.t("field.joint_controller"), value=(r.term(member),)))
            for agreement in r.objects(joint, DPV.hasLegalMeasure):
                essence = r.labels.text(agreement, DCTERMS.description)
                if essence is not None:
                    children.append(fill(r.t("field.arrangement"), value=(essence,)))
            items.append(Item((r.term(act.node),), tuple(children), strong=True))
    return tuple(items)


def _units(r: Reader) -> list[Node]:
    """Every organisational unit the graph names."""
    typed = set(r.graph.subjects(RDF.type, DPV.OrganisationalUnit))
    used = set(r.graph.objects(None, DPV.hasOrganisationalUnit))
    return r.sort(typed | used)


def contact_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    controllers = controllers_of(r, acts)
    if not controllers:
        r.gap("controller")
    items = []
    for controller in controllers:
        children = _contact_lines(r, controller)
        if not children:
            r.gap("controller_contact", [controller])
        location = r.objects(controller, DPV.hasLocation, DPV.hasCountry)
        if location:
            children.append(fill(r.t("field.location"), value=r.terms(location)))
        units = [u for u in _units(r) if r.reaches_via(u, ORG.subOrganizationOf, controller)]
        if units:
            children.append(fill(r.t("field.units"), value=r.terms(units)))
        representative = r.objects(controller, DPV.hasRepresentative)
        if representative:
            children.append(fill(r.t("field.representative"), value=r.terms(representative)))
            # Art. 13(1)(a), 14(1)(a): the representative's contact details too.
            children.extend(_representative_lines(r, representative))
        items.append(Item((r.term(controller),), tuple(children), strong=True))
    subsections = []
    if items:
        subsections.append(Subsection((r.t("sub.controller"),), (BulletList(tuple(items)),)))
    joint = joint_controllers_items(r, acts)
    if joint:
        subsections.append(Subsection((r.t("sub.joint"),), (BulletList(joint),)))
    holders = controllers + [a.node for a in acts] + list(r.graph.subjects(RDF.type, DPV.ROPA))
    dpos = r.sort(
        {d for h in holders for d in r.graph.objects(h, DPV.hasDataProtectionOfficer)}
        | set(r.graph.subjects(RDF.type, DPV.DataProtectionOfficer))
    )
    if not dpos:
        # GDPR Art. 13(1)(b): "where applicable": a public authority must have a DPO (Art.
        # 37(1)(a)); whether another controller must (37(1)(b)-(c)) the records cannot show.
        if any(is_instance_of(r.graph, c, DPV.GovernmentalOrganisation) for c in controllers):
            r.gap("dpo")
    else:
        dpo_items = tuple(
            Item((r.term(d),), tuple(_contact_lines(r, d)), strong=True) for d in dpos
        )
        subsections.append(Subsection((r.t("sub.dpo"),), (BulletList(dpo_items),)))
    return subsections
