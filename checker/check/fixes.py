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

#: For each rule whose findings have no plain path: the keys that fix it, as property paths.
FIXES: dict[str, tuple[Path, ...]] = {
    "ART10-CRIMINAL": ((DPV.hasApplicableLaw,),),
    "ART2-LAW-ENFORCEMENT": ((DPV.hasPersonalData,),),
    "ART22-AUTOMATED-DECISION": ((DPV.hasLegalBasis,), (DPV.hasApplicableLaw,)),
    "ART22-SAFEGUARDS": ((DPV.hasRight,), (DPV.hasTechnicalOrganisationalMeasure,)),
    "ART23-RESTRICTION-LAW": ((DPV.hasApplicableLaw,),),
    "ART28-2-SUBPROCESSOR": ((DPV.hasTechnicalOrganisationalMeasure,),),
    "ART28-3-CONTRACT": ((DPV.hasTechnicalOrganisationalMeasure,),),
    "ART30-1-F-RETENTION": ((DPV.hasStorageCondition,),),
    "ART32-TECHNICAL-MEASURES": ((DPV.hasTechnicalOrganisationalMeasure,),),
    "ART37-DPO": ((DPV.hasDataProtectionOfficer,),),
    "ART37-DPO-CONTACT": ((DPV.hasContact,),),
    "ART6-1-F-PUBLIC-AUTHORITY": ((DPV.hasLegalBasis,),),
    "ART6-3-LAW": ((DPV.hasApplicableLaw,), (DPV.hasLegalBasis,)),
    "ART6-3-PROVISION": ((DPV.hasApplicableLaw,),),
    "ART6-CONSENT-AND-OBLIGATION": ((DPV.hasLegalBasis,),),
    "ART6-CONSENT-PUBLIC-AUTHORITY": ((DPV.hasLegalBasis,),),
    "ART6-COOKIE-CONSENT": ((DPV.hasTechnicalOrganisationalMeasure,),),
    "ART9-2-CONDITION": ((DPV.hasLegalBasis,),),
    "FI-DPA-29-IDENTITY-CODE": ((DPV.hasApplicableLaw,),),
    "NOTICE-COMPLAINT": ((DPV.hasRight,),),
    "NOTICE-RIGHTS": ((DPV.hasRight,),),
    # The focus is the term that is not described: the key that names it (the default).
    "REF-DANGLING": (),
    "RETENTION-DELEGATED": ((DPV.hasDuration,),),
    "RETENTION-DELEGATED-TO": ((DPV.hasDuration, ROPA.delegatedTo),),
    "RETENTION-INDEFINITE": ((DPV.hasApplicableLaw,), (DPV.hasJustification,)),
    "RETENTION-UNSPECIFIED": ((DPV.hasDuration,),),
    "TRANSFER-COUNTRY-UNNAMED": ((DPV.hasThirdCountry,),),
    "TRANSFER-DEROGATION-PUBLIC-AUTHORITY": ((DPV.hasLegalBasis,),),
    "TRANSFER-LOCATION-UNKNOWN": ((DPV.hasLocation,),),
    "TRANSFER-PUBLIC-INTEREST-LAW": ((DPV.hasApplicableLaw,),),
    "TRANSFER-THIRD-COUNTRY": ((DPV.hasLegalBasis,),),
}


def fix_paths(rule: str, path: URIRef | None) -> tuple[Path, ...]:
    """The property paths whose keys fix a finding of ``rule`` about ``path``."""
    if path is not None:
        return ((path,),)
    return FIXES.get(rule, ())
