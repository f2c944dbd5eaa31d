"""Labels in the notice's language, with the bookkeeping the notice needs on top of the one
label picker (:mod:`checker.vocab.labels`): which text fell back to another language, and
labels of terms the graph does not describe, taken from the shipped vocabulary.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from checker.graph.vocabulary import vocabulary
from checker.notice.model import Term
from checker.vocab.labels import LABEL_PREDICATES, Candidate, candidates, lang_matches, pick

_RANK = {predicate: rank for rank, predicate in enumerate(LABEL_PREDICATES)}


class Vocabulary(Protocol):
    """What the notice needs of the shipped vocabulary (see :class:`checker.graph.vocabulary.Vocabulary`)."""

    def describe(self, term: URIRef) -> list[tuple[URIRef, URIRef | Literal]]: ...

    def subjects_with(self, predicate: URIRef, obj: URIRef) -> list[URIRef]: ...


class _ShippedVocabulary:
    """The shipped vocabulary, for facts of the law the graph need not carry (authorities)."""

    def __init__(self) -> None:
        self._vocab = vocabulary()

    def describe(self, term: URIRef) -> list[tuple[URIRef, URIRef | Literal]]:
        return self._vocab.describe(term)

    def subjects_with(self, predicate: URIRef, obj: URIRef) -> list[URIRef]:
        quads = self._vocab.store.quads_for_pattern(
            None, ox.NamedNode(str(predicate)), ox.NamedNode(str(obj))
        )
        return sorted(URIRef(q.subject.value) for q in quads if isinstance(q.subject, ox.NamedNode))


@cache
def shipped_vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once per process."""
    return _ShippedVocabulary()


class Labeller:
    """Picks the text of nodes in the notice's language, else English (marked as a fallback).

    >>> from rdflib import RDFS
    >>> g = Graph()
    >>> n = URIRef("https://example.org/x")
    >>> _ = g.add((n, RDFS.label, Literal("Customs", lang="en")))
    >>> _ = g.add((n, RDFS.label, Literal("Tulli", lang="fi")))
    >>> Labeller(g, "fi").term(n).text, Labeller(g, "sv").term(n)
    ('Tulli', Term(text='Customs', lang='en', fallback=True, iri='https://example.org/x'))
    """

    def __init__(self, graph: Graph, lang: str, vocab: Vocabulary | None = None) -> None:
        self.graph = graph
        self.lang = lang
        self.vocab = vocab
        self._cache: dict[Node, Term] = {}

    def _term(self, text: str, language: str | None, iri: str) -> Term:
        lang = (language or "en").lower()
        return Term(text, lang, not lang_matches(lang, self.lang), iri)

    def _candidates(self, node: Node) -> list[Candidate]:
        found = candidates(self.graph, node)
        if not found and self.vocab is not None and isinstance(node, URIRef):
            found = [
                Candidate(str(o), o.language, _RANK[p])
                for p, o in self.vocab.describe(node)
                if p in _RANK and isinstance(o, Literal)
            ]
        return found

    def term(self, node: Node | None) -> Term:
        """The label of ``node`` in the notice's language (a literal stands for itself)."""
        if node is None:
            return Term("", self.lang)
        if isinstance(node, Literal):
            return self._term(str(node), node.language, "")
        if node in self._cache:
            return self._cache[node]
        chosen = pick(self._candidates(node), self.lang)
        if chosen is not None:
            term = self._term(chosen.text, chosen.language, str(node))
        elif isinstance(node, BNode):
            term = Term("", self.lang)  # an unnamed node: shown by its content, not its id
        else:
            term = Term(str(node), "", True, str(node))
        self._cache[node] = term
        return term

    def text(self, node: Node, predicate: URIRef) -> Term | None:
        """A free text of ``node`` (description, condition) in the notice's language."""
        found = [
            Candidate(str(o), o.language)
            for o in self.graph.objects(node, predicate)
            if isinstance(o, Literal)
        ]
        chosen = pick(found, self.lang)
        return None if chosen is None else self._term(chosen.text, chosen.language, "")


def inline(term: Term, lang: str) -> Term:
    """An English label inside an English sentence: 'End of the status' -> 'end of the status'.

    Only a capitalised first word followed by a lower-case word is lowered, so names such as
    'Finnish Customs' keep their capitals.
    """
    words = term.text.split(" ")
    if (
        lang != "en"
        or term.lang != "en"
        or len(words) < 2
        or not words[0][:1].isupper()
        or not words[0][1:].islower()
        or not words[1][:1].islower()
    ):
        return term
    return Term(term.text[:1].lower() + term.text[1:], term.lang, term.fallback, term.iri)
