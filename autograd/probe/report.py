"""The probe's report: a row per op and per whole-graph probe, agree or wrong, with the smallest failing
expression, both engines' numbers and the classic bug it matches; as text and as HTML for Jupyter."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

from autograd.gradcheck import table
from autograd.probe.outcomes import Outcome, close

AGREE, WRONG, NOTE, NOT_RUN = "agree", "wrong", "note", "not run"


@dataclass(frozen=True)
class Failure:
    """The smallest expression found on which the class and this engine differ, and why if it is known."""

    expression: str  # Python over a, b, c…: "t = a * b; t + (t * c)"
    point: str  # "a = 1.5, b = -0.5"
    names: tuple[str, ...]  # the inputs'
    expected: Outcome  # this engine's
    received: Outcome  # the class's
    bug: str | None = None  # the classic bug that gives exactly what was received

    def lines(self) -> list[str]:
        """The expression, then the error it raised or a table of both engines' numbers, then the bug."""
        head = f"{self.expression}  at {self.point}"
        if self.received.error:
            return [head, f"raised {self.received.error}", *([f"the classic bug: {self.bug}"] if self.bug else [])]
        pairs = [(self.expected.value, self.received.value), *zip(self.expected.grads, self.received.grads)]
        names = ["value", *(f"d/d{n}" for n in self.names)]
        lines = table([("", "expected", "received"), *((n, _shown(e), _shown(r)) for n, (e, r) in zip(names, pairs))])
        for k, (e, r) in enumerate(pairs, 2):  # line k: below the header and its rule
            lines[k] += "" if close(e, r) else "  <- differs"
        bug = f"the classic bug: {self.bug}" if self.bug else "no classic bug gives exactly these numbers"
        return [head, *lines, bug]

    def key(self) -> str | None:
        """What two rows can share: the classic bug, else the error."""
        return self.bug or self.received.error


def _shown(x: float | None) -> str:
    return "-" if x is None else f"{x:.10g}"


@dataclass(frozen=True)
class Row:
    """One probe's verdict: an op ("a + b") or a whole-graph probe; a note says how, or why it did not run."""

    name: str
    status: str  # AGREE, WRONG, NOTE (neither: what the class does, e.g. backward() twice), NOT_RUN
    failure: Failure | None = None
    note: str = ""


@dataclass(frozen=True)
class EngineReport:
    """What the probe found: the class's ops, a row per probe, and whether the class agrees with this engine."""

    subject: str  # "mine.py:Value"
    found: tuple[str, ...]  # the ops the class has
    absent: tuple[str, ...]  # the ops it has not (not probed), some with why
    rows: tuple[Row, ...]
    limits: str  # the time and memory limits the probes ran under

    @property
    def ok(self) -> bool:
        """No probe found the class wrong."""
        return not self.wrong()

    def wrong(self) -> list[Row]:
        """The rows where the class disagrees with this engine (or timed out, or crashed)."""
        return [row for row in self.rows if row.status == WRONG]

    def summary(self) -> str:
        """One line: how many probes agree, and which are wrong."""
        counted = [row for row in self.rows if row.status in (AGREE, WRONG)]
        wrong = self.wrong()
        names = f": {', '.join(row.name for row in wrong)}" if wrong else ""
        return f"{self.subject}: {len(counted) - len(wrong)} of {len(counted)} probes agree, {len(wrong)} wrong{names}"

    def __str__(self) -> str:
        lines = [f"Probing {self.subject} against autograd.Value ({self.limits})"]
        lines += _listed("has: ", self.found)
        if self.absent:
            lines += _listed("has not (not probed): ", self.absent)
        lines.append("")
        told: dict[str, str] = {}  # a classic bug or an error -> the first row that showed it in full
        for row in self.rows:
            lines += _row_lines(row, told)
        return "\n".join([*lines, "", self.summary()])

    def _repr_html_(self) -> str:
        """The report as an HTML table: Jupyter shows it when the report is a cell's value."""
        colour = {AGREE: "#1a7f37", WRONG: "#cf222e", NOTE: "#9a6700", NOT_RUN: "#6e7781"}
        cells = []
        for row in self.rows:
            detail = "\n".join(row.failure.lines()) if row.failure else ""
            detail = "\n".join(filter(None, (row.note, detail)))
            cells.append(
                f'<tr style="vertical-align:top"><td style="color:{colour[row.status]};font-weight:bold">{row.status}'
                f'</td><td style="white-space:nowrap"><code>{html.escape(row.name)}</code></td>'
                f'<td><pre style="margin:0;white-space:pre-wrap">{html.escape(detail)}</pre></td></tr>'
            )
        return (
            f"<div><p>Probing <code>{html.escape(self.subject)}</code> against <code>autograd.Value</code> "
            f"({html.escape(self.limits)})<br>has: {html.escape(', '.join(self.found))}"
            + (f"<br>has not (not probed): {html.escape(', '.join(self.absent))}" if self.absent else "")
            + f"</p><table>{''.join(cells)}</table><p><b>{html.escape(self.summary())}</b></p></div>"
        )


def _row_lines(row: Row, told: dict[str, str]) -> list[str]:
    """A row's line, then its note and its failure indented; a classic bug or error shown before is only named."""
    lines = [f"{row.status:<7}  {row.name}"]
    indent = " " * 9
    lines += [text for line in row.note.splitlines() for text in _wrapped(line, indent, indent + "  ")]
    failure = row.failure
    if failure is None:
        return lines
    key = failure.key()
    if key in told:
        same = f"the same {'classic bug' if failure.bug else 'error'} as {told[key]}"
        return lines + _wrapped(f"{failure.expression}  at {failure.point}: {same}", indent, indent + "  ")
    if key:
        told[key] = row.name
    return lines + [text for line in failure.lines() for text in _wrapped(line, indent, indent + "  ")]


def _wrapped(text: str, indent: str, hanging: str) -> list[str]:
    """text in lines of at most WIDTH characters, the first after indent, the others after hanging."""
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=hanging, break_on_hyphens=False)


def _listed(title: str, items: tuple[str, ...]) -> list[str]:
    """title and the items, in lines of at most WIDTH characters, none broken inside an item."""
    text = title + ", ".join(item.replace(" ", "\N{NO-BREAK SPACE}") for item in items)
    return [line.replace("\N{NO-BREAK SPACE}", " ") for line in _wrapped(text, "  ", "    ")]


WIDTH = 100
