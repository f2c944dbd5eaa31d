"""Files the commands read and write: inputs read with one clear error, outputs written all
at once or not at all, and text made safe to print.

Every input file goes through :func:`read_input`: regular files only (a FIFO would hang the
reader, a device such as ``/dev/zero`` would never end), symbolic links followed by the
system (a loop, or more than 40 links in a row, is an input error), at most
:func:`max_input_bytes` bytes.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from checker.errors import InputError

#: The largest input file read, in MB (2**20 bytes); the environment variable
#: ``ROPA_MAX_INPUT_MB`` sets another. A 1M-triple graph is about 150 MB of N-Triples.
MAX_INPUT_MB = 512

#: What a path that is not a regular file is, by its ``stat`` mode.
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


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


def max_input_bytes() -> int:
    """The size cap of an input file: ``ROPA_MAX_INPUT_MB`` (a positive number) or
    :data:`MAX_INPUT_MB`, in bytes."""
    value = os.environ.get("ROPA_MAX_INPUT_MB", "")
    try:
        megabytes = float(value) if value else MAX_INPUT_MB
    except ValueError:
        megabytes = MAX_INPUT_MB
    return int((megabytes if megabytes > 0 else MAX_INPUT_MB) * 2**20)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return f"is {kind}, not a regular file: ropa reads regular files only"


#: The message of a symbolic link loop; the system gives up after 40 links in a row.
LINK_LOOP = "symbolic link loop (or more than 40 links in a row)"


def _open_error(exc: OSError, path: Path, missing: str, verb: str = "read") -> str:
    """The message for a file that cannot be opened (to ``verb``)."""
    if exc.errno == errno.ELOOP:
        return f"{LINK_LOOP}: cannot {verb} it"
    if exc.errno == errno.ENOENT:
        if path.is_symlink():
            return f"broken symbolic link (to {os.readlink(path)}): file not found"
        return missing
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    return f"cannot {verb}: {exc.strerror or exc}"


def _too_large(limit: int) -> str:
    return (
        f"larger than {round(limit / 2**20, 3):g} MB: refused (the environment variable "
        "ROPA_MAX_INPUT_MB sets another limit)"
    )


def read_input(path: Path, name: str, *, missing: str = "file not found") -> bytes:
    """The bytes of an input file; a file that cannot or may not be read is an
    :class:`InputError` naming it (``name``, as the user wrote it).

    Refused: a missing file, a folder, anything but a regular file (FIFO, device, socket),
    a symbolic link loop, a file larger than :func:`max_input_bytes`. Nothing is opened
    before its kind is known (opening some devices has effects), and the opened file is
    checked again, so a file swapped in between is caught too.
    """
    limit = max_input_bytes()
    try:
        why = _not_regular(os.stat(path).st_mode)
        if why is not None:
            raise InputError(why, name)
        # O_NONBLOCK: a FIFO put in place after the check opens at once instead of hanging.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise InputError(_open_error(exc, path, missing), name) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            why = _not_regular(info.st_mode)
            if why is not None:
                raise InputError(why, name)
            if info.st_size > limit:
                raise InputError(_too_large(limit), name)
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", name) from None
    if len(data) > limit:  # grew while being read
        raise InputError(_too_large(limit), name)
    return data


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


def _output_target(path: Path) -> Path | None:
    """Where an output file goes: ``path``, or the file its symbolic link names; None for
    a device or a named pipe, which is written to as it is."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InputError(_open_error(exc, path, "", "write"), str(path)) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError("is a folder, not a file", str(path))
    if mode is not None and not stat.S_ISREG(mode):
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link loop (Python < 3.13)
        raise InputError(f"{LINK_LOOP}: cannot write it", str(path)) from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a reader never sees half a file.

    The bytes go to a temporary file beside the target, which then replaces it; on any
    error, and on SIGTERM or SIGHUP (see :func:`signals_as_exit`), the temporary file is
    removed. A symbolic link keeps pointing where it did (its file is replaced); a device
    or a named pipe (``/dev/stdout``) is written to directly, never replaced.

    Raises:
        InputError: the folder is missing or not writable, the path is a folder or a link
            loop, or the disk is full; naming ``path``.
    """
    target = _output_target(path)
    try:
        if target is None:
            with path.open("wb") as handle:
                handle.write(data)
            return
        if not target.parent.is_dir():
            raise InputError("output folder does not exist", str(path))
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", str(path)) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write: {exc.strerror or exc}", str(path)) from None
        raise


#: Signals that end a command the way Ctrl-C does: ``finally`` blocks run, temporary files
#: and folders are removed.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _stop(signum: int, frame: FrameType | None) -> None:
    os.write(2, f"stopped by {signal.Signals(signum).name}\n".encode())
    raise SystemExit(128 + signum)


@contextmanager
def signals_as_exit() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`SystemExit` (status 128 + signal),
    so cleanup code runs instead of the process vanishing mid-write. Only the main thread
    can set handlers; elsewhere this does nothing. The previous handlers come back after.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _stop) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


#: Control characters (C0 but tab and newline, DEL, C1): a terminal acts on them (escape
#: sequences recolour, move the cursor, retitle the window, rewrite what was shown).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without control characters, safe to show on a terminal.

    >>> printable("\\x1b[2Jname\\rfake\\tok\\n")
    '[2Jnamefake\\tok\\n'
    """
    return _CONTROL.sub("", text)
