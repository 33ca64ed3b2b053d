"""``backprop list [NAME]``: the bundled worked examples and documents, or the named values of NAME's network."""

from __future__ import annotations

import argparse
from typing import Any

import nn
from backprop import expressions, sources
from backprop.claims import bundled, bundled_document
from backprop.command import EXIT_OK, NAME_HELP, part_heading


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """An optional NAME (and --part): without it, what is bundled."""
    parser.add_argument("name", nargs="?", help=f"list the values of this network by name: {NAME_HELP}")
    parser.add_argument("--part", type=int, metavar="N", help="for a document with several parts: only part N")


def run(args: argparse.Namespace) -> int:
    """Print what is bundled, or every value of NAME's worked sample: its name, number and role."""
    if args.name is None:
        _bundled()
        return EXIT_OK
    found = sources.subjects(args.name, args.part)
    for k, subject in enumerate(found):
        if len(found) > 1:
            print(("\n" if k else "") + part_heading(args.name, subject.title))
        _values(*subject.computed())
    return EXIT_OK


def _bundled() -> None:
    examples = [(name, nn.example(name).title, "") for name in nn.examples()]
    lectures = [(name, (e := expressions.example(name)).title, e.source) for name in expressions.examples()]
    documents = [(name, (d := bundled_document(name)).title, d.citation) for name in bundled()]
    for heading, rows in (
        ("Worked examples (backprop walkthrough NAME)", examples),
        ("Expressions (backprop walkthrough NAME)", lectures),
        ("Documents (backprop check NAME)", documents),
    ):
        print(heading)
        width = max(len(n) for n, _, _ in rows)
        for name, title, source in rows:
            print(f"  {name.ljust(width)}  {title}")
            if source:
                print(f"  {' ' * width}  source: {source}")
        print()


def _values(example: Any, pass_: nn.Pass) -> None:
    """One line a value, in the pass's order (inputs and parameters first, the loss last)."""
    sample = f", sample {pass_.index + 1}" if example.samples[0].inputs else ""  # an expression has no samples
    print(f"{example.name}{sample}: each value by the name explain, claim files and quantities use")
    width = max(len(name) for name in pass_.names())
    for name in pass_.names():
        value = pass_[name]
        role = (value.meta or {}).get("role", "")
        print(f"  {name.ljust(width)}  {value.data:<12.6g}  {role}".rstrip())
