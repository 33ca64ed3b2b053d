"""The backprop command: each subcommand's output and exit status, called through main()."""

from __future__ import annotations

import pytest

from backprop.cli import main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_names_the_examples_and_the_documents(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0
    for name in ("russo-3-3-3", "one-neuron", "hmkcode-2-2-1", "swap-2-4-3-2", "000-russo", "003-swap-network"):
        assert f"  {name}  " in out


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
        (["walkthrough", "nope"], "backprop: error: no worked example named 'nope'; they are "),
        (["walkthrough", "one-neuron", "--steps", "0"], "backprop: error: --steps must be at least 1, got 0"),
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


def test_an_unknown_command_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
