"""checker.records.yamlload: safe YAML with the line of every key and item, or an InputError with a line."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.errors import InputError
from checker.files import decode_utf8
from checker.records.yamlload import LineDict, LineList, load_yaml

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"


def _load(tmp_path: Path, content: str | bytes, name: str = "x.yaml"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_yaml(path, name)


def _error(tmp_path: Path, content: str | bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        _load(tmp_path, content)
    assert caught.value.file == "x.yaml"
    return caught.value


def test_lines_of_mappings_keys_and_items(tmp_path):
    doc = _load(
        tmp_path,
        "# comment\nevents:\n  - id: a\n    name: A\n\n  - {id: b, name: B}\nunits: [x,\n  y]\n",
    )
    assert isinstance(doc, LineDict)
    assert doc.line == 2
    assert doc.key_lines == {"events": 2, "units": 7}
    events = doc["events"]
    assert isinstance(events, LineList)
    assert events.item_lines == [3, 6]
    assert events[0].line == 3
    assert events[0].key_lines == {"id": 3, "name": 4}
    assert events[1].line == 6
    assert doc["units"].item_lines == [7, 8]
    assert doc == {
        "events": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "units": ["x", "y"],
    }


def test_dates_stay_the_text_written(tmp_path):
    doc = _load(tmp_path, "a: 2024-01-31\nb: 2024-01-31T10:00:00Z\n")
    assert doc == {"a": "2024-01-31", "b": "2024-01-31T10:00:00Z"}


def test_empty_file_is_none(tmp_path):
    assert _load(tmp_path, "") is None
    assert _load(tmp_path, "# nothing\n") is None


def test_syntax_error_gives_the_line(tmp_path):
    error = _error(tmp_path, "a: 1\nb: [1, 2\nc: 3\n")
    assert error.line == 3
    assert "YAML syntax error" in error.message


def test_bad_indentation_gives_the_line(tmp_path):
    error = _error(tmp_path, "a:\n  b: 1\n    c: 2\n")
    assert error.line == 3


def test_duplicate_key_gives_both_lines(tmp_path):
    error = _error(tmp_path, "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n")
    assert error.line == 5
    assert "duplicate key 'c'" in error.message
    assert "line 3" in error.message


def test_non_text_key_is_refused(tmp_path):
    error = _error(tmp_path, "a: 1\n? [x, y]\n: 2\n")
    assert error.line == 2
    assert "keys must be text" in error.message


@pytest.mark.parametrize(
    ("content", "line", "word"),
    [
        ("a: &x 1\nb: 2\n", 1, "anchors (&x)"),
        ("a: 1\nb: *x\n", 2, "aliases"),
        ("a: 1\nb: &anchor\n  c: 1\nd: *anchor\n", 2, "anchors (&anchor)"),
        ("a:\n  - &l [1]\n", 2, "anchors"),
    ],
)
def test_anchors_and_aliases_are_refused(tmp_path, content, line, word):
    error = _error(tmp_path, content)
    assert error.line == line
    assert word in error.message


def test_merge_keys_are_refused(tmp_path):
    # `<<` merges need an alias to be useful; even with an inline mapping they are refused.
    error = _error(tmp_path, "a:\n  <<: {b: 1}\n")
    assert error.line == 2


def test_billion_laughs_is_refused_at_the_first_anchor_without_expanding(tmp_path):
    with pytest.raises(InputError) as caught:
        load_yaml(BAD / "billion-laughs.yaml", "bomb.yaml")
    assert caught.value.line == 2
    assert "anchors" in caught.value.message


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system {}", "!!python/name:os.system", "!custom 1"]
)
def test_unsafe_and_unknown_tags_are_refused(tmp_path, tag):
    error = _error(tmp_path, f"a: 1\nb: {tag}\n")
    assert error.line == 2


def test_multiple_documents_are_refused(tmp_path):
    error = _error(tmp_path, "a: 1\n---\nb: 2\n")
    assert error.line == 2


def test_latin1_byte_gives_its_line(tmp_path):
    error = _error(tmp_path, "a: 1\nb: 2\nc: Tämä\n".encode("latin-1"))
    assert error.line == 3
    assert "UTF-8" in error.message
    assert "0xe4" in error.message


def test_utf16_is_refused(tmp_path):
    error = _error(tmp_path, "a: 1\n".encode("utf-16"))
    assert error.line == 1
    assert "UTF-8" in error.message


def test_bom_is_dropped():
    assert decode_utf8(b"\xef\xbb\xbfa: 1\n", "x") == "a: 1\n"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError) as caught:
        load_yaml(tmp_path / "gone.yaml", "gone.yaml")
    assert caught.value.file == "gone.yaml"
    assert caught.value.line is None
    assert "not found" in caught.value.message


def test_display_name_defaults_to_the_path(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_yaml(path)
    assert caught.value.file == str(path)


@pytest.mark.parametrize(
    ("content", "line"),
    [(b"a: 1\nb: x\x00y\n", 2), (b"a: 1\nb: 2\nc: \x07\n", 3), (b"a: 1\nb: \xc2\x80\n", 2)],
    ids=["NUL", "BEL", "C1-control"],
)
def test_characters_yaml_forbids_give_an_input_error_with_line(tmp_path, content, line):
    # PyYAML's reader refuses control characters when the loader is created, before the
    # parse: that error too must become an InputError, not a traceback.
    error = _error(tmp_path, content)
    assert error.line == line


@pytest.mark.parametrize(
    "content",
    ["a: " + "[" * 5000 + "]" * 5000 + "\n", "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n"],
    ids=["lists", "mappings"],
)
def test_deep_nesting_is_an_input_error_naming_the_file(tmp_path, content):
    # A RecursionError caught only by the CLI gives "input nested too deeply" without the
    # file; the loader must say which file.
    error = _error(tmp_path, content)
    assert "deep" in error.message or "nest" in error.message
