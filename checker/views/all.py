"""What the dashboard shows, as values: tables, details and figures made from a built graph.

The dashboard (``dashboard/``) is a thin Streamlit front end: every table, detail and figure
it shows comes from a pure function here, which reads the graph that
:func:`checker.graph.build.build` made, the findings of :func:`checker.check.run.check` and the flow
graph of :func:`checker.graph.flows.flow_graph`, through the rdflib graph API (no SPARQL; the
console's queries go through :mod:`checker.query.ask`). Nothing here changes the graph.

Everything is deterministic: rows are sorted, layouts are seeded, so the same records give
the same pages.

>>> model = load_model([])
>>> [row.name for row in activities_table(model.graph, model.findings)][:1]
['Business consultation memorandums']
>>> ip = "https://w3id.org/dpv/pd#IPAddress"
>>> shown = filter_flows(model.graph, model.flows, FlowFilter(data=frozenset({ip})))
>>> sorted(label for _, label in handlers(shown)["processor"])
['Elisa Oyj', 'Fonecta Oy']
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from checker.assets import default_records
from checker.check.findings import Finding, Severity
from checker.errors import InputError
from checker.files import read_input
from checker.graph.retention import duration_node, read_retention
from checker.vocab.concepts import is_special_category
from checker.vocab.labels import label_of

if TYPE_CHECKING:  # plotly and the query engine load only when a page needs them
    import plotly.graph_objects as go

    from checker.notice.compose import Notice
    from checker.query.engines import LocalEngine

DPV = Namespace("https://w3id.org/dpv#")
ROPA = Namespace("https://w3id.org/ropa-kg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")

#: Colours of the node kinds of the flow graph (colour-blind-safe Okabe-Ito palette).
KIND_COLOURS: dict[str, str] = {
    "data subject": "#009E73",
    "system": "#8C8C8C",
    "unit": "#0072B2",
    "controller": "#56B4E9",
    "processor": "#E69F00",
    "recipient": "#CC79A7",
    "other": "#B0B0B0",
}

#: How each node kind is named on the pages (plural, for legends and summaries).
KIND_NAMES: dict[str, str] = {
    "data subject": "Data subjects (sources)",
    "system": "Systems",
    "unit": "Organisational units",
    "controller": "Controller",
    "processor": "Processors",
    "recipient": "Recipients",
    "other": "Other",
}

#: Marker symbols of the node kinds.
KIND_SYMBOLS: dict[str, str] = {
    "data subject": "circle",
    "system": "hexagon",
    "unit": "circle",
    "controller": "star",
    "processor": "diamond",
    "recipient": "square",
    "other": "circle-open",
}

#: Colours of the edge kinds (what the edge stands for).
EDGE_COLOURS: dict[str, str] = {
    "source": "#009E73",
    "flow": "#0072B2",
    "processor": "#E69F00",
    "recipient": "#CC79A7",
}

#: How the edge kinds are named in the legend.
EDGE_NAMES: dict[str, str] = {
    "source": "collected from a source",
    "flow": "handed between units",
    "processor": "to a processor",
    "recipient": "disclosed to a recipient",
}

#: Severity colours, worst first.
SEVERITY_COLOURS: dict[str, str] = {
    "violation": "#C0392B",
    "warning": "#E69F00",
    "info": "#0072B2",
}


# --- loading -------------------------------------------------------------------------------


def input_files(paths: Sequence[Path]) -> list[Path]:
    """Every file the graph of ``paths`` is built from (empty: the shipped register).

    A record-set folder counts with every file in it (the YAML records and the register
    description they quote); a YAML file with the files beside it, for the same reason.

    >>> names = [p.name for p in input_files([])]
    >>> "activities.yaml" in names and "register-description.txt" in names
    True
    """
    files: set[Path] = set()
    for path in paths or [default_records()]:
        if path.is_dir():
            files.update(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
        elif path.suffix.lower() in (".yaml", ".yml") and path.parent.is_dir():
            files.update(p for p in path.parent.iterdir() if p.is_file() and not _hidden(p, path))
            files.add(path)
        else:
            files.add(path)
    return sorted(files)


def _hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root if root.is_dir() else root.parent).parts
    except ValueError:
        return False
    return any(part.startswith(".") for part in parts)


_DIGESTS: dict[tuple[str, int, int], str] = {}


def input_fingerprint(paths: Sequence[Path]) -> str:
    """A hash of the input's file names and contents: the key the dashboard caches on.

    Each file's digest is kept while its size and modification time stay the same, so a
    rerun does not read a large input again; a missing file hashes as missing (the build
    then reports it).

    >>> input_fingerprint([]) == input_fingerprint([])
    True
    """
    total = hashlib.sha256()
    for file in input_files(paths):
        total.update(str(file.resolve()).encode("utf-8") + b"\0")
        try:
            stat = file.stat()
        except OSError:
            total.update(b"missing\0")
            continue
        key = (str(file.resolve()), stat.st_size, stat.st_mtime_ns)
        digest = _DIGESTS.get(key)
        if digest is None:
            try:
                digest = hashlib.sha256(read_input(file, str(file))).hexdigest()
            except InputError:  # a FIFO, a device, a link loop: the build says why
                digest = "unreadable"
            _DIGESTS[key] = digest
        total.update(digest.encode("ascii") + b"\0")
    return total.hexdigest()


@dataclass
class Model:
    """The built graph of one input with everything the pages derive from it.

    Derived views are computed on first use and kept (the dashboard caches the model).
    """

    paths: tuple[Path, ...]
    graph: Graph
    findings: list[Finding]
    flows: nx.DiGraph
    _notices: dict[str, Notice] = field(default_factory=dict, repr=False)

    @cached_property
    def activities(self) -> list[ActivityRow]:
        return activities_table(self.graph, self.findings)

    @cached_property
    def retention(self) -> list[RetentionRow]:
        return retention_rows(self.graph)

    @cached_property
    def engine(self) -> LocalEngine:
        """The graph in an embedded pyoxigraph store, for the SPARQL console."""
        from checker.graph.store import ox_store
        from checker.query.engines import LocalEngine

        return LocalEngine(ox_store(self.graph))

    def notice(self, lang: str) -> Notice:
        """The privacy notice in ``lang`` (composed once per language)."""
        from checker.notice.compose import compose_notice

        if lang not in self._notices:
            self._notices[lang] = compose_notice(self.graph, lang)
        return self._notices[lang]

    @cached_property
    def summary(self) -> RegisterSummary:
        return register_summary(self.graph, self.flows, self.findings)


def load_model(paths: Sequence[Path]) -> Model:
    """Build, check and draw the flows of ``paths`` (empty: the shipped register).

    Raises:
        InputError: the records cannot be read (the message names file and line).
    """
    from checker.check.run import check
    from checker.graph.build import build
    from checker.graph.flows import flow_graph

    graph = build(list(paths))
    findings = check(graph).findings
    return Model(tuple(paths), graph, findings, relabel(graph, flow_graph(graph)))


# --- small graph helpers ---------------------------------------------------------------------


def local_id(iri: str) -> str:
    """The last segment of an IRI: the record's id.

    >>> local_id("https://w3id.org/ropa-kg/registers/x/chat-ip")
    'chat-ip'
    """
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _iris(graph: Graph, subject: Node, predicate: URIRef) -> list[URIRef]:
    return sorted({o for o in graph.objects(subject, predicate) if isinstance(o, URIRef)})


#: Properties that name an entity when it has no rdfs:label or skos:prefLabel (plain DPV
#: uses dpv:hasName for organisations).
NAME_PREDICATES = (
    DPV.hasName,
    URIRef("http://xmlns.com/foaf/0.1/name"),
    URIRef("https://schema.org/name"),
    DCTERMS.title,
)


def name_of(graph: Graph, node: Node | None) -> str:
    """The label of a node (:func:`checker.vocab.labels.label_of`), else its name (dpv:hasName,
    foaf:name, schema:name, dct:title), else its id: never a bare IRI.

    >>> g = Graph()
    >>> _ = g.add((URIRef("https://e.org/x#mailer"), DPV.hasName, Literal("Mailer Inc.")))
    >>> name_of(g, URIRef("https://e.org/x#mailer")), name_of(g, URIRef("https://e.org/x#y"))
    ('Mailer Inc.', 'y')
    """
    if node is None:
        return ""
    label = label_of(graph, node)  # type: ignore[arg-type]
    if not isinstance(node, URIRef) or label != str(node):
        return label
    for prop in NAME_PREDICATES:
        text = _text(graph, node, prop)
        if text:
            return text
    return local_id(str(node)) or str(node)


def relabel(graph: Graph, flows: nx.DiGraph) -> nx.DiGraph:
    """Give every node of a flow graph a name (:func:`name_of`) where it has only its IRI."""
    for node, attrs in flows.nodes(data=True):
        if attrs.get("label", node) == node:
            attrs["label"] = name_of(graph, URIRef(node))
    return flows


def storage_conditions(graph: Graph, activity: Node) -> list[Node]:
    """The retention rules of an activity (dpv:hasStorageCondition), named or blank, in a
    deterministic order (IRI; blank nodes by what they say)."""
    nodes = {
        o for o in graph.objects(activity, DPV.hasStorageCondition) if not isinstance(o, Literal)
    }
    return sorted(
        nodes,
        key=lambda n: (
            not isinstance(n, URIRef),
            str(n) if isinstance(n, URIRef) else "",
            _retention_words(graph, n),
        ),
    )


def _labels(graph: Graph, nodes: Iterable[Node]) -> list[str]:
    return sorted({name_of(graph, n) for n in nodes}, key=str.casefold)  # type: ignore[arg-type]


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    """The English (or untagged) text value of a property, else any, else ''."""
    best = ""
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            if value.language in ("en", None):
                return str(value)
            best = best or str(value)
    return best


def narrower_closure(graph: Graph, terms: Iterable[str]) -> set[str]:
    """The terms and every term narrower than them (skos:broader, rdfs:subClassOf).

    >>> from checker.graph.build import build
    >>> code = "https://w3id.org/ropa-kg/ontology#FinnishPersonalIdentityCode"
    >>> sorted(local_id(t) for t in narrower_closure(build(), [code]))
    ['FinnishPersonalIdentityCode', 'personal-identity-code']
    """
    found: set[str] = set()
    pending = [URIRef(t) for t in terms]
    while pending:
        term = pending.pop()
        if str(term) in found:
            continue
        found.add(str(term))
        for prop in (SKOS.broader, RDFS.subClassOf):
            pending.extend(s for s in graph.subjects(prop, term) if isinstance(s, URIRef))
    return found


def broader_closure(graph: Graph, term: str) -> set[str]:
    """The term and everything broader than it (skos:broader, rdfs:subClassOf)."""
    found: set[str] = set()
    pending = [URIRef(term)]
    while pending:
        node = pending.pop()
        if str(node) in found:
            continue
        found.add(str(node))
        for prop in (SKOS.broader, RDFS.subClassOf):
            pending.extend(o for o in graph.objects(node, prop) if isinstance(o, URIRef))
    return found


def is_special(graph: Graph, data: str) -> bool:
    """True for special-category personal data (GDPR Art. 9(1)), as the checker decides."""
    return is_special_category(graph, URIRef(data))


def activities_of(graph: Graph) -> list[URIRef]:
    """Every processing activity (``dpv:Process``) with an IRI, in IRI order."""
    return sorted(a for a in set(graph.subjects(RDF.type, DPV.Process)) if isinstance(a, URIRef))


def wrap(text: str, width: int = 24) -> str:
    """Wrap a label for a figure (``<br>`` between lines).

    >>> wrap("Information service for businesses", 20)
    'Information service<br>for businesses'
    """
    return "<br>".join(textwrap.wrap(text, width)) or text


def shorten(text: str, width: int = 60) -> str:
    """Cut a text to ``width`` characters with an ellipsis.

    >>> shorten("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _join(labels: Sequence[str], most: int = 3) -> str:
    """At most ``most`` labels, then how many more."""
    if len(labels) <= most:
        return ", ".join(labels)
    return ", ".join(labels[:most]) + f" and {len(labels) - most} more"


# --- register summary --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterSummary:
    """Headline numbers of a register, for the top of the pages."""

    title: str
    activities: int
    units: int
    processors: int
    recipients: int
    data_categories: int
    findings: dict[str, int]


def register_summary(
    graph: Graph, flows: nx.DiGraph, findings: Sequence[Finding]
) -> RegisterSummary:
    """Counts a DPO looks at first: activities, units, processors, data, findings."""
    titles = _labels(graph, (r for r in graph.subjects(RDF.type, DPV.ROPA)))
    acts = activities_of(graph)
    data = {d for a in acts for d in graph.objects(a, DPV.hasPersonalData)}
    kinds = [k for _, k in flows.nodes(data="kind")]
    units = {u for a in acts for u in graph.objects(a, DPV.hasOrganisationalUnit)}
    units |= {n for n, k in flows.nodes(data="kind") if k == "unit"}
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        counts[finding.severity.label] += 1
    return RegisterSummary(
        title="; ".join(titles) or "Records of processing activities",
        activities=len(acts),
        units=len(units),
        processors=kinds.count("processor"),
        recipients=kinds.count("recipient"),
        data_categories=len(data),
        findings=counts,
    )


# --- activities ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    """One processing activity in the activities table."""

    iri: str
    id: str
    name: str
    units: str
    purposes: str
    data_subjects: str
    data_categories: int
    special_data: bool
    legal_bases: str
    processors: str
    recipients: str
    retention: str
    findings: int
    worst: str
    source: str

    def text(self) -> str:
        """Everything searchable in the row, lower-cased."""
        return " ".join(
            str(v)
            for v in (
                self.id,
                self.name,
                self.units,
                self.purposes,
                self.data_subjects,
                self.legal_bases,
                self.processors,
                self.recipients,
                self.retention,
            )
        ).casefold()


def _source(graph: Graph, node: Node) -> str:
    file = graph.value(node, ROPA.recordFile)
    line = graph.value(node, ROPA.recordLine)
    if file is None:
        return ""
    return f"{file}:{line}" if line is not None else str(file)


def findings_by_activity(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """The findings of each activity IRI (findings without an activity are left out)."""
    result: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.activity:
            result[finding.activity].append(finding)
    return dict(result)


def activities_table(graph: Graph, findings: Sequence[Finding] = ()) -> list[ActivityRow]:
    """Every processing activity with its main facts, sorted by name (then IRI).

    ``retention`` reads "missing" when the activity has no retention rule.
    """
    by_activity = findings_by_activity(findings)
    rows = []
    for act in activities_of(graph):
        data = _iris(graph, act, DPV.hasPersonalData)
        rules = storage_conditions(graph, act)
        own = by_activity.get(str(act), [])
        worst = max((f.severity for f in own), default=None)
        rows.append(
            ActivityRow(
                iri=str(act),
                id=local_id(str(act)),
                name=name_of(graph, act),
                units=", ".join(_labels(graph, _iris(graph, act, DPV.hasOrganisationalUnit))),
                purposes=", ".join(_labels(graph, _iris(graph, act, DPV.hasPurpose))),
                data_subjects=", ".join(_labels(graph, _iris(graph, act, DPV.hasDataSubject))),
                data_categories=len(data),
                special_data=any(is_special(graph, str(d)) for d in data),
                legal_bases=", ".join(_labels(graph, _iris(graph, act, DPV.hasLegalBasis))),
                processors=", ".join(_labels(graph, _iris(graph, act, DPV.hasDataProcessor))),
                recipients=", ".join(
                    _labels(
                        graph,
                        set(_iris(graph, act, DPV.hasRecipient))
                        - set(_iris(graph, act, DPV.hasDataProcessor)),
                    )
                ),
                retention="; ".join(_retention_words(graph, r) for r in rules) or "missing",
                findings=len(own),
                worst=worst.label if worst is not None else "",
                source=_source(graph, act),
            )
        )
    return sorted(rows, key=lambda r: (r.name.casefold(), r.iri))


def search_activities(rows: Sequence[ActivityRow], query: str) -> list[ActivityRow]:
    """The rows whose text contains every word of ``query`` (case-insensitive).

    >>> row = ActivityRow("i", "chat", "Chat", "", "", "", 0, False, "", "Elisa Oyj", "", "", 0, "", "")
    >>> [r.id for r in search_activities([row], "elisa CHAT")]
    ['chat']
    """
    words = query.casefold().split()
    return [r for r in rows if all(w in r.text() for w in words)]


# --- provenance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """A passage of the register description that facts derive from."""

    iri: str
    number: int
    section: str
    section_order: int
    item: int | None
    line: int | None
    text: str

    @property
    def where(self) -> str:
        """ "Section, item n (line m)"."""
        parts = [self.section or "Register description"]
        if self.item is not None:
            parts.append(f"item {self.item}")
        where = ", ".join(parts)
        return f"{where} (line {self.line})" if self.line is not None else where


def passages_of(graph: Graph, node: Node) -> set[URIRef]:
    """The passages ``node`` is derived from (prov:wasDerivedFrom)."""
    return {p for p in graph.objects(node, PROV.wasDerivedFrom) if isinstance(p, URIRef)}


def quote_of(graph: Graph, passage: URIRef, number: int = 0) -> Quote:
    """The exact text of a passage (its oa:TextQuoteSelector), with its section and item."""
    text = ""
    for selector in graph.objects(passage, OA.hasSelector):
        exact = graph.value(selector, OA.exact)
        if exact is not None and (
            OA.TextQuoteSelector in set(graph.objects(selector, RDF.type)) or not text
        ):
            text = str(exact)
    if not text:
        text = str(graph.value(passage, OA.exact) or name_of(graph, passage))
    section = graph.value(passage, ROPA.inSection)
    heading = ""
    order = 0
    if section is not None:
        heading = _text(graph, section, ROPA.heading) or name_of(graph, section)
        value = graph.value(section, ROPA.order)
        order = int(value) if isinstance(value, Literal) and str(value).isdigit() else 0
    item = graph.value(passage, ROPA.item)
    line = graph.value(passage, ROPA.documentLine)
    return Quote(
        iri=str(passage),
        number=number,
        section=heading,
        section_order=order,
        item=int(item) if isinstance(item, Literal) and str(item).isdigit() else None,
        line=int(line) if isinstance(line, Literal) and str(line).isdigit() else None,
        text=text,
    )


def _quote_order(q: Quote) -> tuple[Any, ...]:
    return (q.section_order or 10**6, q.item or 0, q.line or 0, q.iri)


# --- activity detail ---------------------------------------------------------------------------

#: The facts of an activity, in the order of GDPR Art. 30(1): field name and property.
ACTIVITY_FIELDS: tuple[tuple[str, URIRef], ...] = (
    ("Controller", DPV.hasDataController),
    ("Organisational units", DPV.hasOrganisationalUnit),
    ("Purposes", DPV.hasPurpose),
    ("Data subjects", DPV.hasDataSubject),
    ("Data groups", ROPA.hasDataGroup),
    ("Personal data", DPV.hasPersonalData),
    ("Sources", DPV.hasDataSource),
    ("Recipients", DPV.hasRecipient),
    ("Processors", DPV.hasDataProcessor),
    ("Systems", DPV.isImplementedUsingTechnology),
    ("Legal bases", DPV.hasLegalBasis),
    ("Laws", DPV.hasApplicableLaw),
    ("Measures", DPV.hasTechnicalOrganisationalMeasure),
    ("Retention", DPV.hasStorageCondition),
)


@dataclass(frozen=True)
class Fact:
    """One value of one field of an activity, with the quotes it comes from."""

    field: str
    value: str
    iri: str
    quotes: tuple[int, ...]
    note: str = ""


@dataclass(frozen=True)
class ActivityDetail:
    """One activity's full record: its facts, their quotes, its findings."""

    iri: str
    id: str
    name: str
    description: str
    source: str
    facts: tuple[Fact, ...]
    quotes: tuple[Quote, ...]
    findings: tuple[Finding, ...]

    def fields(self) -> list[str]:
        """The fields that have values, in order."""
        return list(dict.fromkeys(f.field for f in self.facts))


def activity_detail(
    graph: Graph, activity: str, findings: Sequence[Finding] = ()
) -> ActivityDetail:
    """Everything the records say about one activity, and where the register says it.

    Each fact lists the numbers of its quotes: the passages the value itself derives from
    that the activity also cites; else all the value's own passages; for a data category
    from a group, the group's. Quotes are numbered in the order of the register
    description (section, item). Facts the register does not back with a passage have no
    quote number; the activity's own passages still state them.

    Raises:
        KeyError: ``activity`` is not a processing activity of the graph.
    """
    act = URIRef(activity)
    if (act, RDF.type, DPV.Process) not in graph:
        raise KeyError(activity)
    own = passages_of(graph, act)
    groups = _iris(graph, act, ROPA.hasDataGroup)
    members = {g: set(_iris(graph, g, ROPA.includes)) for g in groups}
    facts: list[tuple[str, str, str, set[URIRef], str]] = []
    for name, prop in ACTIVITY_FIELDS:
        values: list[Node] = list(_iris(graph, act, prop))
        if prop == DPV.hasStorageCondition:
            values = storage_conditions(graph, act)
        if prop == DPV.hasRecipient:
            values = [v for v in values if (act, DPV.hasDataProcessor, v) not in graph]
        entries = []
        for value in values:
            mine = passages_of(graph, value)
            if not mine and prop == DPV.hasPersonalData:
                mine = {p for g in groups if value in members[g] for p in passages_of(graph, g)}
            refs = (mine & own) or mine
            note = ""
            if prop == DPV.hasPersonalData and is_special(graph, str(value)):
                note = "special category (Art. 9)"
            label = name_of(graph, value) if isinstance(value, URIRef) else ""
            if prop == DPV.hasStorageCondition:
                words = _retention_words(graph, value)
                label, note = (label, words) if label else (words, "")
            entries.append(
                (name, label, str(value) if isinstance(value, URIRef) else "", refs, note)
            )
        facts.extend(sorted(entries, key=lambda e: (e[1].casefold(), e[2])))
    used = set(own) | {p for *_, refs, _ in facts for p in refs}
    quotes = sorted((quote_of(graph, p) for p in used), key=_quote_order)
    numbers = {q.iri: i for i, q in enumerate(quotes, start=1)}
    numbered = tuple(
        Quote(q.iri, numbers[q.iri], q.section, q.section_order, q.item, q.line, q.text)
        for q in quotes
    )
    return ActivityDetail(
        iri=activity,
        id=local_id(activity),
        name=name_of(graph, act),
        description=_text(graph, act, DCTERMS.description),
        source=_source(graph, act),
        facts=tuple(
            Fact(name, label, iri, tuple(sorted(numbers[str(p)] for p in refs)), note)
            for name, label, iri, refs, note in facts
        ),
        quotes=numbered,
        findings=tuple(f for f in findings if f.activity == activity),
    )


# --- retention ---------------------------------------------------------------------------------

#: Retention kinds, in the order a DPO should look at them, with how the pages name them.
RETENTION_KINDS: dict[str, str] = {
    "missing": "No retention recorded",
    "indefinite": "Kept indefinitely",
    "delegated": "Retention delegated",
    "unspecified": "Period not given",
    "until-event": "Until an event",
    "calendar": "Current year plus a period",
    "from-event": "Period from an event",
    "fixed": "Fixed period",
    "not-stored": "Not stored",
}

#: Colours of the retention kinds: what needs attention stands out.
RETENTION_COLOURS: dict[str, str] = {
    "missing": "#C0392B",
    "indefinite": "#D55E00",
    "delegated": "#E69F00",
    "unspecified": "#9B59B6",
    "until-event": "#CC79A7",
    "calendar": "#56B4E9",
    "from-event": "#0072B2",
    "fixed": "#0072B2",
    "not-stored": "#009E73",
}

#: Kinds that need a DPO's attention.
ATTENTION_KINDS = frozenset({"missing", "indefinite", "delegated", "unspecified"})

_ISO_DURATION = re.compile(
    r"P(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<M>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


def duration_years(value: str) -> float | None:
    """An ISO 8601 duration in years (a year of 365.25 days), or None if it is not one.

    >>> [duration_years(v) for v in ("P2Y", "P30D", "P1Y6M", "PT12H", "soon")]
    [2.0, 0.08213552361396304, 1.5, 0.0013689253935660506, None]
    """
    match = _ISO_DURATION.fullmatch(value.strip())
    if match is None or not any(match.groupdict().values()):
        return None
    part = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    days = part["W"] * 7 + part["D"] + part["h"] / 24 + part["m"] / 1440 + part["s"] / 86400
    return part["Y"] + part["M"] / 12 + days / 365.25


@dataclass(frozen=True)
class RetentionRow:
    """How long one activity keeps one data category (or all its data), by one rule."""

    activity: str
    activity_name: str
    data: str
    data_label: str
    rule: str
    rule_label: str
    kind: str
    years: float | None
    period: str
    maximum: bool = False
    event: str = ""
    delegated_to: str = ""
    after: str = ""
    quote: str = ""

    @property
    def indefinite(self) -> bool:
        return self.kind == "indefinite"

    @property
    def delegated(self) -> bool:
        return self.kind == "delegated"

    @property
    def not_stored(self) -> bool:
        return self.kind == "not-stored"

    @property
    def missing(self) -> bool:
        return self.kind == "missing"

    @property
    def attention(self) -> bool:
        """Indefinite, delegated, missing or without a period: look at it."""
        return self.kind in ATTENTION_KINDS


def retention_kind(graph: Graph, rule: Node) -> str:
    """The kind of a retention rule (see :func:`checker.graph.retention.read_retention`)."""
    kind = read_retention(graph, rule).kind
    return "unspecified" if kind == "unknown" else kind


def _retention_words(graph: Graph, rule: Node) -> str:
    node = duration_node(graph, rule)
    kind = retention_kind(graph, rule)
    if kind == "delegated":
        to = _labels(graph, graph.objects(node, ROPA.delegatedTo))
        return "delegated to " + ", ".join(to) if to else "delegated"
    if kind == "until-event":
        events = _labels(graph, graph.objects(node, ROPA.untilEvent))
        return "until " + ", ".join(events).lower() if events else "until an event"
    words = _text(graph, node, RDFS.label) if node != rule else ""
    if words:
        return words
    value = graph.value(node, RDF.value)
    if value is not None:
        from checker.vocab.durations import words as duration_words

        return duration_words(str(value)) or str(value)
    return RETENTION_KINDS[kind].lower()


def retention_rows(graph: Graph) -> list[RetentionRow]:
    """One row per activity, retention rule and data category the rule covers.

    A rule that names no data (``ropa:coversData``) covers all the activity's data; an
    activity without any rule gets one row of kind ``missing``. Sorted by activity name,
    then data label.
    """
    rows = []
    for act in activities_of(graph):
        name = name_of(graph, act)
        rules = storage_conditions(graph, act)
        if not rules:
            rows.append(
                RetentionRow(
                    activity=str(act),
                    activity_name=name,
                    data="",
                    data_label="all data of the activity",
                    rule="",
                    rule_label="",
                    kind="missing",
                    years=None,
                    period="no retention recorded",
                )
            )
            continue
        for rule in rules:
            node = duration_node(graph, rule)
            kind = retention_kind(graph, rule)
            value = graph.value(node, RDF.value)
            years = duration_years(str(value)) if value is not None else None
            if kind == "not-stored":
                years = 0.0
            maximum = any(v.toPython() is True for v in graph.objects(node, ROPA.isMaximum))
            events = _labels(
                graph,
                [*graph.objects(node, ROPA.untilEvent), *graph.objects(node, ROPA.countedFrom)],
            )
            quotes = sorted(
                (quote_of(graph, p) for p in passages_of(graph, rule)), key=_quote_order
            )
            covered = _iris(graph, rule, ROPA.coversData) or [None]
            for data in covered:
                rows.append(
                    RetentionRow(
                        activity=str(act),
                        activity_name=name,
                        data=str(data) if data is not None else "",
                        data_label=name_of(graph, data)
                        if data is not None
                        else "all data of the activity",
                        rule=str(rule) if isinstance(rule, URIRef) else "",
                        rule_label=name_of(graph, rule) if isinstance(rule, URIRef) else "",
                        kind=kind,
                        years=years,
                        period=_retention_words(graph, rule),
                        maximum=maximum,
                        event=", ".join(events),
                        delegated_to=", ".join(
                            _labels(graph, graph.objects(node, ROPA.delegatedTo))
                        ),
                        after=_text(graph, rule, ROPA.afterRetention),
                        quote=quotes[0].text if quotes else "",
                    )
                )
    return sorted(
        rows,
        key=lambda r: (
            r.activity_name.casefold(),
            r.activity,
            r.data_label.casefold(),
            r.rule,
            r.period,
        ),
    )


def retention_figure(rows: Sequence[RetentionRow], *, width_labels: int = 70) -> go.Figure:
    """A timeline: one bar per row, as long as the data are kept.

    Indefinite and until-event retention run off the right edge; delegated, missing,
    unspecified and not-stored retention are markers at zero with their words, coloured
    so that what needs attention stands out.
    """
    import plotly.graph_objects as go

    known = [r.years for r in rows if r.years is not None]
    end = max([*known, 1.0]) * 1.15
    labels = [_row_label(r, width_labels) for r in rows]
    labels = _unique(labels)
    fig = go.Figure()
    for kind, name in RETENTION_KINDS.items():
        picked = [(label, r) for label, r in zip(labels, rows, strict=True) if r.kind == kind]
        if not picked:
            continue
        hover = [_retention_hover(r) for _, r in picked]
        colour = RETENTION_COLOURS[kind]
        if kind in ("fixed", "from-event", "calendar", "indefinite", "until-event"):
            lengths = [r.years if r.years is not None else end for _, r in picked]
            text = [
                ("∞ " if r.kind == "indefinite" else "")
                + r.period
                + (" (at most)" if r.maximum and "at most" not in r.period else "")
                for _, r in picked
            ]
            fig.add_trace(
                go.Bar(
                    name=name,
                    orientation="h",
                    y=[label for label, _ in picked],
                    x=lengths,
                    marker={
                        "color": colour,
                        "pattern": {"shape": "/" if kind in ("indefinite", "until-event") else ""},
                    },
                    text=text,
                    textposition="inside",
                    insidetextanchor="start",
                    textfont={
                        "color": "#111" if kind in ("indefinite", "until-event") else "white"
                    },
                    hovertext=hover,
                    hoverinfo="text",
                )
            )
        else:
            symbol = {"missing": "x", "not-stored": "circle-open"}.get(kind, "diamond")
            fig.add_trace(
                go.Scatter(
                    name=name,
                    mode="markers+text",
                    y=[label for label, _ in picked],
                    x=[0.0] * len(picked),
                    marker={"color": colour, "size": 13, "symbol": symbol, "line": {"width": 2}},
                    text=[r.period for _, r in picked],
                    textposition="middle right",
                    textfont={"color": colour},
                    hovertext=hover,
                    hoverinfo="text",
                )
            )
    fig.update_layout(
        barmode="overlay",
        height=max(320, 26 * len(rows) + 140),
        margin={"l": 10, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        xaxis={"title": "years kept", "range": [0, end], "zeroline": True, "side": "top"},
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(labels)),
            "range": [-0.6, len(labels) - 0.4],  # no autorange padding above the first row
            "automargin": True,
            "tickfont": {"size": 11},
        },
    )
    return fig


def _row_label(row: RetentionRow, width: int) -> str:
    return shorten(f"{row.activity_name} · {row.data_label}", width)


def _unique(labels: list[str]) -> list[str]:
    """Make category labels unique (a figure axis merges equal ones) with invisible marks."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        count = seen.get(label, 0)
        seen[label] = count + 1
        result.append(label + "\u200b" * count)
    return result


def _retention_hover(row: RetentionRow) -> str:
    lines = [
        f"<b>{_esc(row.activity_name)}</b>",
        f"Data: {_esc(row.data_label)}",
        f"Retention: {_esc(RETENTION_KINDS[row.kind])}: {_esc(row.period)}",
    ]
    if row.rule_label:
        lines.append(f"Rule: {_esc(shorten(row.rule_label, 90))}")
    if row.event:
        lines.append(f"Event: {_esc(row.event)}")
    if row.after:
        lines.append(f"Afterwards: {_esc(shorten(row.after, 90))}")
    if row.quote:
        lines.append("<i>“" + "<br>".join(textwrap.wrap(_esc(row.quote), 80)) + "”</i>")
    return "<br>".join(lines)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- flows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowFilter:
    """What to show of the flow graph; empty sets do not filter.

    Attributes:
        data: data categories: an edge is shown when it carries one of them or a narrower one.
        units: organisational units: the edges of their activities (and of their sub-units'),
            and the flows to and from them.
        processors: the edges of the activities that use these processors, without the
            edges to other processors; and the flows to and from them.
        legal_bases: the edges of activities with one of these legal bases (or a narrower one).
        special_only: only edges carrying special-category data (GDPR Art. 9(1)).
    """

    data: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    processors: frozenset[str] = frozenset()
    legal_bases: frozenset[str] = frozenset()
    special_only: bool = False

    @property
    def active(self) -> bool:
        return bool(
            self.data or self.units or self.processors or self.legal_bases or self.special_only
        )


@dataclass(frozen=True)
class Option:
    """A choice of a filter: the term, its label, and how many edges it touches."""

    iri: str
    label: str
    count: int

    def __str__(self) -> str:
        return f"{self.label} ({self.count})"


def _sub_units(graph: Graph, units: Iterable[str]) -> set[str]:
    found: set[str] = set()
    pending = [URIRef(u) for u in units]
    while pending:
        unit = pending.pop()
        if str(unit) in found:
            continue
        found.add(str(unit))
        pending.extend(
            s for s in graph.subjects(ORG.subOrganizationOf, unit) if isinstance(s, URIRef)
        )
    return found


def _edges(flows: nx.DiGraph) -> list[tuple[str, str, Any]]:
    return sorted(((a, b, d["carries"]) for a, b, d in flows.edges(data=True)), key=lambda e: e[:2])


def data_category_options(graph: Graph, flows: nx.DiGraph) -> list[Option]:
    """Every data category the flows carry, and every broader category, with the number of
    edges that carry it (or a narrower one). ``dpv:PersonalData`` itself is left out."""
    counts: dict[str, int] = defaultdict(int)
    ancestors: dict[str, set[str]] = {}
    for _, _, carries in _edges(flows):
        covered: set[str] = set()
        for data in carries.data:
            if data not in ancestors:
                ancestors[data] = broader_closure(graph, data)
            covered |= ancestors[data]
        for term in covered:
            counts[term] += 1
    personal = str(DPV.PersonalData)
    kept = {
        term: n
        for term, n in counts.items()
        if term != personal and (term in ancestors or personal in broader_closure(graph, term))
    }
    return _options(graph, kept)


def _options(graph: Graph, counts: Mapping[str, int]) -> list[Option]:
    options = [Option(iri, name_of(graph, URIRef(iri)), n) for iri, n in counts.items()]
    labels = defaultdict(list)
    for option in options:
        labels[option.label.casefold()].append(option)
    result = []
    for option in options:
        if len(labels[option.label.casefold()]) > 1:  # the same label twice: add the id
            option = Option(option.iri, f"{option.label} [{local_id(option.iri)}]", option.count)
        result.append(option)
    return sorted(result, key=lambda o: (o.label.casefold(), o.iri))


def unit_options(graph: Graph, flows: nx.DiGraph) -> list[Option]:
    """Organisational units on the flow graph, with their number of edges."""
    return _options(
        graph,
        {
            n: flows.degree(n)
            for n, kind in flows.nodes(data="kind")
            if kind in ("unit", "controller")
        },
    )


def processor_options(graph: Graph, flows: nx.DiGraph) -> list[Option]:
    """Processors on the flow graph, with their number of edges."""
    return _options(
        graph, {n: flows.degree(n) for n, kind in flows.nodes(data="kind") if kind == "processor"}
    )


def legal_basis_options(graph: Graph) -> list[Option]:
    """The legal bases of the activities, with their number of activities."""
    counts: dict[str, int] = defaultdict(int)
    for act in activities_of(graph):
        for basis in _iris(graph, act, DPV.hasLegalBasis):
            counts[str(basis)] += 1
    return _options(graph, counts)


@dataclass(frozen=True)
class _ActivityFacts:
    units: frozenset[str]
    processors: frozenset[str]
    bases: frozenset[str]


def _activity_facts(graph: Graph) -> dict[str, _ActivityFacts]:
    facts = {}
    for act in activities_of(graph):
        bases: set[str] = set()
        for basis in _iris(graph, act, DPV.hasLegalBasis):
            bases |= broader_closure(graph, str(basis))
        facts[str(act)] = _ActivityFacts(
            units=frozenset(str(u) for u in _iris(graph, act, DPV.hasOrganisationalUnit)),
            processors=frozenset(str(p) for p in _iris(graph, act, DPV.hasDataProcessor)),
            bases=frozenset(bases),
        )
    return facts


def filter_flows(graph: Graph, flows: nx.DiGraph, flt: FlowFilter) -> nx.DiGraph:
    """The part of the flow graph that ``flt`` selects; nodes left without edges go.

    Each kept edge gets ``matched``: the data categories it carries that the data and
    special-category filters selected (all its data when neither is set). Filters of
    different kinds must all hold; the values of one filter are alternatives.
    """
    wanted = narrower_closure(graph, flt.data) if flt.data else set()
    units = _sub_units(graph, flt.units) if flt.units else set()
    facts = _activity_facts(graph)
    result = nx.DiGraph()
    for a, b, carries in _edges(flows):
        data = set(carries.data)
        if wanted:
            data &= wanted
        if flt.special_only:
            data = {d for d in data if is_special(graph, d)}
        if (wanted or flt.special_only) and not data:
            continue
        acts = [facts[x] for x in sorted(carries.activities) if x in facts]
        if units and not ({a, b} & units or any(f.units & units for f in acts)):
            continue
        if flt.processors:
            kind_b = flows.nodes[b].get("kind")
            if kind_b == "processor" and b not in flt.processors and a not in flt.processors:
                continue
            if not ({a, b} & flt.processors or any(f.processors & flt.processors for f in acts)):
                continue
        if flt.legal_bases and not any(f.bases & flt.legal_bases for f in acts):
            continue
        for node in (a, b):
            if node not in result:
                result.add_node(node, **flows.nodes[node])
        result.add_edge(a, b, carries=carries, matched=frozenset(data))
    return result


def handlers(flows: nx.DiGraph) -> dict[str, list[tuple[str, str]]]:
    """The nodes of a (filtered) flow graph by kind: (IRI, label), sorted by label.

    On a graph filtered by a data category this answers "who handles it".
    """
    result: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KIND_NAMES}
    for node, attrs in flows.nodes(data=True):
        result.setdefault(attrs.get("kind", "other"), []).append((node, attrs.get("label", node)))
    return {k: sorted(v, key=lambda x: (x[1].casefold(), x[0])) for k, v in result.items()}


@dataclass(frozen=True)
class DataUse:
    """Who processes a data category: a unit (or the controller, for activities that name
    no unit) and its activities that process it."""

    holder: str
    label: str
    activities: tuple[tuple[str, str], ...]


def processing_units(graph: Graph, data: Iterable[str]) -> list[DataUse]:
    """The units whose activities process any of ``data`` (or a narrower category), each
    with those activities; an activity without a unit counts for its controller.

    >>> from checker.graph.build import build
    >>> code = "https://w3id.org/ropa-kg/ontology#FinnishPersonalIdentityCode"
    >>> "E-services of the customer services" in [u.label for u in processing_units(build(), [code])]
    True
    """
    wanted = narrower_closure(graph, data)
    by_holder: dict[str, set[str]] = defaultdict(set)
    for act in activities_of(graph):
        if not {str(d) for d in graph.objects(act, DPV.hasPersonalData)} & wanted:
            continue
        holders = _iris(graph, act, DPV.hasOrganisationalUnit) or _iris(
            graph, act, DPV.hasDataController
        )
        for holder in holders:
            by_holder[str(holder)].add(str(act))
    rows = []
    for holder, acts in by_holder.items():
        label = name_of(graph, URIRef(holder))
        if (URIRef(holder), RDF.type, DPV.OrganisationalUnit) not in graph:
            label += " (no unit recorded)"
        named = sorted(
            ((a, name_of(graph, URIRef(a))) for a in acts), key=lambda x: (x[1].casefold(), x[0])
        )
        rows.append(DataUse(holder, label, tuple(named)))
    return sorted(rows, key=lambda r: (r.label.casefold(), r.holder))


def _acyclic(flows: nx.DiGraph) -> nx.DiGraph:
    """The graph without the edges that close cycles: the back edges of a depth-first
    search that visits nodes and successors in sorted order (deterministic)."""
    dag = nx.DiGraph()
    dag.add_nodes_from(sorted(flows.nodes))
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(flows.nodes):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(flows.successors(root))))]
        while stack:
            node, successors = stack[-1]
            for succ in successors:
                if state.get(succ) == 1:
                    continue  # a back edge: it would close a cycle
                dag.add_edge(node, succ)
                if succ not in state:
                    state[succ] = 1
                    stack.append((succ, iter(sorted(flows.successors(succ)))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return dag


def layers(flows: nx.DiGraph) -> dict[str, int]:
    """A column for each node: sources first, processors and recipients that receive last.

    Data subjects and nodes that only send are column 0; every other node is one column
    right of its furthest sender (longest path, over the graph with cycles broken);
    processors and recipients that only receive share the last column.
    """
    dag = _acyclic(flows)
    layer: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(dag):
        preds = list(dag.predecessors(node))
        kind = flows.nodes[node].get("kind")
        layer[node] = 0 if kind == "data subject" or not preds else 1 + max(layer[p] for p in preds)
    for node in flows.nodes:
        layer.setdefault(node, 0)
    last = max(layer.values(), default=0)
    for node, kind in flows.nodes(data="kind"):
        if kind in ("processor", "recipient") and flows.out_degree(node) == 0:
            layer[node] = max(last, 2)
    return layer


def flow_layout(
    flows: nx.DiGraph, layout: str = "columns", seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Positions of the nodes: ``columns`` (sources -> units -> recipients, from
    :func:`layers`, ordered to cross few edges) or ``spring`` (force-directed, seeded).

    >>> g = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(g, {"a": "data subject", "b": "unit", "c": "processor"}, "kind")
    >>> pos = flow_layout(g)
    >>> pos["a"][0] < pos["b"][0] < pos["c"][0]
    True
    """
    if flows.number_of_nodes() == 0:
        return {}
    if layout == "spring":
        ordered = nx.DiGraph()
        ordered.add_nodes_from(sorted(flows.nodes))
        ordered.add_edges_from(sorted(flows.edges))
        pos = nx.spring_layout(
            ordered.to_undirected(), seed=seed, k=1.6 / max(1, len(ordered)) ** 0.5
        )
        return {n: (float(x), float(y)) for n, (x, y) in sorted(pos.items())}
    layer = layers(flows)
    order = _order_in_layers(flows, layer)
    # As networkx's multipartite_layout, but in our order: it groups a column's nodes in a
    # set, whose order changes from one process to the next.
    columns: dict[int, list[str]] = defaultdict(list)
    for node in order:
        columns[layer[node]].append(node)
    tallest = max(len(c) for c in columns.values())
    width = max(1, len(columns) - 1)
    pos = {}
    for x, key in enumerate(sorted(columns)):
        nodes = columns[key]
        for i, node in enumerate(nodes):
            y = (len(nodes) - 1) / 2 - i  # centred, the first node on top
            pos[node] = (x / width, y / max(1, tallest - 1))
    return dict(sorted(pos.items()))


def _order_in_layers(flows: nx.DiGraph, layer: Mapping[str, int]) -> list[str]:
    """Nodes in column order, each column sorted by the mean position of its neighbours
    (a few barycentre sweeps; ties by kind and label), so that edges cross less."""
    columns: dict[int, list[str]] = defaultdict(list)
    kind_rank = {k: i for i, k in enumerate(KIND_NAMES)}
    for node in flows.nodes:
        columns[layer[node]].append(node)
    for nodes in columns.values():
        nodes.sort(
            key=lambda n: (
                kind_rank.get(flows.nodes[n].get("kind"), 99),
                _node_label(flows, n).casefold(),
                n,
            )
        )
    position = {n: i / max(1, len(c) - 1) for c in columns.values() for i, n in enumerate(c)}
    keys = sorted(columns)
    for sweep in range(4):
        for col in keys if sweep % 2 == 0 else list(reversed(keys)):
            nodes = columns[col]

            def centre(n: str, col: int = col) -> float:
                near = [
                    position[m]
                    for m in (*flows.predecessors(n), *flows.successors(n))
                    if layer[m] != col
                ]
                return sum(near) / len(near) if near else position[n]

            nodes.sort(key=lambda n: (round(centre(n), 6), _node_label(flows, n).casefold(), n))
            for i, n in enumerate(nodes):
                position[n] = i / max(1, len(nodes) - 1)
    return [n for col in keys for n in columns[col]]


def _node_label(flows: nx.DiGraph, node: str) -> str:
    return str(flows.nodes[node].get("label", node))


def edge_key(a: str, b: str) -> str:
    """The id of an edge in figure selections: ``edge:<from> <to>`` (IRIs have no spaces)."""
    return f"edge:{a} {b}"


def node_key(node: str) -> str:
    """The id of a node in figure selections."""
    return f"node:{node}"


@dataclass(frozen=True)
class Selection:
    """What a click on the flow figure picked: a node, or an edge (from, to)."""

    node: str | None = None
    edge: tuple[str, str] | None = None


def parse_selection(points: Iterable[Mapping[str, Any]]) -> Selection:
    """The first node or edge among the points of a figure selection (Streamlit's
    ``event.selection.points``), from their ``customdata``.

    >>> parse_selection([{"customdata": ["node:https://e.org/a"]}]).node
    'https://e.org/a'
    >>> parse_selection([{"customdata": "edge:https://e.org/a https://e.org/b"}]).edge
    ('https://e.org/a', 'https://e.org/b')
    >>> parse_selection([{"x": 1}])
    Selection(node=None, edge=None)
    """
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if not isinstance(data, str):
            continue
        if data.startswith("node:"):
            return Selection(node=data[5:])
        if data.startswith("edge:") and " " in data:
            a, b = data[5:].split(" ", 1)
            return Selection(edge=(a, b))
    return Selection()


def _edge_lines(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> dict[str, list[str]]:
    attrs = flows.edges[a, b]
    carries = attrs["carries"]
    matched = attrs.get("matched", frozenset(carries.data))
    return {
        "data": _labels(graph, (URIRef(d) for d in matched)),
        "all data": _labels(graph, (URIRef(d) for d in carries.data)),
        "purposes": _labels(graph, (URIRef(p) for p in carries.purposes)),
        "activities": _labels(graph, (URIRef(x) for x in carries.activities)),
        "conditions": sorted(carries.conditions),
        "kinds": sorted(carries.kinds),
    }


def _edge_hover(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> str:
    lines = _edge_lines(graph, flows, a, b)
    out = [f"<b>{_esc(_node_label(flows, a))} → {_esc(_node_label(flows, b))}</b>"]
    if lines["data"]:
        out.append("Data: " + _esc(_join(lines["data"], 6)))
    if lines["purposes"]:
        out.append("Purposes: " + _esc(_join(lines["purposes"], 4)))
    if lines["activities"]:
        out.append(f"Activities: {len(lines['activities'])}")
    for condition in lines["conditions"]:
        out.append("Condition: " + _esc(shorten(condition, 90)))
    return "<br>".join(out)


def edge_label(graph: Graph, flows: nx.DiGraph, a: str, b: str) -> str:
    """A short label of an edge for the figure: its data categories (at most two named).

    >>> from checker.graph.flows import EdgeData
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", carries=EdgeData(data={"x:1", "x:2", "x:3"}))
    >>> edge_label(Graph(), g, "a", "b")
    'x:1, x:2 +1'
    """
    lines = _edge_lines(graph, flows, a, b)
    data = lines["data"]
    if not data:
        return shorten(", ".join(lines["purposes"][:1]), 28)
    text = ", ".join(shorten(d, 24) for d in data[:2])
    return text + (f" +{len(data) - 2}" if len(data) > 2 else "")


def _curve(
    start: tuple[float, float], end: tuple[float, float], steps: int = 16
) -> list[tuple[float, float]]:
    """Points of an S-shaped cubic Bézier from ``start`` to ``end`` (horizontal tangents,
    as in a Sankey diagram); within one column, an arc bulging to the right."""
    (x0, y0), (x1, y1) = start, end
    dx = x1 - x0
    if abs(dx) < 1e-9:
        bulge = 0.25 + 0.15 * abs(y1 - y0)
        c1, c2 = (x0 + bulge, y0), (x1 + bulge, y1)
    else:
        c1, c2 = (x0 + dx * 0.5, y0), (x1 - dx * 0.5, y1)
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * x0 + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * x1,
                u**3 * y0 + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * y1,
            )
        )
    return points


def flow_figure(
    graph: Graph,
    flows: nx.DiGraph,
    positions: Mapping[str, tuple[float, float]],
    *,
    selected: str | None = None,
    edge_labels: bool | None = None,
    height: int | None = None,
) -> go.Figure:
    """The flow network: nodes by kind (one trace each, clickable, ``customdata`` =
    :func:`node_key`), curved edges with arrowheads coloured by what they stand for, and
    a clickable marker in the middle of each edge (``customdata`` = :func:`edge_key`)
    whose hover lists the data and purposes.

    ``edge_labels`` writes the data categories on the edges (default: when there are at
    most 30 edges, where they stay readable). ``height`` defaults to one that gives the
    fullest column room for its labels.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    edges = sorted(flows.edges)
    texts = [edge_label(graph, flows, a, b) for a, b in edges]
    if edge_labels is None:  # readable, and saying something the filter does not already
        edge_labels = len(edges) <= 30 and len(set(texts)) > 1
    xs = [p[0] for p in positions.values()] or [0.0]
    span = (max(xs) - min(xs)) or 1.0
    if height is None:
        column = defaultdict(int)
        for x, _ in positions.values():
            column[round(x, 6)] += 1
        height = int(min(1800, max(560, 72 * max(column.values(), default=1) + 120)))
    curves = {(a, b): _curve(positions[a], positions[b]) for a, b in edges}
    for kind, colour in EDGE_COLOURS.items():
        lx: list[float | None] = []
        ly: list[float | None] = []
        heads: list[int] = []  # an arrowhead (plotly's "arrow" marker) near each edge's end
        for a, b in edges:
            if _edge_kind(flows, a, b) != kind:
                continue
            points = curves[a, b]
            lx += [p[0] for p in points] + [None]
            ly += [p[1] for p in points] + [None]
            heads += [0] * (len(points) - 3) + [11, 0, 0, 0]
        if lx:
            fig.add_trace(
                go.Scatter(
                    x=lx,
                    y=ly,
                    mode="lines+markers",
                    line={"color": colour, "width": 1.5},
                    # "previous": each head points along the curve, away from the point
                    # before it; markers of size 0 are not drawn.
                    marker={
                        "symbol": "arrow",
                        "size": heads,
                        "angleref": "previous",
                        "color": colour,
                    },
                    opacity=0.6,
                    hoverinfo="skip",
                    name=EDGE_NAMES[kind],
                )
            )
    middles = [curves[a, b][len(curves[a, b]) // 2] for a, b in edges]
    fig.add_trace(
        go.Scatter(
            x=[m[0] for m in middles],
            y=[m[1] for m in middles],
            mode="markers+text" if edge_labels else "markers",
            marker={"size": 8, "color": "rgba(90,90,90,0.30)", "symbol": "circle"},
            text=texts if edge_labels else None,
            textposition="top center",
            textfont={"size": 10, "color": "#444"},
            customdata=[edge_key(a, b) for a, b in edges],
            hovertext=[_edge_hover(graph, flows, a, b) for a, b in edges],
            hoverinfo="text",
            name="What is handed over (click)",
            showlegend=bool(edges),
        )
    )
    for kind in KIND_NAMES:
        nodes = sorted(
            (n for n, k in flows.nodes(data="kind") if k == kind),
            key=lambda n: (_node_label(flows, n).casefold(), n),
        )
        if not nodes:
            continue
        sizes = [13 + min(15, 1.5 * flows.degree(n)) for n in nodes]
        fig.add_trace(
            go.Scatter(
                x=[positions[n][0] for n in nodes],
                y=[positions[n][1] for n in nodes],
                mode="markers",
                name=KIND_NAMES[kind],
                marker={
                    "size": sizes,
                    "color": KIND_COLOURS[kind],
                    "symbol": KIND_SYMBOLS[kind],
                    "line": {
                        "width": [4 if n == selected else 1 for n in nodes],
                        "color": ["#111" if n == selected else "white" for n in nodes],
                    },
                },
                customdata=[node_key(n) for n in nodes],
                hovertext=[_node_hover(graph, flows, n) for n in nodes],
                hoverinfo="text",
            )
        )
    # Labels as annotations, on a light background so that edges do not hide them;
    # the outer columns write outwards, the middle ones above the node.
    labels = []
    for node, (x, y) in sorted(positions.items()):
        where = _text_position(x, min(xs), span)
        label = {
            "x": x,
            "y": y,
            "xref": "x",
            "yref": "y",
            "text": wrap(_esc(_node_label(flows, node)), 26),
            "showarrow": False,
            "font": {"size": 11, "color": "#1a1a1a"},
            "bgcolor": "rgba(255,255,255,0.78)",
            "borderpad": 1,
            "align": "center",
        }
        if where == "middle left":
            label.update(xanchor="right", xshift=-12, align="right")
        elif where == "middle right":
            label.update(xanchor="left", xshift=12, align="left")
        else:
            label.update(yanchor="bottom", yshift=9)
        labels.append(label)
    fig.update_layout(annotations=labels)  # at once: one add_annotation call each is slow
    pad = 0.22 * span
    ys = [p[1] for p in positions.values()] or [0.0]
    ypad = 0.06 * ((max(ys) - min(ys)) or 1.0)
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        clickmode="event+select",
        dragmode="pan",
        hovermode="closest",
        hoverlabel={"align": "left"},
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0, "font": {"size": 11}},
        xaxis={"visible": False, "range": [min(xs) - pad, max(xs) + pad]},
        yaxis={"visible": False, "range": [min(ys) - ypad, max(ys) + ypad]},
        plot_bgcolor="white",
    )
    return fig


def _edge_kind(flows: nx.DiGraph, a: str, b: str) -> str:
    kinds = flows.edges[a, b]["carries"].kinds
    for kind in ("processor", "recipient", "source", "flow"):
        if kind in kinds:
            return kind
    return "flow"


def _text_position(x: float, left: float, span: float) -> str:
    if x <= left + 0.05 * span:
        return "middle left"
    if x >= left + 0.95 * span:
        return "middle right"
    return "top center"


def _node_hover(graph: Graph, flows: nx.DiGraph, node: str) -> str:
    attrs = flows.nodes[node]
    incoming = sorted(_node_label(flows, n) for n in flows.predecessors(node))
    outgoing = sorted(_node_label(flows, n) for n in flows.successors(node))
    lines = [f"<b>{_esc(attrs.get('label', node))}</b> ({attrs.get('kind', 'other')})"]
    if incoming:
        lines.append("From: " + _esc(_join(incoming, 4)))
    if outgoing:
        lines.append("To: " + _esc(_join(outgoing, 4)))
    lines.append("<i>click for details</i>")
    return "<br>".join(lines)


@dataclass(frozen=True)
class SankeyData:
    """The links of a Sankey diagram: node labels and colours, and (source, target, value)."""

    labels: tuple[str, ...]
    colours: tuple[str, ...]
    nodes: tuple[str, ...]
    sources: tuple[int, ...]
    targets: tuple[int, ...]
    values: tuple[int, ...]
    hover: tuple[str, ...]


def sankey_data(graph: Graph, flows: nx.DiGraph) -> SankeyData:
    """Sources -> units -> recipients and processors, as Sankey links.

    A link is as wide as the number of data categories it carries (at least 1); edges
    that would close a cycle are left out (a Sankey diagram cannot draw them).
    """
    dag = _acyclic(flows)
    nodes = sorted(flows.nodes, key=lambda n: (_node_label(flows, n).casefold(), n))
    index = {n: i for i, n in enumerate(nodes)}
    sources, targets, values, hover = [], [], [], []
    for a, b in sorted(dag.edges):
        lines = _edge_lines(graph, flows, a, b)
        sources.append(index[a])
        targets.append(index[b])
        values.append(max(1, len(lines["data"])))
        hover.append(
            "Data: "
            + (_esc(_join(lines["data"], 5)) or "not stated")
            + ("<br>Purposes: " + _esc(_join(lines["purposes"], 3)) if lines["purposes"] else "")
        )
    return SankeyData(
        labels=tuple(_node_label(flows, n) for n in nodes),
        colours=tuple(KIND_COLOURS.get(flows.nodes[n].get("kind", "other"), "#999") for n in nodes),
        nodes=tuple(nodes),
        sources=tuple(sources),
        targets=tuple(targets),
        values=tuple(values),
        hover=tuple(hover),
    )


def sankey_figure(data: SankeyData, *, height: int = 640) -> go.Figure:
    """The Sankey diagram of :func:`sankey_data`."""
    import plotly.graph_objects as go

    def faded(colour: str) -> str:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return f"rgba({r},{g},{b},0.35)"

    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [shorten(x, 48) for x in data.labels],
                "color": list(data.colours),
                "pad": 12,
                "thickness": 16,
                "customdata": list(data.labels),
                "hovertemplate": "%{customdata}<extra></extra>",
            },
            link={
                "source": list(data.sources),
                "target": list(data.targets),
                "value": list(data.values),
                "color": [faded(data.colours[t]) for t in data.targets],
                "customdata": list(data.hover),
                "hovertemplate": "%{source.customdata} → %{target.customdata}<br>%{customdata}<extra></extra>",
            },
        )
    )
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10}, font={"size": 12})
    return fig


@dataclass(frozen=True)
class EdgeDetail:
    """One edge at a node: the partner, and what the edge carries."""

    partner: str
    partner_label: str
    partner_kind: str
    data: tuple[str, ...]
    purposes: tuple[str, ...]
    activities: tuple[str, ...]
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class NodeDetail:
    """A node of the flow graph: what it is, what it receives, what it hands on."""

    iri: str
    label: str
    kind: str
    part_of: tuple[str, ...]
    parts: tuple[str, ...]
    incoming: tuple[EdgeDetail, ...]
    outgoing: tuple[EdgeDetail, ...]
    activities: tuple[tuple[str, str], ...]
    location: str = ""
    source: str = ""


def _edge_detail(graph: Graph, flows: nx.DiGraph, a: str, b: str, partner: str) -> EdgeDetail:
    lines = _edge_lines(graph, flows, a, b)
    return EdgeDetail(
        partner=partner,
        partner_label=_node_label(flows, partner),
        partner_kind=str(flows.nodes[partner].get("kind", "other")),
        data=tuple(lines["data"]),
        purposes=tuple(lines["purposes"]),
        activities=tuple(lines["activities"]),
        conditions=tuple(lines["conditions"]),
    )


def node_detail(graph: Graph, flows: nx.DiGraph, node: str) -> NodeDetail:
    """What the (filtered) flow graph says about ``node``, with its records entry.

    Raises:
        KeyError: the node is not on the flow graph.
    """
    if node not in flows:
        raise KeyError(node)
    ref = URIRef(node)
    acts: set[str] = set()
    for a, b in (*flows.in_edges(node), *flows.out_edges(node)):
        acts |= flows.edges[a, b]["carries"].activities
    return NodeDetail(
        iri=node,
        label=_node_label(flows, node),
        kind=str(flows.nodes[node].get("kind", "other")),
        part_of=tuple(_labels(graph, graph.objects(ref, ORG.subOrganizationOf))),
        parts=tuple(_labels(graph, graph.subjects(ORG.subOrganizationOf, ref))),
        incoming=tuple(
            sorted(
                (_edge_detail(graph, flows, p, node, p) for p in flows.predecessors(node)),
                key=lambda e: (e.partner_label.casefold(), e.partner),
            )
        ),
        outgoing=tuple(
            sorted(
                (_edge_detail(graph, flows, node, s, s) for s in flows.successors(node)),
                key=lambda e: (e.partner_label.casefold(), e.partner),
            )
        ),
        activities=tuple(
            sorted(
                ((a, name_of(graph, URIRef(a))) for a in acts),
                key=lambda x: (x[1].casefold(), x[0]),
            )
        ),
        location=", ".join(_labels(graph, graph.objects(ref, DPV.hasLocation))),
        source=_source(graph, ref),
    )


# --- findings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    """One finding as the findings table shows it."""

    severity: str
    rule: str
    article: str
    message: str
    activity: str
    activity_name: str
    focus: str
    source: str
    fingerprint: str


def findings_table(graph: Graph, findings: Sequence[Finding]) -> list[FindingRow]:
    """The findings, worst first (the checker's order), with their activity's name."""
    return [
        FindingRow(
            severity=f.severity.label,
            rule=f.rule,
            article=f.article,
            message=f.message,
            activity=f.activity or "",
            activity_name=name_of(graph, URIRef(f.activity)) if f.activity else "",
            focus=f.focus_label,
            source=f"{f.file}:{f.line}" if f.file and f.line else f.file or "",
            fingerprint=f.fingerprint,
        )
        for f in findings
    ]


@dataclass(frozen=True)
class RuleCount:
    """How many findings one rule reported, at its severity."""

    rule: str
    severity: str
    article: str
    count: int


def findings_by_rule(findings: Sequence[Finding]) -> list[RuleCount]:
    """Findings counted by rule and severity, worst severity first, then most frequent."""
    counts: dict[tuple[str, Severity], list[Finding]] = defaultdict(list)
    for f in findings:
        counts[(f.rule, f.severity)].append(f)
    rows = [
        RuleCount(rule, sev.label, fs[0].article, len(fs)) for (rule, sev), fs in counts.items()
    ]
    rank = {s.label: -int(s) for s in Severity}
    return sorted(rows, key=lambda r: (rank[r.severity], -r.count, r.rule))


@dataclass(frozen=True)
class ActivityFindings:
    """An activity with findings: its counts by severity."""

    activity: str
    name: str
    violation: int
    warning: int
    info: int

    @property
    def total(self) -> int:
        return self.violation + self.warning + self.info


def activities_with_findings(graph: Graph, findings: Sequence[Finding]) -> list[ActivityFindings]:
    """Every activity that has findings, most violations first."""
    rows = []
    for act, own in findings_by_activity(findings).items():
        by = {s: sum(1 for f in own if f.severity == s) for s in Severity}
        rows.append(
            ActivityFindings(
                act,
                name_of(graph, URIRef(act)),
                by[Severity.VIOLATION],
                by[Severity.WARNING],
                by[Severity.INFO],
            )
        )
    return sorted(
        rows, key=lambda r: (-r.violation, -r.warning, -r.info, r.name.casefold(), r.activity)
    )


def findings_figure(counts: Sequence[RuleCount]) -> go.Figure:
    """Findings per rule as horizontal bars coloured by severity."""
    import plotly.graph_objects as go

    fig = go.Figure()
    order = [c.rule for c in counts]
    for severity, colour in SEVERITY_COLOURS.items():
        mine = [c for c in counts if c.severity == severity]
        if mine:
            fig.add_trace(
                go.Bar(
                    name=severity,
                    orientation="h",
                    y=[c.rule for c in mine],
                    x=[c.count for c in mine],
                    marker_color=colour,
                    text=[str(c.count) for c in mine],
                    textposition="outside",
                    customdata=[c.article for c in mine],
                    hovertemplate="%{y}: %{x} (%{customdata})<extra>" + severity + "</extra>",
                )
            )
    fig.update_layout(
        barmode="stack",
        height=max(260, 24 * len(counts) + 90),
        margin={"l": 10, "r": 30, "t": 30, "b": 30},
        yaxis={
            "categoryorder": "array",
            "categoryarray": list(reversed(order)),
            "automargin": True,
        },
        xaxis={"title": "findings", "range": [0, max((c.count for c in counts), default=1) * 1.18]},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
    )
    return fig


# --- SPARQL console ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryAnswer:
    """A query's answer, ready for a table and a download.

    ``columns`` and ``rows`` hold text (IRIs shortened to CURIEs, a label column after each
    IRI column); ``csv`` is the SPARQL CSV with whole IRIs and labels; ``boolean`` is set
    for ASK.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    csv: str
    boolean: bool | None = None
    seconds: float = 0.0


def run_query(
    engine: LocalEngine,
    text: str,
    *,
    saved: str | None = None,
    binds: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> QueryAnswer:
    """Run a read-only query (text, or a saved query's text with its parameters) through
    :mod:`checker.query.ask`: updates and federated queries are refused, the time is limited.

    Args:
        engine: the embedded engine of the built graph.
        text: the SPARQL text.
        saved: the name of the saved query ``text`` is, to bind its parameters.
        binds: values of parameters by name (IRI, CURIE, id or label); empty ones are ignored.
        timeout: seconds before the query is stopped.

    Raises:
        UpdateRefused, QueryRefused, QuerySyntaxError, QueryTimeout, InputError: as
        :meth:`checker.query.engines.LocalEngine.query` and :func:`checker.query.binding.bind_values`.
    """
    import time

    from checker.query import binding, results
    from checker.query import library as query_library
    from checker.query import text as query_text
    from checker.vocab import namespaces

    library = query_library.saved_queries()
    entry = library.get(saved) if saved else None
    query = query_text.QueryText(
        text, f"{saved}.rq" if entry else "query", entry if entry and entry.text == text else None
    )
    query_text.check_read_only(query, allow_service=False)
    values = {k: v for k, v in (binds or {}).items() if v and v.strip()}
    bindings = (
        binding.bind_values(engine, query, values, timeout=timeout) if query.saved or values else {}
    )
    start = time.perf_counter()
    result = engine.query(query, bindings=bindings, timeout=timeout)
    seconds = time.perf_counter() - start
    if isinstance(result, results.Boolean):
        return QueryAnswer(
            ("answer",), (("true" if result.value else "false",),), "", result.value, seconds
        )
    labels = engine.labels(results.result_nodes(result))
    table = results.labelled(results.as_solutions(result), labels)
    prefixes = {**namespaces.QUERY_PREFIXES, **engine.namespaces()}
    rows = tuple(tuple(_cell(term, prefixes) for term in row) for row in table.rows)
    return QueryAnswer(table.variables, rows, results.render(result, "csv", labels), None, seconds)


def _cell(term: Any, prefixes: Mapping[str, str]) -> str:
    import pyoxigraph as ox

    from checker.vocab.namespaces import compact

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


# --- notice ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeView:
    """The privacy notice in one language: Markdown, HTML, and the items it lacks."""

    lang: str
    markdown: str
    html: str
    gaps: tuple[str, ...]


def notice_view(notice: Notice) -> NoticeView:
    """Render a composed notice both ways (as ``ropa notice --allow-gaps`` would)."""
    from checker.notice.compose import gap_messages, render_notice

    return NoticeView(
        notice.lang,
        render_notice(notice, "md"),
        render_notice(notice, "html"),
        tuple(gap_messages(notice)),
    )
