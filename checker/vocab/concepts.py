"""What a term is: the concept questions every stage asks, answered once.

DPV says "is a" three ways, and data use all three: the concept itself as a value
(``eu-gdpr:A6-1-c``), a narrower concept (``ex:X skos:broader pd:Health``) and an instance
(``[ a dpv:LegalObligation ]``). So "``node`` is a ``concept``" means: ``concept`` is reached
from ``node`` along ``rdf:type?`` then ``skos:broader*``, the path the SHACL shapes use
(``shapes/common.ttl``). There is no inference at check time: the build merges the
vocabulary's hierarchy into the graph, so these functions and the shapes see the same
triples and give the same answers (``tests/test_places.py`` puts the same places through
the shapes, the rules, the notice and the diff).

Membership of the EU/EEA is a fact of law that DPV's location hierarchy does not give by
itself: ``loc:GB`` is still narrower than the historical groupings ``loc:EU28`` (the EU
before 2020) and ``loc:EEA31``, which are narrower than ``loc:EU`` and ``loc:EEA``.
:func:`inside_eu_eea` therefore asks for the current groupings (see its docstring), and the
shape ``rs:InsideEUEEA`` asks the same in SHACL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from checker.vocab.namespaces import DPV, LOC, RDF, RDFS, ROPA, SKOS

#: The EU/EEA as wholes: a location that is one of them is inside.
EU_EEA = frozenset({LOC.EU, LOC.EEA, LOC.EEA30})

#: Groupings that include a country that has left (the United Kingdom): never followed.
HISTORICAL_GROUPINGS = frozenset({LOC.EU28, LOC.EEA31})


def _closure(start: Node, step: Callable[[Node], Iterable[Node]]) -> set[Node]:
    """``start`` and every node reached from it by repeating ``step``."""
    seen: set[Node] = set()
    pending = [start]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        pending.extend(step(current))
    return seen


def broader(graph: Graph, node: Node) -> set[Node]:
    """``node`` and everything above it along ``skos:broader*``."""
    return _closure(node, lambda n: graph.objects(n, SKOS.broader))


def narrower(graph: Graph, node: Node) -> set[Node]:
    """``node`` and everything below it along ``skos:broader*`` (the inverse of :func:`broader`).

    >>> from checker.graph.build import build
    >>> from checker.vocab.namespaces import local_id
    >>> sorted(local_id(str(n)) for n in narrower(build(), ROPA.FinnishPersonalIdentityCode))
    ['FinnishPersonalIdentityCode', 'personal-identity-code']
    """
    return _closure(node, lambda n: graph.subjects(SKOS.broader, n))


def kinds(graph: Graph, node: Node) -> set[Node]:
    """Everything ``node`` is: itself, its types, and all above them (``rdf:type?/skos:broader*``)."""
    found = broader(graph, node)
    for kind in graph.objects(node, RDF.type):
        found |= broader(graph, kind)
    return found


def is_a(graph: Graph, node: Node, concept: URIRef) -> bool:
    """Whether ``node`` is ``concept``, narrower than it, or an instance of either.

    >>> from checker.graph.build import build
    >>> g = build()
    >>> from checker.vocab.namespaces import EU_GDPR
    >>> is_a(g, EU_GDPR["A6-1-c"], DPV.LegalBasis), is_a(g, LOC.FI, DPV.LegalBasis)
    (True, False)
    """
    return concept in kinds(graph, node)


class Kinds:
    """:func:`kinds` of one graph, worked out once per node: for a rule that asks "is a"
    of every value of every activity (at 100k triples the DPIA screening asked 48,000 times,
    21 s uncached, under 1 s cached).
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._kinds: dict[Node, frozenset[Node]] = {}

    def of(self, node: Node) -> frozenset[Node]:
        """Everything ``node`` is (:func:`kinds`)."""
        found = self._kinds.get(node)
        if found is None:
            found = self._kinds[node] = frozenset(kinds(self.graph, node))
        return found

    def is_a(self, node: Node, concept: URIRef) -> bool:
        """:func:`is_a`, from the cache."""
        return concept in self.of(node)

    def is_special_category(self, node: Node) -> bool:
        """:func:`is_special_category`, its hierarchy from the cache."""
        return self.is_a(node, DPV.SpecialCategoryPersonalData) or is_special_category(
            self.graph, node, hierarchy=False
        )


def is_instance_of(graph: Graph, node: Node, cls: URIRef) -> bool:
    """SHACL's ``sh:class``: an ``rdf:type`` of ``node`` is ``cls`` or ``rdfs:subClassOf*`` it."""
    pending = list(graph.objects(node, RDF.type))
    seen: set[Node] = set()
    while pending:
        current = pending.pop()
        if current == cls:
            return True
        if current in seen:
            continue
        seen.add(current)
        pending.extend(graph.objects(current, RDFS.subClassOf))
    return False


def is_special_category(graph: Graph, data: Node, hierarchy: bool = True) -> bool:
    """Special-category personal data (GDPR Art. 9(1)): DPV says so (``pd:Health`` is a
    ``dpv:SpecialCategoryPersonalData``; so is anything narrower), or the records flag it
    (``ropa:isSpecialCategory true``; records: ``special: true``). A ``false`` flag does not
    undo what DPV says: health data stay health data.
    """
    flagged = any(
        isinstance(v, Literal) and v.toPython() is True
        for v in graph.objects(data, ROPA.isSpecialCategory)
    )
    return flagged or (hierarchy and is_a(graph, data, DPV.SpecialCategoryPersonalData))


def is_jurisdiction(graph: Graph, place: Node) -> bool:
    """A country, region or union (``loc:US a dpv:Country``), not a kind of place such as
    ``dpv:CloudLocation``: what a transfer can be to."""
    return isinstance(place, URIRef) and (
        is_instance_of(graph, place, DPV.Jurisdiction) or place in EU_EEA
    )


def is_country(graph: Graph, place: Node) -> bool:
    """A country (``loc:FI a dpv:Country``), or a place narrower than one: a Member State's
    supervisory authority has jurisdiction over it (GDPR Art. 55)."""
    return is_instance_of(graph, place, DPV.Country) or is_a(graph, place, DPV.Country)


def inside_eu_eea(graph: Graph, place: Node) -> bool:
    """Whether a location is inside the EU/EEA today (GDPR Chapter V applies to anything else).

    Inside: ``loc:EU``, ``loc:EEA`` and ``loc:EEA30`` themselves; a place directly narrower
    than one of them (``loc:FI skos:broader loc:EEA``); a place whose ``skos:broader*``
    reaches ``loc:EEA30``, the current EEA (``loc:AX``, the Åland Islands, through
    ``loc:FI``). Never through ``loc:EU28`` or ``loc:EEA31``, which still hold the United
    Kingdom: ``loc:GB`` is outside, and so are those groupings themselves.

    >>> from checker.graph.build import build
    >>> g = build()
    >>> [inside_eu_eea(g, LOC[c]) for c in ("FI", "EU", "EEA")]
    [True, True, True]
    """
    if place in HISTORICAL_GROUPINGS or not isinstance(place, URIRef):
        return False
    if place in EU_EEA:
        return True
    if not EU_EEA.isdisjoint(graph.objects(place, SKOS.broader)):
        return True
    return LOC.EEA30 in broader(graph, place)


def outside_eu_eea(graph: Graph, place: Node) -> bool:
    """A jurisdiction outside the EU/EEA: where personal data need a Chapter V mechanism."""
    return is_jurisdiction(graph, place) and not inside_eu_eea(graph, place)
