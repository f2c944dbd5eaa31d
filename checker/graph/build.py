"""Build one RDF graph from records, DPV files and the vocabulary: the start of every pipeline.

The graph lives in a pyoxigraph store and is handed on as an rdflib graph over that store
(:class:`checker.graph.store.StoreGraph`).

>>> from checker.assets import default_records
>>> graph = build([default_records()])
>>> len(graph) > 1000
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from checker.assets import default_records
from checker.errors import InputError
from checker.files import read_input
from checker.graph.rdf_files import RDF_FORMATS, parse_rdf_file
from checker.graph.store import StoreGraph
from checker.graph.vocabulary import add_vocabulary, known_terms
from checker.records.load import display_path, load_record_set
from checker.records.to_rdf import add_records
from checker.spreadsheet.read import SUFFIXES as SPREADSHEET_SUFFIXES
from checker.spreadsheet.to_records import load_spreadsheet_records


def build(paths: Sequence[Path] = ()) -> StoreGraph:
    """Build one graph from record sets and RDF files, with the vocabulary merged in.

    Args:
        paths: record-set folders, YAML record files, RDF files (Turtle, JSON-LD,
            N-Triples, N-Quads, TriG, RDF/XML), or spreadsheets in a regulator's layout
            (.xlsx, .ods, .csv; see :mod:`checker.spreadsheet`). Empty: the shipped Finnish
            Customs register.

    Returns:
        The graph: the data, the vocabulary (labels and hierarchy) and the provenance.

    Raises:
        InputError: the first bad input, naming file and line.
    """
    store = ox.Store()
    for path in paths or [default_records()]:
        name = display_path(path)
        if path.is_symlink() and not path.exists():
            read_input(path, name)  # a broken link or a loop: the reader says which
        if path.is_dir() or path.suffix.lower() in (".yaml", ".yml"):
            if not path.exists():
                raise InputError("file not found", name)
            add_records(store, load_record_set(path, known_terms()))
        elif not path.exists():
            raise InputError("file not found", name)
        elif path.suffix.lower() in SPREADSHEET_SUFFIXES:
            add_records(store, load_spreadsheet_records(path, known_terms()))
        elif path.suffix.lower() in RDF_FORMATS:
            parse_rdf_file(store, path, name)
        else:
            known = ", ".join(sorted(RDF_FORMATS) + list(SPREADSHEET_SUFFIXES))
            raise InputError(
                f"unknown file type {path.suffix!r}: give a records folder, .yaml, or {known}",
                name,
            )
    add_vocabulary(store)
    return StoreGraph(store)
