"""The namespaces of the graph: one table of prefixes, and closed namespaces in Python.

Every module names terms through the classes here, never through ``Namespace("...")`` of its
own. The classes are rdflib ``DefinedNamespace``s with ``_fail = True``: they list the terms
the code uses, so a misspelt term (``DPV.hasPurpse``) raises ``AttributeError`` where it is
used instead of quietly minting a wrong IRI. ``tests/test_vocab.py`` checks that every term
listed here is defined by the shipped vocabulary (``ontology/``), and that :class:`ROPA`
lists exactly the terms of ``ontology/ropa.ttl``.

>>> str(DPV.hasPurpose)
'https://w3id.org/dpv#hasPurpose'
>>> DPV.hasPurpse
Traceback (most recent call last):
...
AttributeError: term 'hasPurpse' not in namespace 'https://w3id.org/dpv#'
>>> compact("https://w3id.org/dpv/pd#IPAddress")
'pd:IPAddress'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    OWL,
    RDF,
    RDFS,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
    Namespace,
)

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


class DPV(DefinedNamespace):
    """W3C DPV 2.3 core terms the code uses (https://w3id.org/dpv)."""

    _fail = True
    _NS = Namespace(PREFIXES["dpv"])

    AccessControlMethod: URIRef
    AnonymisedData: URIRef
    Authority: URIRef
    AutomatedDecisionMaking: URIRef
    Consent: URIRef
    Country: URIRef
    CustomerCare: URIRef
    DataController: URIRef
    DataProcessor: URIRef
    DataProtectionOfficer: URIRef
    DataSubject: URIRef
    DataTransferLegalBasis: URIRef
    DirectMarketing: URIRef
    EndlessDuration: URIRef
    Entity: URIRef
    GovernmentalOrganisation: URIRef
    HumanResourceManagement: URIRef
    IndeterminateDuration: URIRef
    Jurisdiction: URIRef
    Law: URIRef
    LegalBasis: URIRef
    LegalObligation: URIRef
    LegitimateInterest: URIRef
    Marketing: URIRef
    Necessity: URIRef
    OfficialAuthorityOfController: URIRef
    Organisation: URIRef
    OrganisationalUnit: URIRef
    PersonalData: URIRef
    Process: URIRef
    PublicInterest: URIRef
    PublicSectorBody: URIRef
    Purpose: URIRef
    ROPA: URIRef
    Recipient: URIRef
    ServiceOptimisation: URIRef
    SpecialCategoryPersonalData: URIRef
    StorageDuration: URIRef
    SupraNationalUnion: URIRef
    TechnicalOrganisationalMeasure: URIRef
    TemporalDuration: URIRef
    ThirdCountry: URIRef
    UntilEventDuration: URIRef
    UntilTimeDuration: URIRef
    hasAddress: URIRef
    hasApplicableLaw: URIRef
    hasContact: URIRef
    hasCountry: URIRef
    hasDataController: URIRef
    hasDataImporter: URIRef
    hasDataProcessor: URIRef
    hasDataProtectionOfficer: URIRef
    hasDataSource: URIRef
    hasDataSubject: URIRef
    hasDuration: URIRef
    hasJointDataControllers: URIRef
    hasJurisdiction: URIRef
    hasLegalBasis: URIRef
    hasLegalMeasure: URIRef
    hasLocation: URIRef
    hasName: URIRef
    hasOrganisationalMeasure: URIRef
    hasOrganisationalUnit: URIRef
    hasPersonalData: URIRef
    hasPurpose: URIRef
    hasRecipient: URIRef
    hasRecipientDataController: URIRef
    hasRecipientThirdParty: URIRef
    hasRepresentative: URIRef
    hasReuseCompatibility: URIRef
    hasRight: URIRef
    hasStorageCondition: URIRef
    hasTechnicalOrganisationalMeasure: URIRef
    hasThirdCountry: URIRef
    isImplementedUsingTechnology: URIRef


class PD(DefinedNamespace):
    """W3C DPV 2.3 personal data categories the code uses (https://w3id.org/dpv/pd)."""

    _fail = True
    _NS = Namespace(PREFIXES["pd"])

    EmailAddress: URIRef
    IPAddress: URIRef
    Name: URIRef
    OfficialID: URIRef
    TelephoneNumber: URIRef


class EU_GDPR(DefinedNamespace):
    """W3C DPV 2.3 GDPR terms the code uses (https://w3id.org/dpv/legal/eu/gdpr)."""

    _fail = True
    _NS = Namespace(PREFIXES["eu-gdpr"])

    A15: URIRef
    A16: URIRef
    A17: URIRef
    A18: URIRef
    A20: URIRef
    A21: URIRef
    A77: URIRef
    DataTransferTool: URIRef
    DataProtectionAuthority: URIRef
    PurposeCompatibilityAssessment: URIRef
    _extras = [  # noqa: RUF012 (rdflib's own way to list names that are not identifiers)
        "A6-1-a",
        "A6-1-b",
        "A6-1-c",
        "A6-1-d",
        "A6-1-e",
        "A6-1-f",
        "legal-basis-data-transfer-classes",
        "legal-basis-special-classes",
    ]


class LEGAL_EU(DefinedNamespace):
    """W3C DPV 2.3 EU legal terms the code uses (https://w3id.org/dpv/legal/eu)."""

    _fail = True
    _NS = Namespace(PREFIXES["legal-eu"])

    _extras = ["law-GDPR"]  # noqa: RUF012


class LOC(DefinedNamespace):
    """W3C DPV 2.3 locations the code names (https://w3id.org/dpv/loc)."""

    _fail = True
    _NS = Namespace(PREFIXES["loc"])

    EEA: URIRef
    EEA30: URIRef
    EEA31: URIRef
    EU: URIRef
    EU28: URIRef
    FI: URIRef


class ROPA(DefinedNamespace):
    """ropa-kg's own extension (``ontology/ropa.ttl``), where DPV has a gap: every term."""

    _fail = True
    _NS = Namespace(PREFIXES["ropa"])

    CurrentYearPlus: URIRef
    DataFlow: URIRef
    DataGroup: URIRef
    DelegatedRetention: URIRef
    Event: URIRef
    FinnishPersonalIdentityCode: URIRef
    InformationSystem: URIRef
    NotStored: URIRef
    Passage: URIRef
    RegisterDescription: URIRef
    RetentionRule: URIRef
    Section: URIRef
    afterRetention: URIRef
    ambiguity: URIRef
    article: URIRef
    concernsDataSubject: URIRef
    condition: URIRef
    countedFrom: URIRef
    coversData: URIRef
    delegatedTo: URIRef
    documentLine: URIRef
    hasDataGroup: URIRef
    heading: URIRef
    inSection: URIRef
    includes: URIRef
    isExclusive: URIRef
    isMaximum: URIRef
    isSpecialCategory: URIRef
    item: URIRef
    order: URIRef
    partOfActivity: URIRef
    permittedEntity: URIRef
    providedBy: URIRef
    receiver: URIRef
    recordFile: URIRef
    recordLine: URIRef
    sender: URIRef
    statuteNumber: URIRef
    statuteSection: URIRef
    untilEvent: URIRef


class PROV(DefinedNamespace):
    """W3C PROV-O terms the code uses."""

    _fail = True
    _NS = Namespace(PREFIXES["prov"])

    wasDerivedFrom: URIRef


class OA(DefinedNamespace):
    """W3C Web Annotation terms the code uses (passages and their selectors)."""

    _fail = True
    _NS = Namespace(PREFIXES["oa"])

    SpecificResource: URIRef
    TextPositionSelector: URIRef
    TextQuoteSelector: URIRef
    end: URIRef
    exact: URIRef
    hasSelector: URIRef
    hasSource: URIRef
    start: URIRef


class ORG(DefinedNamespace):
    """W3C Organization Ontology terms the code uses."""

    _fail = True
    _NS = Namespace(PREFIXES["org"])

    subOrganizationOf: URIRef


class SCHEMA(DefinedNamespace):
    """schema.org terms the code uses (contact details)."""

    _fail = True
    _NS = Namespace(PREFIXES["schema"])

    email: URIRef
    name: URIRef
    telephone: URIRef


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
