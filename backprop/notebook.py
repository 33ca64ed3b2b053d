"""How the audit and the chain-rule explanations show in Jupyter: the verdict table and the sum over paths, as HTML."""

from __future__ import annotations

from html import escape
from typing import Any

LEFT = "text-align:left"  # a title or a sentence (Jupyter right-aligns table cells for numbers)
VERDICT_COLOURS = {"agree": "#1e6b2a", "agree with rounding": "#1e6b2a", "disagree": "#b3261e"}


def audit_html(audit: Any) -> str:
    """A document's audit: its summary line, then for each part its title over a row per printed number, with
    the engine's number and the verdict."""
    head = f'<tr><th>quantity</th><th>printed</th><th>engine</th><th>verdict</th><th style="{LEFT}">why</th></tr>'
    parts = "".join(
        f'<tbody><tr><th colspan="5" style="{LEFT}">Part {n}: {escape(part.title)} (network {escape(part.network)})'
        f"</th></tr>{''.join(_audit_row(r) for r in rows)}</tbody>"
        for n, (part, rows) in enumerate(audit.by_part(), 1)
    )
    return (
        f"<div><p><b>{escape(audit.summary())}</b></p>"
        f'<table class="backprop-audit"><thead>{head}</thead>{parts}</table></div>'
    )


def _audit_row(r: Any) -> str:
    colour = VERDICT_COLOURS.get(r.verdict, "inherit")
    verdict = r.verdict + (f": {r.origin}" if r.origin else "")
    step = f" (step {r.step})" if r.step else ""
    return (
        f"<tr><td>{escape(r.quantity)}{step}</td><td>{escape(r.printed)}</td><td>{r.engine:.6g}</td>"
        f'<td style="color:{colour}">{escape(verdict)}</td><td style="{LEFT}">{escape(r.explanation)}</td></tr>'
    )


def explanation_html(explanation: Any) -> str:
    """∂loss/∂parameter as a sum of products: a row per path, its factors' symbols, their values and the product."""
    rows = "".join(
        f"<tr><td>{' · '.join(escape(f.symbol()) for f in path.factors)}</td>"
        f"<td>{' · '.join(f'{f.value:.6g}' for f in path.factors)}</td><td>{path.product:.6g}</td></tr>"
        for path in explanation.paths
    )
    total = f"{escape(explanation.symbol)} = {explanation.gradient:.6g}"
    many = f" (the sum of {len(explanation.paths)} paths)" if len(explanation.paths) > 1 else ""
    head = "<tr><th>path: local derivatives</th><th>their values</th><th>product</th></tr>"
    return f"<div><p><b>{total}</b>{many}</p><table><thead>{head}</thead><tbody>{rows}</tbody></table></div>"
