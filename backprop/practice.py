"""Practice on the page: for each named value, the numbers the audit's usual slips give for its value, its
gradient and (for a trained parameter) its value after one step, written once into the page as data.

The page compares a learner's answer with the engine's number and then with these, in this order, at the
answer's printed decimals (viz/judge.js: the audit's rule); the slips themselves are backprop.diagnosis's.
"""

from __future__ import annotations

from typing import Any

from backprop.claims import LEARNING_RATE, Claim, Part
from backprop.diagnosis import Diagnosis
from backprop.quantities import parse_quantity
from backprop.recomputation import Recomputation

# what practice asks about each value: the quantity the audit would write, and the step it is about
# Past this many named values the slips that try one number in place of many ("it is the value of another", "a factor
# from the wrong node") are left out of the page: they grow as the square of the names (the 3-3-3 network's 42
# names carry 470 kB of them); the other slips are still named.
MOST_NAMES_COMPARED = 64
ASKED = {"data": ("{name}", 0), "grad": ("d{loss}/d{name}", 0), "step": ("{name}", 1)}


def practice_part(subject: Any) -> Part:
    """subject's network as a part with no printed numbers: what a learner's typed numbers are audited against."""
    return Part(
        title=subject.title,
        id="part1",
        network=subject.title,
        make_example=subject.make,
        sample=subject.sample,
        claims=(),
    )


def slips(subject: Any) -> dict[str, dict[str, list[list[Any]]]]:
    """For each named value of subject's pass (a backprop.sources.Subject): what each kind of answer about it
    (data, grad, step) would be after each slip, as [number, what it says, whether a match may be chance]."""
    part = practice_part(subject)
    diagnosis = Diagnosis(Recomputation(part))
    loss = part.example().loss_name
    table: dict[str, dict[str, list[list[Any]]]] = {}
    compared = len(part.stage(0)) <= MOST_NAMES_COMPARED
    stepped = _steps(part)
    for name, node in part.stage(0).items():
        if name == LEARNING_RATE or node.is_constant:
            continue
        trained = stepped and bool(node.meta and node.meta.get("role") == "parameter")
        asked = [k for k in ASKED if k != "step" or trained]
        found = {k: _candidates(diagnosis, part, ASKED[k], name, loss) for k in asked}
        table[name] = {k: [c for c in found[k] if compared or not c[2]] for k in asked}
    return table


def _candidates(diagnosis: Diagnosis, part: Part, asked: tuple[str, int], name: str, loss: str) -> list[list[Any]]:
    text, step = asked
    quantity = parse_quantity(text.format(name=name, loss=loss))
    claim = Claim(quantity.text, quantity, step, None, None, "", (), None)
    base = part.value_of(quantity, step)
    return [[value, why, chance] for value, why, chance in diagnosis.candidates(claim, base)]


def _steps(part: Part) -> bool:
    """True if a step of gradient descent can be taken (one that overflows has no slips to name)."""
    try:
        part.stage(1)
    except (ArithmeticError, ValueError):
        return False
    return True
