"""The backprop command: each subcommand's output and exit status, called through main()."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys

import pytest

import nn
from backprop.claims import FORMAT
from backprop.cli import COMMANDS, main
from backprop.expressions import FORMAT as EXPRESSIONS


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_names_the_examples_and_the_documents(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0
    for name in ("russo-3-3-3", "one-neuron", "hmkcode-2-2-1", "swap-2-4-3-2", "000-russo", "003-swap-network"):
        assert f"  {name}  " in out
    assert (  # each document with where it was published
        "  004-mazur           A Step by Step Backpropagation Example\n                      source: Matt Mazur, "
        "2015-03-17, https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/\n"
    ) in out
    assert (  # a document whose address was not found says so, with the copy read
        "  003-swap-network    Backpropagation for a network of any size (a 2-4-3-2 example)\n"
        "                      source: address not known; the copy we have: 003_d906bfaca4040157.txt "
        "(the project's seeds)\n"
    ) in out
    assert "source: Datamapu, 2024-03-31, https://datamapu.com/posts/deep_learning/backpropagation/\n" in out
    sources = [line.split("source: ")[1] for line in out.splitlines() if "source: " in line]
    assert all("https://" in s or s.startswith("address not known") or ", address not known" in s for s in sources)


def test_list_of_a_network_names_each_value_with_its_number_and_role(capsys, tmp_path, monkeypatch):
    """A learner's own spec names its values by patterns: list shows them (they had to be found in the output)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.toml").write_text(
        'name = "net"\ninputs = ["x"]\nlearning_rate = 0.1\n[[layers]]\nsize = 1\nactivation = "sigmoid"\n'
        "weights = [[0.3]]\nbiases = [0.1]\n[[samples]]\ninputs = [0.5]\ntargets = [1.5]\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, "list", "net.toml")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "net, sample 1: each value by the name explain, claim files and quantities use",
        "  w1_1_1       0.3           parameter",
        "  b1_1         0.1           parameter",
        "  x            0.5           input",
        "  net_n1_1     0.25",
        "  out_n1_1     0.562177",
        "  target_n1_1  1.5           target",
        "  E_total      0.439756      loss",
    ]
    status, out, _ = run(capsys, "list", "002-hmkcode")
    assert out.count("# 002-hmkcode, part ") == 2 and "  w5       0.16          parameter" in out
    assert run(capsys, "list", "nope")[0] == 2


def test_check_ends_with_one_summary_line_per_document(capsys):
    status, out, err = run(capsys, "check")
    assert (status, err) == (1, "")  # the bundled documents hold disagreements
    summary = out[out.index("\nSummary\n") :].splitlines()[2:]
    assert summary == [
        "  000-russo: 77 numbers: 61 agree, 6 agree with rounding, 10 disagree (3 wrong in itself, 7 carried forward)",
        "  001-three-examples: 46 numbers: 35 agree, 2 agree with rounding, 9 disagree (6 wrong in itself, "
        "3 carried forward)",
        "  002-hmkcode: 48 numbers: 33 agree, 6 agree with rounding, 9 disagree (5 wrong in itself, 4 carried forward)",
        "  003-swap-network: 60 numbers: 58 agree, 1 agree with rounding, 1 disagree (1 wrong in itself, "
        "0 carried forward)",
        "  004-mazur: 30 numbers: 28 agree, 0 agree with rounding, 2 disagree (2 wrong in itself, 0 carried forward)",
    ]
    assert main(["check"]) == 1 and capsys.readouterr().out == out  # stable enough to diff


def test_check_tables_are_aligned(capsys):
    _, out, _ = run(capsys, "check", "000-russo")
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("  claim "))
    table = lines[header : lines.index("", header)]
    verdict_column = table[0].index("verdict")
    assert all(len(line) >= verdict_column for line in table)
    row = next(line for line in table if line.startswith("  dE_total/dw10 "))
    assert row[verdict_column:] == "DISAGREE (wrong in itself)"
    assert "0.05304" in row and "0.05264254" in row and "+0.00039746" in row


