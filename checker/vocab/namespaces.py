"""The namespaces of the graph: one table of prefixes, and closed namespaces in Python.

Every module names terms through the namespaces here, never through ``Namespace("...")`` of
its own. They are rdflib ``ClosedNamespace``s that list the terms the code uses, so a
misspelt term (``DPV.hasPurpse``) raises ``AttributeError`` where it is used instead of
quietly minting a wrong IRI. ``tests/test_vocab.py`` checks that every term
listed here is defined by the shipped vocabulary (``ontology/``), and that :data:`ROPA`
lists exactly the terms of ``ontology/ropa.ttl``.

>>> str(DPV.hasPurpose)
'https://w3id.org/dpv#hasPurpose'
>>> DPV.hasPurpse  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
AttributeError: term 'hasPurpse' not in namespace 'https://w3id.org/dpv#'
>>> compact("https://w3id.org/dpv/pd#IPAddress")
'pd:IPAddress'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SH, SKOS, XSD, ClosedNamespace

__all__ = [
    "DCTERMS",
    "DPV",
    "EU_GDPR",
    "FOAF",
    "LEGAL_EU",
    "LOC",
    "OA",
    "ORG",
    "OWL",
    "PD",
    "PREFIXES",
    "PROV",
    "QUERY_PREFIXES",
    "RDF",
    "RDFS",
    "RECORD_PREFIXES",
    "ROPA",
    "SCHEMA",
    "SH",
    "SKOS",
    "XSD",
    "compact",
    "expand_curie",
    "local_id",
]

#: The graph's prefixes, in the order ``ropa build`` binds them.
PREFIXES: dict[str, str] = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "legal-eu": "https://w3id.org/dpv/legal/eu#",
    "loc": "https://w3id.org/dpv/loc#",
    "tech": "https://w3id.org/dpv/tech#",
    "ropa": "https://w3id.org/ropa-kg/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "dct": "http://purl.org/dc/terms/",
}

#: The prefixes a records file may use for vocabulary terms (``pd:EmailAddress``).
RECORD_PREFIXES: dict[str, str] = {
    p: PREFIXES[p] for p in ("dpv", "pd", "eu-gdpr", "legal-eu", "loc", "tech", "ropa")
}

#: Prefixes every SPARQL query may use without declaring them: RDF basics, then the graph's.
QUERY_PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    **PREFIXES,
}


def _closed(prefix: str, terms: str) -> ClosedNamespace:
    """A namespace of the graph that knows only ``terms`` (whitespace-separated)."""
    return ClosedNamespace(PREFIXES[prefix], terms.split())


#: W3C DPV 2.3 core terms the code uses (https://w3id.org/dpv).
DPV = _closed(
    "dpv",
    """
    AccessControlMethod AnonymisedData Authority AutomatedDecisionMaking Consent
    ConsentManagement Contract ControllerProcessorAgreement Country CustomerCare
    DataController DataProcessingAgreement DataProcessor DataProtectionAuthority
    DataProtectionOfficer DataSubject DataSubjectDataSource DataTransferLegalBasis
    DirectMarketing EndlessDuration Entity GovernmentalOrganisation HumanResourceManagement HumanSubject
    IndeterminateDuration Jurisdiction Law LegalBasis LegalEntity LegalObligation LegitimateInterest
    Marketing Necessity OfficialAuthorityOfController Optional Organisation
    OrganisationalUnit PersonalData Process PublicInterest PublicSectorBody Purpose ROPA
    Recipient Representative Required ServiceOptimisation SpecialCategoryPersonalData
    StorageDuration SupraNationalUnion TechnicalOrganisationalMeasure TemporalDuration
    ThirdCountry UntilEventDuration UntilTimeDuration VitalInterest hasAddress
    hasApplicableLaw hasAuthority hasContact hasCountry hasDataController hasDataImporter
    hasDataProcessor hasDataProtectionOfficer hasDataSource hasDataSubject hasDuration
    hasJointDataControllers hasJurisdiction hasJustification hasLegalBasis hasLegalMeasure
    hasLocation hasName hasNecessity hasOrganisationalMeasure hasOrganisationalUnit
    hasPersonalData hasPurpose hasRecipient hasRecipientDataController
    hasRecipientThirdParty hasRepresentative hasReuseCompatibility hasRight
    hasStorageCondition hasTechnicalOrganisationalMeasure hasThirdCountry
    isImplementedUsingTechnology ActivityCompleted ActivityOngoing ActivityProposed DPIA
    JointDataControllers JointDataControllersAgreement hasActivityStatus hasEntity
    hasImpactAssessment hasProcessing hasResponsibleEntity hasStatus EvaluationScoring
    Profiling SystematicMonitoring LargeScaleProcessing LargeScaleOfDataSubjects
    HugeScaleOfDataSubjects LargeDataVolume HugeDataVolume Match Combine VulnerableHuman
    Employee Patient AsylumSeeker ElderlyDataSubject InnovativeUseOfTechnology hasScale
    hasDataSubjectScale hasDataVolume hasContext
    """,
)


#: W3C DPV 2.3 personal data categories the code uses (https://w3id.org/dpv/pd).
PD = _closed(
    "pd",
    """
    Biometric Criminal EmailAddress Genetic IPAddress Location Name OfficialID TelephoneNumber
    """,
)


#: W3C DPV 2.3 GDPR terms the code uses (https://w3id.org/dpv/legal/eu/gdpr).
EU_GDPR = _closed(
    "eu-gdpr",
    """
    A15 A16 A17 A18 A20 A21 A77 DataProtectionAuthority DataTransferTool
    PurposeCompatibilityAssessment DPIANotRequired A6-1-a A6-1-b A6-1-c A6-1-d A6-1-e
    A6-1-f legal-basis-data-transfer-classes legal-basis-special-classes
    """,
)


#: W3C DPV 2.3 EU legal terms the code uses (https://w3id.org/dpv/legal/eu).
LEGAL_EU = _closed(
    "legal-eu",
    """
    law-GDPR
    """,
)


#: W3C DPV 2.3 locations the code names (https://w3id.org/dpv/loc).
LOC = _closed(
    "loc",
    """
    EEA EEA30 EEA31 EU EU28 FI
    """,
)


#: ropa-kg's own extension (``ontology/ropa.ttl``), where DPV has a gap: every term.
ROPA = _closed(
    "ropa",
    """
    CellSelector ContractEntryRequirement ContractualRequirement CurrentYearPlus DataFlow
    DataGroup DelegatedRetention Event FinnishPersonalIdentityCode InformationSystem
    NotStored Passage RegisterDescription RetentionRule Section StatutoryRequirement
    afterRetention ambiguity article column concernsDataSubject condition consequences
    countedFrom coversData delegatedTo documentLine hasDataGroup heading inSection includes
    isExclusive isMaximum isSpecialCategory isUnmapped item order partOfActivity
    permittedEntity providedBy receiver recordFile recordKeyLines recordLine row sender sheet statuteNumber
    statuteSection unreviewedTranslation untilEvent lastReviewed reviewInterval
    ProcessorRecord ProcessorActivity
    """,
)


#: W3C PROV-O terms the code uses.
PROV = _closed(
    "prov",
    """
    wasDerivedFrom
    """,
)


#: W3C Web Annotation terms the code uses (passages and their selectors).
OA = _closed(
    "oa",
    """
    SpecificResource TextPositionSelector TextQuoteSelector end exact hasSelector hasSource
    start
    """,
)


#: W3C Organization Ontology terms the code uses.
ORG = _closed(
    "org",
    """
    subOrganizationOf
    """,
)


#: schema.org terms the code uses (contact details).
SCHEMA = _closed(
    "schema",
    """
    address email name telephone
    """,
)


def expand_curie(value: str, prefixes: Mapping[str, str] = RECORD_PREFIXES) -> str | None:
    """Expand a CURIE with a known prefix; None for anything else (an entry's id).

    >>> expand_curie("pd:EmailAddress")
    'https://w3id.org/dpv/pd#EmailAddress'
    >>> expand_curie("chat-ip") is None, expand_curie("x:y") is None
    (True, True)
    """
    prefix, sep, local = value.partition(":")
    if not sep or prefix not in prefixes:
        return None
    return prefixes[prefix] + local


#: A local name that a CURIE may carry (SPARQL's PN_LOCAL, the common subset).
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")


def compact(iri: str, prefixes: Mapping[str, str] = QUERY_PREFIXES) -> str:
    """An IRI as a CURIE where a prefix fits (the longest namespace wins), else ``<IRI>``.

    >>> compact("https://example.org/x y")
    '<https://example.org/x y>'
    """
    for prefix, space in sorted(prefixes.items(), key=lambda p: -len(p[1])):
        local = iri[len(space) :]
        if space and iri.startswith(space) and _LOCAL_NAME.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def local_id(iri: str) -> str:
    """The last segment of an IRI: the entry's id in the records (the IRI if there is none).

    >>> local_id("https://w3id.org/ropa-kg/registers/x/chat-ip"), local_id("https://w3id.org/dpv#Process")
    ('chat-ip', 'Process')
    """
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri
