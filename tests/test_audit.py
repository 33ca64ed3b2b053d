"""The audit's verdicts on the bundled documents, checked against hand arithmetic on their numbers."""

from __future__ import annotations

import math

import pytest

from backprop import CARRIED, DISAGREE, OWN, ROUNDING, audit_rows
from backprop.recomputation import matches, truncates


@pytest.fixture(scope="module")
def rows():
    return {name: {r.id: r for r in audit_rows(name)} for name in ("000-russo", "001-three-examples")}


def test_rounding_and_cutting_at_a_precision():
    assert matches(0.05304, 0.053044, 5) and not matches(0.05304, 0.05306, 5)
    assert truncates(0.72272, 0.7227253, 5) and not truncates(0.72273, 0.7227253, 5)
    assert truncates(-0.205, -0.205625, 3) and not truncates(0.5, 0.6, 0)


def test_a_slip_in_a_product_is_wrong_in_itself(rows):
    # 0.76655 · 0.11564 · 0.59387 = 0.052643 by hand, not the printed 0.05304
    row = rows["000-russo"]["dE_total/dw10"]
    assert (row.verdict, row.origin) == (DISAGREE, OWN)
    assert row.recomputed == pytest.approx(0.76655 * 0.11564 * 0.59387)
    assert row.engine == pytest.approx(0.0526425, abs=1e-7)
    assert "0.05264292" in row.explanation


def test_an_update_from_a_wrong_gradient_is_carried_forward(rows):
    row = rows["000-russo"]["w10@1"]  # 0.65 - 0.5 · 0.05304 = 0.62348: right given the slip
    assert (row.verdict, row.origin) == (DISAGREE, CARRIED)
    assert row.recomputed == pytest.approx(0.62348)
    assert "dE_total/dw10" in row.explanation


def test_a_borrowed_gradient_is_named(rows):
    # 0.4 - 0.5 · dE/dw6 (0.0031042) = 0.39845, the printed w5 after the step
    row = rows["000-russo"]["w5@1"]
    assert (row.verdict, row.origin) == (DISAGREE, OWN)
    assert "the gradient of w6" in row.explanation


def test_a_sum_of_rounded_terms_agrees_with_rounding(rows):
    row = rows["000-russo"]["dE_total/dout_h1"]  # 0.057618 + 0.0297 - 0.00351 = 0.083808
    assert row.verdict == ROUNDING
    assert row.recomputed == pytest.approx(0.083808)


def test_a_cut_number_agrees_with_rounding_in_a_document_that_cuts(rows):
    row = rows["000-russo"]["w12@1"]
    assert row.verdict == ROUNDING and "cut (not rounded)" in row.explanation


def test_a_sign_slip_in_an_update_is_named(rows):
    row = rows["001-three-examples"]["b2@1"]  # 0.4 - 0.1 · (-0.205) = 0.4205, printed 0.3795
    assert (row.verdict, row.origin) == (DISAGREE, OWN)
    assert row.recomputed == pytest.approx(0.4205)
    assert "added instead of subtracted" in row.explanation


def test_a_value_taken_for_another_is_named(rows):
    z3 = rows["001-three-examples"]["z3 (in the second equation)"]
    assert z3.origin == OWN and "the value of a2, not of z3" in z3.explanation
    factor = rows["001-three-examples"]["dz3/dw2 (in dL/dw2)"]
    assert factor.origin == OWN and "the value of x" in factor.explanation
    gradient = rows["001-three-examples"]["dL/dw2"]  # -0.875 · 0.235 · 0.5 = -0.1028
    assert gradient.origin == CARRIED and gradient.recomputed == pytest.approx(-0.875 * 0.235 * 0.5)


def test_the_stated_label_disagrees_with_the_one_used(rows):
    row = rows["001-three-examples"]["y"]
    assert (row.verdict, row.engine) == (DISAGREE, 1.5)


def test_the_listing_updating_with_new_weights_is_found():
    rows = {(r.part, r.id): r for r in audit_rows("002-hmkcode")}
    listing = next(part for part, _ in rows if "Python" in part)
    w1 = rows[listing, "w1@1"]  # 0.15 + 0.05 · 0.786 · 2 · 0.19537 = 0.16535608
    assert w1.origin == OWN and "the updated w5" in w1.explanation
    w2 = rows[listing, "w2@1"]  # the listing pairs w2 with w6
    assert "the updated w6" in w2.explanation and "in place of w5" in w2.explanation
    out = rows[listing, "out@1"]
    assert out.origin == CARRIED
    text = next(part for part, _ in rows if "text" in part)
    assert rows[text, "h2@1"].origin == OWN  # 2 · 0.115 + 3 · 0.073 = 0.449, printed 0.448
    assert rows[text, "h1@1"].verdict == ROUNDING  # from the cut weights: 2 · 0.162 + 3 · 0.218


def test_four_decimal_working_is_rounding_and_one_slip():
    rows = {r.id: r for r in audit_rows("003-swap-network") if r.part.startswith("The forward")}
    assert rows["net_c3"].verdict == ROUNDING
    # 0.3 · 0.6876 + 0.4 · 0.7802 + 0.5 · 0.8513 = 0.94401, printed 0.9441
    assert rows["net_d1"].origin == OWN and rows["net_d1"].recomputed == pytest.approx(0.94401)
    assert rows["out_d1"].verdict != DISAGREE


def test_rows_carry_the_printed_text_and_its_place(rows):
    row = rows["000-russo"]["error reduction"]
    assert (row.printed, row.decimals) == ("0,0052", 4)
    assert row.difference == pytest.approx(0.0052 - row.engine)
    assert row.where.startswith("§4") and row.line is not None


def audited(tmp_path, claims: str) -> str:
    from backprop import load_document
    from backprop.audit import audit_document, format_audit

    path = tmp_path / "mine.toml"
    path.write_text('network = "one-neuron"\n' + claims, encoding="utf-8")
    return format_audit(audit_document(load_document(path)))


def test_a_finding_cites_the_file_and_line_and_shows_no_empty_where(tmp_path):
    report = audited(tmp_path, '[[claim]]\nquantity = "w"\nprinted = "9.5"\n')
    finding = next(line for line in report.splitlines() if line.startswith("  - "))
    assert finding == f"  - w = 9.5 ({tmp_path / 'mine.toml'}:2): DISAGREE (wrong in itself)"


def test_a_printed_integer_is_exact_unless_its_decimals_are_set(tmp_path):
    """A printed 0 agreed with z = 0.25 (checked to ±0.5); an integer is taken as exact, or as rounded if told so."""
    report = audited(
        tmp_path, '[[claim]]\nquantity = "z"\nprinted = "0"\n[[claim]]\nquantity = "4 * x"\nprinted = "2"\n'
    )
    assert "  z         0        0   0.250            -0.250  DISAGREE (wrong in itself)" in report
    assert "  4 * x     0        2   2.000                 0  agree" in report
    report = audited(tmp_path, '[[claim]]\nquantity = "z"\nprinted = "0"\ndecimals = 0\n')
    assert "1 agree, 0 agree with rounding, 0 disagree" in report


def test_a_declared_rule_with_right_inputs_and_a_wrong_result_is_a_wrong_formula_not_rounding(tmp_path):
    """The weight change as the product of the gradient's factors, the learning rate left out: each factor agrees
    with the engine, the product follows from them, yet it is not the change; it was called rounding."""
    factors = ("dL/dy_hat", "-0.937823"), ("dy_hat/dz", "0.246134"), ("dz/dw", "0.5")
    claims = "".join(f'[[claim]]\nquantity = "{q}"\nprinted = "{p}"\n' for q, p in factors)
    claims += '[[claim]]\nquantity = "w@1 - w"\nprinted = "-0.115415"\nrule = "product"\n'
    claims += 'from = ["dL/dy_hat", "dy_hat/dz", "dz/dw"]\n'
    report = audited(tmp_path, claims)
    assert "  w@1 - w       0  -0.115415   0.011541516      -0.126956516  DISAGREE (wrong in itself)" in report
    assert (
        "wrong in itself: the product of its factors (dL/dy_hat, dy_hat/dz, dz/dw) is not this quantity: from the "
        "engine's values of them it gives -0.115415163, not the engine's 0.011541516; the document's formula is wrong"
    ) in report


SOFTMAX = '[values]\nz1 = 1.0\nz2 = 2.0\n[expressions]\ne1 = "exp(z1)"\ne2 = "exp(z2)"\ns = "e1 + e2"\np1 = "e1 / s"\n'


def test_numbers_computed_from_a_wrong_expression_are_carried_forward(tmp_path):
    """As the softmax tutorial does: its own printed e^z over its own printed sum. The first is wrong (2.817 for
    e = 2.71828); the sum and the quotient follow from it and are carried, not wrong in themselves."""
    from backprop import load_document

    (tmp_path / "softmax.toml").write_text(SOFTMAX, encoding="utf-8")
    claims = [
        'id = "e0"\nquantity = "exp(z1)"\nprinted = "2.817"',
        'quantity = "exp(z2)"\nprinted = "7.389"',
        'quantity = "s"\nprinted = "10.206"\nfrom = ["e0", "exp(z2)"]\nrule = "sum"',
        'quantity = "p1"\nprinted = "0.2760"\nfrom = ["e0", "s"]\nrule = "quotient"',
    ]
    path = tmp_path / "claims.toml"
    path.write_text('network = "softmax.toml"\n' + "".join(f"[[claim]]\n{c}\n" for c in claims), encoding="utf-8")
    rows = {r.id: r for r in audit_rows(str(path))}
    assert (rows["e0"].verdict, rows["e0"].origin) == (DISAGREE, OWN)
    assert rows["exp(z2)"].verdict == "agree"
    for carried in ("s", "p1"):
        assert (rows[carried].verdict, rows[carried].origin) == (DISAGREE, CARRIED), carried
    assert rows["p1"].recomputed == pytest.approx(2.817 / 10.206)
    path.write_text(path.read_text().replace('rule = "quotient"', 'rule = "replay"'), encoding="utf-8")
    with pytest.raises(
        ValueError,
        match=r"claim\[3\].from\[0\]: rule 'replay' recomputes from named values; 'e0' is "
        r"an expression: say how the document computes it from it, with rule = \"product\", \"sum\"",
    ):
        load_document(path)


@pytest.mark.parametrize(
    ("claims", "explanation"),
    [
        # w − η·g = 0.3 − 0.1·(−0.115415): printed as w − g, and as w + η·g
        ('quantity = "w"\nstep = 1\nprinted = "0.415415"', "inferred: the learning rate was left out (w − gradient"),
        ('quantity = "w"\nstep = 1\nprinted = "0.288458"', "inferred: the step was added instead of subtracted"),
        # z = 0.25 printed as y_hat = 0.562177: at four digits a slip, at three it may be chance
        ('quantity = "z"\nprinted = "0.5622"', "the engine gives 0.2500000; inferred: it is the value of y_hat"),
        (
            'quantity = "z"\nprinted = "0.562"',
            "inferred (at 3 significant digits this may be chance): it is the value of y_hat",
        ),
    ],
)
def test_slips_are_inferred_without_a_declared_rule_and_say_so(tmp_path, claims, explanation):
    assert explanation in audited(tmp_path, f"[[claim]]\n{claims}\n") + "\n"


def test_a_path_missed_and_a_number_rounded_twice_are_inferred(tmp_path):
    """q = a·b + a: dq/da has two paths (b through p, 1 directly); 0.1245749 rounded to 6 and then 5 decimals."""
    spec = '[values]\na = 0.1245749\nb = 3.25\n[expressions]\np = "a * b"\nq = "p + a"\n'
    (tmp_path / "paths.toml").write_text(spec, encoding="utf-8")
    claims = '[[claim]]\nquantity = "dq/da"\nprinted = "3.25"\n[[claim]]\nquantity = "a"\nprinted = "0.12458"\n'
    path = tmp_path / "claims.toml"
    path.write_text('network = "paths.toml"\n' + claims, encoding="utf-8")
    rows = {r.id: r for r in audit_rows(str(path))}
    assert (rows["dq/da"].verdict, rows["dq/da"].origin) == (DISAGREE, OWN)
    assert rows["dq/da"].explanation.endswith(
        "inferred: a path was missed: this is one of its 2 chain-rule paths (3.25)"
    )
    assert rows["a"].verdict == ROUNDING
    assert rows["a"].explanation == "inferred: the engine's 0.12457490 rounded twice, to 0.124575 and then again"


