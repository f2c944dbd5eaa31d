"""What the dashboard's plotly figures (:mod:`figures`) and its flow map drawn as SVG
(:mod:`map_svg`) share: the colours of the node kinds, and texts cut to fit.

No plotly and no streamlit here: the SVG map imports this without them.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Colours of the node kinds of the flow graph (colour-blind-safe Okabe-Ito palette).
KIND_COLOURS: dict[str, str] = {
    "data subject": "#009E73",
    "system": "#8C8C8C",
    "unit": "#0072B2",
    "controller": "#56B4E9",
    "processor": "#E69F00",
    "recipient": "#CC79A7",
    "other": "#B0B0B0",
}


def shorten(text: str, width: int = 60) -> str:
    """Cut a text to ``width`` characters with an ellipsis.

    >>> shorten("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def join(labels: Sequence[str], most: int = 3) -> str:
    """At most ``most`` labels, then how many more.

    >>> join(["a", "b", "c", "d"], 2)
    'a, b and 2 more'
    """
    if len(labels) <= most:
        return ", ".join(labels)
    return ", ".join(labels[:most]) + f" and {len(labels) - most} more"
