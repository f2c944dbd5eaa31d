"""Count the crossing hand-overs of the dashboard's flow map, before and after issue 18.

Usage::

    .venv/bin/python bench/crossings.py                    # the shipped register
    .venv/bin/python bench/crossings.py tests/fixtures/registers/*.ttl --out /tmp/bench

Two drawings of the same unfiltered flow graph, counted the same way
(:func:`checker.views.geometry.crossings`: pairs of drawn curves that cross, a shared end
is no crossing):

- ``before``: the plain columns the Flows page drew until issue 18
  (:func:`checker.views.layout.flow_layout`, ``columns``: sources, units, recipients, each
  column ordered by barycentres), one curve per hand-over (no hand-over stays within a
  column there, so these are the curves the page drew);
- ``after``: the grouped map (:func:`checker.views.flowmap.flow_map`): units in nested boxes
  by ``part_of``, sources left, recipients and processors right, the hand-overs that leave
  or enter a box bundled at its edge, the order with the fewest crossings kept. A bundled
  hand-over is drawn as its pieces, so the count is over what the eye sees.

Results: ``--out`` (``crossings.json`` and ``crossings.md``). Deterministic: the same
records give the same numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from checker.views.geometry import crossings
from checker.views.layout import flow_layout
from checker.views.model import load_model

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="records (default: the register)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    model = load_model(args.paths)
    flows = model.flows
    before = crossings(flows.edges, flow_layout(flows))
    fmap = model.flow_map()
    after = fmap.crossings
    if after is None:
        print("the map has too many hand-overs to count its crossings", file=sys.stderr)
        return 2
    records = " ".join(map(str, args.paths)) or "the shipped register (Finnish Customs)"
    result = {
        "records": records,
        "nodes": flows.number_of_nodes(),
        "hand_overs": flows.number_of_edges(),
        "drawn_pieces": len(fmap.segments),
        "boxes": len(fmap.boxes),
        "before": before,
        "after": after,
        "ratio": round(after / before, 3) if before else None,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "crossings.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    lines = [
        "# Flow map: crossing hand-overs before and after issue 18",
        "",
        f"{records}, unfiltered: {result['nodes']} nodes, {result['hand_overs']} hand-overs; "
        "pairs of drawn curves that cross (`checker.views.geometry.crossings`), counted by "
        "`bench/crossings.py`.",
        "",
        "| drawing | crossings |",
        "|---|---:|",
        f"| before: plain columns (`flow_layout`, one curve per hand-over) | {before} |",
        f"| after: grouped map (`flow_map`, {result['boxes']} unit boxes, "
        f"{result['drawn_pieces']} drawn pieces) | {after} |",
        f"| after / before | {result['ratio']} |",
    ]
    (args.out / "crossings.md").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
