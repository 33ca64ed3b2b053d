"""``backprop formats``: the three file formats, every field with its shape, each with an example."""

from __future__ import annotations

import argparse

import nn
from backprop.claims import FORMAT as CLAIMS
from backprop.command import EXIT_OK
from backprop.expressions import FORMAT as EXPRESSIONS

NETWORK_EXAMPLE = """\
# my-net.toml
name = "my-net"
inputs = ["x"]
learning_rate = 0.1

[[layers]]
size = 1
activation = "sigmoid"
weights = [[0.3]]
biases = [0.1]

[[samples]]
inputs = [0.5]
targets = [1.5]
"""

EXPRESSION_EXAMPLE = """\
# lecture.toml
[values]
a = 2.0
b = -3.0
c = 10.0
f = -2.0

[expressions]
e = "a * b"
d = "e + c"
L = "d * f"
"""

CLAIMS_EXAMPLE = """\
# mine.toml (backprop claims my-net.toml writes one with every quantity)
network = "my-net.toml"

[[claim]]
quantity = "out_n1_1"
printed = "0.5622"
where = "my notes, page 1"

[[claim]]
quantity = "dE_total/dw1_1_1"
printed = "-0.0566"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No arguments."""


def run(args: argparse.Namespace) -> int:
    """Print each format and its example."""
    for title, text, example in (
        ("A network spec (a network, its samples, loss and learning rate)", nn.specs.SCHEMA, NETWORK_EXAMPLE),
        ("An expression spec (any expression, e.g. a lecture's)", EXPRESSIONS, EXPRESSION_EXAMPLE),
        ("A claim file (the numbers a document prints about a network)", CLAIMS, CLAIMS_EXAMPLE),
    ):
        print(f"{title}\n{'=' * len(title)}\n\n{text}\nFor example:\n\n{example}")
    return EXIT_OK
