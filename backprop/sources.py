"""What a NAME on the command line stands for: a bundled example or document, a spec file or a claim file.

Every command that shows a worked example (walkthrough, explain, graph, page) reads its NAME here, so a
user's own file works wherever a bundled name does. What cannot be read raises a DocumentError naming the
file and line, which the CLI prints as its error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nn
from autograd import Value
from backprop import expressions
from backprop.claims import DocumentError, bundled, bundled_document, load_document
from backprop.expressions import EXPRESSIONS_KEY, ExpressionExample, load_expressions
from inputfiles import Path_, dotted, parse_toml, read_text, toml_line

SPEC_KEY = "layers"  # a TOML file with top-level layers is a network spec, with expressions an expression spec
SPEC_WORDS = {"network": "a network spec", "expressions": "an expression spec"}


@dataclass(frozen=True)
class Subject:
    """One worked example a NAME stands for, with the sample its numbers are about."""

    title: str  # the example's name, or the claim file's part it comes from
    make: Callable[[], nn.WorkedExample | ExpressionExample]  # a fresh copy each call
    sample: int | None = None  # None: the example's own worked sample
    fail: Callable[[Path_, str], DocumentError] | None = None  # an error at a field of the network, where it is written

    def error(self, field: Path_, message: str) -> DocumentError:
        """The error about a field of the example's network (learning_rate, samples[2]), naming its file and line."""
        if self.fail is not None:
            return self.fail(field, message)
        return DocumentError(f"{self.title}: {dotted(field)}: {message}")

    def computed(self, sample: int | None = None) -> tuple[Any, nn.Pass]:
        """A fresh example and the pass of sample (default: the subject's), grads filled in.

        A sample whose numbers overflow or leave an op's domain is a DocumentError naming the sample where it is.
        """
        example = self.make()
        index = sample if sample is not None else self.sample if self.sample is not None else example.worked_sample
        try:
            return example, example.forward(index).backward()
        except (ArithmeticError, ValueError) as e:  # the engine's errors name the op and its operands
            raise self.error(("samples", index), f"this sample's pass cannot be computed: {e}") from None


def subjects(name: str, part: int | None = None) -> list[Subject]:
    """The worked examples NAME stands for (one, or a document's parts; only part N if given)."""
    found = _subjects(name)
    if part is None:
        return found
    if not 1 <= part <= len(found):
        raise DocumentError(f"{name} has {len(found)} part{'s' * (len(found) > 1)}; the part must be 1 to {len(found)}")
    return [found[part - 1]]


def subject(name: str, part: int | None = None) -> Subject:
    """The one worked example NAME (with --part N, if it has several parts) stands for; DocumentError if none."""
    found = subjects(name, part)
    if len(found) > 1:
        raise DocumentError(f"{name} has {len(found)} parts; choose one with --part 1 to {len(found)}")
    return found[0]


def _subjects(name: str) -> list[Subject]:
    path = Path(name)
    if path.is_file():
        return _file_subjects(path)
    if name in nn.examples():
        return [Subject(name, lambda: nn.example(name))]
    if name in expressions.examples():
        return [Subject(name, lambda: expressions.example(name))]
    if name in bundled():
        return _document_subjects(bundled_document(name))
    if path.suffix == ".toml" or len(path.parts) > 1:
        raise DocumentError(f"{name}: no such file")
    raise DocumentError(f"no worked example, document or file named {name!r}; {known_names()}")


def known_names() -> str:
    """The bundled names, as a clause for an error message."""
    return (
        f"the examples are {', '.join(nn.examples())}; the expressions are {', '.join(expressions.examples())}; "
        f"the documents are {', '.join(bundled())}"
    )


def document(name: str) -> Any:
    """The claim file or bundled document NAME stands for (a file of that name wins); DocumentError if none."""
    path = Path(name)
    if name in bundled() and not path.exists():
        return bundled_document(name)
    if not path.exists() and path.suffix != ".toml" and len(path.parts) == 1:
        raise DocumentError(f"no document or claim file named {name!r}; the documents are {', '.join(bundled())}")
    kind = spec_kind(path) if path.is_file() else None
    if kind is not None:
        raise DocumentError(
            f"{name}: {SPEC_WORDS[kind]}, not a claim file: it prints no numbers to check. The numbers worked out "
            f"for it go in a claim file: `backprop claims {name} -o {path.stem}-claims.toml` writes one naming each "
            "of its quantities, to fill in (`backprop formats` describes both)"
        )
    return load_document(path)


def _file_subjects(path: Path) -> list[Subject]:
    kind = spec_kind(path)
    if kind == "expressions":
        example = load_expressions(path)  # read once here, so that a bad file is refused before anything runs
        fail = lambda field, message: _expression_error(path, field, message)  # noqa: E731
        return [Subject(example.name, lambda: load_expressions(path), fail=fail)]
    if kind == "network":
        try:
            example = nn.load_spec(path)
        except nn.SpecError as e:
            raise DocumentError(str(e)) from None
        return [
            Subject(
                example.name, lambda: nn.load_spec(path), fail=lambda field, message: _spec_error(path, field, message)
            )
        ]
    return _document_subjects(load_document(path))


def _spec_error(path: Path, field: Path_, message: str) -> DocumentError:
    try:
        return DocumentError(str(nn.spec_error(path, field, message)))
    except nn.SpecError as e:  # the file can no longer be read
        return DocumentError(str(e))


def _expression_error(path: Path, field: Path_, message: str) -> DocumentError:
    line = toml_line(read_text(path, "expression spec", DocumentError), field)
    return DocumentError(f"{path}{f':{line}' if line else ''}: {dotted(field)}: {message}")


def spec_kind(path: Path) -> str | None:
    """ "network" or "expressions" if path holds a spec of that kind, read within the input files' limits, else None.

    A file that is not readable TOML within them goes to the claim-file reader, whose error names the line.
    """
    try:
        table = parse_toml(read_text(path, "file", DocumentError), str(path), DocumentError)
    except DocumentError:
        return None
    return "network" if SPEC_KEY in table else "expressions" if EXPRESSIONS_KEY in table else None


def value_subject(root: Value) -> Subject:
    """A Value graph as the one worked example of a command (its names: its labels)."""
    return Subject(ExpressionExample(root).name, lambda: ExpressionExample(root))


def _document_subjects(doc: Any) -> list[Subject]:
    many = len(doc.parts) > 1
    return [
        Subject(f"part {i}: {part.title}" if many else part.title, part.make_example, part.sample, part.fail)
        for i, part in enumerate(doc.parts, 1)
    ]
