"""The diff as values: what changed per activity and entry, the risks, the findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from checker.check.findings import Finding
from checker.vocab.namespaces import DCTERMS, DPV, OA, ORG, PROV, RDF, RDFS, ROPA

Triple = tuple[Node, Node, Node]


FORMATS = ("text", "json", "markdown")

#: Statements of the build's bookkeeping: where an entry or a quote was written.
IGNORED_PREDICATES = frozenset(
    {
        ROPA.recordFile,
        ROPA.recordLine,
        ROPA.recordKeyLines,
        ROPA.documentLine,
        ROPA.item,
        OA.start,
        OA.end,
    }
)

#: Types whose label the build always derives from other statements.
DERIVED_LABEL_TYPES = frozenset(
    {
        ROPA.Passage,
        ROPA.Section,
        ROPA.RegisterDescription,
        OA.TextQuoteSelector,
        OA.TextPositionSelector,
    }
)

#: The aspects of an activity, in report order: key -> (property, words for people).
ASPECTS: dict[str, tuple[URIRef | None, str]] = {
    "name": (RDFS.label, "name"),
    "description": (DCTERMS.description, "description"),
    "units": (DPV.hasOrganisationalUnit, "units"),
    "purposes": (DPV.hasPurpose, "purposes"),
    "data_subjects": (DPV.hasDataSubject, "data subjects"),
    "personal_data": (DPV.hasPersonalData, "personal data"),
    "data_groups": (ROPA.hasDataGroup, "data groups"),
    "sources": (DPV.hasDataSource, "sources"),
    "recipients": (DPV.hasRecipient, "recipients"),
    "processors": (DPV.hasDataProcessor, "processors"),
    "controller": (DPV.hasDataController, "controller"),
    "systems": (DPV.isImplementedUsingTechnology, "systems"),
    "legal_bases": (DPV.hasLegalBasis, "legal bases"),
    "laws": (DPV.hasApplicableLaw, "laws"),
    "measures": (DPV.hasTechnicalOrganisationalMeasure, "measures"),
    "retention": (DPV.hasStorageCondition, "retention"),
    "flows": (ROPA.partOfActivity, "flows"),
    "derived_from": (PROV.wasDerivedFrom, "derived from"),
    "other": (None, "other statements"),
}
_ASPECT_ORDER = {key: i for i, key in enumerate(ASPECTS)}
#: Aspects compared as sets of values (added / removed).
SET_ASPECTS = (
    "units",
    "purposes",
    "data_subjects",
    "personal_data",
    "data_groups",
    "sources",
    "recipients",
    "processors",
    "controller",
    "systems",
    "legal_bases",
    "laws",
    "measures",
    "derived_from",
)
COVERED = frozenset(p for p, _ in ASPECTS.values() if p is not None)

#: Words for properties the vocabulary does not label.
PROPERTY_WORDS = {
    RDF.type: "type",
    RDF.value: "duration",
    RDFS.label: "name",
    DCTERMS.title: "title",
    DCTERMS.description: "description",
    DCTERMS.hasPart: "has part",
    DCTERMS.source: "source document",
    DCTERMS.language: "language",
    PROV.wasDerivedFrom: "derived from",
    OA.exact: "quote",
    OA.hasSelector: "selector",
    OA.hasSource: "source",
    ORG.subOrganizationOf: "part of",
}

#: Kinds of risk-raising change, in report order, with their titles.
RISK_TITLES = {
    "special-category": "New special-category data (GDPR Art. 9)",
    "external-processor": "New external processor (GDPR Art. 28)",
    "new-country": "New country (GDPR Chapter V)",
    "safeguard-removed": "Transfer safeguard removed (GDPR Chapter V)",
    "flow-out": "New flow out of the controller",
    "legal-basis-removed": "Legal basis removed (GDPR Art. 6)",
    "longer-retention": "Retention made longer (GDPR Art. 5(1)(e))",
    "retention-removed": "Retention removed (GDPR Art. 5(1)(e), Art. 30(1)(f))",
    "dpia-withdrawn": "DPIA withdrawn (GDPR Art. 35)",
    "review-lapsed": "Review cycle dropped or lengthened (GDPR Art. 5(2), Art. 24(1))",
}
_RISK_ORDER = {kind: i for i, kind in enumerate(RISK_TITLES)}

#: Verdicts of a retention comparison that make the data live longer.
LONGER = frozenset({"longer", "indefinite"})


# --- The diff model ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change to one aspect of a processing activity.

    Attributes:
        aspect: a key of :data:`ASPECTS` (``purposes``, ``retention``, ``flows``, ...).
        action: ``added``, ``removed``, ``changed``, ``renamed``; for retention also
            ``longer``, ``shorter`` or ``indefinite`` (it became indefinite).
        value: IRI of the value added or removed (a purpose, a processor, a retention rule,
            a flow), if the change has one.
        label: its label.
        old: the value before, in words (changes, renames and retention).
        new: the value after, in words.
        property: IRI of the property concerned.
    """

    aspect: str
    action: str
    value: str | None = None
    label: str = ""
    old: str | None = None
    new: str | None = None
    property: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (
            _ASPECT_ORDER[self.aspect],
            self.action,
            self.label,
            self.value or "",
            self.old or "",
            self.new or "",
        )


