"""Typed errors of the engine. Only the CLI turns them into exit codes."""

from __future__ import annotations

from pathlib import Path


class RopaError(Exception):
    """Base class of every error the engine raises on purpose."""


class InputError(RopaError):
    """Bad input: a file that cannot be read, parsed or resolved.

    Carries the file and, where known, the line, so the message points the user at it.

    >>> print(InputError("unknown key 'purpose'", "ropa/x/activities.yaml", 12))
    ropa/x/activities.yaml:12: unknown key 'purpose'
    """

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        return where + self.message
