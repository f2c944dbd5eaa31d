"""Shared fixtures: a scratch copy of the kitchen-sink record set, `ropa build` in-process,
and a guard that fails any test whose code tries to reach the network."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, URIRef

from checker.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KITCHEN_SINK = FIXTURES / "kitchen-sink"


_LOOPBACK = ("localhost", "127.", "::1")


@pytest.fixture(autouse=True)
def private_graph_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ropa query``'s cache of built graphs (checker/query/cache.py) in a folder of the
    test run, never the user's ``~/.cache``."""
    monkeypatch.setenv("ROPA_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "graph-cache"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[object, ...]]]:
    """Record and refuse every DNS lookup and connection beyond this machine; fail the test
    if one happened. Loopback and Unix sockets stay allowed (local test servers).

    The engine wraps parser exceptions into clean errors, so refusing alone could hide an
    attempt: the record is what the test is judged on.
    """
    attempts: list[tuple[object, ...]] = []

    def guard(
        original: Callable[..., object], host_of: Callable[..., object]
    ) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            host = host_of(*args)
            if isinstance(host, bytes):
                host = host.decode("ascii", "replace")
            if not isinstance(host, str) or host.startswith(_LOOPBACK):
                return original(*args, **kwargs)
            attempts.append(args)
            raise OSError(f"network access to {host!r} attempted during a test")

        return call

    def address_host(address: object) -> object:
        return address[0] if isinstance(address, tuple) else None  # None: a Unix socket

    monkeypatch.setattr(socket, "getaddrinfo", guard(socket.getaddrinfo, lambda h, *a: h))
    monkeypatch.setattr(
        socket, "create_connection", guard(socket.create_connection, lambda a, *r: address_host(a))
    )
    monkeypatch.setattr(
        socket.socket, "connect", guard(socket.socket.connect, lambda s, a: address_host(a))
    )
    yield attempts
    assert not attempts, f"the code tried to reach the network: {attempts}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test inside ``tmp_path``, so messages show short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


class RecordSetCopy:
    """A copy of the kitchen sink that a test edits in one place."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __str__(self) -> str:
        return str(self.path)

    def shown(self, name: str) -> str:
        """The file as messages name it (relative to the working directory)."""
        return f"{self.path.name}/{name}"

    def text(self, name: str) -> str:
        return (self.path / name).read_text(encoding="utf-8")

    def line_of(self, name: str, needle: str) -> int:
        """The 1-based line where ``needle`` (which must occur exactly once) starts."""
        text = self.text(name)
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times in {name}"
        return text[: text.index(needle)].count("\n") + 1

    def edit(self, name: str, old: str, new: str) -> int:
        """Replace the one occurrence of ``old`` by ``new``; return the line ``new`` starts on."""
        text = self.text(name)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        (self.path / name).write_text(text.replace(old, new), encoding="utf-8")
        return text[: text.index(old)].count("\n") + 1

    def write(self, name: str, content: str | bytes) -> Path:
        target = self.path / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return target


@pytest.fixture
def kitchen_sink(workdir: Path) -> RecordSetCopy:
    """A fresh copy of tests/fixtures/kitchen-sink at ``<workdir>/ks``."""
    target = workdir / "ks"
    shutil.copytree(KITCHEN_SINK, target)
    return RecordSetCopy(target)


@dataclass
class BuildRun:
    """One in-process ``ropa build`` and the output file it was asked to write."""

    result: Result
    output: Path | None

    @property
    def text(self) -> str:
        return self.result.output

    def assert_input_error(self, where: str, *words: str) -> str:
        """Exit status 2, one message naming ``where`` (``file`` or ``file:line``) and
        containing each of ``words`` (case-insensitive), no traceback, nothing written."""
        out = self.result.output
        assert self.result.exit_code == 2, f"exit {self.result.exit_code}: {out!r}"
        assert isinstance(self.result.exception, SystemExit), repr(self.result.exception)
        assert "Traceback" not in out
        lines = [line for line in out.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one message, got {lines}"
        message = lines[0]
        assert message.startswith("Error: ")
        # "file:line: message". A ``where`` without a line allows any line (or none); the
        # trailing ": " keeps ks/a.yaml:2 from matching ks/a.yaml:27.
        named = re.search(rf"(^Error: |\s){re.escape(where)}(:\d+)?: ", message)
        if re.search(r":\d+$", where):
            named = re.search(rf"(^Error: |\s){re.escape(where)}: ", message)
        assert named, f"{where!r} not named in {message!r}"
        for word in words:
            assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
        if self.output is not None:
            assert not self.output.exists(), "a failed build wrote its output"
        return message


@pytest.fixture
def ropa_build(workdir: Path) -> Callable[..., BuildRun]:
    """Run ``ropa build ARGS -o out.ttl`` in-process (``output=None``: no ``-o``)."""

    def run(*args: object, output: str | None = "out.ttl") -> BuildRun:
        argv = ["build", *map(str, args)]
        if output is not None:
            argv += ["-o", output]
        result = CliRunner().invoke(main, argv)
        return BuildRun(result, workdir / output if output is not None else None)

    return run


def english(g: Graph, node: URIRef, predicate: URIRef) -> str:
    """The English text of ``node`` (the records also carry Finnish and Swedish ones)."""
    return next(str(o) for o in g.objects(node, predicate) if getattr(o, "language", None) == "en")