@dataclass(frozen=True)
class ActivityDiff:
    """What changed in one processing activity.

    Attributes:
        iri: the activity's IRI (the same in both versions: activities match by IRI).
        label: its label in the new version (the old one if it was removed).
        status: ``added``, ``removed`` or ``changed``.
        changes: the changes, in :data:`ASPECTS` order; for an added activity, everything
            it holds; for a removed one, nothing.
        old_label: its label in the old version, when it was renamed.
    """

    iri: str
    label: str
    status: str
    changes: tuple[Change, ...] = ()
    old_label: str | None = None


@dataclass(frozen=True)
class Risk:
    """A change that raises the risk to the data subjects, to be reviewed first.

    Attributes:
        kind: a key of :data:`RISK_TITLES`.
        activity: IRI of the activity concerned ("" for a flow that belongs to none).
        activity_label: its label.
        value: IRI of what is new (the data category, processor, country, flow, rule).
        label: its label.
        detail: one sentence for the reviewer.
    """

    kind: str
    activity: str
    activity_label: str
    value: str
    label: str
    detail: str

    def sort_key(self) -> tuple[Any, ...]:
        return (_RISK_ORDER[self.kind], self.activity_label, self.activity, self.label, self.value)


@dataclass(frozen=True)
class Detail:
    """Values of one property of an entry that were added or removed."""

    property: str
    label: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryChange:
    """A change to an entry other than an activity: a party, a purpose, a retention rule,
    a passage, or a flow whose change the activity's report does not show.

    Attributes:
        iri: the entry's IRI.
        label: its label.
        kind: the label of its type (Organisation, Purpose, Passage, ...).
        status: ``added``, ``removed`` or ``changed``.
        details: for a changed entry, what changed, property by property.
    """

    iri: str
    label: str
    kind: str
    status: str
    details: tuple[Detail, ...] = ()


@dataclass(frozen=True)
class Diff:
    """The difference between two versions of a ROPA.

    Attributes:
        old: name of the old version (a path or a git revision), for the report.
        new: name of the new version.
        risks: risk-raising changes, to be reviewed first.
        activities: activities added, removed or changed, by label.
        flows: changes to flows that belong to no activity.
        entries: other entries added, removed or changed.
        introduced: findings of the new version that the old one did not have.
        resolved: findings of the old version that the new one no longer has.
    """

    old: str
    new: str
    risks: tuple[Risk, ...] = ()
    activities: tuple[ActivityDiff, ...] = ()
    flows: tuple[Change, ...] = ()
    entries: tuple[EntryChange, ...] = ()
    introduced: tuple[Finding, ...] = ()
    resolved: tuple[Finding, ...] = ()

    @property
    def equivalent(self) -> bool:
        """True when the versions state the same facts (reordering is no change)."""
        return not (self.activities or self.flows or self.entries)

    def summary(self) -> dict[str, int]:
        """Counts for a one-line verdict."""
        status = [a.status for a in self.activities]
        return {
            "activities_added": status.count("added"),
            "activities_removed": status.count("removed"),
            "activities_changed": status.count("changed"),
            "activities_renamed": sum(1 for a in self.activities if a.old_label is not None),
            "risks": len(self.risks),
            "flows_changed": len(self.flows),
            "entries_changed": len(self.entries),
            "findings_introduced": len(self.introduced),
            "findings_resolved": len(self.resolved),
        }

    def to_dict(self) -> dict[str, Any]:
        """A plain dictionary for JSON: the model as it is, findings as in ``ropa check``."""
        return {
            "old": self.old,
            "new": self.new,
            "equivalent": self.equivalent,
            "summary": self.summary(),
            "risks": [asdict(r) for r in self.risks],
            "activities": [asdict(a) for a in self.activities],
            "flows": [asdict(c) for c in self.flows],
            "entries": [asdict(e) for e in self.entries],
            "findings": {
                "introduced": [f.to_dict() for f in self.introduced],
                "resolved": [f.to_dict() for f in self.resolved],
            },
        }
