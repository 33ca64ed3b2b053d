"""Claim files: a document's printed numbers in TOML, read and checked, and the bundled documents.

The format is described in ``FORMAT`` (and the README). Every error names the file, the field and
the line, and is raised before anything is audited.
"""

from __future__ import annotations

import importlib.resources
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import nn
from autograd import Value
from backprop import expressions
from backprop.errors import DocumentError
from backprop.expressions import EXPRESSIONS_KEY, load_expressions
from backprop.quantities import Quantity, QuantityError, check_names, evaluate, parse_quantity, split_step
from inputfiles import FieldReader, Path_, parse_dotted, parse_toml, quoted, read_text, shown

FORMAT = """\
A claim file is TOML. [document] (optional): title, author, date, source (the document's published
address: "https://..."), copy (where the copy read is kept, for a document whose address is not
known: the tools then say so), notes, and truncates = true for a document that cuts its numbers to
the printed decimals instead of rounding them (a cut number then counts as agreeing once the
document's rounding is allowed for).
Then one or more parts, each a network with the numbers printed about it: either [[part]] tables,
or (for one part) the part's fields at the top level of the file.
Fields of a part:
  title          what this part of the document works through (optional)
  id             how claims of other parts name this part (default "part1", "part2", ... in order)
  network*       the name of a bundled worked example or expression (`backprop list`), a spec
                 file's path from the claim file ("my-net.toml": a network or an expression spec),
                 or a table in the network spec schema of nn (layers, inputs, samples, learning
                 rate ...)
  sample         the index of the sample the numbers are about (default: the network's own)
  notes          a string or a list of strings
  working        what the document computes each step from: "printed" (its printed, rounded
                 numbers: the default) or "full" (numbers kept in full and printed rounded, as a
                 program's output is): then a step may differ by its inputs' rounding
  training       "one sample" (every step on sample: the default) or "in turn" (one step per
                 sample, from sample on, as tutorials that train one pattern at a time do: the
                 numbers after k steps are about the sample step k + 1 uses)
  [[claim]]      (or [[part.claim]]) one per printed number:
    quantity*    a name of the network ("out_h1"), a derivative "dE_total/dw10", or an
                 arithmetic expression over names and the op table's functions ("1 - out_o1",
                 "E_total@0 - E_total@1", "exp(net_o1)", "sigmoid(net_h1)")
    step         0 = before any update (default), 1 = after one gradient-descent step, ...
                 (at most 100, also in name@step)
    printed      the number as printed, as a string ("0.05304": a TOML number would lose its
                 trailing zeros, so one is refused); leave it out for a step of the document's
                 working that it does not print but later numbers use; "" for a number not
                 filled in yet (not checked: the summary counts them)
    decimals     the printed precision in decimal places (default: counted from printed; a
                 printed integer such as "6" is taken as exact unless decimals = 0 is set)
    where        where the number is printed (section, heading, equation)
    id           how other claims refer to it (default: quantity, with "@step" after step 0)
    from         the claims (ids, of any kind) or quantities ("name@step") the document computes
                 it from; "part1:out_o1" is the claim out_o1 of the part with id part1 (a part
                 using another's number is checked after it; two parts cannot use each other's)
    rule         how: "replay" (the network's own formula from named values, the default when
                 from is given), "product", "sum", "difference" (first minus second), "quotient"
                 (first divided by second) or "update" (from = [parameter, gradient]:
                 parameter − learning rate · gradient), or "quote" (from = [claim]: the same
                 number printed again). A number computed from a wrong one is "carried forward"
    note         anything the reader should know about this number
"""

