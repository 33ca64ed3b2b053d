"""Reading claim files: the format, and every mistake reported with the file, the line and the field."""

from __future__ import annotations

import pytest

from backprop import DocumentError, load_document
from backprop.claims import FORMAT, number_decimals

NETWORK = """
[network]
name = "mine"
inputs = ["x"]
learning_rate = 0.1
[[network.layers]]
activation = "sigmoid"
neurons = ["n"]
weight_names = [["w"]]
bias_names = ["b"]
net = ["z"]
out = ["y_hat"]
weights = [[0.3]]
biases = [0.1]
[[network.samples]]
inputs = [0.5]
targets = [1.0]
"""

CLAIM = """
[[claim]]
quantity = "y_hat"
printed = "0.56"
where = "my notes"
"""


def write(tmp_path, text):
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_users_file_with_an_embedded_network(tmp_path):
    document = load_document(write(tmp_path, NETWORK + CLAIM))
    (part,) = document.parts
    (claim,) = part.claims
    assert (part.network, claim.id, claim.printed, claim.decimals, claim.line) == ("mine", "y_hat", "0.56", 2, 19)
    assert part.stage(0)["y_hat"].data == pytest.approx(0.5621765)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (NETWORK + CLAIM.replace('"0.56"', '"0.5x6"'), 21, "claim[0].printed: '0.5x6' is not a number"),
        (
            NETWORK + CLAIM.replace('"0.56"', "true"),
            21,
            "claim[0].printed: expected a string or an integer or a number",
        ),
        (
            NETWORK + CLAIM.replace("y_hat", "y_hut"),
            20,
            "claim[0].quantity: unknown name 'y_hut'; the network's names are",
        ),
        (NETWORK + CLAIM.replace("where", "wehre"), 22, "claim[0].wehre: unknown field; the fields here are quantity"),
        (NETWORK + CLAIM + 'from = ["nothing"]\n', 23, "claim[0].from[0]: 'nothing' is no claim id, and unknown name"),
        (NETWORK + CLAIM + 'rule = "guess"\nfrom = ["x"]\n', 23, "claim[0].rule: unknown rule 'guess'"),
        (NETWORK.replace("[[0.3]]", "[[0.3, 0.2]]") + CLAIM, 13, "network.layers[0].weights[0]: expected 1 weights"),
        (
            NETWORK.replace("[1.0]", '["one"]') + CLAIM,
            17,
            "network.samples[0].targets[0]: expected a number, got string",
        ),
        (
            NETWORK.replace("inputs = [0.5]", "inputs = [0.5, 1]") + CLAIM,
            16,
            "network.samples[0].inputs: expected 1 inputs",
        ),
        (NETWORK + CLAIM + CLAIM, 24, "claim[1]: the id 'y_hat' is already used by claim[0]"),
        (NETWORK + CLAIM.replace("printed", "step = -1\nprinted"), 21, "claim[0].step: must be 0 or more, got -1"),
    ],
)
def test_mistakes_name_the_file_the_line_and_the_field(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value).startswith(f"{path}:{line}: ")
    assert message in str(failure.value)


def test_a_toml_syntax_error_names_its_line(tmp_path):
    path = write(tmp_path, NETWORK + CLAIM + "printed = \n")
    with pytest.raises(DocumentError, match=rf"^{path}:23: TOML syntax error at column 11: Invalid value$"):
        load_document(path)


def test_a_missing_network_and_a_missing_file(tmp_path):
    path = write(tmp_path, CLAIM)
    with pytest.raises(DocumentError, match=rf"^{path}: network: this required field is missing$"):
        load_document(path)
    with pytest.raises(DocumentError, match="cannot read the claim file"):
        load_document(tmp_path / "absent.toml")
    path = write(tmp_path, 'network = "no-such-net"\n' + CLAIM)
    with pytest.raises(DocumentError, match=rf"^{path}:1: network: no bundled network named 'no-such-net'"):
        load_document(path)


def test_a_circular_working_is_refused(tmp_path):
    loop = CLAIM + 'id = "a"\nfrom = ["b"]\n' + CLAIM.replace("y_hat", "z") + 'id = "b"\nfrom = ["a"]\n'
    with pytest.raises(DocumentError, match="depends on itself"):
        load_document(write(tmp_path, NETWORK + loop))


@pytest.mark.parametrize(("text", "places"), [("0.05304", 5), ("2", 0), ("0,0052", 4), ("1.5e-3", 4), ("-0.118", 3)])
def test_printed_precision(text, places):
    assert number_decimals(text) == places


def test_the_format_is_documented():
    for field in ("quantity", "printed", "decimals", "where", "from", "rule", "truncates", "working"):
        assert field in FORMAT
