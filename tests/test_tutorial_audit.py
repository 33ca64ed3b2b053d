"""Published tutorials that are not bundled, each spec and claim file written from `backprop formats` alone
(tests/tutorials/): every number computed from one of a page's wrong numbers is attributed as carried, and each
verdict is the one a re-derivation by hand gives."""

from __future__ import annotations

from pathlib import Path

from backprop import AGREE, CARRIED, DISAGREE, OWN, ROUNDING, audit_rows, load_document

TUTORIALS = Path(__file__).parent / "tutorials"
CLAIMS = TUTORIALS / "primelearnpoint-2x2.toml"


def test_every_number_computed_from_a_wrong_one_is_carried_and_only_the_slips_are_wrong_in_themselves():
    rows = {r.id: r for r in audit_rows(str(CLAIMS))}
    # by hand: 0.0275 + 0.35 is 0.3775, not 0.3825; 0.0425 + 0.35 is 0.3925, not 0.3900; σ(0.3825) is 0.59448
    assert {i for i, r in rows.items() if r.origin == OWN} == {"net_H1", "net_H2", "out_H1"}
    carried = {"out_H2", "w5 * out_H1", "w7 * out_H2", "net_Y1 - b2", "w6 * out_H1", "w8 * out_H2", "net_Y2 - b2"}
    assert {i for i, r in rows.items() if r.origin == CARRIED} == carried
    # the squares of the page's rounded errors (0.747² = 0.5580, the engine's 0.5579) are its rounding
    assert {i for i, r in rows.items() if r.verdict == ROUNDING} == {
        "(target_Y1 - out_Y1) ** 2",
        "(target_Y2 - out_Y2) ** 2",
    }
    assert sum(r.verdict == AGREE for r in rows.values()) == 8
    wrong = {i for i, r in rows.items() if r.verdict == DISAGREE}
    for claim in load_document(CLAIMS).claims:
        if claim.id in rows and any(ref in wrong for ref in claim.inputs) and rows[claim.id].verdict == DISAGREE:
            row = rows[claim.id]
            assert row.origin == CARRIED or "on top of the error it carries from" in row.explanation, claim.id


def test_a_slip_on_top_of_a_carried_error_says_both():
    (row,) = [r for r in audit_rows(str(CLAIMS)) if r.id == "out_H1"]
    assert row.explanation.startswith("wrong in itself, on top of the error it carries from net_H1: its own inputs")


def _by_verdict(rows):
    """The claim ids of rows: wrong in itself, carried forward, agreeing with rounding, and the number agreeing."""
    own = {r.id for r in rows if r.origin == OWN}
    carried = {r.id for r in rows if r.origin == CARRIED}
    return own, carried, {r.id for r in rows if r.verdict == ROUNDING}, sum(r.verdict == AGREE for r in rows)


def _carried_are_attributed(path, rows):
    """A disagreeing number whose declared inputs include a wrong one is carried, or says it carries it too."""
    by_id = {r.id: r for r in rows}
    wrong = {r.id for r in rows if r.verdict == DISAGREE}
    for claim in load_document(path).claims:
        row = by_id.get(claim.id)
        if row is not None and row.verdict == DISAGREE and wrong & set(claim.inputs):
            assert row.origin == CARRIED or "on top of the error it carries from" in row.explanation, claim.id


def test_a_tiny_relu_sigmoid_tutorial_whose_wrong_loss_gradient_is_carried_to_both_weights():
    """dL/da2 of −log(1 − a2) is 1/(1 − a2) = 2.284; the page writes a2 − y = 0.562 (that is dL/dz2) and then
    multiplies by σ' again: every gradient and both updated weights after it carry that one slip."""
    path = TUTORIALS / "tiny-relu-sigmoid.toml"
    rows = audit_rows(str(path))
    own, carried, rounding, agree = _by_verdict(rows)
    assert own == {"dL/da2"}
    assert carried == {"dL/dz2", "dL/dw2", "dL/da1", "dL/dz1", "dL/dw1", "w2@1", "w1@1"}
    assert (rounding, agree) == (set(), 7)
    _carried_are_attributed(path, rows)


def test_a_2_2_2_tutorial_to_the_end_of_its_backward_pass():
    """Kelshaw's post, checked by hand: its two output-layer formulas as written do not give what it prints (+ 0.35
    and 0.45·out_h2 + 0.55 where its numbers use 0.60 and 0.55·out_h2), a misprinted gradient (0.0821671041 for
    0.0821670407), three last digits cut instead of rounded; the numbers computed from two of those carry them."""
    path = TUTORIALS / "kelshaw-2-2-2.toml"
    rows = audit_rows(str(path))
    own, carried, rounding, agree = _by_verdict(rows)
    cut = {"dE_total/dnet_h1", "dE_o2/dout_h2", "dE_total/dout_h2"}
    assert own == {"net_o1 as written", "net_o2 as written", "dE_total/dw11_2"} | cut
    assert carried == {"dE_total/dw21_1", "dE_total/dnet_h2", "dE_total/dw22_1"}
    # δ_o2, dout_h2/dnet_h2 and what uses them are worked out from the page's printed out_o2 and out_h2: its rounding
    assert rounding == {
        "dE_total/dnet_o1",
        "dE_total/dnet_o2",
        "dE_total/dw12_2",
        "dE_total/dout_h1",
        "dE_o1/dout_h2",
        "dout_h2/dnet_h2",
    }
    assert agree == 31
    assert all("the last digit was cut, not rounded" in r.explanation for r in rows if r.id in cut)
    _carried_are_attributed(path, rows)
