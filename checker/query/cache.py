"""Built graphs kept on disk, so that a whole-process ``ropa query`` on a big graph does not
build it again (about 6 s at a million triples; a query takes at most half a second).

A cache entry is an on-disk pyoxigraph store (RocksDB) in ``$ROPA_CACHE_DIR`` (default
``~/.cache/ropa-kg/graphs``), named by the content hash of everything the build reads: each
input file (a folder: every file under it), ropa-kg's version and its own build code and
vocabulary. Any change of any of them is a new key; the old entry is never read again and
the oldest entries beyond :data:`KEEP` are removed. ``bench/query_cache.py`` measured this
against keeping the build as N-Triples and parsing it again: opening the store costs
milliseconds, parsing a million triples seconds.

Hashing a big input costs time too (0.4 s for 150 MB), so each file's hash is kept beside
its size, modification and change times and inode, and computed again only when one of
them differs (as git's index does). Safe under concurrent runs: an entry is built in a
folder of its own and renamed into place in one step; a run that loses the race uses the
winner's entry; readers open entries read-only.

Inputs smaller than :data:`MIN_BYTES` are built directly (a build of the shipped register
takes half a second), so the cache only ever holds big graphs. ``ROPA_CACHE=off`` turns it
off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from checker import __version__
from checker.assets import asset_dir, default_records
from checker.files import write_atomically

#: Inputs (all files together) smaller than this are not cached.
MIN_BYTES = 8 << 20

#: Cache entries kept; older ones are removed when a new one is made.
KEEP = 4

_CODE_PACKAGES = ("records", "graph", "vocab")


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off (``ROPA_CACHE=off``)."""
    if os.environ.get("ROPA_CACHE", "").lower() in ("off", "0", "no"):
        return None
    given = os.environ.get("ROPA_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ropa-kg" / "graphs"


def input_files(paths: Sequence[Path]) -> list[Path]:
    """Every file a build of ``paths`` may read, in a fixed order (a folder: all its files)."""
    files: list[Path] = []
    for path in paths or [default_records()]:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        else:
            files.append(path)
    return files


def _code_files() -> Iterable[Path]:
    package = Path(__file__).resolve().parents[1]
    for name in _CODE_PACKAGES:
        yield from sorted((package / name).rglob("*.py"))
    yield from sorted(asset_dir("ontology").glob("*"))


class _Hashes:
    """Content hashes of files, computed again only when a file's stat changes."""

    def __init__(self, index: Path) -> None:
        self.index = index
        try:
            self.known: dict[str, list[object]] = json.loads(index.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.changed = False

    def of(self, path: Path) -> str:
        stat = path.stat()
        signature: list[object] = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        name = str(path.resolve())
        known = self.known.get(name)
        if known is not None and known[:4] == signature:
            return str(known[4])
        with path.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
        self.known[name] = [*signature, digest]
        self.changed = True
        return digest

    def save(self) -> None:
        if self.changed:
            data = json.dumps(self.known, sort_keys=True).encode("utf-8")
            write_atomically(self.index, data)


def cache_key(paths: Sequence[Path], folder: Path) -> tuple[str, int]:
    """The content hash of the inputs and the build (and the inputs' total size)."""
    hashes = _Hashes(folder / "hashes.json")
    key = hashlib.sha256(f"ropa-kg {__version__}\0".encode())
    for path in _code_files():
        key.update(f"code {path.name}\0{hashes.of(path)}\0".encode())
    size = 0
    for number, path in enumerate(paths or [default_records()]):
        for file in input_files([path]):
            size += file.stat().st_size
            relative = file.relative_to(path) if path.is_dir() else Path(file.name)
            key.update(f"input {number} {relative}\0{hashes.of(file)}\0".encode())
    hashes.save()
    return key.hexdigest(), size


def cached_store(paths: Sequence[Path], build: Callable[[], ox.Store]) -> ox.Store:
    """The built graph of ``paths``: a cache entry opened read-only, or ``build()``'s store
    (kept as a new entry when the inputs are big enough).

    ``build`` is called at most once. An input that cannot be read is left to the build,
    which reports it with its file name.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key, size = cache_key(paths, folder)
    except OSError:
        return build()  # unreadable input or cache: the build names what is wrong
    entry = folder / key
    if entry.is_dir():
        try:
            return ox.Store.read_only(str(entry))
        except OSError:
            pass  # a damaged entry: built again below
    store = build()
    if size < MIN_BYTES:
        return store
    _keep(store, folder, entry)
    return store


def _keep(store: ox.Store, folder: Path, entry: Path) -> None:
    """Write ``store`` as the entry ``entry``: built aside, renamed into place in one step."""
    making = folder / f"making-{uuid.uuid4().hex}"
    try:
        disk = ox.Store(str(making))
        disk.bulk_extend(store.quads_for_pattern(None, None, None, None))
        disk.flush()
        del disk
        os.rename(making, entry)
    except OSError:  # another run made it first, or the disk is full: the cache is optional
        shutil.rmtree(making, ignore_errors=True)
        return
    entries = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("making-")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in entries[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