def test_check_a_users_file_that_agrees(capsys, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        'network = "russo-3-3-3"\n[[claim]]\nquantity = "dE_total/dw10"\nprinted = "0.05264"\n'
        '[[claim]]\nquantity = "w10"\nstep = 1\nprinted = "0.62368"\n',
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "check", str(path))
    assert status == 0
    assert out.splitlines()[-1] == "  mine: 2 numbers: 2 agree, 0 agree with rounding, 0 disagree"


def test_a_bad_file_gets_a_message_status_2_and_no_report(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('network = "russo-3-3-3"\n[[claim]]\nquantity = "w99"\nprinted = "1"\n', encoding="utf-8")
    status, out, err = run(capsys, "check", "000-russo", str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"backprop: error: {path}:3: claim[0].quantity: unknown name 'w99'")


def test_walkthrough_text_and_markdown(capsys):
    status, out, _ = run(capsys, "walkthrough", "russo-3-3-3")
    assert status == 0
    assert "  out_h1 = σ(net_h1) = σ(0.38) = 0.593873" in out
    assert "w10 ← w10 − η·∂E_total/∂w10 = 0.65 − 0.5·0.0526425 = 0.623679" in out
    assert "After 1 step: forward pass again" in out
    status, out, _ = run(capsys, "walkthrough", "one-neuron", "--steps", "2", "--format", "markdown")
    assert status == 0
    assert "## Step 2: forward pass with the updated parameters" in out
    assert "\\hat{y} &= \\sigma\\left(z\\right) = \\sigma\\left(0.25\\right) = 0.562177 \\\\" in out
    assert out.count("$$") % 2 == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["walkthrough", "nope"],
            "backprop: error: no worked example, document or file named 'nope'; the examples are ",
        ),
        (["walkthrough", "one-neuron", "--steps", "0"], "backprop: error: --steps must be between 1 and 1,000, got 0"),
        (  # a billion steps wrote text without end
            ["walkthrough", "one-neuron", "--steps", "1000000000"],
            "backprop: error: --steps must be between 1 and 1,000, got 1000000000",
        ),
        (["explain", "one-neuron", "v"], "backprop: error: one-neuron has no value named 'v'; its parameters are w, b"),
    ],
)
def test_bad_arguments_exit_with_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith(message)


def test_explain_prints_the_chain_rule(capsys):
    status, out, _ = run(capsys, "explain", "russo-3-3-3", "w10")
    assert status == 0
    assert out.splitlines()[0] == "∂E_total/∂w10 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w10"


