"""Reading the graph for the notice: the activities, their legal bases, laws and data, with
labels in the notice's language and the gaps found on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from checker.notice.gdpr_terms import LEGAL_BASES
from checker.notice.labeller import Labeller, Vocabulary
from checker.notice.model import Line, Part, Term, join, sort_key
from checker.notice.phrases import PHRASES
from checker.vocab.concepts import kinds
from checker.vocab.namespaces import DPV, EU_GDPR, RDF, RDFS, ROPA, SKOS

#: Topics the register description template has, in its order.
REGISTER_TOPICS: Final = ("purpose", "categories", "sources", "disclosures", "retention", "contact")

SPECIAL_SCHEME = EU_GDPR["legal-basis-special-classes"]
TRANSFER_SCHEME = EU_GDPR["legal-basis-data-transfer-classes"]
#: Legal bases that rest on Union or Member State law (GDPR Art. 6(3), 55(2)).
LAW_BASED = frozenset(
    {
        EU_GDPR["A6-1-c"],
        EU_GDPR["A6-1-e"],
        DPV.LegalObligation,
        DPV.PublicInterest,
        DPV.OfficialAuthorityOfController,
    }
)
LEGITIMATE_INTEREST = frozenset({EU_GDPR["A6-1-f"], DPV.LegitimateInterest})


@dataclass
class Reader:
    """Facts of the graph, with labels in the notice's language."""

    graph: Graph
    labels: Labeller
    vocab: Vocabulary | None
    gaps: dict[str, list[Term]] = field(default_factory=dict)
    _kinds: dict[Node, frozenset[Node]] = field(default_factory=dict)
    _answers: dict[tuple[Callable[[Graph, Node], bool], Node], bool] = field(default_factory=dict)
    gap_nodes: dict[str, list[Node]] = field(default_factory=dict)
    _gap_terms: dict[str, set[Term]] = field(default_factory=dict)
    #: The register's own sources and recipients by flow end
    #: (:func:`checker.notice.topics.register_parties`), worked out once per notice.
    own_parties: dict[URIRef, dict[Node, list[Node]]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.labels.lang

    def t(self, key: str) -> str:
        return PHRASES[self.lang][key]

    def term(self, node: Node) -> Term:
        return self.labels.term(node)

    def sort(self, nodes: Iterable[Node]) -> list[Node]:
        return sorted(set(nodes), key=lambda n: (*sort_key(self.term(n)), self.node_key(n)))

    def node_key(self, node: Node) -> str:
        """A key that orders nodes the same way on every run: the IRI, or for a blank node
        (whose id changes with every parse) what the graph says about it."""
        if not isinstance(node, BNode):
            return str(node)
        said = sorted(
            f"{p}={'[]' if isinstance(o, BNode) else o}"
            for p, o in self.graph.predicate_objects(node)
        )
        return "~" + "|".join(said)

    def objects(self, node: Node, *predicates: URIRef) -> list[Node]:
        return self.sort(o for p in predicates for o in self.graph.objects(node, p))

    def terms(self, nodes: Iterable[Node]) -> Line:
        return join(self.term(n) for n in self.sort(nodes))

    def gap(self, key: str, subjects: Iterable[Node] | None = None) -> None:
        """Record a missing item; with ``subjects``, only if there are any."""
        nodes = None if subjects is None else list(subjects)
        if nodes == []:
            return
        found = self.gaps.setdefault(key, [])
        seen = self._gap_terms.setdefault(key, set())
        self.gap_nodes.setdefault(key, []).extend(nodes or ())
        for node in nodes or ():
            term = self.term(node)
            if term not in seen:
                seen.add(term)
                found.append(term)

    def kinds(self, node: Node) -> frozenset[Node]:
        """Everything ``node`` is (:func:`checker.vocab.concepts.kinds`), worked out once per
        node: the notice asks it of every value of every activity."""
        found = self._kinds.get(node)
        if found is None:
            found = self._kinds[node] = frozenset(kinds(self.graph, node))
        return found

    def asks(self, question: Callable[[Graph, Node], bool], node: Node) -> bool:
        """A question of :mod:`checker.vocab.concepts` about ``node``, answered once."""
        key = (question, node)
        if key not in self._answers:
            self._answers[key] = question(self.graph, node)
        return self._answers[key]

    def is_a(self, node: Node, concepts: frozenset[Node] | set[Node]) -> bool:
        """Whether ``node`` is one of ``concepts``, narrower than one, or an instance of one."""
        return not self.kinds(node).isdisjoint(concepts)

    def reaches_via(self, node: Node, predicate: URIRef, target: Node) -> bool:
        """Whether ``target`` is reached from ``node`` along ``predicate`` (one or more steps)."""
        return target in self.graph.transitive_objects(node, predicate) and node != target

    def is_true(self, node: Node, predicate: URIRef) -> bool | None:
        value = self.graph.value(node, predicate)
        return None if value is None else bool(value.toPython())


def process_nodes(graph: Graph) -> list[Node]:
    """Every ``dpv:Process`` (or narrower class) of the graph."""
    classes = {DPV.Process, *graph.transitive_subjects(RDFS.subClassOf, DPV.Process)}
    return sorted({s for c in classes for s in graph.subjects(RDF.type, c)}, key=str)


@dataclass(frozen=True)
class Activity:
    node: Node
    name: Term
    bases: tuple[Node, ...]  # Art. 6 legal bases
    special_bases: tuple[Node, ...]  # Art. 9(2) conditions
    transfer_bases: tuple[Node, ...]  # Chapter V safeguards
    laws: tuple[Node, ...]
    purposes: tuple[Node, ...]
    data: tuple[Node, ...]  # as recorded: groups, then categories outside them
    all_data: tuple[Node, ...]  # every category, group members included


def read_activity(r: Reader, node: Node) -> Activity:
    graph = r.graph
    bases = r.objects(node, DPV.hasLegalBasis)
    special = [b for b in bases if (b, SKOS.inScheme, SPECIAL_SCHEME) in graph]
    transfer = [b for b in bases if (b, SKOS.inScheme, TRANSFER_SCHEME) in graph]
    groups = r.objects(node, ROPA.hasDataGroup)
    members = {m for g in groups for m in graph.objects(g, ROPA.includes)}
    categories = r.objects(node, DPV.hasPersonalData)
    rest = [c for c in categories if c not in members]
    return Activity(
        node=node,
        name=r.term(node),
        bases=tuple(b for b in bases if b not in special and b not in transfer),
        special_bases=tuple(special),
        transfer_bases=tuple(transfer),
        laws=tuple(r.objects(node, DPV.hasApplicableLaw)),
        purposes=tuple(r.objects(node, DPV.hasPurpose)),
        data=tuple(groups + rest),
        all_data=tuple(r.sort([*categories, *members])),
    )


def law_line(r: Reader, node: Node) -> Line:
    """A statute with its number: 'Customs Act (304/2016)'."""
    number = r.graph.value(node, ROPA.statuteNumber)
    if number is None:
        return (r.term(node),)
    number_text = str(number)
    if number_text.startswith("("):
        return (r.term(node), " ", number_text)
    return (r.term(node), f" ({number_text})")


def basis_part(r: Reader, node: Node) -> Part:
    known = LEGAL_BASES.get(str(node))
    return known[r.lang] if known else r.term(node)


def controllers_of(r: Reader, acts: list[Activity]) -> list[Node]:
    holders = [a.node for a in acts] + list(r.graph.subjects(RDF.type, DPV.ROPA))
    found = {
        c
        for h in holders
        for p in (DPV.hasDataController, DPV.hasJointDataControllers)
        for c in r.graph.objects(h, p)
    }
    # A dpv:JointDataControllers group (records: joint_controllers) stands for its members.
    groups = {c for c in found if (c, RDF.type, DPV.JointDataControllers) in r.graph}
    found = (found - groups) | {m for g in groups for m in r.graph.objects(g, DPV.hasEntity)}
    return r.sort(found or set(r.graph.subjects(RDF.type, DPV.DataController)))


def measures_of(r: Reader, acts: list[Activity]) -> list[Node]:
    used = {m for a in acts for m in r.graph.objects(a.node, DPV.hasTechnicalOrganisationalMeasure)}
    typed = set(r.graph.subjects(RDF.type, DPV.TechnicalOrganisationalMeasure))
    return r.sort(used | typed)


def necessity_of(r: Reader, act: Activity) -> list[Node]:
    """What the records say about having to provide the data, GDPR Art. 13(2)(e)
    (``dpv:hasNecessity``: a statutory or contractual requirement, or optional)."""
    return r.objects(act.node, DPV.hasNecessity)
