"""Load a YAML records file safely, keeping the line of every mapping, key and list item.

Safety: the loader is PyYAML's safe loader (its C parser), with anchors and aliases refused outright
(records never need them, and they are how "billion laughs" alias bombs work) and
duplicate keys refused (YAML would silently keep the last one). Bytes must be UTF-8.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode

from checker.errors import InputError
from checker.files import decode_utf8, read_input


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A list that remembers its own line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]


#: PyYAML's C (libyaml) parser where it is built in: ten times faster than the Python one.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Deepest nesting of mappings and lists accepted (records need five or six levels).
MAX_DEPTH = 100


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str, filename: str) -> None:
        super().__init__(stream)
        self.filename = filename

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineDict:  # type: ignore[override]
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            if not isinstance(key, str):
                raise InputError(
                    f"keys must be text, not {key!r}", self.filename, key_node.start_mark.line + 1
                )
            if key in result:
                raise InputError(
                    f"duplicate key '{key}' (first on line {result.key_lines[key]})",
                    self.filename,
                    key_node.start_mark.line + 1,
                )
            result[key] = self.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> LineList:  # type: ignore[override]
        result = LineList(self.construct_object(child, deep=True) for child in node.value)  # type: ignore[no-untyped-call]
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _construct_mapping(loader: _Loader, node: MappingNode) -> LineDict:
    return loader.construct_mapping(node)


def _construct_sequence(loader: _Loader, node: SequenceNode) -> LineList:
    return loader.construct_sequence(node)


def _construct_timestamp_as_text(loader: _Loader, node: Node) -> str:
    # A date in the records stays the text the person wrote: no silent datetime objects.
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)  # type: ignore[arg-type]
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)  # type: ignore[arg-type]
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)  # type: ignore[arg-type]
_Loader.add_constructor(None, SafeConstructor.construct_undefined)  # type: ignore[arg-type]


def _refuse_aliases_and_depth(text: str, name: str) -> None:
    """Read the events once, before composing: no alias, no anchor, no deep nesting.

    Aliases and anchors are how "billion laughs" bombs work and records never need them;
    a runaway depth would exhaust the stack of the composer.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise InputError(
                "YAML aliases (*name) are not allowed in records; write the value out", name, line
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise InputError(
                f"YAML anchors (&{anchor}) are not allowed in records; write the value out",
                name,
                line,
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(f"nested more than {MAX_DEPTH} levels deep", name, line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_yaml(path: Path, display_name: str | None = None) -> Any:
    """Load one YAML file into :class:`LineDict` / :class:`LineList` values.

    Raises:
        InputError: the file is missing, not UTF-8, not valid YAML, or uses aliases,
            anchors or duplicate keys.
    """
    name = display_name or str(path)
    text = decode_utf8(read_input(path, name), name)
    loader = None
    try:
        _refuse_aliases_and_depth(text, name)
        loader = _Loader(text, name)
        return loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise InputError(
            f"character {exc.character!r} is not allowed in YAML", name, line
        ) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH refuses deep nesting first
        raise InputError("nested too deeply", name) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}"
        raise InputError(f"YAML syntax error: {problem}", name, line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", name) from None
    finally:
        if loader is not None:
            loader.dispose()
