"""Read a version of the records: a path, or a git revision of the current repository.

A revision is read with ``git archive REV -- PATH`` into a temporary folder that is
removed afterwards: the work tree, the index and ``HEAD`` are never touched, so
``ropa diff main HEAD`` works with uncommitted changes lying around. Every call to git
is an explicit argument list (``git -C <repo> ...``), never a shell.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from rdflib import Graph, Literal

from checker.errors import InputError
from checker.files import read_input
from checker.graph.build import build
from checker.records.load import record_files
from checker.vocab.namespaces import ROPA

#: Where the records live in a repository unless ``--path`` says otherwise.
DEFAULT_RECORDS_PATH = "ropa"

_REGISTER_KEY = re.compile(r"^register\s*:", re.MULTILINE)


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C repo args...`` and return the completed process (never raises on status)."""
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        raise InputError("git is not installed, so git revisions cannot be read") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git {args[0]} took more than two minutes", str(repo)) from None


def repository_root(cwd: Path) -> Path | None:
    """The top folder of the git work tree that holds ``cwd``; None outside a repository."""
    result = _git(cwd, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        return None
    return Path(result.stdout.decode("utf-8").strip())


def resolve_revision(repo: Path, revision: str) -> str | None:
    """The commit id a revision names (``main``, ``HEAD~1``, a tag, a SHA); None if none."""
    if not revision or revision.startswith("-"):
        return None
    result = _git(
        repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if result.returncode != 0:
        return None
    return result.stdout.decode("ascii").strip()


def _repo_path(path: str) -> str:
    """A path inside the repository, as git wants it: relative, forward slashes, no ``..``."""
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        raise InputError(
            "--path must be a folder inside the repository, relative to its top (ropa/my-register)",
            path,
        )
    return str(pure) if str(pure) != "." else ""


def extract(repo: Path, commit: str, path: str, into: Path, revision: str) -> Path:
    """Write the files under ``path`` at ``commit`` into the folder ``into``.

    Args:
        repo: the repository's top folder.
        commit: the commit id (see :func:`resolve_revision`).
        path: a folder or file relative to the repository's top; "" for everything.
        into: an empty folder.
        revision: the revision as the user wrote it, for messages.

    Returns:
        The extracted ``path`` inside ``into``.

    Raises:
        InputError: the path does not exist at that revision, or git failed.
    """
    if path and _git(repo, "cat-file", "-e", f"{commit}:{path}").returncode != 0:
        raise InputError(
            f"no {path} at revision {revision} (name the records folder with --path)",
            f"{revision}:{path}",
        )
    result = _git(repo, "archive", "--format=tar", commit, "--", *([path] if path else []))
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip() or "git archive failed"
        raise InputError(message, f"{revision}:{path}")
    try:
        with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
            archive.extractall(into, filter="data")  # no links or paths out of ``into``
    except tarfile.TarError as exc:
        raise InputError(f"cannot read the files at revision {revision}: {exc}", path) from None
    return into / path if path else into


def record_set_folders(root: Path) -> list[Path]:
    """The record sets under ``root``: each folder with a file that has a ``register`` key.

    A folder of record sets (``ropa/`` with ``ropa/a/`` and ``ropa/b/``) gives each set;
    a record-set folder gives itself. Folders inside a record set belong to it. Without any
    register, ``[root]``, so the build reports what is missing.

    >>> from checker.assets import asset_dir
    >>> [folder.name for folder in record_set_folders(asset_dir("ropa"))]
    ['finnish-customs']
    """
    if not root.is_dir():
        return [root]
    registers = set()
    for file in record_files(root):
        try:
            text = read_input(file, str(file)).decode("utf-8", errors="replace")
        except InputError:  # reported by the build that follows
            continue
        if _REGISTER_KEY.search(text):
            registers.add(file.parent)
    outer = sorted(d for d in registers if not any(o in d.parents for o in registers))
    return outer or [root]


def _inside(name: str, root: Path) -> str | None:
    """A file name the build reported (relative to the working directory, or absolute) as
    a path relative to ``root``; None when it is not under ``root``."""
    path = Path(name)
    full = (path if path.is_absolute() else Path.cwd() / path).resolve()
    try:
        return full.relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _in_checkout(value: str, root: Path, folders: Sequence[Path]) -> str | None:
    """The records file a ``ropa:recordFile`` value names, relative to ``root``.

    The build writes the name relative to the working directory, to the work tree or to
    the folder that holds the record set; whichever it is, find the file in the checkout.
    """
    path = Path(value)
    bases = [Path("/")] if path.is_absolute() else [root, *(f.parent for f in folders), Path.cwd()]
    for base in bases:
        relative = _inside(str(base / path), root)
        if relative is not None and (root / relative).is_file():
            return relative
    return None


def _relocate(graph: Graph, root: Path, folders: Sequence[Path]) -> None:
    """Name the records files of a graph built from a checkout in a temporary folder
    relative to the repository's top, so findings point at the files the user knows."""
    for subject, value in list(graph.subject_objects(ROPA.recordFile)):
        relative = _in_checkout(str(value), root, folders)
        if relative is not None and relative != str(value):
            graph.remove((subject, ROPA.recordFile, value))
            graph.add((subject, ROPA.recordFile, Literal(relative)))


def _build(paths: Sequence[Path]) -> Graph:

    return build(list(paths))


def build_at_revision(revision: str, path: str, cwd: Path) -> Graph:
    """Build the records under ``path`` as they are at a git revision of the repository at ``cwd``.

    Args:
        revision: what git calls a revision: ``main``, ``HEAD~1``, ``origin/main``, a SHA.
        path: the records folder relative to the repository's top: a record set, or a
            folder of record sets (default ``ropa``).
        cwd: a folder inside the repository.

    Raises:
        InputError: not a repository, no such revision, no such path, or bad records
            (named ``REVISION:path/to/file.yaml``).
    """
    repo = repository_root(cwd)
    if repo is None:
        raise InputError(
            f"{revision!r} is not a file or folder, and {cwd} is not in a git repository"
        )
    commit = resolve_revision(repo, revision)
    if commit is None:
        raise InputError(f"{revision!r} is neither a file or folder nor a revision of {repo}")
    inside = _repo_path(path)
    with tempfile.TemporaryDirectory(prefix="ropa-diff-") as tmp:
        root = Path(tmp)
        records = extract(repo, commit, inside, root, revision)
        folders = record_set_folders(records)
        try:
            graph = _build(folders)
        except InputError as exc:
            relative = _inside(exc.file, root) if exc.file is not None else None
            if relative is not None:
                exc.file = f"{revision}:{relative}"
            raise
        _relocate(graph, root, folders)
    return graph


def load_version(argument: str, path: str = DEFAULT_RECORDS_PATH, cwd: Path | None = None) -> Graph:
    """Build one version of the records for ``ropa diff``.

    An argument that exists as a file or folder is a path: a record set, a folder of record
    sets, a YAML file or an RDF file. Anything else is tried as a git revision of the
    repository at ``cwd``, and the records under ``path`` at that revision are built.

    Args:
        argument: a path or a git revision.
        path: for a revision, the records folder relative to the repository's top.
        cwd: where to look for the repository (default: the working directory).

    Raises:
        InputError: the argument is neither, or its records do not build.
    """
    where = cwd if cwd is not None else Path.cwd()
    candidate = Path(argument)
    if not candidate.is_absolute():
        candidate = where / candidate
    if candidate.exists() or candidate.is_symlink():  # a broken link or a loop: build says
        return _build(record_set_folders(candidate))
    return build_at_revision(argument, path, where)
