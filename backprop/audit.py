"""The audit: each printed number recomputed by the engine and classified, and a disagreement traced
to the step where it starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from backprop import notebook
from backprop.claims import Claim, Document, Part, dependency_order, part_order
from backprop.diagnosis import Diagnosis
from backprop.recomputation import Recomputation, matches, number_text, rounded_twice, truncates

AGREE = "agree"
ROUNDING = "agree with rounding"
DISAGREE = "disagree"
CARRIED = "carried forward"  # right given the document's earlier numbers
OWN = "wrong in itself"


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

    def by_part(self) -> list[tuple[Part, list[AuditRow]]]:
        """Each part of the document with its rows, in order."""
        return [(part, [r for r in self.rows if r.part == part.title]) for part in self.document.parts]

    def _repr_html_(self) -> str:
        return notebook.audit_html(self)

    def summary(self) -> str:
        """One line: the document's counts of each verdict."""
        wrong = self.count(DISAGREE)
        detail = f" ({self.count(DISAGREE, OWN)} {OWN}, {self.count(DISAGREE, CARRIED)} {CARRIED})" if wrong else ""
        unfilled = sum(part.unfilled for part in self.document.parts)
        waiting = f'; {unfilled} not filled in yet (printed = "")' if unfilled else ""
        return (
            f"{self.document.name}: {len(self.rows)} numbers: {self.count(AGREE)} agree, "
            f"{self.count(ROUNDING)} agree with rounding, {wrong} disagree{detail}{waiting}"
        )


def audit_document(document: Document) -> DocumentAudit:
    """Every printed number of document, checked against the engine."""
    rows = audit_parts(document)
    return DocumentAudit(document, tuple(row for part in document.parts for row in rows[part.id]))


def audit_parts(document: Document) -> dict[str, list[AuditRow]]:
    """Each part's rows by part id, a part judged after the parts whose numbers it uses."""
    order = part_order(document.parts)
    assert not isinstance(order, tuple)  # the reader rejects parts that use each other's numbers
    judged: dict[str, _Verdicts] = {}
    rows: dict[str, list[AuditRow]] = {}
    for part in order:
        verdicts = judged[part.id] = _Verdicts(part)
        for ref in {ref for claim in part.claims for ref in claim.inputs if ":" in ref}:
            part_id, _, own = ref.rpartition(":")  # another part's number, as that part's audit found it
            verdicts.numbers.document_values[ref] = judged[part_id].numbers.document_values[own]
            verdicts.results[ref] = judged[part_id].results[own]
        rows[part.id] = _rows(verdicts, document.name)
    return rows


def _rows(verdicts: _Verdicts, document: str) -> list[AuditRow]:
    """The judged rows of verdicts' part, in file order."""
    part = verdicts.part
    order = dependency_order(part.claims)
    assert not isinstance(order, str)  # the reader rejects cycles
    for claim in order:
        verdicts.check(claim)
    rows = []
    for claim in part.claims:
        if claim.printed is None:
            continue
        verdict = verdicts.results[claim.id]
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
                engine=verdicts.numbers.engine(claim),
                verdict=verdict.verdict,
                origin=verdict.origin,
                recomputed=verdict.recomputed,
                explanation=verdict.explanation,
                line=claim.line,
            )
        )
    return rows


class _Verdict(NamedTuple):
    """A claim's verdict, with where a disagreement starts, the step redone from the document's numbers, and why."""

    verdict: str
    origin: str | None
    recomputed: float | None
    explanation: str


