"""Which key of the records fixes a finding: the properties a rule's finding is about.

A finding points at the line of the key that fixes it (``retention:``, ``processors:``,
``legal_bases:``), or at the entry's ``id:`` line when that key is missing (see
:meth:`checker.check.context.SourceIndex.where`). A rule says which key through the
property its finding is about: the ``path`` of the finding where it has one (a property
shape with a plain predicate path, or a Python rule that names it), and otherwise the
properties below, one entry per shape whose results carry no plain path (a node shape, or
a property shape with a complex path).

Each entry is a list of property paths from the finding's focus node, tried in turn; the
first that reaches a key of the records wins. A path walks into the parts of the same
entry (a retention rule's duration node), so ``(dpv:hasDuration, ropa:delegatedTo)``
points at ``delegated_to:`` where it is written, else at ``rule:``.
"""

from __future__ import annotations

from rdflib import URIRef

from checker.vocab.namespaces import DPV, ROPA

Path = tuple[URIRef, ...]

_LAWS: tuple[Path, ...] = ((DPV.hasApplicableLaw,),)
_BASES: tuple[Path, ...] = ((DPV.hasLegalBasis,),)
_MEASURES: tuple[Path, ...] = ((DPV.hasTechnicalOrganisationalMeasure,),)
_RIGHTS: tuple[Path, ...] = ((DPV.hasRight,),)
_RULE: tuple[Path, ...] = ((DPV.hasDuration,),)  # a retention entry's rule: key

#: For each rule whose findings have no plain path: the keys that fix it, as property paths.
FIXES: dict[str, tuple[Path, ...]] = {
    **dict.fromkeys(
        (
            "ART10-CRIMINAL",
            "ART23-RESTRICTION-LAW",
            "ART6-3-PROVISION",
            "FI-DPA-29-IDENTITY-CODE",
            "TRANSFER-PUBLIC-INTEREST-LAW",
        ),
        _LAWS,
    ),
    **dict.fromkeys(
        (
            "ART6-1-F-PUBLIC-AUTHORITY",
            "ART6-CONSENT-AND-OBLIGATION",
            "ART6-CONSENT-PUBLIC-AUTHORITY",
            "ART9-2-CONDITION",
            "TRANSFER-DEROGATION-PUBLIC-AUTHORITY",
            "TRANSFER-THIRD-COUNTRY",
        ),
        _BASES,
    ),
    **dict.fromkeys(
        (
            "ART28-2-SUBPROCESSOR",
            "ART28-3-CONTRACT",
            "ART32-TECHNICAL-MEASURES",
            "ART6-COOKIE-CONSENT",
        ),
        _MEASURES,
    ),
    **dict.fromkeys(("NOTICE-COMPLAINT", "NOTICE-RIGHTS"), _RIGHTS),
    **dict.fromkeys(("RETENTION-DELEGATED", "RETENTION-UNSPECIFIED"), _RULE),
    "ART2-LAW-ENFORCEMENT": ((DPV.hasPersonalData,),),
    # The joint controllers' node is part of the activity: its joint_controllers key.
    "ART26-ARRANGEMENT": ((DPV.hasLegalMeasure,),),
    "ART27-REPRESENTATIVE": ((DPV.hasRepresentative,), (DPV.hasLocation,)),
    "ART27-REPRESENTATIVE-CONTACT": ((DPV.hasContact,),),
    "ART30-2-A-PROCESSOR": ((DPV.hasDataProcessor,),),
    "ART22-AUTOMATED-DECISION": _BASES + _LAWS,
    "ART22-SAFEGUARDS": _RIGHTS + _MEASURES,
    "ART30-1-F-RETENTION": ((DPV.hasStorageCondition,),),
    "ART37-DPO": ((DPV.hasDataProtectionOfficer,),),
    "ART37-DPO-CONTACT": ((DPV.hasContact,),),
    "ART6-3-LAW": _LAWS + _BASES,
    # The focus is the term that is not described: the key that names it (the default).
    "REF-DANGLING": (),
    "RETENTION-DELEGATED-TO": ((DPV.hasDuration, ROPA.delegatedTo),),
    "RETENTION-INDEFINITE": (*_LAWS, (DPV.hasJustification,)),
    "TRANSFER-COUNTRY-UNNAMED": ((DPV.hasThirdCountry,),),
    "TRANSFER-LOCATION-UNKNOWN": ((DPV.hasLocation,),),
}


def fix_paths(rule: str, path: URIRef | None) -> tuple[Path, ...]:
    """The property paths whose keys fix a finding of ``rule`` about ``path``."""
    if path is not None:
        return ((path,),)
    return FIXES.get(rule, ())
