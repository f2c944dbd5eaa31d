"""The register description as a document: its sections, items and the passages quoted from it.

A register description is plain text in which each non-empty line is a paragraph or a
bullet. The records name its section headings; every non-empty line under a heading is an
item of that section, numbered from 1. A quote from the records is located exactly once
in the text, which gives its section, item, line and character offsets (the W3C Web
Annotation ``TextPositionSelector`` counts Unicode code points, as Python strings do).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One non-empty line of the document."""

    section: str | None  # section id, None before the first heading
    number: int  # 1-based within its section (0 for text before the first heading)
    line: int  # 1-based line of the document
    start: int  # offset of the line's first character
    end: int  # offset after its last character
    text: str


@dataclass(frozen=True)
class Location:
    """Where a quote stands in the document."""

    section: str | None
    item: int
    line: int
    start: int
    end: int


class Document:
    """A register description split into sections and items.

    >>> doc = Document("T\\n\\nPurpose\\n\\nWe help.\\n  • We advise.\\n", {"purpose": "Purpose"})
    >>> [(i.section, i.number, i.text) for i in doc.items]
    [(None, 0, 'T'), ('purpose', 1, 'We help.'), ('purpose', 2, '  • We advise.')]
    >>> doc.locate("advise")
    Location(section='purpose', item=2, line=6, start=28, end=34)
    """

    def __init__(self, text: str, headings: dict[str, str]) -> None:
        """Split ``text`` into items; ``headings`` maps section ids to their exact heading."""
        self.text = text
        by_heading = {heading.strip(): sid for sid, heading in headings.items()}
        self.missing_headings = set(by_heading)
        self.items: list[Item] = []
        self.section_order: list[str] = []
        section: str | None = None
        number = 0
        offset = 0
        for lineno, line in enumerate(text.split("\n"), start=1):
            stripped = line.strip()
            if stripped in by_heading and stripped in self.missing_headings:
                section = by_heading[stripped]
                self.section_order.append(section)
                self.missing_headings.discard(stripped)
                number = 0
            elif stripped:
                if section is not None:
                    number += 1
                self.items.append(Item(section, number, lineno, offset, offset + len(line), line))
            offset += len(line) + 1

    def count(self, quote: str) -> int:
        """How many times ``quote`` occurs in the document (overlaps included)."""
        found, start = 0, self.text.find(quote)
        while start != -1:
            found += 1
            start = self.text.find(quote, start + 1)
        return found

    def locate(self, quote: str) -> Location | None:
        """Locate the first occurrence of ``quote`` inside one item, or return None."""
        start = self.text.find(quote)
        if start == -1 or not quote:
            return None
        end = start + len(quote)
        for item in self.items:
            if item.start <= start and end <= item.end:
                return Location(item.section, item.number, item.line, start, end)
        return None
