"""Who holds what: units and parties against data categories, as a matrix.

A row for each unit of the organisation (in the order of its hierarchy; the controller for
activities that name no unit), then each processor and recipient; a column for each data
category; a cell where the row's party handles the category in some activity. A cell
knows its activities, their legal bases and how long they keep the category, so the
dashboard can colour it by either and open the activities behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
from rdflib import Graph, URIRef

from checker.views.activities import recipients_of
from checker.views.facts import activities_of, iris, label, labels
from checker.views.hierarchy import ancestors, parents
from checker.views.retention import RETENTION_KINDS, RetentionRow, covered_data, retention_rows
from checker.vocab.namespaces import DPV

#: What a row's party does with the data, in the matrix's row order.
ROLES: dict[str, str] = {
    "unit": "Units of the organisation",
    "processor": "Processors",
    "recipient": "Recipients",
}

#: The colour key of a cell whose activities record no legal basis, and of one with several.
NO_BASIS = "no legal basis recorded"
SEVERAL_BASES = "several legal bases"


@dataclass(frozen=True)
class Holder:
    """A row of the matrix: a unit (or controller), processor or recipient."""

    iri: str
    label: str
    role: str
    depth: int = 0


@dataclass(frozen=True)
class Holding:
    """A cell: one party handles one data category in these activities.

    ``basis`` is the cell's legal basis for colouring (the one basis, or
    :data:`SEVERAL_BASES`, or :data:`NO_BASIS`); ``retention`` the retention kind a DPO
    should look at first among the activities' rules for the category (a key of
    :data:`checker.views.retention.RETENTION_KINDS`), ``periods`` their words.
    """

    holder: str
    data: str
    activities: tuple[tuple[str, str], ...]
    bases: tuple[str, ...]
    basis: str
    retention: str
    periods: tuple[str, ...]


@dataclass(frozen=True)
class Holdings:
    """The matrix: rows, columns and the filled cells."""

    holders: tuple[Holder, ...]
    data: tuple[tuple[str, str], ...]
    cells: dict[tuple[str, str], Holding]

    def cell(self, holder: str, data: str) -> Holding | None:
        return self.cells.get((holder, data))


def _unit_rows(graph: Graph, units: set[str]) -> list[Holder]:
    """Units in the order of the hierarchy (depth first, by label), each with its depth."""
    parent_of = parents(graph)
    named = {u: label(graph, URIRef(u)) for u in units}

    def path(unit: str) -> tuple[tuple[str, str], ...]:
        chain = [unit, *ancestors(parent_of, unit)]
        kept = [g for g in reversed(chain) if g in units]
        return tuple((named[g].casefold(), g) for g in kept)

    return [
        Holder(u, named[u], "unit", len(path(u)) - 1) for u in sorted(units, key=lambda u: path(u))
    ]


def _worst(kinds: set[str]) -> str:
    return next((k for k in RETENTION_KINDS if k in kinds), "missing")


def holdings(graph: Graph, flows: nx.DiGraph | None = None) -> Holdings:
    """Who handles which data category, in which activities, on which basis, how long.

    ``flows`` is not needed (the matrix reads the activities); it is accepted so that
    every view of the model is made the same way.

    >>> from checker.graph.build import build
    >>> matrix = holdings(build())
    >>> base = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
    >>> cell = matrix.cell(base + "elisa", "https://w3id.org/dpv/pd#IPAddress")
    >>> cell is not None and cell.basis
    'Art 6(1-c) legal obligation'
    """
    del flows
    rows: dict[str, str] = {}
    acts_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    kept: dict[tuple[str, str], list[RetentionRow]] = defaultdict(list)
    by_activity: dict[str, list[RetentionRow]] = defaultdict(list)
    covers: dict[str, frozenset[str]] = {}
    for row in retention_rows(graph):
        by_activity[row.activity].append(row)
        if row.data and row.data not in covers:
            covers[row.data] = covered_data(graph, row.data)
    for act in activities_of(graph):
        data = [str(d) for d in iris(graph, act, DPV.hasPersonalData)]
        holders = [
            (str(u), "unit")
            for u in iris(graph, act, DPV.hasOrganisationalUnit)
            or iris(graph, act, DPV.hasDataController)
        ]
        holders += [(str(p), "processor") for p in iris(graph, act, DPV.hasDataProcessor)]
        holders += [(str(r), "recipient") for r in recipients_of(graph, act)]
        for holder, role in holders:
            rows.setdefault(holder, role)
            for d in data:
                acts_of[holder, d].add(str(act))
                kept[holder, d] += [
                    r for r in by_activity[str(act)] if not r.data or d in covers[r.data]
                ]
    names = {a: label(graph, URIRef(a)) for acts in acts_of.values() for a in acts}
    bases_of = {a: labels(graph, iris(graph, URIRef(a), DPV.hasLegalBasis)) for a in names}
    cells = {}
    for (holder, d), acts in acts_of.items():
        bases = sorted({b for a in acts for b in bases_of[a]}, key=str.casefold)
        rules = kept[holder, d]
        cells[holder, d] = Holding(
            holder=holder,
            data=d,
            activities=tuple(sorted(((a, names[a]) for a in acts), key=lambda x: x[1].casefold())),
            bases=tuple(bases),
            basis=bases[0] if len(bases) == 1 else SEVERAL_BASES if bases else NO_BASIS,
            retention=_worst({r.kind for r in rules}),
            periods=tuple(sorted({r.period for r in rules}, key=str.casefold)),
        )
    holders = _unit_rows(graph, {h for h, role in rows.items() if role == "unit"})
    for role in ("processor", "recipient"):
        others = [h for h, r in rows.items() if r == role]
        holders += sorted(
            (Holder(h, label(graph, URIRef(h)), role) for h in others),
            key=lambda x: (x.label.casefold(), x.iri),
        )
    columns = {d for _, d in cells}
    return Holdings(
        holders=tuple(holders),
        data=tuple(
            sorted(
                ((d, label(graph, URIRef(d))) for d in columns),
                key=lambda x: (x[1].casefold(), x[0]),
            )
        ),
        cells=dict(sorted(cells.items())),
    )
