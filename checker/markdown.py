"""Text from the records, escaped for Markdown: one place for every Markdown the tool writes.

Names and messages come from records that anybody can edit in a pull request, so no markup,
HTML, link or table syntax they contain may survive into a notice, a pull-request comment
or the dashboard.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&])")
#: Streamlit's Markdown also reads LaTeX ($...$) and colour and emoji shortcodes (:red[...]).
_STREAMLIT_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&$:])")


def escape(text: str, *, streamlit: bool = False) -> str:
    """Escape running text (whitespace runs become one space).

    >>> print(escape("<script>alert('x')</script> *a* | [b](c)"))
    \\<script\\>alert('x')\\</script\\> \\*a\\* \\| \\[b\\](c)
    >>> print(escape("*a* $x$ :red[b]", streamlit=True))
    \\*a\\* \\$x\\$ \\:red\\[b\\]
    """
    special = _STREAMLIT_SPECIAL if streamlit else _SPECIAL
    return special.sub(r"\\\1", re.sub(r"\s+", " ", text))


def table_cell(text: str | None) -> str:
    """Text for a cell of a Markdown table: a pipe would end the cell, a newline the row.

    >>> table_cell("a | b\\nc")
    'a \\\\| b c'
    """
    return (text or "").replace("|", "\\|").replace("\n", " ")
