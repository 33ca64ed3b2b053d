"""The audit: each printed number recomputed by the engine and classified, and a disagreement traced
to the step where it starts.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from backprop import notebook
from backprop.claims import Claim, Document, Part, dependency_order, reference_step
from backprop.explanation import NamedGraph
from backprop.quantities import Quantity, evaluate, parse_quantity, split_step

AGREE = "agree"
ROUNDING = "agree with rounding"
DISAGREE = "disagree"
CARRIED = "carried forward"  # right given the document's earlier numbers
OWN = "wrong in itself"
# The diagnosis tries each parameter in place of each other one: quadratic, so only for networks this small
# (the documents' have at most 26); a larger network's slips are still found, just not named.
MAX_DIAGNOSED_PARAMETERS = 64


@dataclass(frozen=True)
class AuditRow:
    """One printed number, the engine's value for it, and the verdict."""

    document: str
    part: str
    id: str
    quantity: str
    step: int
    printed: str
    decimals: int
    where: str
    engine: float
    verdict: str  # AGREE, ROUNDING or DISAGREE
    origin: str | None  # for a disagreement: CARRIED or OWN
    recomputed: float | None  # the step redone from the document's own printed inputs
    explanation: str  # one or two sentences: why this verdict
    line: int | None = None

    @property
    def difference(self) -> float:
        """printed − engine."""
        return float(self.printed.replace(",", ".")) - self.engine


@dataclass(frozen=True)
class DocumentAudit:
    """The rows of one document, in file order, and their counts."""

    document: Document
    rows: tuple[AuditRow, ...]

    def count(self, verdict: str, origin: str | None = None) -> int:
        """How many rows have this verdict (and origin, if given)."""
        return sum(r.verdict == verdict and (origin is None or r.origin == origin) for r in self.rows)

    def _repr_html_(self) -> str:
        return notebook.audit_html(self)

    def summary(self) -> str:
        """One line: the document's counts of each verdict."""
        wrong = self.count(DISAGREE)
        detail = f" ({self.count(DISAGREE, OWN)} {OWN}, {self.count(DISAGREE, CARRIED)} {CARRIED})" if wrong else ""
        return (
            f"{self.document.name}: {len(self.rows)} numbers: {self.count(AGREE)} agree, "
            f"{self.count(ROUNDING)} agree with rounding, {wrong} disagree{detail}"
        )


def audit_document(document: Document) -> DocumentAudit:
    """Every printed number of document, checked against the engine."""
    rows = [row for part in document.parts for row in audit_part(part, document.name)]
    return DocumentAudit(document, tuple(rows))


def audit_part(part: Part, document: str = "") -> list[AuditRow]:
    """The rows of one part's printed numbers, in file order."""
    auditor = _Auditor(part)
    order = dependency_order(part.claims)
    assert not isinstance(order, str)  # the reader rejects cycles
    for claim in order:
        auditor.check(claim)
    rows = []
    for claim in part.claims:
        if claim.printed is None:
            continue
        verdict, origin, recomputed, why = auditor.results[claim.id]
        rows.append(
            AuditRow(
                document=document,
                part=part.title,
                id=claim.id,
                quantity=claim.quantity.text,
                step=claim.step,
                printed=claim.printed,
                decimals=claim.decimals or 0,
                where=claim.where,
                engine=auditor.engine(claim),
                verdict=verdict,
                origin=origin,
                recomputed=recomputed,
                explanation=why,
                line=claim.line,
            )
        )
    return rows


def matches(printed: float, value: float, decimals: int) -> bool:
    """True if value rounded to decimals places gives printed (half a unit either way)."""
    return abs(printed - value) <= 0.5 * 10.0**-decimals * (1 + 1e-9) + 1e-15


def truncates(printed: float, value: float, decimals: int) -> bool:
    """True if printed is value cut (not rounded) to decimals places."""
    scale = 10.0**decimals
    cut = math.trunc(value * scale * (1 + 1e-12)) / scale  # the nudge keeps 0.213 from becoming 0.212999…
    return abs(printed - cut) <= 1e-9 / scale