@pytest.mark.parametrize(
    ("typed", "meant"), [("walkthrogh", "walkthrough"), ("chek", "check"), ("Graph", "graph"), ("walk", "walkthrough")]
)
def test_a_mistyped_command_is_refused_with_the_closest_one(capsys, typed, meant):
    with pytest.raises(SystemExit) as exit_:
        main([typed, "002-hmkcode"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"backprop: error: no command {typed!r}: did you mean {meant!r}? "
        "(the commands are list, walkthrough, check, explain, claims, formats, graph, page, probe)"
    )


def test_an_unknown_command_is_an_argparse_error_with_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    usage, message = capsys.readouterr().err.splitlines()[-2:]
    assert usage.startswith("usage: backprop ")
    assert message == (
        "backprop: error: no command 'frobnicate' "
        "(the commands are list, walkthrough, check, explain, claims, formats, graph, page, probe)"
    )


def test_walkthrough_of_a_document_with_several_parts_heads_each_part(capsys):
    status, out, _ = run(capsys, "walkthrough", "001-three-examples")
    assert status == 0
    assert [line for line in out.splitlines() if line.startswith("# ")] == [
        "# 001-three-examples, part 1: Example 1: one neuron",
        "# 001-three-examples, part 2: Example 2: two neurons in a chain",
    ]
    assert "\n\n# 001-three-examples, part 2: Example 2: two neurons in a chain\n\ntwo-neurons-chain: " in out
    status, out, _ = run(capsys, "walkthrough", "002-hmkcode")  # two parts about one example's numbers
    first, second = out.split("\n# 002-hmkcode, part 2: The Python listing's printed values (its comments)\n\n")
    assert first.startswith("# 002-hmkcode, part 1: The text's worked numbers\n\nhmkcode-2-2-1: Linear 2-2-1 ")
    assert first.count("hmkcode-2-2-1") == 1
    assert second == (
        "The same worked example and numbers as part 1: the parts differ only in the numbers the document prints, "
        "which `backprop check 002-hmkcode` audits.\n"
    )


def test_the_help_lists_each_command_of_the_table_with_its_help_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps long help lines
    places = [text.find(f" {c.name} {c.help} ") for c in COMMANDS]
    assert -1 not in places and places == sorted(places)


SPEC = """\
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

CLAIMS = """\
[[part]]
title = "the russo network"
network = "russo-3-3-3"
[[part.claim]]
quantity = "w10"
printed = "0.65"

[[part]]
title = "my own neuron"
[part.network]
name = "mine"
inputs = ["x"]
learning_rate = 0.5
layers = [{ size = 1, activation = "tanh", weights = [[2.0]] }]
samples = [{ inputs = [0.25], targets = [1.0] }]
[[part.claim]]
quantity = "out_n1_1"
printed = "0.462"
"""


@pytest.fixture
def users_files(tmp_path, monkeypatch):
    """A network spec and a two-part claim file written by a user, in the working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-net.toml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "claims.toml").write_text(CLAIMS, encoding="utf-8")
    return tmp_path


def test_walkthrough_of_a_users_spec_file(capsys, users_files):
    status, out, err = run(capsys, "walkthrough", "my-net.toml")
    assert (status, err) == (0, "")
    assert out.startswith("my-net\n======\n\n")  # the name as written; its title is the name too
    assert "  net_n1_1 = w1_1_1·x + b1_1 = 0.3·0.5 + 0.1 = 0.25" in out
    assert "Source:" not in out  # the spec names no source


def test_the_page_of_a_users_spec_file_is_headed_by_its_name_as_written(capsys, users_files):
    assert run(capsys, "page", "my-net.toml", "--train", "0")[0] == 0
    text = (users_files / "my-net.html").read_text(encoding="utf-8")
    assert "<title>my-net</title>" in text and "<h1>my-net</h1>" in text


def test_walkthrough_says_which_sample_each_step_uses_and_can_take_them_in_turn(capsys, users_files):
    """--steps 2 on a spec with two samples used the first sample twice and said nothing."""
    (users_files / "two.toml").write_text(SPEC + "\n[[samples]]\ninputs = [1.0]\ntargets = [0.0]\n", encoding="utf-8")
    status, out, _ = run(capsys, "walkthrough", "two.toml", "--steps", "2")
    assert status == 0 and "2 samples: every step uses sample 1 (one step per sample in turn: --in-turn)." in out
    assert "Step 2: forward pass on sample 1 with the updated parameters" in out
    status, out, _ = run(capsys, "walkthrough", "two.toml", "--steps", "2", "--in-turn")
    assert status == 0 and "2 samples: one step per sample, in turn, from sample 1." in out
    assert "Step 2: forward pass on sample 2 with the updated parameters" in out
    assert "  net_n1_1 = w1_1_1·x + b1_1 = 0.311542·1 + 0.123083 = 0.434625" in out  # sample 2's x = 1
    assert "After 2 steps: forward pass again on sample 1" in out
    assert "sample" not in run(capsys, "walkthrough", "my-net.toml")[1]  # one sample: nothing to say


def test_explain_and_graph_of_a_users_spec_file(capsys, users_files):
    status, out, _ = run(capsys, "explain", "my-net.toml", "b1_1")
    assert status == 0
    assert out.splitlines()[1].strip() == "= -0.937823 · 0.246134 · 1 = -0.23083"
    assert run(capsys, "graph", "my-net.toml")[0] == 0
    assert (users_files / "my-net-graph.svg").read_bytes().startswith(b"<?xml")


