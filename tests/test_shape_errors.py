"""A shape the SHACL compiler cannot run is an input error: ``ropa check`` exits 2 with one
line naming the shape (its dct:identifier, else the nearest named shape) and the feature,
and no traceback (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.check import shapes
from checker.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "shapes" / "ART30-1-B-PURPOSE" / "fail.ttl"

BAD_SHAPES = """\
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix ex: <https://example.org/shapes#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .

ex:OneControllerShape a sh:NodeShape ;
    dct:identifier "EX-ONE-CONTROLLER" ;
    sh:targetClass dpv:Process ;
    sh:property [ sh:path dpv:hasDataController ; sh:maxCount 1 ] ;
    sh:message "at most one controller"@en .
"""


def _clear() -> None:
    for cached in (shapes.shapes_store, shapes.shapes_graph, shapes.validator, shapes.shape_meta):
        cached.cache_clear()


@pytest.fixture
def bad_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped shapes plus one with ``sh:maxCount``, for this test only."""
    bad = tmp_path / "bad-shapes.ttl"
    bad.write_text(BAD_SHAPES, encoding="utf-8")
    shipped = shapes._shape_files()
    monkeypatch.setattr(shapes, "_shape_files", lambda: [*shipped, bad])
    _clear()
    yield bad
    _clear()


def test_check_with_an_unsupported_shape_exits_2_with_one_line(bad_shapes: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURE)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    (line,) = lines
    assert "EX-ONE-CONTROLLER" in line  # the shape's identifier, not its blank property shape
    assert "sh:maxCount" in line
    assert str(bad_shapes) in line  # the file it is written in
    assert "Traceback" not in result.output and "_:" not in line


def test_the_shipped_shapes_compile_after_the_bad_ones_are_gone() -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURE)])
    assert result.exit_code == 1  # findings, not an input error
    assert "ART30-1-B-PURPOSE" in result.output
