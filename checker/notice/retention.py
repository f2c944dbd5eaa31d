"""Retention in plain words: each rule of the records (or DPV duration) as the period or the
criteria it states (GDPR Art. 13(2)(a), 14(2)(a)), and the retention topic.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from checker.notice.labeller import inline
from checker.notice.model import (
    BulletList,
    Item,
    Line,
    Subsection,
    Table,
    Term,
    fill,
    join,
    sort_key,
)
from checker.notice.reader import Activity, Reader, measures_of
from checker.vocab.durations import words as duration_words
from checker.vocab.labels import candidates
from checker.vocab.namespaces import DPV, RDF, RDFS, ROPA, SKOS


def _retention_words(r: Reader, rule: Node) -> Line:
    """How long a retention rule keeps the data, in plain words."""
    durations = r.objects(rule, DPV.hasDuration) or [rule]
    return join((_duration_words(r, rule, d) for d in durations), "; ")


def _duration_words(r: Reader, rule: Node, node: Node) -> Line:
    """One duration node (or a duration literal) in plain words; unknown is a gap."""
    resource = not isinstance(node, Literal)
    value = r.graph.value(node, RDF.value) if resource else node

    def is_a(cls: URIRef) -> bool:
        return resource and r.is_a(node, {cls})

    def events(predicate: URIRef) -> Line:
        return join(inline(r.term(e), r.lang) for e in r.objects(node, predicate))

    words = duration_words(str(value), r.lang, spelled=True) if value is not None else None
    period: Line | None = None
    if words is not None:
        at_most = resource and r.is_true(node, ROPA.isMaximum)
        period = fill(r.t("retention.at_most"), period=words) if at_most else (words,)
    counted = events(ROPA.countedFrom) if resource else ()
    until = events(ROPA.untilEvent) if resource else ()
    if is_a(ROPA.NotStored):
        return (r.t("retention.not_stored"),)
    if is_a(ROPA.DelegatedRetention):
        who = join((r.term(n) for n in r.objects(node, ROPA.delegatedTo)), r.t("list.and"))
        return fill(r.t("retention.delegated"), who=who)
    if is_a(DPV.EndlessDuration):
        return (r.t("retention.indefinite"),)
    if is_a(ROPA.CurrentYearPlus) and period is not None:
        if counted:
            return fill(r.t("retention.calendar_from"), period=period, event=counted)
        return fill(r.t("retention.calendar"), period=period)
    if period is not None and counted:
        return fill(r.t("retention.from_event"), period=period, event=counted)
    if until:
        return fill(r.t("retention.until"), event=until)
    if period is not None and not is_a(DPV.IndeterminateDuration):
        return period
    if is_a(DPV.UntilTimeDuration) and value is not None:
        return fill(r.t("retention.until"), event=str(value))
    criterion = stated_criterion(r, node)
    if criterion is not None and not is_a(DPV.IndeterminateDuration):
        return (criterion,)
    named = bool(r.term(rule).text)
    r.gap("retention_period", [rule] if named else r.graph.subjects(DPV.hasStorageCondition, rule))
    return (r.t("retention.unstated"),)


def stated_criterion(r: Reader, node: Node) -> Term | None:
    """The criterion a plain DPV duration or storage condition states in its own name
    ("until the patron cancels the subscription"): GDPR Art. 13(2)(a) accepts "the criteria
    used to determine that period". A DPV concept used as the value itself (``dpv:hasDuration
    dpv:UntilEventDuration``) states no criterion."""
    if isinstance(node, Literal) or not candidates(r.graph, node):
        return None
    if any((node, RDF.type, kind) in r.graph for kind in (RDFS.Class, SKOS.Concept)):
        return None
    return r.term(node)


def _storage_rules(r: Reader, acts: list[Activity]) -> list[Node]:
    used = {s for a in acts for s in r.graph.objects(a.node, DPV.hasStorageCondition)}
    return r.sort(used | set(r.graph.subjects(RDF.type, DPV.StorageDuration)))


def retention_lines(r: Reader, act: Activity) -> list[Line]:
    """The retention rules of one activity, one line each: 'data: period (afterwards)'."""
    lines = []
    for rule in r.objects(act.node, DPV.hasStorageCondition):
        data = r.objects(rule, ROPA.coversData)
        line = _retention_words(r, rule)
        if data:
            line = (*r.terms(data), ": ", *line)
        after = r.labels.text(rule, ROPA.afterRetention)
        if after is not None:
            line = (*line, " ", *fill(r.t("retention.after"), value=after))
        lines.append(line)
    return sorted(lines, key=sort_key)


def retention_gaps(r: Reader, acts: list[Activity]) -> None:
    """Record the retention gaps only (what :func:`retention_topic` records, without laying
    out the table): for the check's NOTICE-* rules, which need no text."""
    used = {s for a in acts for s in r.graph.objects(a.node, DPV.hasStorageCondition)}
    for rule in sorted(used | set(r.graph.subjects(RDF.type, DPV.StorageDuration)), key=str):
        _retention_words(r, rule)
    for act in acts:
        if (act.node, DPV.hasStorageCondition, None) not in r.graph:
            r.gap("retention", [act.node])


def retention_topic(r: Reader, acts: list[Activity]) -> list[Subsection]:
    """Every retention rule with the activity and the data it governs (a rule no activity
    holds is listed with a dash), so no period stands without its context."""
    rows = []
    for rule in _storage_rules(r, acts):
        data = r.objects(rule, ROPA.coversData)
        data_line = r.terms(data) if data else (r.t("field.all_data"),)
        after = r.labels.text(rule, ROPA.afterRetention)
        words = _retention_words(r, rule)
        holders = set(r.graph.subjects(DPV.hasStorageCondition, rule))
        using = [a.name for a in acts if a.node in holders]
        if not data and not using:
            data_line = (r.term(rule),)
        owners: list[Line] = [(name,) for name in sorted(using, key=sort_key)] or [("—",)]
        for owner in owners:
            rows.append((owner, data_line, words, (after,) if after else ()))
    for act in acts:
        if (act.node, DPV.hasStorageCondition, None) not in r.graph:
            r.gap("retention", [act.node])
    subsections = []
    if rows:
        header = tuple((r.t(k),) for k in ("col.activity", "col.data", "col.period", "col.after"))
        table = Table(header, tuple(sorted(rows, key=lambda row: [sort_key(c) for c in row])))
        subsections.append(Subsection(None, (table,)))
    measures = [
        Item((r.term(m),))
        for m in measures_of(r, acts)
        if (m, ROPA.permittedEntity, None) not in r.graph
    ]
    if measures:
        items = tuple(sorted(measures, key=lambda i: sort_key(i.text)))
        subsections.append(Subsection((r.t("sub.measures"),), (BulletList(items),)))
    return subsections