class _Verdicts:
    """A part's claims judged in dependency order, so that each verdict knows those of the claim's inputs."""

    def __init__(self, part: Part):
        self.part = part
        self.numbers = Recomputation(part)
        self.diagnosis = Diagnosis(self.numbers)
        self.results: dict[str, _Verdict] = {}

    def check(self, claim: Claim) -> None:
        """Judge claim (after the claims it is computed from) and remember its number and verdict."""
        recomputed = self.numbers.try_recompute(claim)
        bad_inputs = [ref for ref in claim.inputs if ref in self.results and self.results[ref].verdict == DISAGREE]
        if claim.printed is None:  # a step of the working: its number is what the document's rule gives
            if recomputed is None:
                recomputed = self.numbers.engine(claim)
            self.numbers.document_values[claim.id] = recomputed
            self.results[claim.id] = _Verdict(DISAGREE if bad_inputs else AGREE, None, recomputed, "")
            return
        assert claim.value is not None
        self.numbers.document_values[claim.id] = claim.value
        self.results[claim.id] = self._verdict(claim, claim.value, recomputed, bad_inputs)

    def _verdict(self, claim: Claim, printed: float, recomputed: float | None, bad_inputs: list[str]) -> _Verdict:
        places, shown = claim.places, (claim.decimals or 0) + 3  # an exact integer is shown as printed numbers are
        engine = self.numbers.engine(claim)
        if matches(printed, engine, places):
            return _Verdict(AGREE, None, recomputed, "")
        if self.part.truncates and truncates(printed, engine, places):
            cut = f"the engine's {number_text(engine, shown)} cut (not rounded) to {places} decimals"
            return _Verdict(ROUNDING, None, recomputed, cut)
        twice = rounded_twice(printed, engine, places) if claim.rule is None and not claim.exact else None
        if twice is not None:
            again = f"inferred: the engine's {number_text(engine, shown)} rounded twice, to {twice} and then again"
            return _Verdict(ROUNDING, None, recomputed, again)
        slack = self.numbers.slack(claim, recomputed) if recomputed is not None else 0.0
        if recomputed is None or not self.numbers.fits(printed, recomputed, places, slack):
            return self._wrong_in_itself(claim, printed, recomputed, engine, bad_inputs)
        formula = self.numbers.from_engine(claim)
        if formula is not None and not matches(formula, engine, places):  # no rounding of the inputs explains it
            wrong = (
                f"wrong in itself: the {claim.rule} of its {_inputs_text(claim)} is not this quantity: from the "
                f"engine's values of them it gives {number_text(formula, shown)}, not the engine's "
                f"{number_text(engine, shown)}; the document's formula is wrong"
            )
            cause = self.diagnosis.cause(claim, printed, places, engine)
            return _Verdict(DISAGREE, OWN, recomputed, wrong + (f" ({cause})" if cause else ""))
        given = f"from the document's own {_inputs_text(claim)} it is {number_text(recomputed, shown)}"
        if not bad_inputs:
            return _Verdict(ROUNDING, None, recomputed, f"{given}: the difference is the document's rounding")
        carried = f"right given the document's earlier numbers ({given}); the error comes from {', '.join(bad_inputs)}"
        return _Verdict(DISAGREE, CARRIED, recomputed, carried)

    def _wrong_in_itself(
        self, claim: Claim, printed: float, recomputed: float | None, engine: float, bad_inputs: list[str]
    ) -> _Verdict:
        places, shown = claim.places, (claim.decimals or 0) + 3
        also = f", on top of the error it carries from {', '.join(bad_inputs)}" if bad_inputs else ""
        base = recomputed if recomputed is not None else engine
        cause = self.diagnosis.cause(claim, printed, places, base)
        if recomputed is not None:
            given = f"its own {_inputs_text(claim)} give {number_text(recomputed, shown)}"
            if cause is None and truncates(printed, recomputed, places):  # a slip in the last digit only
                cause = f"the last digit was cut, not rounded (rounded, it is {number_text(recomputed, places)})"
            cause = cause or "an arithmetic slip"
        else:
            given = f"the engine gives {number_text(engine, shown)}"
        return _Verdict(DISAGREE, OWN, recomputed, f"wrong in itself{also}: {given}" + (f"; {cause}" if cause else ""))


def _inputs_text(claim: Claim) -> str:
    what = {
        "product": "factors",
        "sum": "terms",
        "difference": "numbers",
        "quotient": "numbers",
        "update": "weight and gradient",
        "replay": "inputs",
        "quote": "number",
    }[claim.rule or "replay"]
    return f"{what} ({', '.join(claim.inputs)})"


# ---- the report -------------------------------------------------------------------------------

_SHOWN = {AGREE: "agree", ROUNDING: "agree with rounding"}


def verdict_text(row: AuditRow) -> str:
    """The verdict as the table shows it: agree, agree with rounding, or disagree and where it starts."""
    return _SHOWN.get(row.verdict) or f"DISAGREE ({row.origin})"


def format_audit(audit: DocumentAudit) -> str:
    """The audit of one document as aligned tables, one per part, each followed by its findings."""
    doc = audit.document
    byline = ", ".join(x for x in (doc.author, doc.date) if x)
    title = doc.name if doc.title in ("", doc.name) else f"{doc.name}: {doc.title}"  # not "mine: mine"
    lines = [title + (f" ({byline})" if byline else "")]
    if doc.address:
        lines.append(f"source: {doc.address}")
    for n, (part, rows) in enumerate(audit.by_part(), 1):
        lines += ["", f"Part {n}: {part.title} (network {part.network})"]
        table = [("claim", "step", "printed", "engine", "printed - engine", "verdict")]
        for r in rows:
            places = r.decimals + 3
            difference = number_text(r.difference, places) if abs(r.difference) >= 0.5 * 10.0**-places else "0"
            if difference != "0" and not difference.startswith("-"):
                difference = "+" + difference
            table.append((r.id, str(r.step), r.printed, number_text(r.engine, places), difference, verdict_text(r)))
        lines += _aligned(table, right=(1, 2, 3, 4)) if rows else ["  (no printed number filled in yet)"]
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
