"""Label text for Graphviz: numbers at a chosen precision, user text escaped so it renders literally (and visibly)."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Graphviz reads backslash escapes (\N, \G, \\) even inside HTML-like labels, so a backslash is doubled.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\", "\n": "<BR/>"}
_RECORD = {c: "\\" + c for c in '{}|<>"\\'} | {"\n": "\\n"}
# What draws nothing or breaks the SVG: line breaks (drawn as breaks), and controls, surrogates (no UTF-8)
# and noncharacters, which XML forbids (U+FFFE, U+FFFF, most controls) or discourages (the rest); and the
# invisible characters that hide text or reorder it, so that "w\u202e01" cannot pass for w10.
_HIDDEN = re.compile(
    "\r\n?|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)
LONGEST = 80  # characters of text shown whole; Graphviz refuses an HTML-like label over 16,384 characters


def visible(text: str) -> str:
    """Text as it can be drawn: cut to its start and end past LONGEST characters, line breaks as \\n,
    a tab as a space and any other character in _HIDDEN as its Python escape (\\x85, \\ufffe)."""
    if len(text) > LONGEST:
        text = f"{text[:50]}…{text[-20:]} ({len(text):,} characters)"

    def show(match: re.Match) -> str:
        c = match.group()
        return "\n" if c[0] == "\r" else ascii(c)[1:-1]

    return _HIDDEN.sub(show, text.replace("\t", " "))


def html_text(text: object) -> str:
    """text escaped for an HTML-like label: <, >, &, quotes, backslashes literal, newlines as breaks (see visible)."""
    return "".join(_HTML.get(c, c) for c in visible(str(text)))


def record_text(text: object) -> str:
    """text escaped for a record label field: braces, |, <, >, quotes and backslashes literal (see visible)."""
    return "".join(_RECORD.get(c, c) for c in visible(str(text)))


def number(x: float, precision: int) -> str:
    """x with precision significant digits (0.0 for -0.0)."""
    return f"{x + 0.0:.{precision}g}"


def check_precision(precision: object) -> int:
    """precision if it is a positive int, else a ValueError."""
    if not isinstance(precision, int) or isinstance(precision, bool) or precision < 1:
        raise ValueError(f"precision must be a positive integer (significant digits), got {precision!r}")
    return precision


def table(
    rows: list[list[str]],
    *,
    fill: str,
    border: str = "#555555",
    width: int = 1,
    links: Sequence[str | None] | None = None,
) -> str:
    """An HTML-like label: a table of already escaped cells, one list per row, with a fill and a border.

    links: for each row, an address its cells link to (None: no link).
    """
    columns = max(len(row) for row in rows)
    lines = []
    for row, link in zip(rows, links or [None] * len(rows)):
        span = f' COLSPAN="{columns - len(row) + 1}"' if len(row) < columns else ""
        href = f' HREF="{html_text(link)}"' if link else ""
        cells = [f"<TD{span if i == len(row) - 1 else ''}{href}>{cell}</TD>" for i, cell in enumerate(row)]
        lines.append(f"<TR>{''.join(cells)}</TR>")
    return (
        f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
        f'BGCOLOR="{fill}" COLOR="{border}">{"".join(lines)}</TABLE>>'
    )
