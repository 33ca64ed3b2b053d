"""A published tutorial that is not bundled, its spec and claim file written from `backprop formats` alone
(tests/tutorials/): every number computed from one of the page's wrong numbers is attributed as carried."""

from __future__ import annotations

from pathlib import Path

from backprop import AGREE, CARRIED, DISAGREE, OWN, ROUNDING, audit_rows, load_document

CLAIMS = Path(__file__).parent / "tutorials" / "primelearnpoint-2x2.toml"


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
