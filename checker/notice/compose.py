"""The GDPR Art. 13/14 privacy notice, generated from the graph: graph -> notice -> text.

The notice is published from the same graph that ``ropa check`` validates, so what is
published and what is recorded cannot drift apart. Three pure steps:

1. :func:`compose_notice` reads the graph (records, vocabulary and provenance) into a
   :class:`Notice`: sections of paragraphs, lists and tables whose text is made of fixed
   phrases (:mod:`checker.notice.phrases`) and :class:`Term` values taken from the graph.
2. The notice lists every item Articles 13 and 14 require that the graph lacks as a
   :class:`Gap`. Nothing is guessed: a gap is reported, never filled.
3. :func:`render_notice` writes Markdown (for review in pull requests) or one
   self-contained HTML page (for publishing), escaping every value from the graph.

Where the notice's topics go: each topic (purposes, categories, sources, disclosures,
retention, contact) is placed under the section of the register description that the
provenance of its facts points to most (``prov:wasDerivedFrom`` -> ``ropa:inSection``), in
the register's own order (``ropa:order``), so a DPO can hold the old description and the
new notice side by side. Without sections (a plain DPV ROPA) the topics keep the order of
the register description template. Rights, the complaint route and automated
decision-making follow.

What the notice derives rather than states: the rights from the ``dpv:hasRight`` statements
DPV attaches to each GDPR legal basis (inherited along ``skos:broader``); the supervisory
authority from the controller's country (``dpv:hasLocation``) or, under GDPR Art. 55(2),
from the jurisdiction of the laws a legal obligation or public task rests on; EU/EEA
membership from the location hierarchy of DPV's ``loc:`` concepts. Not enforced: DPV maps no
Art. 14 right for Art. 6(1)(c); the notice shows the sources of the data (Art. 14(2)(f))
anyway but does not add the right.

>>> from checker.graph.build import build
>>> notice = compose_notice(build(), "en")
>>> [s.anchor for s in notice.sections][:3]
['purpose', 'categories', 'sources']
>>> any(g.key == "dpo" for g in notice.gaps)
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from checker import markdown
from checker.errors import InputError
from checker.notice.phrases import (
    ASKED_RIGHTS,
    LANGUAGES,
    LEGAL_BASES,
    NUMBERS,
    PHRASES,
    RIGHTS,
    SV_COMMON_GENDER,
    UNITS,
)
from checker.vocab.concepts import is_country, is_special_category, outside_eu_eea

DPV: Final = Namespace("https://w3id.org/dpv#")
EU_GDPR: Final = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
LOC: Final = Namespace("https://w3id.org/dpv/loc#")
ROPA: Final = Namespace("https://w3id.org/ropa-kg/ontology#")
PROV: Final = Namespace("http://www.w3.org/ns/prov#")
ORG: Final = Namespace("http://www.w3.org/ns/org#")
SCHEMA: Final = Namespace("https://schema.org/")

#: Output formats of ``ropa notice``.
FORMATS: Final = ("md", "html")

#: Predicates that name a node, in order of preference.
LABEL_PREDICATES: Final = (
    RDFS.label,
    SKOS.prefLabel,
    DPV.hasName,
    FOAF.name,
    SCHEMA.name,
    DCTERMS.title,
)

#: Topics the register description template has, in its order.
REGISTER_TOPICS: Final = ("purpose", "categories", "sources", "disclosures", "retention", "contact")

#: What each gap is missing, by key: the articles of the GDPR that require it (in order).
GAP_ARTICLES: Final = {
    "controller": "13(1)(a), 14(1)(a)",
    "controller_contact": "13(1)(a), 14(1)(a)",
    "dpo": "13(1)(b), 14(1)(b)",
    "purpose": "13(1)(c), 14(1)(c)",
    "legal_basis": "13(1)(c), 14(1)(c)",
    "special_condition": "9(2), 13(1)(c), 14(1)(c)",
    "legitimate_interest": "13(1)(d), 14(2)(b)",
    "personal_data": "14(1)(d)",
    "transfer_safeguards": "13(1)(f), 14(1)(f)",
    "processor_location": "13(1)(f), 14(1)(f)",
    "retention": "13(2)(a), 14(2)(a)",
    "retention_period": "13(2)(a), 14(2)(a)",
    "rights": "13(2)(b), 14(2)(c)",
    "authority": "13(2)(d), 14(2)(e)",
    "requirement": "13(2)(e)",
    "sources": "14(2)(f)",
}

_SPECIAL_SCHEME = EU_GDPR["legal-basis-special-classes"]
_TRANSFER_SCHEME = EU_GDPR["legal-basis-data-transfer-classes"]
#: Legal bases that rest on Union or Member State law (GDPR Art. 6(3), 55(2)).
_LAW_BASED = frozenset(
    {
        EU_GDPR["A6-1-c"],
        EU_GDPR["A6-1-e"],
        DPV.LegalObligation,
        DPV.PublicInterest,
        DPV.OfficialAuthorityOfController,
    }
)
_LEGITIMATE_INTEREST = frozenset({EU_GDPR["A6-1-f"], DPV.LegitimateInterest})
_HIERARCHY = (RDF.type, SKOS.broader, RDFS.subClassOf)


# --- The notice model --------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A value from the graph, in the language it was found in.

    ``fallback`` is true when the graph has no text in the notice's language and the notice
    shows another one (usually English); HTML marks such text with its ``lang``.
    """

    text: str
    lang: str
    fallback: bool = False
    iri: str = ""


@dataclass(frozen=True)
class Link:
    """A link the notice makes itself (``mailto:``), with the address as its text."""

    text: str
    href: str


Part = str | Term | Link
Line = tuple[Part, ...]


@dataclass(frozen=True)
class Paragraph:
    text: Line


@dataclass(frozen=True)
class Item:
    text: Line
    children: tuple[Line, ...] = ()
    strong: bool = False


@dataclass(frozen=True)
class BulletList:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Line, ...]
    rows: tuple[tuple[Line, ...], ...]


Block = Paragraph | BulletList | Table


@dataclass(frozen=True)
class Subsection:
    heading: Line | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Section:
    """One section of the notice; ``from_register`` when its heading is the register's own."""

    anchor: str
    heading: Line
    subsections: tuple[Subsection, ...]
    from_register: bool = False
    kind: str = "normal"  # "gaps" and "language" sections are marked in the output


@dataclass(frozen=True)
class Gap:
    """An item Articles 13/14 require that the graph lacks; ``subjects`` say where."""

    key: str
    articles: str
    subjects: tuple[Term, ...] = ()

    def message(self) -> str:
        """The gap in English, for diagnostics on stderr."""
        text = f"GDPR Art. {self.articles}: {PHRASES['en']['gap.' + self.key]}"
        if self.subjects:
            text += f" ({len(self.subjects)}: " + "; ".join(s.text for s in self.subjects) + ")"
        return text


@dataclass(frozen=True)
class Notice:
    """A privacy notice, ready to render."""

    lang: str
    title: Line
    intro: tuple[Line, ...]
    sections: tuple[Section, ...]
    gaps: tuple[Gap, ...]
    fallback_terms: tuple[Term, ...]
    footer: tuple[Line, ...]


# --- Labels in the notice's language -----------------------------------------------------


