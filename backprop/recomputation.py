"""The numbers the audit compares: the engine's value of each claim and the document's own step redone from
its printed inputs, and when a printed number is one of them rounded (or cut) to its printed decimals.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from backprop.claims import Claim, Part, reference_step
from backprop.quantities import evaluate, parse_quantity, split_step


def matches(printed: float, value: float, decimals: int, slack: float = 0.0) -> bool:
    """True if value rounded to decimals places gives printed (half a unit either way, and slack more)."""
    return abs(printed - value) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + slack + 1e-15


def truncates(printed: float, value: float, decimals: int) -> bool:
    """True if printed is value cut (not rounded) to decimals places."""
    scale = 10.0**decimals
    cut = math.trunc(value * scale * (1 + 1e-12)) / scale  # the nudge keeps 0.213 from becoming 0.212999…
    return abs(printed - cut) <= 1e-9 / scale


def rounded_twice(printed: float, value: float, decimals: int) -> str | None:
    """The number value was first rounded to, if printed is that number rounded again to decimals places
    (0.1245749 → 0.124575 → 0.12458, where rounding once gives 0.12457); else None."""
    for more in (1, 2, 3):
        first = _half_up(Decimal(repr(value)), decimals + more)
        if float(_half_up(first, decimals)) == printed and not matches(printed, value, decimals):
            return str(first)
    return None


def _half_up(x: Decimal, decimals: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number_text(x: float, places: int) -> str:
    """x as the audit writes it: with places decimals (1 to 12), "0" if that is zero, in short if huge."""
    if abs(x) >= 1e15:  # fixed point would print every digit of a huge number
        return f"{x:.6g}"
    text = f"{x:.{min(max(places, 1), 12)}f}"
    return "0" if float(text) == 0 else text


class Recomputation:
    """A part's numbers: the engine's value of each claim, and each step redone from the document's own numbers."""

    def __init__(self, part: Part):
        self.part = part
        self.document_values: dict[str, float] = {}  # each claim's number in the document's working

    def engine(self, claim: Claim) -> float:
        """The engine's value of the claim's quantity at its step."""
        return self.part.value_of(claim.quantity, claim.step)

    def source_engine(self, ref: str) -> float | None:
        """The engine's value of the claim ref names, in its own part (None if ref names no claim)."""
        source = self.part.source(ref)
        return source[0].value_of(source[1].quantity, source[1].step) if source else None

    def input_value(self, claim: Claim, ref: str, overrides: dict[str, float] | None = None) -> float:
        """An input of claim: the document's number for a claim id, else the engine's (with overrides)."""
        if ref in self.document_values:
            return self.document_values[ref]
        quantity, step = parse_quantity(split_step(ref)[0]), reference_step(claim, ref)
        if not overrides:
            return self.part.value_of(quantity, step)
        return evaluate(quantity, self.part.stage, step, overrides)

    def recompute(self, claim: Claim, overrides: dict[str, float] | None = None) -> float | None:
        """The claim's step redone from the document's own numbers for its inputs."""
        if claim.rule is None:
            return None
        values = [self.input_value(claim, ref, overrides) for ref in claim.inputs]
        if claim.rule == "product":
            return math.prod(values)
        if claim.rule == "sum":
            return math.fsum(values)
        if claim.rule == "quote":
            return values[0]
        if claim.rule == "difference":
            return values[0] - values[1]
        if claim.rule == "quotient":
            return values[0] / values[1]  # a zero divisor is a ZeroDivisionError: try_recompute gives no number
        if claim.rule == "update":
            return values[0] - self.part.learning_rate * values[1]
        names = {self._name_of(ref): v for ref, v in zip(claim.inputs, values)}
        return evaluate(claim.quantity, self.part.stage, claim.step, {**(overrides or {}), **names})

    def try_recompute(self, claim: Claim, overrides: dict[str, float] | None = None) -> float | None:
        """recompute, or None when the numbers it is given take the step out of a float's range."""
        try:
            return self.recompute(claim, overrides)
        except (ArithmeticError, ValueError):  # e.g. a printed 1e300 squared: the engine's error is no verdict
            return None

    def from_engine(self, claim: Claim) -> float | None:
        """The claim's step redone from the engine's values of its inputs: the engine's own value if the document's
        rule is the quantity's formula (None if it cannot be redone)."""
        saved = dict(self.document_values)
        for ref in claim.inputs:
            engine = self.source_engine(ref)
            if engine is not None:
                self.document_values[ref] = engine
        try:
            return self.try_recompute(claim)
        finally:
            self.document_values = saved

    def _name_of(self, ref: str) -> str:
        claim = self.part.claim(ref)
        return claim.quantity.of if claim is not None else split_step(ref)[0]

    def fits(self, printed: float, value: float, places: int, slack: float = 0.0) -> bool:
        """printed is value rounded (or, in a document that truncates, cut) to places, give or take slack."""
        return matches(printed, value, places, slack) or (self.part.truncates and truncates(printed, value, places))

    def slack(self, claim: Claim, recomputed: float) -> float:
        """How far the step moves when each printed input moves by as much as its rounding may have.

        Only for a document that computes with more digits than it prints (working = "full").
        An input's rounding is at most half a unit of its last digit, and no more than its distance
        from the engine's value (a number given exactly, like a weight of 0.4, was not rounded).
        """
        total = 0.0
        if self.part.working == "printed":
            return total
        for ref in claim.inputs:
            source = self.part.claim(ref)
            if source is None or source.printed is None:
                continue
            saved = self.document_values[ref]
            rounding = min(0.5 * 10.0**-source.places, abs(saved - (self.source_engine(ref) or 0.0)))
            if not rounding:
                continue
            self.document_values[ref] = saved + rounding
            moved = self.try_recompute(claim)
            self.document_values[ref] = saved
            if moved is not None:
                total += abs(moved - recomputed)
        return total
