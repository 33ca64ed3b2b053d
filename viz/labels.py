"""Label text for Graphviz: numbers at a chosen precision, user text escaped so it renders literally."""

from __future__ import annotations

import re

# Graphviz reads backslash escapes (\N, \G, \\) even inside HTML-like labels, so a backslash is doubled.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\", "\n": "<BR/>"}
_RECORD = {c: "\\" + c for c in '{}|<>"\\'} | {"\n": "\\n"}
_CONTROL = re.compile(r"\r\n?|[\x00-\x08\x0b-\x1f\x7f]")


def _visible(text: str) -> str:
    """Line breaks as \\n, a tab as a space and any other control character as \\xNN."""

    def show(match: re.Match) -> str:
        c = match.group()
        return "\n" if c[0] == "\r" else f"\\x{ord(c):02x}"

    return _CONTROL.sub(show, text.replace("\t", " "))


def html_text(text: object) -> str:
    """text escaped for an HTML-like label: <, >, &, quotes and backslashes literal, newlines as breaks."""
    return "".join(_HTML.get(c, c) for c in _visible(str(text)))


def record_text(text: object) -> str:
    """text escaped for a record label field: braces, |, <, >, quotes and backslashes literal."""
    return "".join(_RECORD.get(c, c) for c in _visible(str(text)))


def number(x: float, precision: int) -> str:
    """x with precision significant digits (0.0 for -0.0)."""
    return f"{x + 0.0:.{precision}g}"


def check_precision(precision: object) -> int:
    """precision if it is a positive int, else a ValueError."""
    if not isinstance(precision, int) or isinstance(precision, bool) or precision < 1:
        raise ValueError(f"precision must be a positive integer (significant digits), got {precision!r}")
    return precision


def table(rows: list[list[str]], *, fill: str, border: str = "#555555", width: int = 1) -> str:
    """An HTML-like label: a table of already escaped cells, one list per row, with a fill and a border."""
    columns = max(len(row) for row in rows)
    lines = []
    for row in rows:
        span = f' COLSPAN="{columns - len(row) + 1}"' if len(row) < columns else ""
        cells = [f"<TD{span if i == len(row) - 1 else ''}>{cell}</TD>" for i, cell in enumerate(row)]
        lines.append(f"<TR>{''.join(cells)}</TR>")
    return (
        f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" '
        f'BGCOLOR="{fill}" COLOR="{border}">{"".join(lines)}</TABLE>>'
    )