class Vocabulary(Protocol):
    """What the notice needs of the shipped vocabulary (see :class:`checker.graph.build.Vocabulary`)."""

    def describe(self, term: URIRef) -> list[tuple[URIRef, URIRef | Literal]]: ...

    def subjects_with(self, predicate: URIRef, obj: URIRef) -> list[URIRef]: ...


class _ShippedVocabulary:
    """The shipped vocabulary, for facts of the law the graph need not carry (authorities)."""

    def __init__(self) -> None:
        from checker.graph.vocabulary import vocabulary

        self._vocab = vocabulary()

    def describe(self, term: URIRef) -> list[tuple[URIRef, URIRef | Literal]]:
        return self._vocab.describe(term)

    def subjects_with(self, predicate: URIRef, obj: URIRef) -> list[URIRef]:
        import pyoxigraph as ox

        quads = self._vocab.store.quads_for_pattern(
            None, ox.NamedNode(str(predicate)), ox.NamedNode(str(obj))
        )
        return sorted(URIRef(q.subject.value) for q in quads if isinstance(q.subject, ox.NamedNode))


@cache
def shipped_vocabulary() -> Vocabulary:
    """The shipped vocabulary, loaded once per process."""
    return _ShippedVocabulary()


def _lang_matches(tag: str | None, lang: str) -> bool:
    return tag is not None and (tag.lower() == lang or tag.lower().startswith(lang + "-"))


class Labeller:
    """Picks the text of nodes in the notice's language, else English (marked as a fallback).

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

    def _pick(self, literals: Sequence[tuple[int, Literal]]) -> Literal | None:
        """The literal in the notice's language, else English, else untagged, else any.

        Within each, the first label predicate wins (``LABEL_PREDICATES``), then the text.
        """
        ordered = sorted(literals, key=lambda il: (il[0], il[1].language or "", str(il[1])))
        for wanted in (self.lang, "en"):
            for _, lit in ordered:
                if _lang_matches(lit.language, wanted):
                    return lit
        for _, lit in ordered:
            if lit.language is None:
                return lit
        return ordered[0][1] if ordered else None

    def _literal_term(self, lit: Literal, iri: str) -> Term:
        lang = (lit.language or "en").lower()
        return Term(str(lit), lang, not _lang_matches(lang, self.lang), iri)

    def _labels(self, node: Node) -> list[tuple[int, Literal]]:
        found = [
            (i, o)
            for i, predicate in enumerate(LABEL_PREDICATES)
            for o in self.graph.objects(node, predicate)
            if isinstance(o, Literal)
        ]
        if not found and self.vocab is not None and isinstance(node, URIRef):
            index = {p: i for i, p in enumerate(LABEL_PREDICATES)}
            found = [
                (index[p], o)
                for p, o in self.vocab.describe(node)
                if p in index and isinstance(o, Literal)
            ]
        return found

    def term(self, node: Node | None) -> Term:
        """The label of ``node`` in the notice's language (a literal stands for itself)."""
        if node is None:
            return Term("", self.lang)
        if isinstance(node, Literal):
            return self._literal_term(node, "")
        if node in self._cache:
            return self._cache[node]
        chosen = self._pick(self._labels(node))
        if chosen is not None:
            term = self._literal_term(chosen, str(node))
        elif isinstance(node, BNode):
            term = Term("", self.lang)  # an unnamed node: shown by its content, not its id
        else:
            term = Term(str(node), "", True, str(node))
        self._cache[node] = term
        return term

    def text(self, node: Node, predicate: URIRef) -> Term | None:
        """A free text of ``node`` (description, condition) in the notice's language."""
        lit = self._pick(
            [(0, o) for o in self.graph.objects(node, predicate) if isinstance(o, Literal)]
        )
        if lit is None:
            return None
        return self._literal_term(lit, "")


# --- Building lines from phrases ---------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, **values: Part | Line) -> Line:
    """Fill a phrase's ``{placeholders}`` with parts or lines.

    >>> fill("Acts: {value}.", value=(Term("Customs Act", "en"), " (304/2016)"))
    ('Acts: ', Term(text='Customs Act', lang='en', fallback=False, iri=''), ' (304/2016)', '.')
    """
    parts: list[Part] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > pos:
            parts.append(template[pos : match.start()])
        value = values[match.group(1)]
        parts.extend(value if isinstance(value, tuple) else (value,))
        pos = match.end()
    if pos < len(template):
        parts.append(template[pos:])
    return tuple(parts)


def join(lines: Iterable[Line | Part], sep: str = "; ") -> Line:
    """Join lines (or single parts) with a separator (terms may hold commas: "; ")."""
    parts: list[Part] = []
    for i, line in enumerate(lines):
        if i:
            parts.append(sep)
        parts.extend(line if isinstance(line, tuple) else (line,))
    return tuple(parts)


def plain(line: Line) -> str:
    """The text of a line without markup (for sorting and diagnostics)."""
    return "".join(p if isinstance(p, str) else p.text for p in line)


_NORDIC = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})  # after z


def _key(line: Line | Term) -> tuple[str, str]:
    """Sort key of a text: case-insensitive, with å, ä, ö after z as Finnish and Swedish sort.

    >>> sorted(["Öljy", "ala", "Ärrä", "Zeta"], key=lambda t: _key((t,)))
    ['ala', 'Zeta', 'Ärrä', 'Öljy']
    """
    text = line.text if isinstance(line, Term) else plain(line)
    return (text.casefold().translate(_NORDIC), text)


# --- Plain words for retention periods ---------------------------------------------------

_DURATION = re.compile(
    r"P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<W>\d+)W)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<H>\d+)H)?(?:(?P<TM>\d+)M)?(?:(?P<S>\d+(?:\.\d+)?)S)?)?"
)


def period_words(value: str, lang: str) -> str | None:
    """An ISO 8601 duration in plain words; None when it is not one.

    >>> [period_words(v, "en") for v in ("P2Y", "P30D", "P1Y6M")]
    ['two years', '30 days', 'one year and six months']
    >>> period_words("P2Y", "fi"), period_words("P1Y", "fi"), period_words("P1M", "sv")
    ('kaksi vuotta', 'yksi vuosi', 'en månad')
    """
    match = _DURATION.fullmatch(value.strip())
    if match is None or not any(match.groupdict().values()):
        return None
    words = []
    for unit, number in match.groupdict().items():
        if number is None:
            continue
        singular, plural = UNITS[lang][unit]
        if "." in number:
            words.append(f"{number} {plural}")
            continue
        count = int(number)
        names = NUMBERS[lang]
        if count == 1 and lang == "sv" and unit in SV_COMMON_GENDER:
            spoken = "en"
        else:
            spoken = names[count] if count < len(names) else str(count)
        words.append(f"{spoken} {singular if count == 1 else plural}")
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + PHRASES[lang]["list.and"] + words[-1]


def _inline(term: Term, lang: str) -> Term:
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


# --- Reading the graph -------------------------------------------------------------------


