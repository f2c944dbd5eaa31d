"""The on-disk cache of built graphs (checker/query/cache.py): a whole-process ``ropa query``
opens a graph built before instead of building it again.

The cache only keeps big inputs (:data:`cache.MIN_BYTES`); these tests lower the threshold
so that the shipped register and small fixtures are kept. Speed is measured in
``bench/query_cache.py``, not here.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.query import cache
from checker.query.engines import LocalEngine

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGISTER = Path(__file__).resolve().parents[1] / "ropa" / "finnish-customs"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ROPA_CACHE_DIR", str(folder))
    monkeypatch.delenv("ROPA_CACHE", raising=False)
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir())


def counting(paths: list[Path]) -> tuple[list[int], Callable[[], ox.Store]]:
    calls = [0]

    def build() -> ox.Store:
        calls[0] += 1
        return LocalEngine.from_paths(paths).store

    return calls, build


def quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


def test_a_graph_built_before_is_opened_not_built(tmp_path: Path, cache_dir: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(REGISTER, records)
    calls, build = counting([records])
    first = cache.cached_store([records], build)
    assert calls == [1] and len(entries(cache_dir)) == 1
    second = cache.cached_store([records], build)
    assert calls == [1], "the second run built the graph again"
    assert quads(second) == quads(first) == quads(build())


def test_any_change_of_an_input_is_a_new_entry(tmp_path: Path, cache_dir: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(REGISTER, records)
    calls, build = counting([records])
    before = quads(cache.cached_store([records], build))
    record = records / "activities.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("en: General", "en: Changed", 1), encoding="utf-8")
    after = quads(cache.cached_store([records], build))
    assert calls == [2] and len(entries(cache_dir)) == 2
    assert after != before and after == quads(build())
    record.write_text(text, encoding="utf-8")  # back as it was: the first entry again
    assert quads(cache.cached_store([records], build)) == before
    assert calls == [3]  # the build() just above; the cache itself built nothing


def test_the_same_bytes_under_a_new_time_are_the_same_entry(
    tmp_path: Path, cache_dir: Path
) -> None:
    data = tmp_path / "pass.ttl"
    shutil.copy(FIXTURES / "rules" / "no-activity-pass.ttl", data)
    calls, build = counting([data])
    cache.cached_store([data], build)
    data.write_bytes(data.read_bytes())  # new mtime, same content: hashed again, same key
    cache.cached_store([data], build)
    assert calls == [1] and len(entries(cache_dir)) == 1


def test_the_cache_can_be_turned_off(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROPA_CACHE", "off")
    data = FIXTURES / "rules" / "no-activity-pass.ttl"
    calls, build = counting([data])
    cache.cached_store([data], build)
    cache.cached_store([data], build)
    assert calls == [2] and not cache_dir.exists()


def test_small_inputs_are_not_kept(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MIN_BYTES", 1 << 40)
    data = FIXTURES / "rules" / "no-activity-pass.ttl"
    calls, build = counting([data])
    cache.cached_store([data], build)
    assert calls == [1] and entries(cache_dir) == []


def test_concurrent_runs_share_one_entry(tmp_path: Path, cache_dir: Path) -> None:
    """Four runs that all miss the cache at once: each builds, one entry is kept, the
    others' are dropped, nothing half-written stays, and each got the whole graph."""
    data = FIXTURES / "kitchen-sink"
    expected = quads(LocalEngine.from_paths([data]).store)
    barrier = threading.Barrier(4)
    got: list[set[ox.Quad]] = []

    def build() -> ox.Store:
        store = LocalEngine.from_paths([data]).store
        barrier.wait(60)  # every run has missed and built before any keeps its entry
        return store

    def run() -> None:
        got.append(quads(cache.cached_store([data], build)))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(got) == 4 and all(g == expected for g in got)
    assert [p.name.startswith("making-") for p in entries(cache_dir)] == [False]
    calls, counted = counting([data])
    assert quads(cache.cached_store([data], counted)) == expected and calls == [0]


def test_a_damaged_entry_is_built_again(tmp_path: Path, cache_dir: Path) -> None:
    data = FIXTURES / "rules" / "no-activity-pass.ttl"
    calls, build = counting([data])
    cache.cached_store([data], build)
    (entry,) = entries(cache_dir)
    for file in entry.iterdir():
        file.unlink() if file.is_file() else shutil.rmtree(file)
    again = quads(cache.cached_store([data], build))
    assert calls == [2] and again == quads(build())


def test_ropa_query_prints_the_same_from_the_cache(cache_dir: Path) -> None:
    args = ["query", "processors-personal-data", "--format", "csv"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert len(entries(cache_dir)) == 1
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and second.stdout == first.stdout
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROPA_CACHE", "off")
        direct = CliRunner().invoke(main, args)
    assert direct.stdout == first.stdout and len(first.stdout.splitlines()) > 5


def test_an_input_that_cannot_be_read_is_reported_by_the_build(
    tmp_path: Path, cache_dir: Path
) -> None:
    result = CliRunner().invoke(main, ["query", "processors-personal-data", str(tmp_path / "x")])
    assert result.exit_code == 2 and "x" in result.output
