"""The privacy notice as the Notice page shows it: both renderings and what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from checker.notice.compose import Notice, gap_messages, render_notice


@dataclass(frozen=True)
class NoticeView:
    """The privacy notice in one language: Markdown, HTML, and the items it lacks."""

    lang: str
    markdown: str
    html: str
    gaps: tuple[str, ...]


def notice_view(notice: Notice) -> NoticeView:
    """Render a composed notice both ways (as ``ropa notice --allow-gaps`` would)."""
    return NoticeView(
        notice.lang,
        render_notice(notice, "md"),
        render_notice(notice, "html"),
        tuple(gap_messages(notice)),
    )