def test_a_step_the_documents_numbers_push_out_of_range_is_judged_without_it(tmp_path):
    # y_hat printed as 1e300: redoing E from it squares 1e300, which overflows; the verdict uses the engine
    claims = '[[claim]]\nquantity = "y_hat"\nprinted = "1e300"\n[[claim]]\nquantity = "L"\nprinted = "0.5"\n'
    report = audited(tmp_path, claims + 'from = ["y_hat"]\n')
    assert "  - L = 0.5 (" in report and "wrong in itself: the engine gives" in report
    assert "1e+300" in report  # a huge difference is shown in short, not digit by digit


def test_a_large_networks_slips_are_judged_without_trying_every_swap(tmp_path, monkeypatch):
    from backprop import audit, load_document
    from backprop.explanation import NamedGraph

    network = (
        '[network]\nname = "big"\ninputs = 1\nlearning_rate = 0.5\n'
        '[[network.layers]]\nsize = 70\nactivation = "sigmoid"\n'
        '[[network.layers]]\nsize = 1\nactivation = "sigmoid"\n'
        "[[network.samples]]\ninputs = [1.0]\ntargets = [0.0]\n"
    )
    claim = '[[claim]]\nquantity = "w1_1_1"\nstep = 1\nprinted = "9.5"\nrule = "update"\n'
    claim += 'from = ["w1_1_1", "dE_total/dw1_1_1"]\n'
    path = tmp_path / "big.toml"
    path.write_text(network + claim, encoding="utf-8")
    document = load_document(path)
    tried = 0
    path_sum = NamedGraph.path_sum

    def counted(self, *args):
        nonlocal tried
        tried += 1
        return path_sum(self, *args)

    monkeypatch.setattr(NamedGraph, "path_sum", counted)
    (row,) = audit.audit_document(document).rows
    assert (row.verdict, row.origin) == (DISAGREE, OWN)
    assert tried == 0  # 211 parameters: without the limit, 421 gradients redone for this one claim


def test_audit_document_takes_a_bundled_name_or_a_claim_files_path_as_audit_rows_does():
    """backprop.audit_document("000-russo") raised AttributeError on the name."""
    import backprop

    by_name = backprop.audit_document("000-russo")
    assert by_name.rows == backprop.audit_document(backprop.bundled_document("000-russo")).rows
    assert list(by_name.rows) == backprop.audit_rows("000-russo")


def mazur_dw1(*, factor: str = "out_h1", weight: str = "w5") -> float:
    """∂E_total/∂w1 of Mazur's pass worked out by hand, with the hidden factor or the weight out_h1 reaches
    out_o1 by taken from another node: δ_o1·w5 + δ_o2·w7, times out_h1·(1 − out_h1), times i1."""
    import nn

    v = {name: x.data for name, x in nn.example("mazur-2-2-2").forward().values.items()}
    delta = [(v[f"out_o{k}"] - v[f"target_o{k}"]) * v[f"out_o{k}"] * (1 - v[f"out_o{k}"]) for k in (1, 2)]
    return (delta[0] * v[weight] + delta[1] * v["w7"]) * v[factor] * (1 - v[factor]) * v["i1"]


@pytest.mark.parametrize(
    ("printed", "named"),
    [
        (mazur_dw1(factor="out_h2"), "∂out_h2/∂net_h2 (0.240613) in place of ∂out_h1/∂net_h1 (0.241301)"),
        (mazur_dw1(weight="w6"), "∂net_o1/∂out_h2 (0.450000) in place of ∂net_o1/∂out_h1 (0.400000)"),
    ],
)
def test_backprop_check_names_a_factor_taken_from_the_wrong_node(tmp_path, capsys, printed, named):
    from backprop.cli import main

    assert not math.isclose(printed, mazur_dw1(), rel_tol=1e-3)
    path = tmp_path / "mine.toml"
    claim = f'[[claim]]\nquantity = "dE_total/dw1"\nprinted = "{printed:.9f}"\n'
    path.write_text('network = "mazur-2-2-2"\n' + claim, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"the engine gives {mazur_dw1():.12f}; inferred: a factor from the wrong node: {named}\n" in out
