"""The GDPR Art. 13/14 privacy notice, generated from the graph: graph -> notice -> text.

The notice is published from the same graph that ``ropa check`` validates, so what is
published and what is recorded cannot drift apart. Three pure steps:

1. :func:`compose_notice` reads the graph (records, vocabulary and provenance) into a
   :class:`Notice`: sections of paragraphs, lists and tables whose text is made of fixed
   phrases (:mod:`checker.notice.phrases`) and :class:`Term` values taken from the graph.
2. The notice lists every item Articles 13 and 14 require that the graph lacks as a
   :class:`Gap`. Nothing is guessed: a gap is reported, never filled.
3. :func:`render_notice` (:mod:`checker.notice.render`) writes Markdown (for review in pull
   requests) or one self-contained HTML page (for publishing), escaping every value from the
   graph.

The modules: :mod:`~checker.notice.model` (the notice as data), :mod:`~checker.notice.labeller`
(labels in the notice's language), :mod:`~checker.notice.reader` (reading the graph),
:mod:`~checker.notice.topics`, :mod:`~checker.notice.retention` and
:mod:`~checker.notice.rights` (the content), :mod:`~checker.notice.sections` (where it goes),
:mod:`~checker.notice.render` (the text). This module puts them together; the names other
stages use (``compose_notice``, ``render_notice``, ``gap_messages``, ``Notice``, ...) are
importable from here.

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
['summary', 'activities', 'purpose']
>>> any(g.key == "dpo" for g in notice.gaps)
True
"""

from __future__ import annotations

from rdflib import Graph
from rdflib.term import Node

from checker.errors import InputError
from checker.notice.activities import activity_details
from checker.notice.labeller import Labeller, Vocabulary, shipped_vocabulary
from checker.notice.model import (
    GAP_ARTICLES,
    Item,
    Line,
    Notice,
    Section,
    Term,
    fill,
    join,
    plain,
)
from checker.notice.phrases import LANGUAGES
from checker.notice.reader import Reader, controllers_of, process_nodes, read_activity
from checker.notice.render import FORMATS, gap_messages, notice_text, render_notice, walk_sections
from checker.notice.retention import retention_gaps
from checker.notice.rights import automated_topic, complaint_topic, requirement_gaps, rights_topic
from checker.notice.sections import gap_section, language_section, register_sections
from checker.notice.summary import summary_section
from checker.vocab.namespaces import DCTERMS, DPV, RDF, ROPA

__all__ = [
    "FORMATS",
    "GAP_ARTICLES",
    "Item",
    "Notice",
    "Term",
    "Vocabulary",
    "compose_notice",
    "gap_messages",
    "notice_gaps",
    "notice_text",
    "plain",
    "render_notice",
    "shipped_vocabulary",
]


def notice_gaps(graph: Graph, vocab: Vocabulary | None = None) -> dict[str, list[Node]]:
    """The gaps of the notice that rest on the notice's own reading, by key, with the nodes
    they concern: the supervisory authority (``authority``), rights of a legal basis
    (``rights``), Art. 13(2)(e) (``requirement``) and retention rules (``retention_period``).
    The check's NOTICE-* rules (:mod:`checker.check.rules.notice`) report exactly these, so
    ``ropa check`` and ``ropa notice`` cannot disagree on them.
    """
    vocab = shipped_vocabulary() if vocab is None else vocab
    r = Reader(graph, Labeller(graph, "en", vocab), vocab)
    acts = [read_activity(r, node) for node in process_nodes(graph)]
    complaint_topic(r, acts)
    rights_topic(r, acts)
    requirement_gaps(r, acts)
    retention_gaps(r, acts)
    return {key: list(dict.fromkeys(nodes)) for key, nodes in r.gap_nodes.items()}


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
    r = Reader(graph, Labeller(graph, lang, vocab), vocab)
    acts = [read_activity(r, node) for node in process_nodes(graph)]
    details = activity_details(r, acts)
    topics, where = register_sections(r, acts)
    sections = (
        [Section("activities", (r.t("topic.activities"),), tuple(details))] if details else []
    )
    sections.extend(topics)
    for anchor, topic in (
        ("automated", automated_topic),
        ("rights", rights_topic),
        ("complaint", complaint_topic),
    ):
        subsections = topic(r, acts)
        if subsections:
            heading = (r.t(f"topic.{anchor}"),)
            collapsible = anchor == "rights"
            sections.append(Section(anchor, heading, tuple(subsections), collapsible=collapsible))
            where[anchor] = anchor
    requirement_gaps(r, acts)
    registers = r.sort(graph.subjects(RDF.type, DPV.ROPA))
    owners = controllers_of(r, acts)
    register_line = join((r.term(x) for x in registers), "; ") or r.terms(owners)
    controller_line = join((r.term(c) for c in owners), r.t("list.and"))
    title = fill(r.t("title"), register=register_line)
    intro = (fill(r.t("intro"), controller=controller_line or ("—",), register=register_line),)
    documents = r.sort(d for x in registers for d in graph.objects(x, DCTERMS.source))
    footer: list[Line] = [(r.t("footer"),)]
    unreviewed = {str(v) for x in registers for v in graph.objects(x, ROPA.unreviewedTranslation)}
    if lang in unreviewed:
        footer.append((r.t("footer.unreviewed"),))
    if documents:
        doc_titles = join((r.term(d) for d in documents), "; ")
        footer.append(fill(r.t("footer.source"), document=doc_titles))
    gaps, missing = gap_section(r)
    if missing is not None:
        sections.append(missing)
    if details:
        where["activities"] = "activities"
    sections.insert(0, summary_section(r, acts, len(gaps), where))
    # The footer names the source document by its own title, in its own language: a
    # citation, not a term to translate.
    shown = [title, *intro, footer[0], *walk_sections(sections)]
    fallbacks, language_note = language_section(r, shown)
    if language_note is not None:
        sections.append(language_note)
    return Notice(lang, title, intro, tuple(sections), gaps, fallbacks, tuple(footer))