EXACT_PLACES = 9  # a printed integer (decimals not set) agrees only with a number that is that integer
MAX_STEP = 100  # the gradient-descent steps a claim can be about: each stage trains that far
LEARNING_RATE = "learning_rate"  # a name every part knows besides its network's values
RULES = ("replay", "product", "sum", "difference", "quotient", "update", "quote")
DOCUMENT_FIELDS = ("title", "author", "date", "source", "copy", "notes", "truncates")
ADDRESS_SCHEMES = ("https://", "http://")  # what a published address starts with: a file name is not one
PART_FIELDS = ("title", "id", "network", "sample", "notes", "working", "training", "claim")
WORKINGS = ("printed", "full")
TRAININGS = ("one sample", "in turn")
_SPEC_WHERE = "<network>"  # how a part's embedded network spec names itself in its errors
CLAIM_FIELDS = ("quantity", "step", "printed", "decimals", "where", "id", "from", "rule", "note")
_KINDS = {"derivative": "a derivative", "expression": "an expression"}
_STEP_LIMIT = f"a claim is about at most {MAX_STEP} gradient-descent steps"
_NUMBER = re.compile(r"[+-]?(\d+)?([.,](\d*))?([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Claim:
    """One number a document prints: what it is, as printed, where, and how the document got it."""

    id: str
    quantity: Quantity
    step: int
    printed: str | None  # None: an unprinted step of the document's working
    decimals: int | None
    where: str
    inputs: tuple[str, ...]  # the claim ids or quantities it is computed from
    rule: str | None
    note: str = ""
    line: int | None = None
    exact: bool = False  # printed as an integer without decimals set: a count or an exact value, not 0.35 rounded

    @property
    def places(self) -> int:
        """The decimals the printed number is compared at: as printed or set, and EXACT_PLACES for an exact one."""
        return EXACT_PLACES if self.exact else self.decimals or 0

    @property
    def value(self) -> float | None:
        """The printed number as a float (a decimal comma read as a point)."""
        return None if self.printed is None else float(self.printed.replace(",", "."))


@dataclass
class Part:
    """A network of a document with the numbers printed about it."""

    title: str
    id: str  # how other parts' from entries name it: "part1:out_o1"
    network: str  # a bundled example's name, or the embedded spec's name
    make_example: Callable[[], Any]  # a fresh nn.WorkedExample each call
    sample: int | None
    claims: tuple[Claim, ...]
    notes: tuple[str, ...] = ()
    truncates: bool = False  # the document cuts numbers to their printed decimals instead of rounding
    working: str = "printed"  # "full": the document computes with more digits than it prints
    training: str = "one sample"  # "in turn": step k on the k-th sample from sample on
    unfilled: int = 0  # claims whose printed is "" (a skeleton's, not filled in yet): not audited
    fail: Callable[[Path_, str], DocumentError] | None = None  # an error at a field of the network, in the file
    _stages: dict[int, dict[str, Value]] = field(default_factory=dict, repr=False)
    _values: dict[tuple[str, int], float] = field(default_factory=dict, repr=False)
    _by_id: dict[str, Claim] = field(default_factory=dict, repr=False)
    others: dict[str, Part] = field(default_factory=dict, repr=False)  # the document's parts by id

    def __post_init__(self) -> None:
        self._by_id = {c.id: c for c in self.claims}

    @property
    def learning_rate(self) -> float:
        """The step size of the part's gradient descent."""
        return self.stage(0)[LEARNING_RATE].data

    def example(self) -> Any:
        """A fresh copy of the part's worked example."""
        return self.make_example()

    def stage(self, step: int) -> dict[str, Value]:
        """Every named value of the forward pass after step gradient-descent steps (cached)."""
        if step not in self._stages:
            example = self.make_example()
            first = example.worked_sample if self.sample is None else self.sample
            turn = self.training == "in turn"
            for k in range(step):
                example.step((first + k * turn) % len(example.samples))
            values = dict(example.forward((first + step * turn) % len(example.samples)).values)
            if example.learning_rate is not None:  # an expression without one takes no steps
                values.setdefault(LEARNING_RATE, Value(example.learning_rate, LEARNING_RATE))
            self._stages[step] = values
        return self._stages[step]

    def value_of(self, quantity: Quantity, step: int) -> float:
        """The engine's value of quantity after step gradient-descent steps (cached)."""
        key = (quantity.text, step)
        if key not in self._values:
            self._values[key] = evaluate(quantity, self.stage, step)
        return self._values[key]

    def claim(self, claim_id: str) -> Claim | None:
        """The claim with this id, if any: of this part, or of another ("part1:out_o1")."""
        source = self.source(claim_id)
        return source[1] if source else None

    def source(self, claim_id: str) -> tuple[Part, Claim] | None:
        """The part and the claim an id names, if it names one ("out_o1" here, "part1:out_o1" in part1)."""
        part_id, _, own = claim_id.rpartition(":")
        part = self.others.get(part_id) if part_id else self
        claim = part._by_id.get(own) if part else None
        return (part, claim) if part and claim else None


@dataclass
class Document:
    """A claim file: the document's description and its parts."""

    name: str
    title: str
    author: str
    date: str
    source: str  # the published address, "" if not known
    copy: str  # where the copy read is kept, for a document whose address is not known
    notes: tuple[str, ...]
    parts: tuple[Part, ...]
    path: str

    @property
    def address(self) -> str:
        """Where the document can be read: its published address, or that it is not known and the copy read."""
        if self.source or not self.copy:
            return self.source
        return f"address not known; the copy we have: {self.copy}"

    @property
    def citation(self) -> str:
        """Author, date and address, those known, in one line."""
        return ", ".join(x for x in (self.author, self.date, self.address) if x)

    @property
    def claims(self) -> list[Claim]:
        """Every claim of every part, in file order."""
        return [c for p in self.parts for c in p.claims]


def bundled() -> list[str]:
    """The names of the documents shipped with the package, in order."""
    files = importlib.resources.files("backprop.documents")
    return sorted(p.name.removesuffix(".toml") for p in files.iterdir() if p.name.endswith(".toml"))


@cache
def bundled_document(name: str) -> Document:
    """The bundled document called name (see bundled())."""
    if name not in bundled():
        raise KeyError(f"no bundled document named {name!r}; they are {', '.join(bundled())}")
    resource = importlib.resources.files("backprop.documents") / f"{name}.toml"
    return parse_document(resource.read_text(encoding="utf-8"), f"{name}.toml", name=name)


def load_document(path: str | Path) -> Document:
    """The claim file at path, checked in full, or a DocumentError."""
    path = Path(path)
    return parse_document(read_text(path, "claim file", DocumentError), str(path), name=path.stem)


def parse_document(text: str, source: str, *, name: str) -> Document:
    """The claim file whose text is given; source is how errors name the file."""
    return _Reader(source, text).document(parse_toml(text, source, DocumentError), name)


def number_decimals(text: str) -> int:
    """The decimal places a printed number shows ("0.05304" → 5, "2" → 0, "1.5e-3" → 4)."""
    match = _NUMBER.fullmatch(text.strip())
    if not match or not (match[1] or match[3]):
        raise ValueError(f"{quoted(text)} is not a number")
    places = len(match[3] or "")
    exponent = int(match[4][1:]) if match[4] else 0
    return max(places - exponent, 0)


class _Reader(FieldReader[DocumentError]):
    """Checks a parsed claim file field by field; every failure names the file, the line and the field."""

    error = DocumentError

    def known(self, table: Mapping[str, Any], path: Path_, allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail((*path, key), f"unknown field; the fields here are {', '.join(allowed)}")

    def strings(self, table: Mapping[str, Any], path: Path_) -> tuple[str, ...]:
        value = self.get(table, path, (str, list), [])
        value = [value] if isinstance(value, str) else value
        for i, x in enumerate(value):
            if not isinstance(x, str):
                raise self.fail((*path, i), f"expected a string, got {shown(x)}")
        return tuple(value)

    def one_line(self, table: Any, path: Path_) -> str:
        """A one-line text field ("" if absent): a line break or another control character in it is refused."""
        text = self.get(table, path, (str,), "")
        if any(unicodedata.category(c) == "Cc" for c in text):
            raise self.fail(path, f"{quoted(text)} holds a line break or another control character: it is one line")
        return text

    def document(self, table: dict[str, Any], name: str) -> Document:
        info = self.get(table, ("document",), (dict,), {})
        for key in info:
            if key in PART_FIELDS and key not in DOCUMENT_FIELDS:  # a key written below [document] belongs to it
                raise self.fail(
                    ("document", key),
                    f"{key} is a field of a part, not of [document]: TOML puts every key after a [document] "
                    f"header into that table, so write {key} above [document] (or in a [[part]])",
                )
        self.known(info, ("document",), DOCUMENT_FIELDS)
        text = {key: self.one_line(info, ("document", key)) for key in DOCUMENT_FIELDS[:5]}
        if text["source"] and not text["source"].startswith(ADDRESS_SCHEMES):
            raise self.fail(
                ("document", "source"),
                f"{text['source']!r} is not a web address (https://...); a document whose address is not known "
                "names the copy read as copy instead, and the tools say that its address is not known",
            )
        truncates = self.get(info, ("document", "truncates"), (bool,), False)
        if "part" in table:
            self.known(table, (), ("document", "part"))
            parts = self.get(table, ("part",), (list,))
            if not parts:
                raise self.fail(("part",), "needs at least one part")
            paths = [("part", i) for i in range(len(parts))]
            read = [self.part(p, path, f"part{i + 1}") for i, (p, path) in enumerate(zip(parts, paths))]
        else:
            self.known(table, (), ("document", *PART_FIELDS))
            paths = [()]
            read = [self.part({k: v for k, v in table.items() if k != "document"}, (), "part1")]
        for part in read:
            part.truncates = truncates
        self.link(read, paths)
        return Document(
            name=name,
            title=text["title"] or name,
            author=text["author"],
            date=text["date"],
            source=text["source"],
            copy=text["copy"],
            notes=self.strings(info, ("document", "notes")),
            parts=tuple(read),
            path=self.source,
        )

    def part(self, table: Any, path: Path_, default_id: str) -> Part:
        if not isinstance(table, Mapping):
            raise self.fail(path, f"expected a table, got {shown(table)}")
        self.known(table, path, PART_FIELDS)
        part_id = self.get(table, (*path, "id"), (str,), default_id).strip()
        if not part_id or ":" in part_id:
            raise self.fail((*path, "id"), f"{part_id!r}: a part's id is a word without ':' (from names 'id:claim')")
        network = self.get(table, (*path, "network"), (str, dict))
        make, network_name = self.network(network, (*path, "network"))
        sample = self.get(table, (*path, "sample"), (int,), None)
        try:
            example = make()
        except Exception as e:  # a spec the network library rejects
            raise self._spec_failure(e, (*path, "network")) from None
        if sample is not None and not 0 <= sample < len(example.samples):
            raise self.fail((*path, "sample"), f"no sample {sample}; the network has {len(example.samples)}")
        claims_table = self.get(table, (*path, "claim"), (list,), [])
        if not claims_table:
            raise self.fail((*path, "claim"), "a part needs at least one [[claim]]")
        working = self.get(table, (*path, "working"), (str,), "printed")
        if working not in WORKINGS:
            raise self.fail((*path, "working"), f"use one of {', '.join(WORKINGS)}, got {working!r}")
        training = self.get(table, (*path, "training"), (str,), "one sample")
        if training not in TRAININGS:
            raise self.fail((*path, "training"), f"use one of {', '.join(map(repr, TRAININGS))}, got {training!r}")
        read = [self.claim(c, (*path, "claim", i)) for i, c in enumerate(claims_table)]
        claims = [c for c in read if c is not None]
        self.check_ids(claims, path)
        part = Part(
            title=self.one_line(table, (*path, "title")) or example.title,
            id=part_id,
            network=network_name,
            make_example=make,
            sample=sample,
            claims=tuple(claims),
            notes=self.strings(table, (*path, "notes")),
            working=working,
            training=training,
            fail=lambda field, message: self.fail((*path, "network", *field), message),
            unfilled=len(read) - len(claims),
        )
        self.check_references(part, path)
        return part

    def network(self, network: str | dict, path: Path_) -> tuple[Callable[[], Any], str]:
        if isinstance(network, str):
            if network in nn.examples():
                return (lambda: nn.example(network)), network
            if network in expressions.examples():
                return (lambda: expressions.example(network)), network
            file = Path(self.source).parent / network  # a spec file, named by its path from the claim file
            if file.is_file():
                return self.network_file(file)
            raise self.fail(
                path,
                f"no bundled network and no spec file named {network!r} (a file is named by its path from this "
                f"claim file: {file} does not exist); the bundled networks are {', '.join(nn.examples())}",
            )
        spec = dict(network)
        return (lambda: nn.load_spec(spec, where=_SPEC_WHERE)), str(spec.get("name", "network"))

    def network_file(self, file: Path) -> tuple[Callable[[], Any], str]:
        """A network or expression spec file: read once here, so that its errors (its own file and line) come first."""
        table = parse_toml(read_text(file, "spec", DocumentError), str(file), DocumentError)
        if EXPRESSIONS_KEY in table:
            return (lambda: load_expressions(file)), load_expressions(file).name
        try:
            name = nn.load_spec(file).name
        except nn.SpecError as e:
            raise DocumentError(str(e)) from None
        return (lambda: nn.load_spec(file)), name

    def _spec_failure(self, error: Exception, path: Path_) -> DocumentError:
        message = str(error)
        match = re.match(rf"{re.escape(_SPEC_WHERE)}: (?P<field>[^:]+): (?P<message>.*)$", message, re.S)
        if match and match["field"] != "(top level)":
            return self.fail((*path, *parse_dotted(match["field"])), match["message"])
        if match:
            return self.fail(path, match["message"])
        return self.fail(path, f"{type(error).__name__}: {message}")

    def claim(self, table: Any, path: Path_) -> Claim | None:
        """The claim, or None for one not filled in yet (printed = "", as `backprop claims` writes them)."""
        if not isinstance(table, Mapping):
            raise self.fail(path, f"expected a table, got {shown(table)}")
        self.known(table, path, CLAIM_FIELDS)
        text = self.get(table, (*path, "quantity"), (str,))
        quantity = self.quantity(text, (*path, "quantity"))
        if table.get("printed") == "" and not table.get("from"):
            return None
        step = self.step(table, (*path, "step"))
        printed, decimals = self.printed_and_decimals(table, path)
        inputs = self.inputs(table, (*path, "from"))
        rule = self.rule(table, path, inputs, step)
        if printed is None and not inputs:
            raise self.fail(path, "a claim without printed needs from: the numbers the document computes it from")
        default_id = text if step == 0 else f"{text}@{step}"
        claim_id = self.get(table, (*path, "id"), (str,), default_id)
        if not claim_id.strip():
            raise self.fail((*path, "id"), "an id cannot be empty")
        if ":" in claim_id and "id" in table:
            raise self.fail(
                (*path, "id"), f"{claim_id!r}: an id cannot contain ':' (from = ['part1:x'] names another part's x)"
            )
        return Claim(
            id=claim_id,
            quantity=quantity,
            step=step,
            printed=printed,
            decimals=decimals,
            where=self.get(table, (*path, "where"), (str,), ""),
            inputs=tuple(x.strip() for x in inputs),
            rule=rule,
            note=self.get(table, (*path, "note"), (str,), ""),
            line=self.line(path),
            exact=printed is not None and "decimals" not in table and re.fullmatch(r"[+-]?\d+", printed) is not None,
        )

    def quantity(self, text: str, path: Path_) -> Quantity:
        try:
            quantity = parse_quantity(text)
        except QuantityError as e:
            raise self.fail(path, str(e)) from None
        for k in quantity.steps:
            if k > MAX_STEP:
                raise self.fail(path, f"{quoted(text)}: step {k}; {_STEP_LIMIT}")
        return quantity

    def step(self, table: Mapping[str, Any], path: Path_) -> int:
        step = self.get(table, path, (int,), 0)
        if step < 0:
            raise self.fail(path, f"must be 0 or more, got {step}")
        if step > MAX_STEP:
            raise self.fail(path, f"{step:,} is too many: {_STEP_LIMIT}")
        return step

    def printed_and_decimals(self, table: Mapping[str, Any], path: Path_) -> tuple[str | None, int | None]:
        printed = table.get("printed")
        if isinstance(printed, int | float) and not isinstance(printed, bool):
            raise self.fail(
                (*path, "printed"),
                f'got the TOML number {printed!r}: quote the number as printed (printed = "0.10", not 0.10), '
                "since a number loses its trailing zeros and with them the printed precision",
            )
        printed = self.get(table, (*path, "printed"), (str,), None)
        decimals = self.get(table, (*path, "decimals"), (int,), None)
        if printed is not None:
            printed = self.printed(printed, (*path, "printed"))
            if decimals is None:
                decimals = number_decimals(printed)
        if decimals is not None and not 0 <= decimals <= 17:
            raise self.fail((*path, "decimals"), f"must be between 0 and 17, got {decimals}")
        return printed, decimals

    def inputs(self, table: Mapping[str, Any], path: Path_) -> list[str]:
        inputs = self.get(table, path, (list,), [])
        for i, x in enumerate(inputs):
            if not isinstance(x, str) or not x.strip():
                raise self.fail((*path, i), f"expected a claim id or a quantity, got {shown(x)}")
            if (split_step(x)[1] or 0) > MAX_STEP:
                raise self.fail((*path, i), f"{x!r}: {_STEP_LIMIT}")
        return inputs

    def rule(self, table: Mapping[str, Any], path: Path_, inputs: list[str], step: int) -> str | None:
        rule = self.get(table, (*path, "rule"), (str,), "replay" if inputs else None)
        if rule is not None and rule not in RULES:
            raise self.fail((*path, "rule"), f"unknown rule {rule!r}; use one of {', '.join(RULES)}")
        if rule is not None and not inputs:
            raise self.fail((*path, "from"), f"rule {rule!r} needs the claims it uses in from")
        if rule in ("difference", "quotient", "update") and len(inputs) != 2:
            raise self.fail((*path, "from"), f"rule {rule!r} needs exactly two entries, got {len(inputs)}")
        if rule == "quote" and len(inputs) != 1:
            raise self.fail((*path, "from"), f"rule 'quote' needs exactly one entry, got {len(inputs)}")
        if rule == "update" and step < 1:
            raise self.fail((*path, "step"), "an update gives the value after a step: step must be 1 or more")
        return rule

    def printed(self, text: str, path: Path_) -> str:
        try:
            number_decimals(text)
            number = float(text.strip().replace(",", "."))
        except ValueError:
            raise self.fail(path, f"{quoted(text)} is not a number") from None
        if not math.isfinite(number):
            raise self.fail(path, f"{quoted(text)} is not a finite number")
        return text.strip()

    def check_ids(self, claims: list[Claim], path: Path_) -> None:
        seen: dict[str, int] = {}
        for i, claim in enumerate(claims):
            if claim.id in seen:
                raise self.fail(
                    (*path, "claim", i),
                    f"the id {claim.id!r} is already used by claim[{seen[claim.id]}]; give one of them an id",
                )
            seen[claim.id] = i

    def link(self, parts: list[Part], paths: list[Path_]) -> None:
        """Give every part the others by id, and check each from entry naming another part's claim."""
        ids = [p.id for p in parts]
        for i, (part, path) in enumerate(zip(parts, paths)):
            if part.id in ids[:i]:
                raise self.fail((*path, "id"), f"the id {part.id!r} is already used by part[{ids.index(part.id)}]")
            part.others = {p.id: p for p in parts}
        for part, path in zip(parts, paths):
            for i, claim in enumerate(part.claims):
                for j, ref in enumerate(claim.inputs):
                    if ":" in ref:
                        self.check_link(part, claim, ref, (*path, "claim", i, "from", j))
        order = part_order(parts)
        if isinstance(order, tuple):
            user, used = order
            raise self.fail(
                paths[parts.index(user)],
                f"part {user.id!r} uses numbers of part {used.id!r}, which uses numbers of part {user.id!r}: "
                "a part can only use the numbers of parts that do not use its own",
            )

    def check_link(self, part: Part, claim: Claim, ref: str, where: Path_) -> None:
        part_id, _, own = ref.rpartition(":")
        if part_id == part.id:
            raise self.fail(where, f"{ref!r} is a claim of this part: write {own!r}")
        if part_id not in part.others:
            raise self.fail(where, f"{ref!r}: no part has the id {part_id!r}; the parts are {', '.join(part.others)}")
        source = part.source(ref)
        if source is None:
            raise self.fail(where, f"{ref!r}: part {part_id!r} has no claim with the id {own!r}")
        target = source[1].quantity
        if claim.rule == "replay" and (target.kind != "value" or target.of not in part.stage(0)):
            raise self.fail(
                where,
                f"rule 'replay' recomputes from named values of this part's network; {ref!r} is not one of them: "
                'say how the document computes it with rule = "product", "sum", "difference", "quotient"',
            )

    def check_id_names_no_value(self, claim_id: str, part: Part, where: Path_) -> None:
        """Refuse an id that is also a quantity of the network: a from entry naming it could mean either."""
        try:
            check_names(parse_quantity(split_step(claim_id)[0]), part.stage(0))
        except QuantityError:
            return
        raise self.fail(
            (*where, "id"),
            f"{claim_id!r} is also a quantity of the network; "
            f"from = [{claim_id!r}] could mean either: choose another id",
        )

    def check_references(self, part: Part, path: Path_) -> None:
        """Every quantity names the network's values, every from entry resolves, and nothing is circular."""
        ids = {c.id: i for i, c in enumerate(part.claims)}
        for i, claim in enumerate(part.claims):
            where = (*path, "claim", i)
            if claim.id != (claim.quantity.text if claim.step == 0 else f"{claim.quantity.text}@{claim.step}"):
                self.check_id_names_no_value(claim.id, part, where)
            try:
                check_names(claim.quantity, part.stage(0))
                part.value_of(claim.quantity, claim.step)
            except (ArithmeticError, ValueError) as e:  # the engine's errors name the op and its operands
                raise self.fail((*where, "quantity"), str(e)) from None
            for j, ref in enumerate(claim.inputs):
                if ref in ids or ":" in ref:  # another part's claim: checked once every part is read
                    continue
                try:
                    quantity = parse_quantity(split_step(ref)[0])
                    check_names(quantity, part.stage(0))
                except QuantityError as e:
                    raise self.fail((*where, "from", j), f"{ref!r} is no claim id, and {e}") from None
                try:
                    part.value_of(quantity, reference_step(claim, ref))
                except (ArithmeticError, ValueError) as e:
                    raise self.fail((*where, "from", j), str(e)) from None
            if claim.rule == "replay":
                for j, ref in enumerate(claim.inputs):
                    if ":" in ref:
                        continue
                    target = part.claims[ids[ref]].quantity if ref in ids else parse_quantity(split_step(ref)[0])
                    if target.kind != "value":
                        others = ", ".join(f'"{r}"' for r in RULES if r not in ("replay", "quote"))
                        raise self.fail(
                            (*where, "from", j),
                            f"rule 'replay' recomputes from named values; {ref!r} is {_KINDS[target.kind]}: "
                            f"say how the document computes it from it, with rule = {others}",
                        )
        order = dependency_order(part.claims)
        if isinstance(order, str):
            raise self.fail((*path, "claim", ids[order], "from"), f"claim {order!r} depends on itself")


def part_order(parts: Sequence[Part]) -> list[Part] | tuple[Part, Part]:
    """The parts with every part after those whose claims it uses, or two parts that use each other's."""
    uses = {p.id: {ref.rpartition(":")[0] for c in p.claims for ref in c.inputs if ":" in ref} for p in parts}
    by_id = {p.id: p for p in parts}
    order: list[Part] = []
    visiting: list[str] = []

    def visit(part_id: str) -> tuple[Part, Part] | None:
        if any(p.id == part_id for p in order):
            return None
        if part_id in visiting:
            return by_id[visiting[-1]], by_id[part_id]
        visiting.append(part_id)
        for used in sorted(uses[part_id]):
            cycle = visit(used)
            if cycle:
                return cycle
        visiting.pop()
        order.append(by_id[part_id])
        return None

    for part in parts:
        cycle = visit(part.id)
        if cycle:
            return cycle
    return order


def reference_step(claim: Claim, ref: str) -> int:
    """The step a from entry that is a quantity is taken at: its own @step, else the claim's (before an update)."""
    step = split_step(ref)[1]
    if step is not None:
        return step
    return claim.step - 1 if claim.rule == "update" else claim.step


def dependency_order(claims: Sequence[Claim]) -> list[Claim] | str:
    """The claims with every claim after the claims it is computed from, or the id of one in a cycle."""
    by_id = {c.id: c for c in claims}
    done: dict[str, bool] = {}  # False while being visited
    order: list[Claim] = []
    for start in claims:
        stack = [(start, iter(start.inputs))]
        if start.id in done:
            continue
        done[start.id] = False
        while stack:
            claim, refs = stack[-1]
            for ref in refs:
                child = by_id.get(ref)
                if child is None or done.get(child.id):
                    continue
                if child.id in done:
                    return child.id
                done[child.id] = False
                stack.append((child, iter(child.inputs)))
                break
            else:
                stack.pop()
                done[claim.id] = True
                order.append(claim)
    return order