def test_every_part_of_a_users_claim_file(capsys, users_files):
    status, out, _ = run(capsys, "walkthrough", "claims.toml")
    assert status == 0
    assert "\nrusso-3-3-3: 3-3-3 sigmoid network" in out and "\nmine\n====\n" in out and "mine: mine" not in out
    assert "out_n1_1 = tanh(net_n1_1) = tanh(0.5) = 0.462117" in out
    status, out, _ = run(capsys, "explain", "claims.toml", "--part", "2")
    assert status == 0
    assert out.startswith("∂E_total/∂w1_1_1 = ")
    assert run(capsys, "graph", "claims.toml", "--part", "2", "--view", "network")[0] == 0
    assert (users_files / "claims-part2-network.svg").exists()


def test_a_bundled_document_is_a_name_too(capsys):
    status, out, _ = run(capsys, "walkthrough", "001-three-examples", "--part", "2")
    assert status == 0
    assert out.startswith("two-neurons-chain: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["graph", "claims.toml"], "claims.toml has 2 parts; choose one with --part 1 to 2"),
        (["explain", "claims.toml", "--part", "3"], "claims.toml has 2 parts; the part must be 1 to 2"),
        (
            ["explain", "claims.toml", "w99"],
            "claims.toml (part 1: the russo network) has no value named 'w99'; its parameters",
        ),
        (["walkthrough", "missing.toml"], "missing.toml: no such file"),
        (["check", "nope"], "no document or claim file named 'nope'; the documents are 000-russo, 001-three-examples"),
        (["walkthrough", "bad.toml"], "bad.toml:7: layers[0].activation: unknown activation 'sigmoids'"),
    ],
)
def test_bad_names_and_files_exit_with_status_2(capsys, users_files, argv, message):
    (users_files / "bad.toml").write_text(SPEC.replace('"sigmoid"', '"sigmoids"'), encoding="utf-8")
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith(f"backprop: error: {message}")