class _Auditor:
    """Checks a part's claims in dependency order, remembering each verdict and the document's numbers."""

    def __init__(self, part: Part):
        self.part = part
        self.results: dict[str, tuple[str, str | None, float | None, str]] = {}
        self.document_values: dict[str, float] = {}  # each claim's number in the document's working
        self._engine: dict[str, float] = {}

    # ---- values ------------------------------------------------------------------------------

    def engine(self, claim: Claim) -> float:
        """The engine's value of the claim's quantity at its step."""
        if claim.id not in self._engine:
            self._engine[claim.id] = self.part.value_of(claim.quantity, claim.step)
        return self._engine[claim.id]

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
        if claim.rule == "update":
            return values[0] - self.learning_rate * values[1]
        names = {self._name_of(ref): v for ref, v in zip(claim.inputs, values)}
        return evaluate(claim.quantity, self.part.stage, claim.step, {**(overrides or {}), **names})

    def try_recompute(self, claim: Claim, overrides: dict[str, float] | None = None) -> float | None:
        """recompute, or None when the numbers it is given take the step out of a float's range."""
        try:
            return self.recompute(claim, overrides)
        except (ArithmeticError, ValueError):  # e.g. a printed 1e300 squared: the engine's error is no verdict
            return None

    def _name_of(self, ref: str) -> str:
        claim = self.part.claim(ref)
        return claim.quantity.of if claim is not None else split_step(ref)[0]

    @property
    def learning_rate(self) -> float:
        return self.part.learning_rate

    @cached_property
    def diagnosable(self) -> bool:
        """True if the network is small enough to try its parameters in place of one another."""
        values = self.part.stage(0).values()
        return sum(bool(v.meta and v.meta.get("role") == "parameter") for v in values) <= MAX_DIAGNOSED_PARAMETERS

    # ---- verdicts ----------------------------------------------------------------------------

    def check(self, claim: Claim) -> None:
        recomputed = self.try_recompute(claim)
        bad_inputs = [ref for ref in claim.inputs if ref in self.results and self.results[ref][0] == DISAGREE]
        if claim.printed is None:  # a step of the working: its number is what the document's rule gives
            if recomputed is None:
                recomputed = self.engine(claim)
            self.document_values[claim.id] = recomputed
            self.results[claim.id] = (DISAGREE if bad_inputs else AGREE, None, recomputed, "")
            return
        printed, places = claim.value, claim.decimals or 0
        assert printed is not None
        self.document_values[claim.id] = printed
        engine = self.engine(claim)
        shown = _fmt(engine, places + 3)
        result: tuple[str, str | None, float | None, str]
        if matches(printed, engine, places):
            result = (AGREE, None, recomputed, "")
        elif self.part.truncates and truncates(printed, engine, places):
            result = (ROUNDING, None, recomputed, f"the engine's {shown} cut (not rounded) to {places} decimals")
        elif recomputed is not None and self.fits(printed, recomputed, places, self.slack(claim, recomputed)):
            given = f"from the document's own {self._inputs_text(claim)} it is {_fmt(recomputed, places + 3)}"
            if bad_inputs:
                result = (
                    DISAGREE,
                    CARRIED,
                    recomputed,
                    f"right given the document's earlier numbers ({given}); "
                    f"the error comes from {', '.join(bad_inputs)}",
                )
            else:
                result = (ROUNDING, None, recomputed, f"{given}: the difference is the document's rounding")
        else:
            base = recomputed if recomputed is not None else engine
            cause = self.diagnose(claim, printed, places, base)
            if recomputed is not None:
                given = f"its own {self._inputs_text(claim)} give {_fmt(recomputed, places + 3)}"
                cause = cause or "an arithmetic slip"
            else:
                given = f"the engine gives {shown}"
            result = (DISAGREE, OWN, recomputed, f"wrong in itself: {given}" + (f"; {cause}" if cause else ""))
        self.results[claim.id] = result

    def fits(self, printed: float, value: float, places: int, slack: float = 0.0) -> bool:
        """printed is value rounded (or, in a document that truncates, cut) to places, give or take slack."""
        rounded = abs(printed - value) <= 0.5 * 10.0**-places * (1 + 1e-9) + slack + 1e-15
        return rounded or (self.part.truncates and truncates(printed, value, places))

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
            rounding = min(0.5 * 10.0 ** -(source.decimals or 0), abs(saved - self.engine(source)))
            if not rounding:
                continue
            self.document_values[ref] = saved + rounding
            moved = self.try_recompute(claim)
            self.document_values[ref] = saved
            if moved is not None:
                total += abs(moved - recomputed)
        return total

    def _inputs_text(self, claim: Claim) -> str:
        what = {
            "product": "factors",
            "sum": "terms",
            "difference": "numbers",
            "update": "weight and gradient",
            "replay": "inputs",
            "quote": "number",
        }[claim.rule or "replay"]
        return f"{what} ({', '.join(claim.inputs)})"

    # ---- diagnosis of a step wrong in itself -------------------------------------------------

    def diagnose(self, claim: Claim, printed: float, places: int, base: float) -> str | None:
        """A likely cause for a number its own inputs do not give, if one of the usual slips explains it."""
        for cause in self._causes(claim, base):
            value, text = cause
            if value is not None and self.fits(printed, value, places):
                return text
        return None

    def _causes(self, claim: Claim, base: float) -> Iterator[tuple[float | None, str]]:
        yield -base, f"the sign is wrong ({_fmt(-base, 6)})"
        if claim.rule == "update":
            weight, gradient = (self.input_value(claim, ref) for ref in claim.inputs)
            yield (
                weight + self.learning_rate * gradient,
                "the step was added instead of subtracted (w + η·gradient)",
            )
            yield from self._other_gradients(claim, weight)
        if claim.rule == "product":
            values = [self.input_value(claim, ref) for ref in claim.inputs]
            for k, ref in enumerate(claim.inputs):
                rest = values[:k] + values[k + 1 :]
                yield math.prod(rest), f"the factor {ref} was left out"
        yield from self._swapped_parameters(claim)
        yield from self._other_values(claim)

    def _other_gradients(self, claim: Claim, weight: float) -> Iterator[tuple[float, str]]:
        gradient_ref = claim.inputs[1]
        quantity = self._quantity_of(gradient_ref)
        if quantity is None or quantity.kind != "derivative" or not self.diagnosable:
            return
        stage = self.part.stage(claim.step - 1)
        for name, node in stage.items():
            if node.meta and node.meta.get("role") == "parameter" and name != quantity.wrt:
                other = parse_quantity(f"d{quantity.of}/d{name}")
                gradient = evaluate(other, self.part.stage, claim.step - 1)
                yield weight - self.learning_rate * gradient, f"it uses the gradient of {name} ({_fmt(gradient, 6)})"

    def _swapped_parameters(self, claim: Claim) -> Iterator[tuple[float | None, str]]:
        """Redo the step with one parameter taking another value: its value at another step, or another's."""
        if claim.rule not in ("replay", "update") or not self.diagnosable:
            return
        step = claim.step - 1 if claim.rule == "update" else claim.step
        here, after = self.part.stage(step), self.part.stage(step + 1)
        parameters = [n for n, v in here.items() if v.meta and v.meta.get("role") == "parameter"]
        if claim.rule == "update":
            yield from self._backward_swaps(claim, parameters, here, after)
            return
        before = self.part.stage(step - 1) if step > 0 else None
        for name in parameters:
            candidates = [(after[name].data, f"{name} after the step")]
            if before is not None:
                candidates.append((before[name].data, f"{name} before the step"))
            candidates += [(here[other].data, other) for other in parameters if other != name]
            for number, label in candidates:
                value = self.try_recompute(claim, {name: number})
                yield value, f"it matches with {label} ({_fmt(number, 6)}) in place of {name}"

    def _backward_swaps(
        self, claim: Claim, parameters: list[str], here: dict, after: dict
    ) -> Iterator[tuple[float, str]]:
        """An update whose gradient used another value for a weight on its chain-rule paths."""
        gradient_ref = claim.inputs[1]
        quantity = self._quantity_of(gradient_ref)
        if quantity is None or quantity.kind != "derivative" or gradient_ref in self.document_values:
            return
        weight = self.input_value(claim, claim.inputs[0])
        graph, target = NamedGraph(here[quantity.of]), here[quantity.wrt]
        edges = graph.on_paths(target)
        used = sorted({weight for *_, weight in edges if weight}, key=parameters.index)
        for name in used:
            candidates = [(after[name].data, f"the updated {name}")]
            candidates += [(here[o].data, o) for o in parameters if o != name]
            candidates += [(after[o].data, f"the updated {o}") for o in parameters if o != name]
            for number, label in candidates:
                gradient = graph.path_sum(target, {name: number})
                yield (
                    weight - self.learning_rate * gradient,
                    f"its gradient uses {label} ({_fmt(number, 6)}) in place of {name} ({_fmt(here[name].data, 6)})",
                )

    def _other_values(self, claim: Claim) -> Iterator[tuple[float, str]]:
        """The printed number is the value of another named value of the pass."""
        if claim.quantity.kind == "expression":
            return
        own = claim.quantity.of if claim.quantity.kind == "value" else None
        for name, node in self.part.stage(claim.step).items():
            if name != own:
                yield node.data, f"it is the value of {name}, not of {claim.quantity.text}"

    def _quantity_of(self, ref: str) -> Quantity | None:
        claim = self.part.claim(ref)
        return claim.quantity if claim is not None else parse_quantity(split_step(ref)[0])


