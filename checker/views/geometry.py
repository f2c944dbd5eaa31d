"""The shape of the flow map's edges, and how many of them cross: numbers, no screen.

An edge is drawn as an S-shaped cubic Bézier curve with horizontal tangents, as in a Sankey
diagram (:func:`curve`); :func:`crossings` counts the pairs of edges whose curves cross,
the measure the layouts are compared by (``bench/dashboard.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

Point = tuple[float, float]

#: The widest an arc within one column bulges (in columns): inside its box's margin.
ARC_BULGE = 0.38


def controls(start: Point, end: Point) -> tuple[Point, Point]:
    """The two control points of the cubic Bézier of :func:`curve` (a drawing that speaks
    Béziers, as SVG's ``C``, takes them as they are).

    >>> controls((0, 0), (2, 1))
    ((1.0, 0), (1.0, 1))
    >>> controls((0, 0), (0, 1))
    ((-0.16, 0), (-0.16, 1))
    """
    (x0, y0), (x1, y1) = start, end
    dx = x1 - x0
    if abs(dx) < 1e-9:
        bulge = -min(ARC_BULGE, 0.12 + 0.04 * abs(y1 - y0))
        return (x0 + bulge, y0), (x1 + bulge, y1)
    return (x0 + dx * 0.5, y0), (x1 - dx * 0.5, y1)


def curve(start: Point, end: Point, steps: int = 16) -> list[Point]:
    """Points of an S-shaped cubic Bézier from ``start`` to ``end`` (horizontal tangents);
    within one column, an arc bulging to the left, at most :data:`ARC_BULGE` wide (the
    column's labels are on its right: an arc must not run through them).

    >>> [(round(x, 2), round(y, 2)) for x, y in curve((0, 0), (1, 1), steps=2)]
    [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]
    """
    (x0, y0), (x1, y1) = start, end
    c1, c2 = controls(start, end)
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * x0 + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * x1,
                u**3 * y0 + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * y1,
            )
        )
    return points


def _side(a: Point, b: Point, c: Point) -> int:
    value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (value > 1e-12) - (value < -1e-12)


def _segments_cross(p1: Point, p2: Point, p3: Point, p4: Point) -> bool:
    """Whether two segments meet in one point (collinear segments do not count)."""
    d1, d2 = _side(p3, p4, p1), _side(p3, p4, p2)
    d3, d4 = _side(p1, p2, p3), _side(p1, p2, p4)
    return d1 * d2 <= 0 and d3 * d4 <= 0 and not (d1 == d2 == 0)


def _bounds(points: list[Point]) -> tuple[float, float, float, float]:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _cross(a: list[Point], b: list[Point]) -> bool:
    return any(
        _segments_cross(a[i], a[i + 1], b[j], b[j + 1])
        for i in range(len(a) - 1)
        for j in range(len(b) - 1)
    )


def crossings(
    edges: Iterable[tuple[str, str]], positions: Mapping[str, Point], steps: int = 12
) -> int:
    """How many pairs of edges cross, each edge drawn as its :func:`curve` between the
    positions of its ends.

    Pairs that share an end are not counted (they meet there by design).

    >>> crossings([("a", "b"), ("c", "d")], {"a": (0, 0), "b": (1, 1), "c": (0, 1), "d": (1, 0)})
    1
    >>> crossings([("a", "b"), ("c", "d")], {"a": (0, 0), "b": (1, 0), "c": (0, 1), "d": (1, 1)})
    0
    """
    return len(crossing_pairs(sorted(set(edges)), positions, steps))


def crossing_pairs(
    edges: Sequence[tuple[str, str]], positions: Mapping[str, Point], steps: int = 12
) -> list[tuple[int, int]]:
    """The pairs (by index in ``edges``) of edges whose curves cross; pairs that share an
    end are left out."""
    drawn = [curve(positions[a], positions[b], steps) for a, b in edges]
    bounds = [_bounds(points) for points in drawn]
    found = []
    for i, (a, b) in enumerate(edges):
        x0, y0, x1, y1 = bounds[i]
        for j in range(i + 1, len(edges)):
            c, d = edges[j]
            if a in (c, d) or b in (c, d):
                continue
            u0, v0, u1, v1 = bounds[j]
            if u0 > x1 or x0 > u1 or v0 > y1 or y0 > v1:
                continue
            if _cross(drawn[i], drawn[j]):
                found.append((i, j))
    return found
