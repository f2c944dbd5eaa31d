"""A person's journey: what the register does with the data of one group of data subjects.

Pick a group (*Private customers*) and the journey answers, from the records alone, what
a subject-access request (GDPR Art. 15) asks: which personal data are collected about them,
from where, which units process them and for what, who receives them, how long each piece
is kept and on which legal basis, each with the passages of the register description that
say so.

Which activities concern the group: those that name it as a data subject, a narrower group
of it, or a broader one (*Customs' customers* includes private customers: the step says
so); and those that name it only as a source of their data (the step says that too). Of an
activity's data, a category that the activity lists only inside data groups recorded for
other subjects (``ropa:concernsDataSubject``) is left out: the register says it is about
someone else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rdflib import Graph, URIRef

from checker.markdown import escape, table_cell
from checker.views.activities import ActivityDetail, Fact, activity_detail
from checker.views.facts import activities_of, iris, label, labels
from checker.views.provenance import Quote, quote_order
from checker.views.retention import RetentionRow, covered_data, retention_rows
from checker.vocab.concepts import broader, kinds, narrower, outside_eu_eea
from checker.vocab.namespaces import DPV, ROPA

#: The fields of an activity a journey shows, in the order a person asks about them.
JOURNEY_FIELDS = (
    "Personal data",
    "Sources",
    "Organisational units",
    "Purposes",
    "Recipients",
    "Processors",
    "Legal bases",
    "Laws",
)

#: Data-subject concepts too general to say anything about a group.
_TOO_GENERAL = frozenset({DPV.DataSubject, DPV.HumanSubject, DPV.Entity, DPV.LegalEntity})


@dataclass(frozen=True)
class SubjectGroup:
    """A group of data subjects a journey can be asked for."""

    iri: str
    label: str
    activities: int

    def __str__(self) -> str:
        return f"{self.label} ({self.activities})"


@dataclass(frozen=True)
class Kept:
    """How long some of the group's data are kept by one activity, by one rule: ``data``
    names what the rule covers, ``covers`` the categories (empty: all the activity's)."""

    data: str
    covers: frozenset[str]
    period: str
    kind: str
    quote: str


#: How an activity concerns a group, in the order the journey lists them.
RELATIONS: dict[str, str] = {
    "subject": "Activities about them",
    "broader": "Activities about a broader group that includes them",
    "source": "Activities that name them only as a source of their data",
}


@dataclass(frozen=True)
class Step:
    """One activity's part of the journey: what it does with the group's data.

    ``kind`` is how the activity concerns the group (a key of :data:`RELATIONS`), and
    ``relation`` says so in words ('' for an activity about the group itself)."""

    activity: str
    name: str
    kind: str
    relation: str
    fields: tuple[tuple[str, tuple[Fact, ...]], ...]
    kept: tuple[Kept, ...]

    def values(self, field: str) -> tuple[Fact, ...]:
        """The values of one field (empty: the activity records none)."""
        return next((told for name, told in self.fields if name == field), ())


@dataclass(frozen=True)
class Item:
    """One data category across the journey: who handles it, how long, on which basis
    (over the activities about the group or a broader one; those that name the group only
    as a source are about someone else)."""

    iri: str
    label: str
    activities: tuple[str, ...]
    sources: tuple[str, ...]
    units: tuple[str, ...]
    receivers: tuple[str, ...]
    kept: tuple[str, ...]
    bases: tuple[str, ...]


@dataclass(frozen=True)
class Journey:
    """What the register does with the data of one group of data subjects."""

    subject: str
    label: str
    steps: tuple[Step, ...]
    items: tuple[Item, ...]
    quotes: tuple[Quote, ...]

    def field_values(self, field: str) -> list[str]:
        """Every value of one field over all steps, each once, sorted."""
        return sorted(
            {t.value for s in self.steps for t in s.values(field)}, key=lambda v: v.casefold()
        )


def subject_groups(graph: Graph) -> list[SubjectGroup]:
    """The data subjects the activities name (as subjects or sources), with the number of
    activities whose journey they are part of, sorted by label.

    >>> from checker.graph.build import build
    >>> groups = {g.label: g.activities for g in subject_groups(build())}
    >>> groups["Private customers"] > 0
    True
    """
    named: set[URIRef] = set()
    for act in activities_of(graph):
        named.update(iris(graph, act, DPV.hasDataSubject))
        named.update(
            s for s in iris(graph, act, DPV.hasDataSource) if DPV.DataSubject in kinds(graph, s)
        )
    groups = [
        SubjectGroup(str(s), label(graph, s), len(_concerning(graph, s)))
        for s in named
        if s not in _TOO_GENERAL
    ]
    return sorted(groups, key=lambda g: (g.label.casefold(), g.iri))


def _concerning(graph: Graph, subject: URIRef) -> dict[URIRef, tuple[str, str]]:
    """The activities of a group's journey, each with how it concerns the group (a key of
    :data:`RELATIONS`, and in words)."""
    below = narrower(graph, subject)
    above = broader(graph, subject) - below - _TOO_GENERAL
    found: dict[URIRef, tuple[str, str]] = {}
    for act in activities_of(graph):
        subjects = set(iris(graph, act, DPV.hasDataSubject))
        if subjects & below:
            found[act] = ("subject", "")
        elif subjects & above:
            wider = labels(graph, subjects & above)
            found[act] = ("broader", f"recorded for {', '.join(wider)}, which includes them")
        elif subject in set(iris(graph, act, DPV.hasDataSource)):
            found[act] = ("source", "they are named as a source of its data, not as its subjects")
    return found


def _their_data(graph: Graph, activity: URIRef, subject: URIRef) -> set[str]:
    """The activity's data categories that concern the group (see the module's note)."""
    mine = narrower(graph, subject) | broader(graph, subject)
    in_groups: dict[str, list[bool]] = defaultdict(list)
    for group in iris(graph, activity, ROPA.hasDataGroup):
        about = set(iris(graph, group, ROPA.concernsDataSubject))
        for member in iris(graph, group, ROPA.includes):
            in_groups[str(member)].append(not about or bool(about & mine))
    return {
        str(d)
        for d in iris(graph, activity, DPV.hasPersonalData)
        if str(d) not in in_groups or any(in_groups[str(d)])
    }


def _told(
    graph: Graph, detail: ActivityDetail, field: str, numbers: dict[str, int], keep: set[str]
) -> tuple[Fact, ...]:
    local = {q.number: q.iri for q in detail.quotes}
    told = []
    for fact in detail.facts:
        if fact.field != field or (field == "Personal data" and fact.iri not in keep):
            continue
        note = fact.note
        if field in ("Recipients", "Processors") and fact.iri:
            places = [
                p
                for p in graph.objects(URIRef(fact.iri), DPV.hasLocation)
                if outside_eu_eea(graph, p)
            ]
            if places:
                note = "outside the EU/EEA: " + ", ".join(labels(graph, places))
        numbered = tuple(sorted(numbers[local[n]] for n in fact.quotes))
        told.append(replace(fact, quotes=numbered, note=note))
    return tuple(told)


def _kept(graph: Graph, rows: Iterable[RetentionRow], keep: set[str]) -> tuple[Kept, ...]:
    kept = []
    for row in rows:
        covers = covered_data(graph, row.data) & keep if row.data else frozenset()
        if not row.data or covers:
            kept.append(Kept(row.data_label, frozenset(covers), row.period, row.kind, row.quote))
    return tuple(kept)


def _items(graph: Graph, steps: Sequence[Step]) -> tuple[Item, ...]:
    by_data: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    names: dict[str, str] = {}
    for step in steps:
        if step.kind == "source":  # their data are about someone else
            continue
        receivers = {t.value for f in ("Recipients", "Processors") for t in step.values(f)}
        for told in step.values("Personal data"):
            about = by_data[told.iri]
            names[told.iri] = told.value
            about["activities"].add(step.name)
            about["sources"] |= {t.value for t in step.values("Sources")}
            about["units"] |= {t.value for t in step.values("Organisational units")}
            about["receivers"] |= receivers
            about["bases"] |= {t.value for t in step.values("Legal bases")}
            about["kept"] |= {k.period for k in step.kept if not k.covers or told.iri in k.covers}

    def listed(values: set[str]) -> tuple[str, ...]:
        return tuple(sorted(values, key=str.casefold))

    return tuple(
        sorted(
            (
                Item(
                    iri=iri,
                    label=names[iri],
                    activities=listed(about["activities"]),
                    sources=listed(about["sources"]),
                    units=listed(about["units"]),
                    receivers=listed(about["receivers"]),
                    kept=listed(about["kept"]),
                    bases=listed(about["bases"]),
                )
                for iri, about in by_data.items()
            ),
            key=lambda i: (i.label.casefold(), i.iri),
        )
    )


def journey(graph: Graph, subject: str) -> Journey:
    """The journey of one group's data through the register (see the module's note).

    Quotes are numbered once for the whole journey, in the order of the register
    description; each value lists the numbers of its quotes.

    >>> from checker.graph.build import build
    >>> base = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
    >>> trip = journey(build(), base + "private-customers")
    >>> "Personal identity code" in trip.field_values("Personal data")
    True
    """
    ref = URIRef(subject)
    concerning = _concerning(graph, ref)
    retention: dict[str, list[RetentionRow]] = defaultdict(list)
    for row in retention_rows(graph):
        if URIRef(row.activity) in concerning:
            retention[row.activity].append(row)
    details = {act: activity_detail(graph, str(act)) for act in concerning}
    every = {q.iri: q for d in details.values() for q in d.quotes}
    quotes = sorted(every.values(), key=quote_order)
    numbers = {q.iri: i for i, q in enumerate(quotes, start=1)}
    steps = []
    for act, (kind, relation) in concerning.items():
        detail = details[act]
        keep = _their_data(graph, act, ref)
        steps.append(
            Step(
                activity=str(act),
                name=detail.name,
                kind=kind,
                relation=relation,
                fields=tuple(
                    (field, _told(graph, detail, field, numbers, keep)) for field in JOURNEY_FIELDS
                ),
                kept=_kept(graph, retention[str(act)], keep),
            )
        )
    steps.sort(key=lambda s: (list(RELATIONS).index(s.kind), s.name.casefold(), s.activity))
    return Journey(
        subject=subject,
        label=label(graph, ref),
        steps=tuple(steps),
        items=_items(graph, steps),
        quotes=tuple(replace(q, number=numbers[q.iri]) for q in quotes),
    )


def _cited(told: Fact) -> str:
    marks = "".join(f"[{n}]" for n in told.quotes)
    note = f" ({told.note})" if told.note else ""
    return escape(told.value + note) + (f" {marks}" if marks else "")


def journey_markdown(trip: Journey) -> str:
    """The journey as a Markdown document: the answer the records give to "what do you do
    with my data?" (GDPR Art. 15), with every quote; text from the records is escaped
    (:func:`checker.markdown.escape`).

    >>> from checker.graph.build import build
    >>> base = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
    >>> text = journey_markdown(journey(build(), base + "private-customers"))
    >>> text.splitlines()[0]
    '# What the records say about the data of: Private customers'
    """
    out = [f"# What the records say about the data of: {escape(trip.label)}", ""]
    if not trip.steps:
        return "\n".join([*out, "No activity of the records concerns this group.", ""])
    out += [
        f"{len(trip.steps)} processing activities concern this group. Numbers in brackets "
        "point at the quotes of the register at the end.",
        "",
        "| Personal data | Collected from | Handled by | Received by | Kept | Legal basis |",
        "|---|---|---|---|---|---|",
    ]
    for item in trip.items:
        cells = (
            item.label,
            ", ".join(item.sources),
            ", ".join(item.units),
            ", ".join(item.receivers),
            "; ".join(item.kept),
            ", ".join(item.bases),
        )
        out.append("| " + " | ".join(table_cell(escape(c)) or "—" for c in cells) + " |")
    for step in trip.steps:
        out += ["", f"## {escape(step.name)}", ""]
        if step.relation:
            out += [f"_{escape(step.relation)}_", ""]
        for field, told in step.fields:
            if told:
                out.append(f"- **{field}:** " + ", ".join(_cited(t) for t in told))
        for kept in step.kept:
            quote = f" “{escape(kept.quote)}”" if kept.quote else ""
            out.append(f"- **Kept** ({escape(kept.data)}): {escape(kept.period)}{quote}")
    out += ["", "## Quotes", ""]
    for quote in trip.quotes:
        out.append(f"{quote.number}. {escape(quote.where)}: “{escape(quote.text)}”")
    return "\n".join([*out, ""])
