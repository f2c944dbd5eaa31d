"""The built graph of one input and what the pages derive from it, cached by content.

:func:`load_model` builds the graph (:func:`checker.graph.build.build`), checks it
(:func:`checker.check.run.check`) and makes its flow graph
(:func:`checker.graph.flows.flow_graph`); :func:`input_fingerprint` is the key the dashboard
caches a model on, so an edited record set is built again and an unchanged one never is.
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
        return LocalEngine(ox_store(self.graph))

    def notice(self, lang: str) -> Notice:
        """The privacy notice in ``lang`` (composed once per language)."""
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
    graph = build(list(paths))
    return Model(tuple(paths), graph, check(graph).findings, flow_graph(graph))