def _fmt(x: float, places: int) -> str:
    if abs(x) >= 1e15:  # fixed point would print every digit of a huge number
        return f"{x:.6g}"
    text = f"{x:.{min(max(places, 1), 12)}f}"
    return "0" if float(text) == 0 else text


# ---- the report -------------------------------------------------------------------------------

_SHOWN = {AGREE: "agree", ROUNDING: "agree with rounding"}


def verdict_text(row: AuditRow) -> str:
    """The verdict as the table shows it: agree, agree with rounding, or disagree and where it starts."""
    return _SHOWN.get(row.verdict) or f"DISAGREE ({row.origin})"


def format_audit(audit: DocumentAudit) -> str:
    """The audit of one document as aligned tables, one per part, each followed by its findings."""
    doc = audit.document
    byline = ", ".join(x for x in (doc.author, doc.date) if x)
    lines = [f"{doc.name}: {doc.title}" + (f" ({byline})" if byline else "")]
    if doc.source:
        lines.append(f"source: {doc.source}")
    for n, part in enumerate(doc.parts, 1):
        rows = [r for r in audit.rows if r.part == part.title]
        lines += ["", f"Part {n}: {part.title} (network {part.network})"]
        table = [("claim", "step", "printed", "engine", "printed - engine", "verdict")]
        for r in rows:
            places = r.decimals + 3
            difference = _fmt(r.difference, places) if abs(r.difference) >= 0.5 * 10.0**-places else "0"
            if difference != "0" and not difference.startswith("-"):
                difference = "+" + difference
            table.append((r.id, str(r.step), r.printed, _fmt(r.engine, places), difference, verdict_text(r)))
        lines += _aligned(table, right=(1, 2, 3, 4))
        findings = [r for r in rows if r.verdict != AGREE]
        if findings:
            lines += ["", "  Findings:"]
        for r in findings:
            where = f" [{r.where}]" if r.where else ""
            line = f" ({doc.path}:{r.line})" if r.line else ""
            lines.append(f"  - {r.id} = {r.printed}{where}{line}: {verdict_text(r)}")
            lines.append(f"      {r.explanation}")
            claim = part.claim(r.id)
            if claim is not None and claim.note:
                lines.append(f"      note: {claim.note}")
    lines += ["", audit.summary()]
    return "\n".join(lines) + "\n"


def _aligned(table: Sequence[tuple[str, ...]], right: tuple[int, ...]) -> list[str]:
    widths = [max(len(row[c]) for row in table) for c in range(len(table[0]))]

    def cell(text: str, c: int) -> str:
        return text.rjust(widths[c]) if c in right else text.ljust(widths[c])

    lines = ["  " + "  ".join(cell(t, c) for c, t in enumerate(row)).rstrip() for row in table]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return lines
