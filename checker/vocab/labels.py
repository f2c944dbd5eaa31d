"""Labels of graph nodes: one picker for every view, so no bare IRI reaches a reader.

The rule, everywhere (check messages, notice, diff, query tables, dashboard):

1. language: the language asked for, else English, else untagged, else any other;
2. within a language, the predicate: ``rdfs:label``, ``skos:prefLabel``, then the naming
   properties plain DPV data use (``dpv:hasName``, ``foaf:name``, ``schema:name``,
   ``dct:title``);
3. then the text itself (so the choice never depends on store order);
4. no label at all: the node's local id (the last segment of its IRI).

>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> n = URIRef("https://example.org/x/customs")
>>> _ = g.add((n, RDFS.label, Literal("Tulli", lang="fi")))
>>> _ = g.add((n, DPV.hasName, Literal("Finnish Customs", lang="en")))
>>> label_of(g, n), label_of(g, n, "fi"), label_of(g, n, "sv")
('Finnish Customs', 'Tulli', 'Finnish Customs')
>>> label_of(g, URIRef("https://example.org/x/unnamed"))
'unnamed'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from checker.vocab.namespaces import DCTERMS, DPV, FOAF, RDFS, SCHEMA, SKOS, local_id

#: Predicates that name a node, in order of preference.
LABEL_PREDICATES: tuple[URIRef, ...] = (
    RDFS.label,
    SKOS.prefLabel,
    DPV.hasName,
    FOAF.name,
    SCHEMA.name,
    DCTERMS.title,
)

_RANK = {predicate: rank for rank, predicate in enumerate(LABEL_PREDICATES)}


class Candidate(NamedTuple):
    """A possible label: its text, language tag (None: untagged) and predicate rank."""

    text: str
    language: str | None
    rank: int = 0


def lang_matches(tag: str | None, lang: str) -> bool:
    """Whether a language tag is ``lang`` or a variant of it (``en-GB`` for ``en``).

    >>> lang_matches("en-GB", "en"), lang_matches("fi", "en"), lang_matches(None, "en")
    (True, False, False)
    """
    if tag is None:
        return False
    tag = tag.lower()
    return tag == lang or tag.startswith(lang + "-")


def language_class(tag: str | None, lang: str = "en") -> int:
    """0 for the language asked for, 1 for English, 2 for untagged, 3 for any other."""
    if lang_matches(tag, lang):
        return 0
    if lang_matches(tag, "en"):
        return 1
    return 2 if tag is None else 3


def pick(candidates: Iterable[Candidate], lang: str = "en") -> Candidate | None:
    """The candidate to show, by the rule of this module; None when there is none.

    >>> pick([Candidate("Tulli", "fi"), Candidate("Customs", None), Candidate("Tullen", "sv")])
    Candidate(text='Customs', language=None, rank=0)
    """
    best: tuple[tuple[int, int, str, str], Candidate] | None = None
    for c in candidates:
        key = (language_class(c.language, lang), c.rank, (c.language or "").lower(), c.text)
        if best is None or key < best[0]:
            best = (key, c)
    return best[1] if best else None


def candidates(graph: Graph, node: Node) -> list[Candidate]:
    """Every literal that names ``node`` in ``graph``, with its predicate's rank."""
    return [
        Candidate(str(o), o.language, rank)
        for predicate, rank in _RANK.items()
        for o in graph.objects(node, predicate)
        if isinstance(o, Literal)
    ]


def label_or_none(graph: Graph, node: Node | None, lang: str = "en") -> str | None:
    """The label of ``node`` in ``lang`` by the rule above; None when nothing names it."""
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    chosen = pick(candidates(graph, node), lang)
    return chosen.text if chosen else None


def label_of(graph: Graph, node: Node | None, lang: str = "en") -> str:
    """The label of ``node`` in ``lang``; its local id when nothing names it; a literal
    stands for itself; a blank node without a name is ``[]``."""
    if node is None:
        return ""
    label = label_or_none(graph, node, lang)
    if label is not None:
        return label
    return local_id(str(node)) if isinstance(node, URIRef) else "[]"
