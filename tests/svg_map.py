"""Reading the flow map's SVG (dashboard/map_svg.py) back with xml.etree, for the tests of
the drawing and of the pages: what is clickable, what each label says, the boxes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The SVG document (it must be well-formed XML)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    """The ``<g>`` elements of class ``cls``, in document order."""
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def text_of(element: ET.Element) -> str:
    """The text of an element and its children (lines joined by a space)."""
    return " ".join(" ".join(t for t in element.itertext()).split())


def labels(root: ET.Element) -> dict[str, str]:
    """Each node's ``data-key`` and the label drawn beside it (its lines joined)."""
    found = {}
    for node in groups(root, "rm-node"):
        (label,) = [t for t in node.iter(f"{SVG}text") if "rm-label" in (t.get("class") or "")]
        found[node.get("data-key") or ""] = text_of(label)
    return found


def keys(root: ET.Element) -> list[str]:
    """Every ``data-key`` of the drawing, in document order."""
    return [e.get("data-key") or "" for e in root.iter() if e.get("data-key") is not None]


def title(element: ET.Element) -> str:
    """The hover (``<title>``) of a clickable element."""
    found = element.find(f"{SVG}title")
    assert found is not None and found.text
    return found.text


def box_titles(root: ET.Element) -> list[str]:
    """The titles written on the organisation's boxes (cut to the box's width)."""
    return [text_of(t) for g in groups(root, "rm-box") for t in g.iter(f"{SVG}text")]


def headings(root: ET.Element) -> list[str]:
    """The regions' headings over their columns."""
    return [text_of(t) for t in root.iter(f"{SVG}text") if t.get("class") == "rm-heading"]


def legend(root: ET.Element) -> list[str]:
    """The names in the legend."""
    (group,) = groups(root, "rm-legend")
    return [text_of(t) for t in group.iter(f"{SVG}text")]


def counts(root: ET.Element) -> list[str]:
    """The number written on each segment's marker (empty where the data are named)."""
    return [
        text_of(t)
        for g in groups(root, "rm-seg")
        for t in g.iter(f"{SVG}text")
        if t.get("class") == "rm-count"
    ]


def data_labels(root: ET.Element) -> list[str]:
    """The data categories written over the segments' markers (when there are few)."""
    return [text_of(t) for t in root.iter(f"{SVG}text") if t.get("class") == "rm-data"]