def test_version_and_python_dash_m(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"backprop {importlib.metadata.version('scalar-backprop')}\n"
    result = subprocess.run([sys.executable, "-m", "backprop", "list"], capture_output=True, text=True)
    assert result.returncode == 0 and "russo-3-3-3" in result.stdout


def test_control_characters_from_a_file_are_shown_not_obeyed(capsys, tmp_path, monkeypatch):
    """An escape sequence in a claim file's note or title cannot erase a line, fake a row or retitle the terminal."""
    monkeypatch.chdir(tmp_path)
    hostile = CLAIMS.replace('title = "the russo network"', 'title = "the russo network\\u202e"').replace(
        'printed = "0.65"', 'printed = "0.99"\nnote = "\\u001b]0;pwned\\u0007 fine"'
    )
    (tmp_path / "claims.toml").write_text(hostile, encoding="utf-8")
    status, out, err = run(capsys, "check", "claims.toml")
    assert status in (0, 1) and err == ""
    assert not any(ch in out for ch in "\x1b\x07\r\u202e")
    assert "the russo network\\u202e" in out and "\\x1b]0;pwned\\x07 fine" in out
    # a one-line field is refused with a control character in it, and the refusal shows it escaped
    retitled = CLAIMS.replace('title = "the russo network"', 'title = "the russo\\u001b[2K\\rnetwork"')
    (tmp_path / "claims.toml").write_text(retitled, encoding="utf-8")
    status, out, err = run(capsys, "check", "claims.toml")
    assert status == 2 and "'the russo\\x1b[2K\\rnetwork' holds a line break or another control character" in err
    assert not any(ch in out + err for ch in "\x1b\r")


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """backprop check | head -1: no BrokenPipeError traceback, and the status of a tool ended by SIGPIPE."""
    import subprocess
    import sys

    pipe = subprocess.run(
        f"{sys.executable} -m backprop check | head -1", shell=True, capture_output=True, text=True, check=False
    )
    assert pipe.stdout.startswith("000-russo: ") and pipe.stderr == ""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line: every write meets the closed pipe
    gone = subprocess.run(
        [sys.executable, "-m", "backprop", "check"], stdout=write, stderr=subprocess.PIPE, check=False
    )
    os.close(write)
    assert (gone.returncode, gone.stderr) == (141, b"")


@pytest.mark.parametrize("command", ["walkthrough", "explain", "graph", "page"])
def test_a_crafted_file_is_refused_within_the_input_limits_with_status_2(capsys, tmp_path, monkeypatch, command):
    """Deciding whether a file is a spec or a claim file reads it within the limits too (it raised RecursionError)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    (tmp_path / "big.toml").write_text("# " + "a" * (17 * 2**20) + "\n", encoding="utf-8")
    status, _, err = run(capsys, command, "deep.toml")
    assert (status, err) == (2, "backprop: error: deep.toml:1: lists and tables are nested more than 32 deep\n")
    status, _, err = run(capsys, command, "big.toml")
    assert status == 2 and err.startswith("backprop: error: big.toml: the claim file is larger than 16 MiB")


def spec_with(**lines):
    """SPEC with a line replaced: key=(old, new)."""
    text = SPEC
    for old, new in lines.values():
        assert old in text
        text = text.replace(old, new, 1)
    return text


@pytest.mark.parametrize("command", [["walkthrough"], ["explain"], ["graph"], ["page", "--train", "3"]])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            spec_with(t=("learning_rate = 0.1", 'learning_rate = 0.1\ntrainable = [["w1_1_1"]]')),
            "my-net.toml:4: trainable[0]: expected a parameter's name, got list ['w1_1_1']",
        ),
        (
            spec_with(t=("learning_rate = 0.1", 'learning_rate = 0.1\ntrainable = ["b1_1", "b1_1"]')),
            "my-net.toml:4: trainable[1]: 'b1_1' is listed twice: trainable[0] and [1]",
        ),
        (
            spec_with(w=("weights = [[0.3]]", "weights = [[1e308]]"), x=("inputs = [0.5]", "inputs = [1e308]")),
            "my-net.toml:11: samples[0]: this sample's pass cannot be computed: weighted_sum: the result of "
            "weighted_sum(1e+308, 1e+308, 0.1) overflows a float",
        ),
        (
            spec_with(t=("targets = [1.5]", "targets = [1e200]")),
            "my-net.toml:11: samples[0]: this sample's pass cannot be computed: pow: ",
        ),
    ],
)
def test_a_spec_the_engine_cannot_use_is_bad_input_with_its_line(capsys, users_files, command, text, message):
    (users_files / "my-net.toml").write_text(text, encoding="utf-8")
    status, out, err = run(capsys, command[0], "my-net.toml", *command[1:])
    assert (status, out) == (2, "")
    assert err.startswith(f"backprop: error: {message}") and err.count("\n") == 1


def test_gradient_descent_that_overflows_names_the_learning_rate_where_it_is_written(capsys, users_files):
    text = spec_with(lr=("0.1", "1e300"), linear=('"sigmoid"', '"linear"'))
    (users_files / "my-net.toml").write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "walkthrough", "my-net.toml", "--steps", "3")
    assert (status, out) == (2, "")
    assert err.startswith("backprop: error: my-net.toml:3: learning_rate: gradient-descent step 2 with learning rate ")
    assert err.endswith(" overflows a float; a smaller learning rate keeps the numbers finite\n")
    text = CLAIMS.replace("learning_rate = 0.5", "learning_rate = 1e300").replace('"tanh"', '"linear"')
    (users_files / "claims.toml").write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "walkthrough", "claims.toml", "--part", "2", "--steps", "3")
    assert (status, out) == (2, "")
    assert err.startswith("backprop: error: claims.toml:13: part[1].network.learning_rate: gradient-descent step 2")


def test_a_sample_that_overflows_is_named_when_it_is_drawn(capsys, users_files):
    text = SPEC + "[[samples]]\ninputs = [1e308]\ntargets = [0.0]\n"
    (users_files / "my-net.toml").write_text(text.replace("[[0.3]]", "[[10.0]]"), encoding="utf-8")
    assert run(capsys, "graph", "my-net.toml")[0] == 0  # the worked sample is fine
    status, out, err = run(capsys, "graph", "my-net.toml", "--sample", "1")
    assert (status, out) == (2, "")
    assert err.startswith("backprop: error: my-net.toml:14: samples[1]: this sample's pass cannot be computed: ")


def test_check_says_a_spec_is_not_a_claim_file(capsys, users_files):
    status, out, err = run(capsys, "check", "my-net.toml")
    assert (status, out) == (2, "")
    assert err == (
        "backprop: error: my-net.toml: a network spec, not a claim file: it prints no numbers to check. The numbers "
        "worked out for it go in a claim file: `backprop claims my-net.toml -o my-net-claims.toml` writes one naming "
        "each of its quantities, to fill in (`backprop formats` describes both)\n"
    )
    assert run(capsys, "claims", "my-net.toml", "-o", "my-net-claims.toml")[:2] == (0, "wrote my-net-claims.toml\n")
    status, out, _ = run(capsys, "check", "my-net-claims.toml")
    assert status == 0 and "Part 1: my-net (network my-net)\n  (no printed number filled in yet)\n" in out
    assert out.endswith(
        'my-net-claims: 0 numbers: 0 agree, 0 agree with rounding, 0 disagree; 10 not filled in yet (printed = "")\n'
    )


def test_a_claim_file_skeleton_names_every_quantity_of_a_spec(capsys, users_files):
    """Filled in, the skeleton is a claim file: each quantity a value of the spec, checked against the engine."""
    status, out, _ = run(capsys, "claims", "my-net.toml")
    assert status == 0 and 'network = "my-net.toml"\n' in out
    quantities = re.findall(r'quantity = "(.*)"', out)
    assert quantities == [
        "net_n1_1", "out_n1_1", "E_total",
        "dE_total/dnet_n1_1", "dE_total/dout_n1_1", "dE_total/dw1_1_1", "dE_total/db1_1",
        "w1_1_1", "b1_1", "E_total",
    ]  # fmt: skip
    assert out.count("step = 1") == 3
    filled = out.replace('"net_n1_1"\nprinted = ""', '"net_n1_1"\nprinted = "0.5"')  # the first claim filled in
    (users_files / "mine.toml").write_text(filled, encoding="utf-8")
    status, out, _ = run(capsys, "check", "mine.toml")
    assert status == 1 and "  net_n1_1     0      0.5" in out and "; 9 not filled in yet" in out
    status, _, err = run(capsys, "claims", "000-russo")
    assert status == 2 and "000-russo: not a spec file or a bundled worked example" in err


def test_formats_prints_every_format_with_an_example(capsys):
    status, out, _ = run(capsys, "formats")
    assert status == 0
    assert nn.specs.SCHEMA in out and FORMAT in out and EXPRESSIONS in out
    assert out.count("For example:") == 3
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "backprop formats" in capsys.readouterr().out


def test_options_go_anywhere_among_the_names(capsys):
    assert run(capsys, "explain", "002-hmkcode", "--part", "2", "w1") == run(
        capsys, "explain", "--part", "2", "002-hmkcode", "w1"
    )
    status, out, _ = run(capsys, "explain", "002-hmkcode", "w1", "--part", "2")
    assert status == 0 and out.startswith("∂Error/∂w1 = ")


def test_check_of_a_claim_file_without_a_title_heads_it_with_its_name_once(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text(
        'network = "russo-3-3-3"\n[[claim]]\nquantity = "w10"\nstep = 1\nprinted = "0.62368"\n', encoding="utf-8"
    )
    status, out, _ = run(capsys, "check", "mine.toml")
    assert status == 0 and out.splitlines()[0] == "mine"  # it read "mine: mine"