@dataclass
class _Reader:
    """Facts of the graph, with labels in the notice's language."""

    graph: Graph
    labels: Labeller
    vocab: Vocabulary | None
    gaps: dict[str, list[Term]] = field(default_factory=dict)
    _broader: dict[Node, frozenset[Node]] = field(default_factory=dict)
    _gap_terms: dict[str, set[Term]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.labels.lang

    def t(self, key: str) -> str:
        return PHRASES[self.lang][key]

    def term(self, node: Node) -> Term:
        return self.labels.term(node)

    def sort(self, nodes: Iterable[Node]) -> list[Node]:
        return sorted(set(nodes), key=lambda n: (*_key(self.term(n)), str(n)))

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
        for node in nodes or ():
            term = self.term(node)
            if term not in seen:
                seen.add(term)
                found.append(term)

    def reaches(self, node: Node, targets: frozenset[Node] | set[Node]) -> bool:
        """Whether ``node`` is, or is narrower than, one of ``targets``."""
        return not self.broader(node).isdisjoint(targets)

    def broader(self, node: Node) -> frozenset[Node]:
        """``node`` and everything it is a kind of (types, broader concepts, superclasses),
        worked out once per node, from what is known of the nodes above it."""
        if node in self._broader:
            return self._broader[node]
        seen: set[Node] = set()
        pending = [node]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            if current in self._broader:
                seen |= self._broader[current]
                continue
            seen.add(current)
            for predicate in _HIERARCHY:
                pending.extend(self.graph.objects(current, predicate))
        self._broader[node] = frozenset(seen)
        return self._broader[node]

    def reaches_via(self, node: Node, predicate: URIRef, target: Node) -> bool:
        """Whether ``target`` is reached from ``node`` along ``predicate`` (one or more steps)."""
        return target in self.graph.transitive_objects(node, predicate) and node != target

    def is_true(self, node: Node, predicate: URIRef) -> bool | None:
        value = self.graph.value(node, predicate)
        return None if value is None else bool(value.toPython())


def _activities(graph: Graph) -> list[Node]:
    """Every ``dpv:Process`` (or narrower class) of the graph."""
    classes = {DPV.Process, *graph.transitive_subjects(RDFS.subClassOf, DPV.Process)}
    return sorted({s for c in classes for s in graph.subjects(RDF.type, c)}, key=str)


@dataclass(frozen=True)
class _Activity:
    node: Node
    name: Term
    bases: tuple[Node, ...]  # Art. 6 legal bases
    special_bases: tuple[Node, ...]  # Art. 9(2) conditions
    transfer_bases: tuple[Node, ...]  # Chapter V safeguards
    laws: tuple[Node, ...]
    purposes: tuple[Node, ...]
    data: tuple[Node, ...]  # as recorded: groups, then categories outside them
    all_data: tuple[Node, ...]  # every category, group members included


def _read_activity(r: _Reader, node: Node) -> _Activity:
    graph = r.graph
    bases = r.objects(node, DPV.hasLegalBasis)
    special = [b for b in bases if (b, SKOS.inScheme, _SPECIAL_SCHEME) in graph]
    transfer = [b for b in bases if (b, SKOS.inScheme, _TRANSFER_SCHEME) in graph]
    groups = r.objects(node, ROPA.hasDataGroup)
    members = {m for g in groups for m in graph.objects(g, ROPA.includes)}
    categories = r.objects(node, DPV.hasPersonalData)
    rest = [c for c in categories if c not in members]
    return _Activity(
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


def _law(r: _Reader, node: Node) -> Line:
    """A statute with its number: 'Customs Act (304/2016)'."""
    number = r.graph.value(node, ROPA.statuteNumber)
    if number is None:
        return (r.term(node),)
    number_text = str(number)
    if number_text.startswith("("):
        return (r.term(node), " ", number_text)
    return (r.term(node), f" ({number_text})")


def _basis(r: _Reader, node: Node) -> Part:
    known = LEGAL_BASES.get(str(node))
    return known[r.lang] if known else r.term(node)


# --- Topics -------------------------------------------------------------------------------


def _purpose_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    groups: dict[tuple[tuple[Node, ...], tuple[Node, ...]], set[Node]] = {}
    for act in acts:
        if not act.purposes:
            r.gap("purpose", [act.node])
        if not act.bases:
            r.gap("legal_basis", [act.node])
        if any(r.reaches(b, _LEGITIMATE_INTEREST) for b in act.bases):
            r.gap("legitimate_interest", [act.node])
        if act.purposes:
            key = (tuple(sorted(act.bases, key=str)), act.laws)
            groups.setdefault(key, set()).update(act.purposes)
    blocks: list[Block] = []
    ordered = sorted(
        groups.items(),
        key=lambda kv: ([str(b) for b in kv[0][0]], [plain(_law(r, law)) for law in kv[0][1]]),
    )
    for (bases, laws), purposes in ordered:
        basis_line = join(_basis(r, b) for b in sorted(bases, key=str)) if bases else ("—",)
        text = fill(r.t("field.legal_basis"), value=basis_line)
        if laws:
            text += (" ", *fill(r.t("field.acts"), value=join(_law(r, law) for law in laws)))
        elif bases and any(r.reaches(b, _LAW_BASED) for b in bases):
            text += (" ", r.t("field.no_acts"))
        blocks.append(Paragraph(text))
        blocks.append(BulletList(tuple(Item((r.term(p),)) for p in r.sort(purposes))))
    subsections = [Subsection((r.t("sub.legal_basis"),), tuple(blocks))] if blocks else []
    items = []
    for act in sorted(acts, key=lambda a: (*_key(a.name), str(a.node))):
        children: list[Line] = []
        description = r.labels.text(act.node, DCTERMS.description)
        if description is not None:
            children.append((description,))
        for key, values in (
            ("field.units", r.objects(act.node, DPV.hasOrganisationalUnit)),
            ("field.purposes", list(act.purposes)),
            ("field.data_subjects", r.objects(act.node, DPV.hasDataSubject)),
            ("field.personal_data", list(act.data)),
            ("field.systems", r.objects(act.node, DPV.isImplementedUsingTechnology)),
        ):
            if values:
                children.append(fill(r.t(key), value=r.terms(values)))
        retention = _retention_of(r, act)
        if retention:
            children.append(fill(r.t("field.retention"), value=retention))
        necessity = [
            o
            for p, o in r.graph.predicate_objects(act.node)
            if p != RDF.type and isinstance(o, URIRef) and r.reaches(o, {DPV.Necessity})
        ]
        if necessity:
            children.append(fill(r.t("field.necessity"), value=r.terms(necessity)))
        items.append(Item((act.name,), tuple(children), strong=True))
    if items:
        subsections.append(Subsection((r.t("sub.activities"),), (BulletList(tuple(items)),)))
    return subsections


def _is_special(r: _Reader, node: Node) -> bool:
    return is_special_category(r.graph, node)


def _categories_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    subsections = []
    subjects = r.sort(s for a in acts for s in r.graph.objects(a.node, DPV.hasDataSubject))
    if subjects:
        items = tuple(Item((r.term(s),)) for s in subjects)
        subsections.append(Subsection((r.t("sub.data_subjects"),), (BulletList(items),)))
    for act in acts:
        if not act.all_data:
            r.gap("personal_data", [act.node])
    data = r.sort(d for a in acts for d in a.data)
    items_list = []
    for node in data:
        members = r.objects(node, ROPA.includes)
        children = (r.terms(members),) if members else ()
        items_list.append(Item((r.term(node),), children))
    if items_list:
        subsections.append(
            Subsection((r.t("sub.personal_data"),), (BulletList(tuple(items_list)),))
        )
    special = [d for d in r.sort(d for a in acts for d in a.all_data) if _is_special(r, d)]
    if special:
        items_list = []
        acts_with: dict[Node, list[_Activity]] = {}
        for a in acts:
            for d in dict.fromkeys(a.all_data):
                acts_with.setdefault(d, []).append(a)
        for node in special:
            using = acts_with[node]
            conditions = r.sort(b for a in using for b in a.special_bases)
            children = [fill(r.t("field.activities"), value=join(a.name for a in using))]
            if conditions:
                children.append(fill(r.t("field.special_condition"), value=r.terms(conditions)))
            else:
                children.append((r.t("field.no_special_condition"),))
            r.gap("special_condition", [a.node for a in using if not a.special_bases])
            items_list.append(Item((r.term(node),), tuple(children)))
        blocks = (Paragraph((r.t("special.intro"),)), BulletList(tuple(items_list)))
        subsections.append(Subsection((r.t("sub.special"),), blocks))
    return subsections


def _flows(r: _Reader, end: URIRef | None = None, party: Node | None = None) -> list[Node]:
    """The data flows (with ``end`` and ``party``: those whose sender or receiver it is)."""
    if end is None:
        return sorted(r.graph.subjects(RDF.type, ROPA.DataFlow), key=str)
    ends = r.graph.subjects(end, party)
    return sorted((f for f in ends if (f, RDF.type, ROPA.DataFlow) in r.graph), key=str)


def _sources_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    sources: dict[Node, list[_Activity]] = {}
    for act in acts:
        found = list(r.graph.objects(act.node, DPV.hasDataSource))
        if not found:
            r.gap("sources", [act.node])
        for source in found:
            sources.setdefault(source, []).append(act)
    items = []
    for source in r.sort(sources):
        children: list[Line] = []
        provider = r.objects(source, ROPA.providedBy)
        if provider:
            children.append(fill(r.t("field.provided_by"), value=r.terms(provider)))
        flow_data = [
            d
            for f in _flows(r, ROPA.sender, source)
            for d in r.graph.objects(f, DPV.hasPersonalData)
        ]
        if flow_data:
            children.append(fill(r.t("field.data"), value=r.terms(flow_data)))
        using = sorted(sources[source], key=lambda a: _key(a.name))
        children.append(fill(r.t("field.activities"), value=join(a.name for a in using)))
        items.append(Item((r.term(source),), tuple(children)))
    if not items:
        return []
    return [Subsection(None, (BulletList(tuple(items)),))]


def _party_items(
    r: _Reader, parties: dict[Node, list[_Activity]], processors: bool
) -> tuple[Item, ...]:
    items = []
    for party in r.sort(parties):
        using = sorted(parties[party], key=lambda a: _key(a.name))
        children: list[Line] = []
        location = r.objects(party, DPV.hasLocation, DPV.hasCountry)
        if location:
            children.append(fill(r.t("field.location"), value=r.terms(location)))
        if processors:
            systems = r.sort(r.graph.subjects(ROPA.providedBy, party))
            if systems:
                children.append(fill(r.t("field.provides"), value=r.terms(systems)))
        data = r.sort(d for a in using for d in a.data)
        if data:
            children.append(fill(r.t("field.data"), value=r.terms(data)))
        purposes = r.sort(p for a in using for p in a.purposes)
        if purposes:
            children.append(fill(r.t("field.purposes"), value=r.terms(purposes)))
        conditions = sorted(
            {
                term
                for f in _flows(r, ROPA.receiver, party)
                for term in [r.labels.text(f, ROPA.condition)]
                if term is not None
            },
            key=_key,
        )
        if conditions:
            children.append(fill(r.t("field.conditions"), value=join(conditions, "; ")))
        children.append(fill(r.t("field.activities"), value=join(a.name for a in using)))
        items.append(Item((r.term(party),), tuple(children), strong=True))
    return tuple(items)


def _disclosures_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    subsections = []
    recipients: dict[Node, list[_Activity]] = {}
    processors: dict[Node, list[_Activity]] = {}
    for act in acts:
        for node in r.graph.objects(act.node, DPV.hasRecipient):
            recipients.setdefault(node, []).append(act)
        for node in r.graph.objects(act.node, DPV.hasDataImporter):
            recipients.setdefault(node, []).append(act)
        for node in r.graph.objects(act.node, DPV.hasDataProcessor):
            processors.setdefault(node, []).append(act)
    if recipients:
        block = BulletList(_party_items(r, recipients, processors=False))
        subsections.append(Subsection((r.t("sub.recipients"),), (block,)))
    if processors:
        block = BulletList(_party_items(r, processors, processors=True))
        subsections.append(Subsection((r.t("sub.processors"),), (block,)))
    access = _access_rules(r, acts)
    if access:
        subsections.append(Subsection((r.t("sub.access"),), (BulletList(access),)))
    flows = _flow_table(r)
    if flows is not None:
        subsections.append(Subsection((r.t("sub.flows"),), (flows,)))
    subsections.append(Subsection((r.t("sub.transfers"),), _transfers(r, acts, processors)))
    return subsections


def _measures(r: _Reader, acts: list[_Activity]) -> list[Node]:
    used = {m for a in acts for m in r.graph.objects(a.node, DPV.hasTechnicalOrganisationalMeasure)}
    typed = set(r.graph.subjects(RDF.type, DPV.TechnicalOrganisationalMeasure))
    return r.sort(used | typed)


def _access_rules(r: _Reader, acts: list[_Activity]) -> tuple[Item, ...]:
    items = []
    for measure in _measures(r, acts):
        who = r.objects(measure, ROPA.permittedEntity)
        if not who:
            continue
        data = r.objects(measure, ROPA.coversData)
        data_line = r.terms(data) if data else (r.term(measure),)
        condition = r.labels.text(measure, ROPA.condition)
        if r.is_true(measure, ROPA.isExclusive):
            text = fill(r.t("access.only"), data=data_line, who=r.terms(who))
        elif condition is not None:
            text = fill(
                r.t("access.condition"), data=data_line, who=r.terms(who), condition=condition
            )
        else:
            text = fill(r.t("access.also"), data=data_line, who=r.terms(who))
        items.append(Item(text))
    return tuple(sorted(items, key=lambda i: _key(i.text)))


def _flow_table(r: _Reader) -> Table | None:
    rows = []
    for flow in _flows(r):
        data = r.terms(r.graph.objects(flow, DPV.hasPersonalData))
        description = r.labels.text(flow, DCTERMS.description)
        if description is not None:
            data = join([data, (description,)]) if data else (description,)
        condition = r.labels.text(flow, ROPA.condition)
        rows.append(
            (
                r.terms(r.graph.objects(flow, ROPA.sender)),
                r.terms(r.graph.objects(flow, ROPA.receiver)),
                data,
                r.terms(r.graph.objects(flow, DPV.hasPurpose)),
                (condition,) if condition is not None else (),
            )
        )
    if not rows:
        return None
    header = tuple(
        (r.t(k),) for k in ("col.from", "col.to", "col.data", "col.purposes", "col.condition")
    )
    return Table(header, tuple(sorted(rows, key=lambda row: [_key(cell) for cell in row])))


def _is_country(r: _Reader, place: Node) -> bool:
    return is_country(r.graph, place)


def _locations(r: _Reader, party: Node) -> list[Node]:
    """Where a party processes data: its own location, else those of the systems it provides."""
    own = r.objects(party, DPV.hasLocation, DPV.hasCountry)
    if own:
        return own
    return r.sort(
        loc
        for system in r.graph.subjects(ROPA.providedBy, party)
        for loc in r.graph.objects(system, DPV.hasLocation)
    )


def _transfers(
    r: _Reader, acts: list[_Activity], processors: dict[Node, list[_Activity]]
) -> tuple[Block, ...]:
    items = []
    for act in acts:
        found: list[tuple[Node | None, Node]] = [
            (None, c) for c in r.graph.objects(act.node, DPV.hasThirdCountry)
        ]
        for predicate in (DPV.hasDataProcessor, DPV.hasRecipient, DPV.hasDataImporter):
            for party in r.graph.objects(act.node, predicate):
                found.extend(
                    (party, place)
                    for place in _locations(r, party)
                    if outside_eu_eea(r.graph, place)
                )
        for party, country in sorted(set(found), key=lambda pc: (str(pc[0]), str(pc[1]))):
            who = (act.name,) if party is None else (r.term(party), " (", act.name, ")")
            children: list[Line] = []
            if act.transfer_bases:
                children.append(fill(r.t("field.safeguards"), value=r.terms(act.transfer_bases)))
            else:
                children.append((r.t("field.no_safeguards"),))
                r.gap("transfer_safeguards", [act.node])
            text = fill(r.t("transfers.item"), who=who, country=r.term(country))
            items.append(Item(text, tuple(children)))
    unknown = [p for p in r.sort(processors) if not _locations(r, p)]
    r.gap("processor_location", unknown)
    blocks: list[Block] = []
    if items:
        blocks.append(BulletList(tuple(sorted(items, key=lambda i: _key(i.text)))))
    elif not unknown:
        blocks.append(Paragraph((r.t("transfers.none"),)))
    if unknown:
        blocks.append(Paragraph(fill(r.t("transfers.unknown"), value=r.terms(unknown))))
    return tuple(blocks)


def _retention_words(r: _Reader, rule: Node) -> Line:
    """How long a retention rule keeps the data, in plain words."""
    durations = r.objects(rule, DPV.hasDuration) or [rule]
    return join((_duration_words(r, rule, d) for d in durations), "; ")


def _duration_words(r: _Reader, rule: Node, node: Node) -> Line:
    """One duration node (or a duration literal) in plain words; unknown is a gap."""
    resource = not isinstance(node, Literal)
    value = r.graph.value(node, RDF.value) if resource else node
    types = set(r.graph.objects(node, RDF.type)) if resource else set()

    def is_a(cls: URIRef) -> bool:
        return any(r.reaches(t, {cls}) for t in types)

    def events(predicate: URIRef) -> Line:
        return join(_inline(r.term(e), r.lang) for e in r.objects(node, predicate))

    words = period_words(str(value), r.lang) if value is not None else None
    period: Line | None = None
    if words is not None:
        at_most = resource and r.is_true(node, ROPA.isMaximum)
        period = fill(r.t("retention.at_most"), period=words) if at_most else (words,)
    counted = events(ROPA.countedFrom) if resource else ()
    until = events(ROPA.untilEvent) if resource else ()
    if is_a(ROPA.NotStored):
        return (r.t("retention.not_stored"),)
    if is_a(ROPA.DelegatedRetention):
        return fill(
            r.t("retention.delegated"), who=r.terms(r.graph.objects(node, ROPA.delegatedTo))
        )
    if is_a(DPV.EndlessDuration):
        return (r.t("retention.indefinite"),)
    if is_a(ROPA.CurrentYearPlus) and period is not None:
        if counted:
            return fill(r.t("retention.calendar_from"), period=period, event=counted)
        return fill(r.t("retention.calendar"), period=period)
    if period is not None and counted:
        return fill(r.t("retention.from_event"), period=period, event=counted)
    if until:
        return fill(r.t("retention.until"), event=until)
    if period is not None and not is_a(DPV.IndeterminateDuration):
        return period
    named = bool(r.term(rule).text)
    r.gap("retention_period", [rule] if named else r.graph.subjects(DPV.hasStorageCondition, rule))
    return (r.t("retention.unstated"),)


def _storage_rules(r: _Reader, acts: list[_Activity]) -> list[Node]:
    used = {s for a in acts for s in r.graph.objects(a.node, DPV.hasStorageCondition)}
    return r.sort(used | set(r.graph.subjects(RDF.type, DPV.StorageDuration)))


def _retention_of(r: _Reader, act: _Activity) -> Line:
    """The retention rules of one activity: 'data: period; data: period'."""
    rules = []
    for rule in r.objects(act.node, DPV.hasStorageCondition):
        data = r.objects(rule, ROPA.coversData)
        words = _retention_words(r, rule)
        rules.append((*r.terms(data), ": ", *words) if data else words)
    return join(sorted(rules, key=_key), "; ")


def _retention_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    rows = []
    for rule in _storage_rules(r, acts):
        data = r.objects(rule, ROPA.coversData)
        if data:
            data_line = r.terms(data)
        else:
            holders = set(r.graph.subjects(DPV.hasStorageCondition, rule))
            using = [a.name for a in acts if a.node in holders]
            if using:
                data_line = fill(r.t("field.all_data_of"), value=join(sorted(using, key=_key)))
            else:
                data_line = (r.term(rule),)
        after = r.labels.text(rule, ROPA.afterRetention)
        rows.append((data_line, _retention_words(r, rule), (after,) if after else ()))
    for act in acts:
        if (act.node, DPV.hasStorageCondition, None) not in r.graph:
            r.gap("retention", [act.node])
    subsections = []
    if rows:
        header = ((r.t("col.data"),), (r.t("col.period"),), (r.t("col.after"),))
        table = Table(header, tuple(sorted(rows, key=lambda row: [_key(c) for c in row])))
        subsections.append(Subsection(None, (table,)))
    measures = [
        Item((r.term(m),))
        for m in _measures(r, acts)
        if (m, ROPA.permittedEntity, None) not in r.graph
    ]
    if measures:
        items = tuple(sorted(measures, key=lambda i: _key(i.text)))
        subsections.append(Subsection((r.t("sub.measures"),), (BulletList(items),)))
    return subsections


_EMAIL = re.compile(r"[^@\s<>()\[\]\"']+@[^@\s<>()\[\]\"']+")


def _details(r: _Reader, node: Node) -> list[Line]:
    """Email, telephone and address stated on a node."""
    lines: list[Line] = []
    for email in sorted(str(e) for e in r.graph.objects(node, SCHEMA.email)):
        value: Part = Link(email, "mailto:" + email) if _EMAIL.fullmatch(email) else email
        lines.append(fill(r.t("field.email"), value=value))
    for phone in sorted(str(p) for p in r.graph.objects(node, SCHEMA.telephone)):
        lines.append(fill(r.t("field.telephone"), value=phone))
    for address in sorted(str(a) for a in r.graph.objects(node, DPV.hasAddress)):
        lines.append(fill(r.t("field.address"), value=address))
    return lines


def _contact_lines(r: _Reader, entity: Node) -> list[Line]:
    lines: list[Line] = []
    for contact in r.objects(entity, DPV.hasContact):
        if isinstance(contact, Literal):
            lines.append(fill(r.t("field.contact"), value=str(contact)))
            continue
        if any((contact, p, None) in r.graph for p in LABEL_PREDICATES):
            lines.append(fill(r.t("field.contact"), value=r.term(contact)))
        lines.extend(_details(r, contact))
    lines.extend(_details(r, entity))
    return lines


def _units(r: _Reader) -> list[Node]:
    """Every organisational unit the graph names."""
    typed = set(r.graph.subjects(RDF.type, DPV.OrganisationalUnit))
    used = set(r.graph.objects(None, DPV.hasOrganisationalUnit))
    return r.sort(typed | used)


def _controllers(r: _Reader, acts: list[_Activity]) -> list[Node]:
    holders = [a.node for a in acts] + list(r.graph.subjects(RDF.type, DPV.ROPA))
    found = {
        c
        for h in holders
        for p in (DPV.hasDataController, DPV.hasJointDataControllers)
        for c in r.graph.objects(h, p)
    }
    return r.sort(found or set(r.graph.subjects(RDF.type, DPV.DataController)))


def _contact_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    controllers = _controllers(r, acts)
    if not controllers:
        r.gap("controller")
    items = []
    for controller in controllers:
        children = _contact_lines(r, controller)
        if not children:
            r.gap("controller_contact", [controller])
        location = r.objects(controller, DPV.hasLocation, DPV.hasCountry)
        if location:
            children.append(fill(r.t("field.location"), value=r.terms(location)))
        units = [u for u in _units(r) if r.reaches_via(u, ORG.subOrganizationOf, controller)]
        if units:
            children.append(fill(r.t("field.units"), value=r.terms(units)))
        representative = r.objects(controller, DPV.hasRepresentative)
        if representative:
            children.append(fill(r.t("field.representative"), value=r.terms(representative)))
        items.append(Item((r.term(controller),), tuple(children), strong=True))
    subsections = []
    if items:
        subsections.append(Subsection((r.t("sub.controller"),), (BulletList(tuple(items)),)))
    holders = controllers + [a.node for a in acts] + list(r.graph.subjects(RDF.type, DPV.ROPA))
    dpos = r.sort(
        {d for h in holders for d in r.graph.objects(h, DPV.hasDataProtectionOfficer)}
        | set(r.graph.subjects(RDF.type, DPV.DataProtectionOfficer))
    )
    if not dpos:
        r.gap("dpo")
    else:
        dpo_items = tuple(
            Item((r.term(d),), tuple(_contact_lines(r, d)), strong=True) for d in dpos
        )
        subsections.append(Subsection((r.t("sub.dpo"),), (BulletList(dpo_items),)))
    return subsections


def _rights_of(r: _Reader, basis: Node) -> list[Node]:
    """The rights DPV attaches to a legal basis, inherited from the nearest broader basis."""
    level = [basis]
    seen: set[Node] = set()
    while level:
        rights = {x for b in level for x in r.graph.objects(b, DPV.hasRight)}
        if rights:
            return sorted(rights, key=_right_order)
        seen.update(level)
        level = [p for b in level for p in r.graph.objects(b, SKOS.broader) if p not in seen]
    return []


_RIGHT_ORDER = {iri: i for i, iri in enumerate(RIGHTS)}


def _right_order(node: Node) -> tuple[int, str]:
    return (_RIGHT_ORDER.get(str(node), len(_RIGHT_ORDER)), str(node))


def _right_name(r: _Reader, node: Node) -> Part:
    known = RIGHTS.get(str(node))
    return known[r.lang][0] if known else r.term(node)


def _rights_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    blocks: list[Block] = [Paragraph((r.t("rights.intro"),))]
    for basis in sorted({b for a in acts for b in a.bases}, key=str):
        rights = _rights_of(r, basis)
        if not rights:
            r.gap("rights", [basis])
            continue
        blocks.append(Paragraph(fill(r.t("rights.basis"), basis=_basis(r, basis))))
        items = []
        for right in rights:
            known = RIGHTS.get(str(right))
            children = ((known[r.lang][1],),) if known else ()
            items.append(Item((_right_name(r, right),), children, strong=True))
        blocks.append(BulletList(tuple(items)))
        missing = [URIRef(x) for x in ASKED_RIGHTS if URIRef(x) not in rights]
        if missing:
            names = join(_right_name(r, m) for m in missing)
            blocks.append(Paragraph(fill(r.t("rights.not_applicable"), rights=names)))
    return [Subsection(None, tuple(blocks))]


def _authorities(r: _Reader, country: Node) -> list[Node]:
    """Data protection authorities with jurisdiction over ``country`` (graph, then vocabulary)."""
    dpa = {EU_GDPR.DataProtectionAuthority}
    found = {s for s in r.graph.subjects(DPV.hasJurisdiction, country) if r.reaches(s, dpa)}
    if not found and r.vocab is not None and isinstance(country, URIRef):
        for subject in r.vocab.subjects_with(DPV.hasJurisdiction, country):
            described = r.vocab.describe(subject)
            if any(p in _HIERARCHY and o in dpa for p, o in described):
                found.add(subject)
    return r.sort(found)


def _complaint_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    blocks: list[Block] = [Paragraph((r.t("complaint.right"),))]
    controllers = _controllers(r, acts)
    located = r.sort(
        place
        for c in controllers
        for place in r.graph.objects(c, DPV.hasLocation)
        if _is_country(r, place)
    )
    phrase = "complaint.by_location"
    countries = located
    if not located:
        phrase = "complaint.by_law"
        countries = r.sort(
            place
            for a in acts
            if any(r.reaches(b, _LAW_BASED) for b in a.bases)
            for law in a.laws
            for place in r.graph.objects(law, DPV.hasJurisdiction)
            if _is_country(r, place)
        )
    named = False
    for country in countries:
        authorities = _authorities(r, country)
        if authorities:
            blocks.append(Paragraph(fill(r.t(phrase), country=r.term(country))))
            blocks.append(BulletList(tuple(Item((r.term(a),), strong=True) for a in authorities)))
            named = True
    if not named:
        r.gap("authority", controllers)
    return [Subsection(None, tuple(blocks))]


def _automated_topic(r: _Reader, acts: list[_Activity]) -> list[Subsection]:
    adm = {DPV.AutomatedDecisionMaking}
    found = [
        a
        for a in acts
        if any(
            isinstance(o, URIRef) and r.reaches(o, adm)
            for p, o in r.graph.predicate_objects(a.node)
            if p != RDF.type
        )
    ]
    if not found:
        return []
    items = tuple(Item((a.name,)) for a in sorted(found, key=lambda a: _key(a.name)))
    return [Subsection(None, (Paragraph((r.t("automated.intro"),)), BulletList(items)))]


def _requirement_gaps(r: _Reader, acts: list[_Activity]) -> None:
    """Art. 13(2)(e): where data come from the data subject, whether they must be provided."""
    for act in acts:
        subjects = set(r.graph.objects(act.node, DPV.hasDataSubject))
        sources = set(r.graph.objects(act.node, DPV.hasDataSource))
        from_subject = any(s in subjects or r.reaches(s, {DPV.DataSubject}) for s in sources)
        states_it = any(
            isinstance(o, URIRef) and r.reaches(o, {DPV.Necessity})
            for _, o in r.graph.predicate_objects(act.node)
        )
        if from_subject and not states_it:
            r.gap("requirement", [act.node])


# --- Placing the topics in the register description's sections ---------------------------


def _evidence(r: _Reader, acts: list[_Activity]) -> dict[str, set[Node]]:
    """Nodes whose provenance shows where each topic stands in the register description."""

    def of(predicate: URIRef) -> set[Node]:
        return {o for a in acts for o in r.graph.objects(a.node, predicate)}

    sources = of(DPV.hasDataSource)
    controllers = set(_controllers(r, acts))
    return {
        "purpose": of(DPV.hasPurpose),
        "categories": of(ROPA.hasDataGroup)
        | {d for a in acts for d in a.all_data if _is_special(r, d)},
        "sources": sources | {f for s in sources for f in r.graph.subjects(ROPA.sender, s)},
        "disclosures": of(DPV.hasRecipient) | of(DPV.hasDataProcessor),
        "retention": of(DPV.hasStorageCondition),
        "contact": controllers
        | {c for x in controllers for c in r.graph.objects(x, DPV.hasContact)}
        | {d for x in controllers for d in r.graph.objects(x, DPV.hasDataProtectionOfficer)},
    }


def _homes(r: _Reader, acts: list[_Activity]) -> tuple[dict[str, Node], set[str]]:
    """The register section of each topic, and which topics have a section to themselves.

    Each topic goes where most of the provenance of its facts points; a section goes to one
    topic first (strongest share first), and a topic left without a section of its own
    joins the section it shares most with.
    """
    orders = {s: int(o) for s, o in r.graph.subject_objects(ROPA.order)}
    orders = {s: o for s, o in orders.items() if (s, RDF.type, ROPA.Section) in r.graph}
    shares: dict[str, dict[Node, float]] = {}
    for topic, nodes in _evidence(r, acts).items():
        counts: Counter[Node] = Counter()
        for node in nodes:
            for passage in r.graph.objects(node, PROV.wasDerivedFrom):
                section = r.graph.value(passage, ROPA.inSection)
                if section in orders:
                    counts[section] += 1
        total = sum(counts.values())
        if total:
            shares[topic] = {s: c / total for s, c in counts.items()}
    candidates = sorted(
        (-share, REGISTER_TOPICS.index(topic), orders[section], topic, section)
        for topic, by_section in shares.items()
        for section, share in by_section.items()
    )
    homes: dict[str, Node] = {}
    own: set[str] = set()
    for _, _, _, topic, section in candidates:
        if topic not in homes and section not in homes.values():
            homes[topic] = section
            own.add(topic)
    for _, _, _, topic, section in candidates:
        homes.setdefault(topic, section)
    return homes, own


def _section_heading(r: _Reader, section: Node) -> str | None:
    """The register's own heading of a section, if it has one in the notice's language."""
    for predicate in (ROPA.heading, RDFS.label):
        for value in sorted(r.graph.objects(section, predicate), key=str):
            if isinstance(value, Literal) and _lang_matches(value.language or "en", r.lang):
                return str(value)
    return None


_TOPICS: Final[dict[str, Callable[[_Reader, list[_Activity]], list[Subsection]]]] = {
    "purpose": _purpose_topic,
    "categories": _categories_topic,
    "sources": _sources_topic,
    "disclosures": _disclosures_topic,
    "retention": _retention_topic,
    "contact": _contact_topic,
}


def _register_sections(r: _Reader, acts: list[_Activity]) -> list[Section]:
    homes, own = _homes(r, acts)
    content = {topic: compose(r, acts) for topic, compose in _TOPICS.items()}
    placed: dict[Any, list[str]] = {}
    last_order = 0
    for index, topic in enumerate(REGISTER_TOPICS):
        if topic in homes:
            order = int(r.graph.value(homes[topic], ROPA.order))
            last_order = max(last_order, order)
            placed.setdefault((order, 0, 0), []).append(topic)
        else:
            placed.setdefault((last_order, 1, index), []).append(topic)
    sections = []
    for key in sorted(placed):
        topics = [t for t in placed[key] if content[t]]
        if not topics:
            continue
        primary = next((t for t in topics if t in own), topics[0])
        heading = _section_heading(r, homes[primary]) if primary in homes else None
        subsections: list[Subsection] = []
        for topic in sorted(topics, key=lambda t: (t != primary, REGISTER_TOPICS.index(t))):
            parts = content[topic]
            if topic != primary and parts and parts[0].heading is None:
                parts = [Subsection((r.t(f"topic.{topic}"),), parts[0].blocks), *parts[1:]]
            subsections.extend(parts)
        sections.append(
            Section(
                anchor=primary,
                heading=(heading or r.t(f"topic.{primary}"),),
                subsections=tuple(subsections),
                from_register=heading is not None,
            )
        )
    return sections


# --- The notice ----------------------------------------------------------------------------


def _gap_section(r: _Reader) -> tuple[tuple[Gap, ...], Section | None]:
    gaps = tuple(
        Gap(key, GAP_ARTICLES[key], tuple(sorted(r.gaps[key], key=_key)))
        for key in GAP_ARTICLES
        if key in r.gaps
    )
    if not gaps:
        return gaps, None
    items = []
    for gap in gaps:
        text = fill(r.t("gaps.item"), articles=gap.articles, what=r.t("gap." + gap.key))
        children = (fill(r.t("field.concerns"), value=join(gap.subjects, "; ")),)
        items.append(Item(text, children if gap.subjects else ()))
    blocks = (Paragraph((r.t("gaps.intro"),)), BulletList(tuple(items)))
    section = Section("gaps", (r.t("topic.gaps"),), (Subsection(None, blocks),), kind="gaps")
    return gaps, section


def _language_section(r: _Reader, lines: Iterable[Line]) -> tuple[tuple[Term, ...], Section | None]:
    """The terms the notice shows in another language than its own, listed once each."""
    shown = [
        part
        for line in lines
        for part in line
        if isinstance(part, Term) and part.fallback and part.text
    ]
    named = {t.text: t for t in shown if t.iri}
    fallbacks = tuple(named[k] for k in sorted(named, key=lambda k: _key((k,))))
    texts = any(not t.iri for t in shown)
    if not fallbacks and not texts:
        return fallbacks, None
    blocks: list[Block] = []
    if fallbacks:
        blocks.append(Paragraph((r.t("language.intro"),)))
        blocks.append(BulletList(tuple(Item((t,)) for t in fallbacks)))
    if texts:
        blocks.append(Paragraph((r.t("language.texts"),)))
    heading = (r.t("topic.language"),)
    section = Section("language", heading, (Subsection(None, tuple(blocks)),), kind="language")
    return fallbacks, section


def compose_notice(graph: Graph, lang: str = "en", vocab: Vocabulary | None = None) -> Notice:
    """Compose the privacy notice of everything the graph records.

    Args:
        graph: a built graph (:func:`checker.graph.build.build`): records, vocabulary, provenance.
        lang: ``en``, ``fi`` or ``sv``; labels in other languages fall back to English,
            term by term, and the notice lists them.
        vocab: where facts of the law that the graph need not carry are looked up (the
            supervisory authority of a country, labels of terms the graph does not
            describe). Default: the shipped vocabulary.

    Returns:
        The :class:`Notice`, with its gaps: items Articles 13/14 require that the graph lacks.

    Raises:
        InputError: ``lang`` is not one of the notice's languages.
    """
    if lang not in LANGUAGES:
        raise InputError(f"no notice language {lang!r}: use {', '.join(LANGUAGES)}")
    vocab = shipped_vocabulary() if vocab is None else vocab
    r = _Reader(graph, Labeller(graph, lang, vocab), vocab)
    acts = [_read_activity(r, node) for node in _activities(graph)]
    sections = _register_sections(r, acts)
    for anchor, topic in (
        ("automated", _automated_topic),
        ("rights", _rights_topic),
        ("complaint", _complaint_topic),
    ):
        subsections = topic(r, acts)
        if subsections:
            heading = (r.t(f"topic.{anchor}"),)
            sections.append(Section(anchor, heading, tuple(subsections)))
    _requirement_gaps(r, acts)
    registers = r.sort(graph.subjects(RDF.type, DPV.ROPA))
    controllers = _controllers(r, acts)
    register_line = join((r.term(x) for x in registers), "; ") or r.terms(controllers)
    controller_line = join((r.term(c) for c in controllers), r.t("list.and"))
    title = fill(r.t("title"), register=register_line)
    intro = (fill(r.t("intro"), controller=controller_line or ("—",), register=register_line),)
    documents = r.sort(d for x in registers for d in graph.objects(x, DCTERMS.source))
    footer: list[Line] = [(r.t("footer"),)]
    if documents:
        doc_titles = join((r.term(d) for d in documents), "; ")
        footer.append(fill(r.t("footer.source"), document=doc_titles))
    gaps, gap_section = _gap_section(r)
    if gap_section is not None:
        sections.append(gap_section)
    shown = [title, *intro, *footer, *_walk_sections(sections)]
    fallbacks, language_section = _language_section(r, shown)
    if language_section is not None:
        sections.append(language_section)
    return Notice(lang, title, intro, tuple(sections), gaps, fallbacks, tuple(footer))


# --- Rendering -----------------------------------------------------------------------------

_TEMPLATES = Path(__file__).parent / "templates"


class MarkdownText(str):
    """Markdown that is already escaped: the Markdown template writes it as it is."""

    __slots__ = ()


def _md_line(text: str) -> str:
    """Keep a line from starting a list, a quote or a rule by accident."""
    text = text.strip()
    if text and text[0] in "-+=":
        return "\\" + text
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def _md_part(part: Part) -> str:
    if isinstance(part, Link):
        return f"[{markdown.escape(part.text)}]({part.href})"
    return markdown.escape(part if isinstance(part, str) else part.text)


def _html_part(part: Part) -> Markup:
    if isinstance(part, Link):
        return Markup('<a href="{}">{}</a>').format(part.href, part.text)
    if isinstance(part, Term) and part.fallback and part.lang:
        return Markup('<span lang="{}">{}</span>').format(part.lang, part.text)
    return escape(part if isinstance(part, str) else part.text)


def _md_finalize(value: Any) -> Any:
    if isinstance(value, MarkdownText | int):
        return value
    return markdown.escape(str(value))


@cache
def _environment(fmt: str) -> Environment:
    if fmt == "html":
        return Environment(
            loader=FileSystemLoader(_TEMPLATES),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        finalize=_md_finalize,
        keep_trailing_newline=True,
    )


def _view(notice: Notice, fmt: str) -> dict[str, Any]:
    """The notice as plain dicts whose text is already escaped for ``fmt``."""

    def line(value: Line) -> Markup | MarkdownText:
        if fmt == "html":
            return Markup("").join(_html_part(p) for p in value)
        return MarkdownText(_md_line("".join(_md_part(p) for p in value)))

    def block(b: Block) -> dict[str, Any]:
        if isinstance(b, Paragraph):
            return {"type": "paragraph", "text": line(b.text)}
        if isinstance(b, BulletList):
            items = [
                {
                    "text": line(i.text),
                    "strong": i.strong,
                    "children": [line(c) for c in i.children],
                }
                for i in b.items
            ]
            return {"type": "list", "entries": items}
        return {
            "type": "table",
            "header": [line(h) for h in b.header],
            "rows": [[line(c) for c in row] for row in b.rows],
        }

    sections = []
    for section in notice.sections:
        subsections = [
            {
                "anchor": f"{section.anchor}-{i}",
                "heading": line(sub.heading) if sub.heading is not None else None,
                "blocks": [block(b) for b in sub.blocks],
            }
            for i, sub in enumerate(section.subsections, start=1)
        ]
        sections.append(
            {
                "anchor": section.anchor,
                "heading": line(section.heading),
                "kind": section.kind,
                "subsections": subsections,
            }
        )
    return {
        "lang": notice.lang,
        "title": line(notice.title),
        "title_text": plain(notice.title),
        "toc": line((PHRASES[notice.lang]["toc"],)),
        "skip": line((PHRASES[notice.lang]["skip"],)),
        "intro": [line(p) for p in notice.intro],
        "sections": sections,
        "footer": [line(p) for p in notice.footer],
    }


def render_notice(notice: Notice, fmt: str = "md") -> str:
    """Render the notice as Markdown (``md``) or one self-contained HTML page (``html``).

    Every value from the graph is escaped for the format. The same notice gives the same
    text: nothing depends on the clock or on the order of the graph.

    Raises:
        InputError: ``fmt`` is not ``md`` or ``html``.
    """
    if fmt not in FORMATS:
        raise InputError(f"no notice format {fmt!r}: use {', '.join(FORMATS)}")
    template = _environment(fmt).get_template(f"notice.{fmt}.j2")
    text = template.render(n=_view(notice, fmt))
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def gap_messages(notice: Notice) -> list[str]:
    """The gaps of a notice in English, one line each, for stderr."""
    return [gap.message() for gap in notice.gaps]


def _walk_sections(sections: Iterable[Section]) -> Iterator[Line]:
    for section in sections:
        yield section.heading
        for sub in section.subsections:
            if sub.heading is not None:
                yield sub.heading
            for b in sub.blocks:
                if isinstance(b, Paragraph):
                    yield b.text
                elif isinstance(b, BulletList):
                    for item in b.items:
                        yield item.text
                        yield from item.children
                else:
                    yield from b.header
                    for row in b.rows:
                        yield from row


def _walk(notice: Notice) -> Iterator[Line]:
    """Every line of the notice (for tests and tools)."""
    yield notice.title
    yield from notice.intro
    yield from _walk_sections(notice.sections)
    yield from notice.footer


def notice_text(notice: Notice) -> str:
    """All the text of a notice, unformatted, one line per line (for tests and search)."""
    return "\n".join(plain(line) for line in _walk(notice))
