"""The real OpenLink Virtuoso the triple-store tests run against (a pytest fixture).

The tests use the server named by ``ROPA_VIRTUOSO_URL`` (its SPARQL endpoint, as
``.ci/run`` exports it; ``ROPA_VIRTUOSO_USER`` and ``ROPA_VIRTUOSO_PASSWORD`` default to
``dba``/``dba``), or start a throwaway one with ``scripts/virtuoso.sh``. Without Virtuoso
they are skipped on a developer's machine, but with ``CI=true`` they fail: a skipped server
test must never pass as green. Each run uses its own graphs and its own catalogue graph.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from checker.query.client import Client, Credentials, StoreError
from checker.query.store import SparqlStore

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "virtuoso.sh"
RUN = uuid.uuid4().hex[:8]


@dataclass
class Virtuoso:
    """A running Virtuoso: its endpoints, a writing user, and the graphs a test made."""

    sparql: str
    credentials: Credentials
    catalogue: str = f"urn:ropa-kg:test:{RUN}:catalogue"
    made: set[str] = field(default_factory=set)

    @property
    def store(self) -> str:
        """The Graph Store endpoint (digest authentication)."""
        return self.sparql + "-graph-crud-auth"

    @property
    def update(self) -> str:
        """The SPARQL endpoint that takes updates (digest authentication)."""
        return self.sparql + "-auth"

    def graph(self, name: str) -> str:
        """A graph IRI of this run, dropped at the end."""
        iri = f"urn:ropa-kg:test:{RUN}:{name}"
        self.made.add(iri)
        return iri

    def writer(self) -> SparqlStore:
        return SparqlStore(self.update, Client(self.credentials))

    def reader(self) -> SparqlStore:
        return SparqlStore(self.sparql)

    def count(self, graph: str) -> int:
        return self.reader().count(graph)

    def drop(self) -> None:
        for graph in sorted(self.made | {self.catalogue}):
            with contextlib.suppress(StoreError):
                self.writer().update(f"DROP SILENT GRAPH <{graph}>")
        with contextlib.suppress(StoreError):
            staging = self.reader().select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                "FILTER(STRSTARTS(STR(?g), 'urn:ropa-kg:staging:')) }"
            )
            for row in staging:
                self.writer().update(f"DROP SILENT GRAPH <{row['g'].value}>")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A running Virtuoso: the one ROPA_VIRTUOSO_URL names, or one started for this module."""
    in_ci = os.environ.get("CI", "").lower() in ("true", "1")
    credentials = Credentials(
        os.environ.get("ROPA_VIRTUOSO_USER", "dba"), os.environ.get("ROPA_VIRTUOSO_PASSWORD", "dba")
    )
    given = os.environ.get("ROPA_VIRTUOSO_URL")
    if given:
        server = Virtuoso(re.sub(r"/+$", "", given), credentials)
        yield server
        server.drop()
        return
    if shutil.which("virtuoso-t") is None and not in_ci:
        pytest.skip(
            "no Virtuoso here: apt-get install virtuoso-opensource or set ROPA_VIRTUOSO_URL "
            "(with CI=true this fails instead)"
        )
    env = {**os.environ, "ROPA_VIRTUOSO_DIR": str(tmp_path_factory.mktemp("virtuoso"))}
    started = subprocess.run(
        ["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=900
    )
    if started.returncode != 0:
        pytest.fail(f"scripts/virtuoso.sh start failed:\n{started.stderr}", pytrace=False)
    url = started.stdout.strip().splitlines()[-1]
    try:
        yield Virtuoso(url, Credentials("dba", "dba"))
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], env=env, capture_output=True, timeout=60)
