"""Rendering a composed notice: Markdown for review in pull requests, one self-contained
HTML page for publishing. Every value from the graph is escaped for the format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from checker import markdown
from checker.errors import InputError
from checker.notice.model import (
    Block,
    BulletList,
    Fields,
    Line,
    Link,
    Notice,
    Paragraph,
    Part,
    Section,
    Term,
    plain,
)
from checker.notice.phrases import PHRASES

#: Output formats of ``ropa notice``.
FORMATS: Final = ("md", "html")


_TEMPLATES = Path(__file__).parent / "templates"


class MarkdownText(str):
    """Markdown that is already escaped: the Markdown template writes it as it is."""

    __slots__ = ()


def _md_line(text: str) -> str:
    """Keep a line from starting a list, a quote or a rule by accident."""
    text = text.strip()
    if text and text[0] in "-+=":
        return "\\" + text
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def _md_part(part: Part) -> str:
    if isinstance(part, Link) and part.href.startswith("#"):
        return ""  # an HTML page's own anchor: Markdown viewers name headings their own way
    if isinstance(part, Link):
        return f"[{markdown.escape(part.text)}]({part.href})"
    return markdown.escape(part if isinstance(part, str) else part.text)


def _html_part(part: Part) -> Markup:
    if isinstance(part, Link):
        return Markup('<a href="{}">{}</a>').format(part.href, part.text)
    if isinstance(part, Term) and part.fallback and part.lang:
        return Markup('<span lang="{}">{}</span>').format(part.lang, part.text)
    return escape(part if isinstance(part, str) else part.text)


def _md_finalize(value: Any) -> Any:
    if isinstance(value, MarkdownText | int):
        return value
    return markdown.escape(str(value))


@cache
def _environment(fmt: str) -> Environment:
    """HTML autoescapes; Markdown escapes through ``finalize`` (values arrive escaped)."""
    html = fmt == "html"
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        finalize=None if html else _md_finalize,
        keep_trailing_newline=True,
    )


def _view(notice: Notice, fmt: str) -> dict[str, Any]:
    """The notice as plain dicts whose text is already escaped for ``fmt``."""

    def line(value: Line) -> Markup | MarkdownText:
        if fmt == "html":
            return Markup("").join(_html_part(p) for p in value)
        return MarkdownText(_md_line("".join(_md_part(p) for p in value)))

    def block(b: Block) -> dict[str, Any]:
        if isinstance(b, Paragraph):
            return {"type": "paragraph", "text": line(b.text)}
        if isinstance(b, BulletList):
            items = [
                {
                    "text": line(i.text),
                    "strong": i.strong,
                    "children": [line(c) for c in i.children],
                }
                for i in b.items
            ]
            return {"type": "list", "entries": items}
        if isinstance(b, Fields):
            fields = [{"label": line(label), "value": line(value)} for label, value in b.items]
            return {"type": "fields", "fields": fields}
        return {
            "type": "table",
            "header": [line(h) for h in b.header],
            "rows": [[line(c) for c in row] for row in b.rows],
        }

    sections = []
    for section in notice.sections:
        subsections = [
            {
                "anchor": sub.anchor or f"{section.anchor}-{i}",
                "heading": line(sub.heading) if sub.heading is not None else None,
                "blocks": [block(b) for b in sub.blocks],
                "collapsible": sub.collapsible and sub.heading is not None,
            }
            for i, sub in enumerate(section.subsections, start=1)
        ]
        sections.append(
            {
                "anchor": section.anchor,
                "heading": line(section.heading),
                "kind": section.kind,
                "collapsible": section.collapsible,
                "subsections": subsections,
            }
        )
    first = sections[:1] if sections and sections[0]["kind"] == "summary" else []
    return {
        "lang": notice.lang,
        "title": line(notice.title),
        "title_text": plain(notice.title),
        "toc": line((PHRASES[notice.lang]["toc"],)),
        "skip": line((PHRASES[notice.lang]["skip"],)),
        "intro": [line(p) for p in notice.intro],
        "first": first,
        "sections": sections[len(first) :],
        "footer": [line(p) for p in notice.footer],
    }


def render_notice(notice: Notice, fmt: str = "md") -> str:
    """Render the notice as Markdown (``md``) or one self-contained HTML page (``html``).

    Every value from the graph is escaped for the format. The same notice gives the same
    text: nothing depends on the clock or on the order of the graph.

    Raises:
        InputError: ``fmt`` is not ``md`` or ``html``.
    """
    if fmt not in FORMATS:
        raise InputError(f"no notice format {fmt!r}: use {', '.join(FORMATS)}")
    template = _environment(fmt).get_template(f"notice.{fmt}.j2")
    text = template.render(n=_view(notice, fmt))
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def gap_messages(notice: Notice) -> list[str]:
    """The gaps of a notice in English, one line each, for stderr."""
    return [gap.message() for gap in notice.gaps]


def walk_sections(sections: Iterable[Section]) -> Iterator[Line]:
    for section in sections:
        yield section.heading
        for sub in section.subsections:
            if sub.heading is not None:
                yield sub.heading
            for b in sub.blocks:
                if isinstance(b, Paragraph):
                    yield b.text
                elif isinstance(b, BulletList):
                    for item in b.items:
                        yield item.text
                        yield from item.children
                elif isinstance(b, Fields):
                    for label, value in b.items:
                        yield label
                        yield value
                else:
                    yield from b.header
                    for row in b.rows:
                        yield from row


def _walk(notice: Notice) -> Iterator[Line]:
    """Every line of the notice (for tests and tools)."""
    yield notice.title
    yield from notice.intro
    yield from walk_sections(notice.sections)
    yield from notice.footer


def notice_text(notice: Notice) -> str:
    """All the text of a notice, unformatted, one line per line (for tests and search)."""
    return "\n".join(plain(line) for line in _walk(notice))
