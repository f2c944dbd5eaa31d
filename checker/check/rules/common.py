"""What the rules written in Python ask of the records, answered as the shapes answer it.

- A public authority or body is read from the entity's DPV type, never from its name:
  ``dpv:GovernmentalOrganisation`` (and ``dpv:Authority`` below it) or
  ``dpv:PublicSectorBody`` (``rs:IsPublicAuthority`` in ``shapes/common.ttl``).
- A law that can lay down an obligation, a task or an authorisation is any cited law but
  the GDPR and the general data protection acts (Finland: 1050/2018, by number or Finlex
  ELI); a provision is such a law entry with a section (``ropa:statuteSection``),
  ``rs:IsSpecificProvision`` in SHACL.
- Internal: the controller itself, a unit of it (``org:subOrganizationOf*``), or a system
  one of them provides (``ropa:providedBy``).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from checker.vocab.concepts import is_a, is_instance_of
from checker.vocab.namespaces import DPV, LEGAL_EU, ORG, ROPA

#: The GDPR and the general data protection acts, by IRI.
GENERAL_LAWS = frozenset({LEGAL_EU["law-GDPR"], URIRef("https://data.finlex.fi/eli/sd/2018/1050")})
#: ... and by statute number.
GENERAL_NUMBERS = frozenset({"(EU) 2016/679", "EU 2016/679", "2016/679", "1050/2018"})

PUBLIC_AUTHORITY_CLASSES = (DPV.GovernmentalOrganisation, DPV.PublicSectorBody)

#: Where a measure of an activity is recorded: DPV's property and its sub-properties (no
#: inference at check time, so all are read).
MEASURE_PROPERTIES = (
    DPV.hasTechnicalOrganisationalMeasure,
    DPV.hasOrganisationalMeasure,
    DPV.hasLegalMeasure,
)


def has_measure(graph: Graph, activity: Node, concept: URIRef) -> bool:
    """Whether a measure of ``activity`` is ``concept`` (``checker.vocab.concepts.is_a``)."""
    return any(
        is_a(graph, measure, concept)
        for prop in MEASURE_PROPERTIES
        for measure in graph.objects(activity, prop)
    )


def is_public_authority(graph: Graph, entity: Node) -> bool:
    """Whether ``entity`` is typed a public authority or body (``sh:class`` semantics)."""
    return any(is_instance_of(graph, entity, cls) for cls in PUBLIC_AUTHORITY_CLASSES)


def controllers(graph: Graph, activity: Node) -> set[Node]:
    return set(graph.objects(activity, DPV.hasDataController))


def cited_laws(graph: Graph, node: Node) -> set[Node]:
    """The laws ``node`` cites itself or through its legal bases."""
    laws = set(graph.objects(node, DPV.hasApplicableLaw))
    for basis in graph.objects(node, DPV.hasLegalBasis):
        laws |= set(graph.objects(basis, DPV.hasApplicableLaw))
    return laws


def is_general_law(graph: Graph, law: Node) -> bool:
    """The GDPR or a general data protection act, which lay down no task of their own."""
    numbers = {str(n) for n in graph.objects(law, ROPA.statuteNumber) if isinstance(n, Literal)}
    return law in GENERAL_LAWS or bool(numbers & GENERAL_NUMBERS)


def cites_specific_provision(graph: Graph, node: Node) -> bool:
    """Whether ``node`` cites a section of a law other than the general ones."""
    return any(
        not is_general_law(graph, law) and (law, ROPA.statuteSection, None) in graph
        for law in cited_laws(graph, node)
    )


def is_internal(graph: Graph, entity: Node, owners: Iterable[Node]) -> bool:
    """``entity`` is one of ``owners``, a unit of one, or a system one of those provides."""
    owners = set(owners)
    units = {entity} | set(graph.transitive_objects(entity, ORG.subOrganizationOf))
    if units & owners:
        return True
    return any(
        provider != entity and is_internal(graph, provider, owners)
        for provider in graph.objects(entity, ROPA.providedBy)
    )
