"""The first layer of the notice: one screen that answers who the controller is, what the
data are processed for, which data, who receives them, how long they are kept, the rights
and how to complain (EDPB transparency guidelines, WP260 rev.01, on layered notices).

Long lists are cut to the items most activities share, with the number left out and a
link to the second layer, where every item stands with its activity: the first layer
leaves nothing out that the second does not give.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final

from rdflib import Literal, URIRef
from rdflib.term import Node

from checker.notice.basis_rights import RIGHT_ORDER
from checker.notice.gdpr_terms import RIGHTS_SHORT
from checker.notice.model import (
    Fields,
    Line,
    Link,
    Part,
    Section,
    Subsection,
    fill,
    join,
    sort_key,
)
from checker.notice.reader import Activity, Reader, controllers_of
from checker.notice.rights import applying_rights, supervisory_authorities
from checker.notice.topics import email_of, register_parties, transfers_of, unlocated
from checker.vocab.concepts import is_special_category
from checker.vocab.durations import compare_parsed, parse
from checker.vocab.durations import words as duration_words
from checker.vocab.namespaces import DPV, RDF, ROPA, SKOS

#: How many items a first-layer list names before it says how many more there are.
SHOWN: Final = 6

_DPV = "https://w3id.org/dpv"  # dpv:, pd:, ...
#: Concepts too general to tell a reader anything.
_TOO_GENERAL = frozenset({DPV.PersonalData, DPV.Purpose, DPV.SpecialCategoryPersonalData})


def _ranked(r: Reader, counts: Counter[Node]) -> Line:
    """The items most activities share first, then "and N more" (see the second layer)."""
    ranked = sorted(counts, key=lambda n: (-counts[n], *sort_key(r.term(n)), r.node_key(n)))
    shown = join((r.term(n) for n in ranked[:SHOWN]), "; ")
    if len(ranked) > SHOWN:
        left = len(ranked) - SHOWN
        more = fill(r.t("summary.more" if left > 1 else "summary.more_one"), count=str(left))
        return (*shown, *more)
    return shown


def _kinds_of(r: Reader, acts: Sequence[Activity], values: str) -> Counter[Node]:
    """The DPV concepts (``dpv:``, ``pd:``) that the activities' purposes or personal data
    are kinds of (a value itself when it is DPV's or has no DPV concept above it), counted by
    activity: the short names of the first layer."""
    counts: Counter[Node] = Counter()
    for act in acts:
        found = set()
        for value in act.purposes if values == "purposes" else act.all_data:
            above = [
                b
                for b in r.graph.objects(value, SKOS.broader)
                if str(b).startswith(_DPV) and b not in _TOO_GENERAL
            ]
            found.update(above if above and not str(value).startswith(_DPV) else [value])
        counts.update(found)
    return counts


def _counted(values: Iterable[tuple[Activity, Node]]) -> Counter[Node]:
    """How many activities name each value."""
    return Counter(value for _, value in {(a.node, v) for a, v in values})


def _retention(r: Reader, acts: Sequence[Activity]) -> Line:
    """The shortest and the longest fixed period, and whether anything is kept without one."""
    periods = []
    endless = False
    for act in acts:
        for rule in r.graph.objects(act.node, DPV.hasStorageCondition):
            for duration in r.graph.objects(rule, DPV.hasDuration):
                value = (
                    r.graph.value(duration, RDF.value)
                    if not isinstance(duration, Literal)
                    else duration
                )
                parsed = parse(str(value)) if value is not None else None
                if parsed is not None:
                    periods.append((parsed, str(value)))
                endless = endless or r.is_a(duration, {DPV.EndlessDuration})
    line: Line = (r.t("summary.retention_depends"),)
    if periods:
        ordered = _sorted_periods(periods)
        shortest, longest = ordered[0], ordered[-1]
        words = [duration_words(v, r.lang, spelled=True) or v for v in (shortest, longest)]
        if shortest == longest:
            line = (*line, " ", *fill(r.t("summary.retention_one"), period=words[0]))
        else:
            line = (*line, " ", *fill(r.t("summary.retention_range"), low=words[0], high=words[1]))
    if endless:
        line = (*line, " ", r.t("summary.retention_endless"))
    return line


def _sorted_periods(periods: list[tuple[tuple[int, object], str]]) -> list[str]:
    """The values in order of length (XSD order; incomparable ones by months, then text)."""
    result: list[tuple[tuple[int, object], str]] = []
    for parsed, value in sorted(periods, key=lambda p: (p[0][0], str(p[0][1]), p[1])):
        index = len(result)
        while index and (compare_parsed(result[index - 1][0], parsed) or 0) > 0:  # type: ignore[arg-type]
            index -= 1
        result.insert(index, (parsed, value))
    return [value for _, value in result]


def _anchor(text: Part | Line, anchor: str, details: str) -> Line:
    return (*(text if isinstance(text, tuple) else (text,)), " ", Link(details, f"#{anchor}"))


def summary_section(
    r: Reader, acts: Sequence[Activity], gap_count: int, anchors: dict[str, str]
) -> Section:
    """The first layer, as labelled fields; ``anchors`` maps a topic to its section id."""
    fields: list[tuple[Line, Line]] = []

    def add(key: str, value: Line, anchor: str | None = None) -> None:
        more = r.t("summary.details")
        fields.append(((r.t(f"summary.{key}"),), _anchor(value, anchor, more) if anchor else value))

    owners = controllers_of(r, acts)
    who: list[Line] = []
    for owner in owners:
        emails = email_of(r, owner)
        who.append((r.term(owner), *((", ", emails[0]) if emails else ())))
    add("controller", join(who, "; ") or (r.t("summary.unknown"),), anchors.get("contact"))
    add(
        "purposes",
        _ranked(r, _kinds_of(r, acts, "purposes")) or (r.t("summary.unknown"),),
        anchors.get("activities"),
    )
    data = _ranked(r, _kinds_of(r, acts, "data")) or (r.t("summary.unknown"),)
    special = r.sort(d for a in acts for d in a.all_data if r.asks(is_special_category, d))
    if special:
        data = (*data, *fill(r.t("summary.special"), count=str(len(special))))
    add("data", data, anchors.get("activities"))
    parties = _counted(
        (
            (a, p)
            for a in acts
            for pred in (DPV.hasRecipient, DPV.hasDataImporter, DPV.hasDataProcessor)
            for p in r.graph.objects(a.node, pred)
            if isinstance(p, URIRef)
        ),
    )
    # The register's own recipients (a disclosure to other authorities) count as one.
    parties.update(p for p in register_parties(r, acts, ROPA.receiver) if p not in parties)
    add("recipients", _ranked(r, parties) or (r.t("summary.none"),), anchors.get("disclosures"))
    countries = r.sort({c for a in acts for _, c in transfers_of(r, a)})
    processors = {p for a in acts for p in r.graph.objects(a.node, DPV.hasDataProcessor)}
    unknown = unlocated(r, processors)
    transfer: Line = r.terms(countries) if countries else (r.t("summary.none"),)
    if unknown:
        transfer = (
            *transfer,
            " ",
            *fill(r.t("summary.transfers_unknown"), count=str(len(unknown))),
        )
    add("transfers", transfer)
    add("retention", _retention(r, acts), anchors.get("retention"))
    rights = applying_rights(r, acts)
    names = [RIGHTS_SHORT[name][r.lang] for name in RIGHT_ORDER if name in rights]
    add("rights", (", ".join(names) or r.t("summary.unknown"),), anchors.get("rights"))
    _, found = supervisory_authorities(r, acts)
    authorities = [a for _, group in found for a in group]
    add("complaint", r.terms(authorities) or (r.t("summary.unknown"),), anchors.get("complaint"))
    if gap_count:
        add("gaps", fill(r.t("summary.gaps_count"), count=str(gap_count)), "gaps")
    block = Fields(tuple(fields))
    return Section(
        "summary", (r.t("topic.summary"),), (Subsection(None, (block,)),), kind="summary"
    )
