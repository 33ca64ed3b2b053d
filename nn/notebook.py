"""How nn's objects show in Jupyter: a pass and an example as tables of named values, a history as one line
(viz, once imported, shows it with its loss plot). Read by duck typing, so this module imports nothing else of nn
(no cycles).
"""

from __future__ import annotations

from html import escape
from typing import Any


def value_rows(values: dict[str, Any]) -> str:
    """An HTML table: each named value's name, data and grad."""
    rows = "".join(
        f"<tr><td><b>{escape(name)}</b></td><td>{v.data:.6g}</td><td>{v.grad:.6g}</td>"
        f"<td>{escape(str((v.meta or {}).get('role', '')))}</td></tr>"
        for name, v in values.items()
    )
    head = "<tr><th>name</th><th>data</th><th>grad</th><th>role</th></tr>"
    return f'<table class="nn-values"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def pass_html(pass_: Any) -> str:
    """A forward pass: which sample, the loss, then every named value."""
    caption = f"pass of sample {pass_.index}: {escape(pass_.loss.label or 'loss')} = {pass_.loss.data:.6g}"
    return f"<div><p>{caption}</p>{value_rows(pass_.values)}</div>"


def example_html(example: Any) -> str:
    """A worked example: its description, then its parameters' current values."""
    description = "<br>".join(escape(line) for line in example.describe().splitlines())
    return f"<div><p>{description}</p>{value_rows(example.network.parameters_by_name())}</div>"


def history_summary(history: Any) -> str:
    """One line: how many steps, the first and last loss, and whether the loss ran away."""
    losses = history.losses
    if not losses:
        return "History(no steps yet)"
    ran_away = f", diverged at step {history.diverged}" if history.diverged is not None else ""
    return f"History({len(losses)} steps, loss {losses[0]:.4g} → {losses[-1]:.4g}{ran_away})"
