"""The built graph of one input and what the pages derive from it, cached by content.

:func:`load_model` builds the graph (:func:`checker.graph.build.build`), checks it
(:func:`checker.check.run.check`) and makes its flow graph
(:func:`checker.graph.flows.flow_graph`); :func:`cached_model` keeps models on
:func:`input_fingerprint`, the hash of the input's content, so an edited record set is
built again and an unchanged one never is. ``ropa dashboard`` loads and warms the model
before its server answers (:meth:`Model.warm`), so the first page only draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
from rdflib import Graph

from checker.assets import default_records
from checker.check.findings import Finding
from checker.check.run import check
from checker.errors import InputError
from checker.files import read_input
from checker.graph.build import build
from checker.graph.flows import flow_graph
from checker.graph.store import ox_store
from checker.notice.compose import Notice, compose_notice
from checker.query.engines import LocalEngine
from checker.views.activities import ActivityRow, activities_table
from checker.views.flowmap import FlowMap, flow_map
from checker.views.flows import FlowFilter, FlowOptions, filter_flows, flow_options
from checker.views.journey import Journey, SubjectGroup, journey, subject_groups
from checker.views.matrix import Holdings, holdings
from checker.views.reading import reading_graph
from checker.views.registers import Register, join_registers, registers
from checker.views.retention import RetentionRow, retention_rows
from checker.views.summary import RegisterSummary, register_summary


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

    ``built`` is the graph as :func:`checker.graph.build.build` made it (its pyoxigraph
    store answers SPARQL); ``graph`` reads the same triples through a cache
    (:func:`checker.views.reading.reading_graph`), for the views' many small questions.
    Derived views are computed on first use and kept; :meth:`warm` computes what the pages
    show first, so that a page only draws.
    """

    paths: tuple[Path, ...]
    built: Graph
    findings: list[Finding]
    flows: nx.DiGraph
    fingerprint: str = ""
    graph: Graph = field(init=False, repr=False)
    _notices: dict[str, Notice] = field(default_factory=dict, repr=False)
    _maps: dict[FlowFilter, FlowMap] = field(default_factory=dict, repr=False)
    _journeys: dict[str, Journey] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.graph = reading_graph(self.built)

    @cached_property
    def activities(self) -> list[ActivityRow]:
        return activities_table(self.graph, self.findings)

    @cached_property
    def retention(self) -> list[RetentionRow]:
        return retention_rows(self.graph)

    @cached_property
    def engine(self) -> LocalEngine:
        """The graph in an embedded pyoxigraph store, for the SPARQL console."""
        return LocalEngine(ox_store(self.built))

    def notice(self, lang: str) -> Notice:
        """The privacy notice in ``lang`` (composed once per language)."""
        if lang not in self._notices:
            self._notices[lang] = compose_notice(self.graph, lang)
        return self._notices[lang]

    @cached_property
    def summary(self) -> RegisterSummary:
        return register_summary(self.graph, self.flows, self.findings)

    @cached_property
    def options(self) -> FlowOptions:
        """The choices of the Flows page's filters."""
        return flow_options(self.graph, self.flows)

    def shown(self, flt: FlowFilter) -> nx.DiGraph:
        """The part of the flow graph a filter selects (all of it: no filter)."""
        return filter_flows(self.graph, self.flows, flt) if flt.active else self.flows

    def flow_map(self, flt: FlowFilter | None = None) -> FlowMap:
        """The grouped flow map of what ``flt`` shows (no filter: all; kept per filter)."""
        flt = flt or FlowFilter()
        if flt not in self._maps:
            if len(self._maps) > 32:
                self._maps.clear()
            self._maps[flt] = flow_map(self.graph, self.shown(flt))
        return self._maps[flt]

    @cached_property
    def holdings(self) -> Holdings:
        """Who holds which data category: the matrix of units and parties x data."""
        return holdings(self.graph, self.flows)

    @cached_property
    def subjects(self) -> list[SubjectGroup]:
        """The data subject groups a journey can be asked for."""
        return subject_groups(self.graph)

    def journey(self, subject: str) -> Journey:
        """What happens to the data of one data subject group (kept per group)."""
        if subject not in self._journeys:
            self._journeys[subject] = journey(self.graph, subject)
        return self._journeys[subject]

    @cached_property
    def registers(self) -> list[Register]:
        """The registers (``dpv:ROPA``) of the input, with their activities."""
        return registers(self.graph)

    def warm(self) -> Model:
        """Compute what the pages show first (their tables, the unfiltered map)."""
        for name in ("summary", "options", "activities", "retention", "holdings", "subjects"):
            getattr(self, name)
        self.flow_map()
        return self


def load_model(paths: Sequence[Path]) -> Model:
    """Build, check and draw the flows of ``paths`` (empty: the shipped register).

    Flows that two registers of the input record from both ends (a disclosure of one that
    is a source of the other) become one edge (:func:`checker.views.registers.join_registers`).

    Raises:
        InputError: the records cannot be read (the message names file and line).
    """
    built = build(list(paths))
    findings = check(built).findings
    model = Model(tuple(paths), built, findings, flow_graph(built))
    model.flows = join_registers(model.graph, model.flows)
    return model


_MODELS: dict[str, Model] = {}


def cached_model(paths: Sequence[Path], *, keep: int = 4) -> Model:
    """The model of ``paths``, built once per content (:func:`input_fingerprint`) in this
    process and kept (the ``keep`` most recent); an edited input is built again.

    Raises:
        InputError: the records cannot be read.
    """
    key = input_fingerprint(paths)
    model = _MODELS.pop(key, None)
    if model is None:
        model = load_model(paths)
        model.fingerprint = key
    _MODELS[key] = model
    while len(_MODELS) > keep:
        del _MODELS[next(iter(_MODELS))]
    return model
