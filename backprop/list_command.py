"""``backprop list``: the bundled worked examples and documents, each with its title."""

from __future__ import annotations

import argparse

import nn
from backprop.claims import bundled, bundled_document
from backprop.command import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print the examples, then the documents, as aligned name-and-title lines."""
    examples = [(name, nn.example(name).title) for name in nn.examples()]
    documents = [(name, bundled_document(name).title) for name in bundled()]
    for heading, rows in (
        ("Worked examples (backprop walkthrough NAME)", examples),
        ("Documents (backprop check NAME)", documents),
    ):
        print(heading)
        width = max(len(n) for n, _ in rows)
        for name, title in rows:
            print(f"  {name.ljust(width)}  {title}")
        print()
    return EXIT_OK
