"""The organisation's hierarchy: which unit is part of which (``org:subOrganizationOf``).

The records' ``part_of`` becomes ``org:subOrganizationOf``: *General information service*
is part of *Customer information service*, part of *Customer services*, part of *Finnish
Customs*. The flow map draws these as nested boxes; the register filter takes a controller
with every unit inside it.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from checker.vocab.namespaces import ORG


def parents(graph: Graph) -> dict[str, str]:
    """The unit or organisation each entity is directly part of.

    An entity recorded as part of several is put in the first of them by IRI (a drawing
    needs one place; the records keep all).

    >>> from checker.graph.build import build
    >>> base = "https://w3id.org/ropa-kg/registers/fi-customs/customer-services/"
    >>> parents(build())[base + "general-information-service"] == base + "customer-information-service"
    True
    """
    found: dict[str, str] = {}
    for child, parent in sorted(graph.subject_objects(ORG.subOrganizationOf)):
        if isinstance(child, URIRef) and isinstance(parent, URIRef) and child != parent:
            found.setdefault(str(child), str(parent))
    return found


def ancestors(parent_of: dict[str, str], node: str) -> list[str]:
    """What ``node`` is part of, nearest first (a cycle in the records stops the walk).

    >>> ancestors({"a": "b", "b": "c", "c": "a"}, "a")
    ['b', 'c']
    """
    chain: list[str] = []
    seen = {node}
    while node in parent_of and parent_of[node] not in seen:
        node = parent_of[node]
        seen.add(node)
        chain.append(node)
    return chain
