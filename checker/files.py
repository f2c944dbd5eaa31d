"""Files the commands read and write: inputs read with one clear error, outputs written all
at once or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from checker.errors import InputError


def format_of(path: Path, formats: Mapping[str, str], action: str = "write") -> str:
    """The format an output file is written in, from its extension (``formats``: extension
    to format); any other extension is an :class:`InputError` listing the known ones."""
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot {action} {path.suffix or 'a file without extension'}: "
            f"use {', '.join(formats)}",
            str(path),
        )
    return fmt


def read_input(path: Path, name: str, *, missing: str = "file not found") -> bytes:
    """The bytes of an input file; a missing or unreadable one is an :class:`InputError`
    naming it (``name``, as the user wrote it)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(missing, name) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", name) from None


def decode_utf8(data: bytes, filename: str) -> str:
    """Decode ``data`` as UTF-8 (a byte order mark is read past) or raise an
    :class:`InputError` naming the line of the bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8",
            filename,
            line,
        ) from None
    return text.removeprefix("\ufeff")


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a reader never sees half a file."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise InputError("output folder does not exist", str(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
