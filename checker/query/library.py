"""The saved queries (``checker/query/queries/*.rq``): auditors' questions, with their parameters.

Each file starts with ``# title:``, ``# description:`` and one ``# param:`` line per
parameter (a default, or an example for the documentation).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files

from checker.errors import InputError

# --- saved queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """A variable of a saved query that the user binds by name (``--bind name=value``)."""

    name: str
    default: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class SavedQuery:
    """A query of the library in ``checker/query/queries/``: its name is the file's stem."""

    name: str
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = ()


_HEADER = re.compile(r"#\s*(title|description|param):\s*(.*)")


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Read the comment header of a saved query (``# title:``, ``# description:``, ``# param:``).

    A ``# param: name`` line declares a variable the user binds; ``# param: name = value``
    gives it a default, ``# param: name (e.g. value)`` an example for the documentation.
    Indented ``#`` lines continue the description.

    >>> q = parse_saved_query("x", "# title: T\\n# description: D\\n#   more\\n# param: p = a\\nASK {}")
    >>> (q.title, q.description, q.parameters)
    ('T', 'D more', (Parameter(name='p', default='a', example=None),))
    >>> parse_saved_query("y", "# title: T\\n# description: D\\n# param: who (e.g. elisa)").parameters
    (Parameter(name='who', default=None, example='elisa'),)
    """
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            key, value = match.group(1), match.group(2).strip()
            if key == "param":
                params.append(_parameter(name, value))
            else:
                fields[key] = value
            last = key
        elif last == "description":
            fields["description"] += " " + line.lstrip("#").strip()
    for key in ("title", "description"):
        if not fields.get(key):
            raise InputError(f"saved query has no '# {key}:' line", f"{name}.rq", 1)
    return SavedQuery(name, fields["title"], fields["description"], text, tuple(params))


_PARAM = re.compile(r"\??(\w+)\s*(?:=\s*(\S+))?\s*(?:\(e\.g\.\s*([^)]+)\))?")


def _parameter(query: str, text: str) -> Parameter:
    """``name``, ``name = default`` or ``name (e.g. example)``."""
    match = _PARAM.fullmatch(text)
    if match is None:
        raise InputError(f"bad '# param:' line {text!r}", f"{query}.rq")
    name, default, example = match.groups()
    return Parameter(name, default, example.strip() if example else None)


def saved_queries() -> dict[str, SavedQuery]:
    """The saved-query library, by name, in name order."""
    folder = files("checker.query") / "queries"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".rq")), key=lambda e: e.name)
    return {
        e.name[:-3]: parse_saved_query(e.name[:-3], e.read_text(encoding="utf-8")) for e in entries
    }


def describe_library(fmt: str = "table") -> str:
    """The saved queries (``ropa query --list``): one entry per line, or JSON.

    >>> print(describe_library().splitlines()[0])
    activities-without-retention
    """
    library = saved_queries()
    if fmt == "json":
        entries = [
            {
                "name": s.name,
                "title": s.title,
                "description": s.description,
                "parameters": [
                    {"name": p.name, "default": p.default, "example": p.example}
                    for p in s.parameters
                ],
            }
            for s in library.values()
        ]
        return json.dumps(entries, indent=1, ensure_ascii=False) + "\n"
    lines = []
    for name, saved in library.items():
        params = " ".join(
            f"--bind {p.name}=..." + (f" (default {p.default})" if p.default else "")
            for p in saved.parameters
        )
        lines.append(f"{name}{'  ' + params if params else ''}\n    {saved.title}")
    return "\n".join(lines) + "\n"


def example_command(saved: SavedQuery) -> tuple[list[str], dict[str, str]]:
    """The ``ropa query`` arguments that show a saved query, with its example bindings."""
    binds = {p.name: p.example for p in saved.parameters if p.example and not p.default}
    args = ["ropa", "query", saved.name]
    for name, value in binds.items():
        args += ["--bind", f"{name}={value}" if " " not in value else f'"{name}={value}"']
    return args, binds
