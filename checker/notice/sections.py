"""Where the notice's topics go: each under the register description's section that the
provenance of its facts points to most, in the register's own order; then the gaps and the
terms shown in another language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Final

from rdflib import Literal, URIRef
from rdflib.term import Node

from checker.notice.model import (
    GAP_ARTICLES,
    Block,
    BulletList,
    Gap,
    Item,
    Line,
    Paragraph,
    Section,
    Subsection,
    Term,
    cited_articles,
    fill,
    join,
    sort_key,
)
from checker.notice.reader import REGISTER_TOPICS, Activity, Reader, controllers_of
from checker.notice.retention import retention_topic
from checker.notice.topics import (
    categories_topic,
    contact_topic,
    disclosures_topic,
    purpose_topic,
    register_parties,
    sources_topic,
)
from checker.vocab.concepts import is_special_category
from checker.vocab.labels import lang_matches
from checker.vocab.namespaces import DPV, PROV, RDF, RDFS, ROPA


def _evidence(r: Reader, acts: list[Activity]) -> dict[str, set[Node]]:
    """Nodes whose provenance shows where each topic stands in the register description."""

    def of(predicate: URIRef) -> set[Node]:
        return {o for a in acts for o in r.graph.objects(a.node, predicate)}

    sources = of(DPV.hasDataSource) | set(register_parties(r, acts, ROPA.sender))
    controllers = set(controllers_of(r, acts))
    return {
        "purpose": of(DPV.hasPurpose),
        "categories": of(ROPA.hasDataGroup)
        | {d for a in acts for d in a.all_data if r.asks(is_special_category, d)},
        "sources": sources | {f for s in sources for f in r.graph.subjects(ROPA.sender, s)},
        "disclosures": of(DPV.hasRecipient)
        | of(DPV.hasDataProcessor)
        | set(register_parties(r, acts, ROPA.receiver)),
        "retention": of(DPV.hasStorageCondition),
        "contact": controllers
        | {c for x in controllers for c in r.graph.objects(x, DPV.hasContact)}
        | {d for x in controllers for d in r.graph.objects(x, DPV.hasDataProtectionOfficer)},
    }


def _homes(r: Reader, acts: list[Activity]) -> tuple[dict[str, Node], set[str]]:
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


def _section_heading(r: Reader, section: Node) -> str | None:
    """The register's own heading of a section, if it has one in the notice's language."""
    for predicate in (ROPA.heading, RDFS.label):
        for value in sorted(r.graph.objects(section, predicate), key=str):
            if isinstance(value, Literal) and lang_matches(value.language or "en", r.lang):
                return str(value)
    return None


_TOPICS: Final[dict[str, Callable[[Reader, list[Activity]], list[Subsection]]]] = {
    "purpose": purpose_topic,
    "categories": categories_topic,
    "sources": sources_topic,
    "disclosures": disclosures_topic,
    "retention": retention_topic,
    "contact": contact_topic,
}


def register_sections(r: Reader, acts: list[Activity]) -> tuple[list[Section], dict[str, str]]:
    """The register topics as second-layer sections (a reader opens them), and the anchor of
    the section each topic landed in."""
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
    where: dict[str, str] = {}
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
            where[topic] = primary
        sections.append(
            Section(
                anchor=primary,
                heading=(heading or r.t(f"topic.{primary}"),),
                subsections=tuple(subsections),
                from_register=heading is not None,
                collapsible=True,
            )
        )
    return sections, where


# --- The notice ----------------------------------------------------------------------------


def gap_section(r: Reader) -> tuple[tuple[Gap, ...], Section | None]:
    gaps = tuple(
        Gap(key, GAP_ARTICLES[key], tuple(sorted(r.gaps[key], key=sort_key)))
        for key in GAP_ARTICLES
        if key in r.gaps
    )
    if not gaps:
        return gaps, None
    items = []
    for gap in gaps:
        articles = cited_articles(gap.articles, r.lang)
        text = fill(r.t("gaps.item"), articles=articles, what=r.t("gap." + gap.key))
        children = (fill(r.t("field.concerns"), value=join(gap.subjects, "; ")),)
        items.append(Item(text, children if gap.subjects else ()))
    blocks = (Paragraph((r.t("gaps.intro"),)), BulletList(tuple(items)))
    section = Section("gaps", (r.t("topic.gaps"),), (Subsection(None, blocks),), kind="gaps")
    return gaps, section


def language_section(r: Reader, lines: Iterable[Line]) -> tuple[tuple[Term, ...], Section | None]:
    """The terms the notice shows in another language than its own, listed once each."""
    shown = [
        part
        for line in lines
        for part in line
        if isinstance(part, Term) and part.fallback and part.text
    ]
    named = {t.text: t for t in shown if t.iri}
    fallbacks = tuple(named[k] for k in sorted(named, key=lambda k: sort_key((k,))))
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
