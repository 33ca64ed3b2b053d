"""The bundled claim files read, and say where and how each number is printed (the numbers: test_examples)."""

from __future__ import annotations

import pytest

import nn
from backprop import audit_rows, bundled, bundled_document
from backprop.explanation import NamedGraph


def test_one_file_per_seed_document():
    assert bundled() == ["000-russo", "001-three-examples", "002-hmkcode", "003-swap-network", "004-mazur"]


@pytest.mark.parametrize("name", ["000-russo", "001-three-examples", "002-hmkcode", "003-swap-network", "004-mazur"])
def test_every_claim_says_where_it_is_printed(name):
    for claim in bundled_document(name).claims:
        assert claim.where, claim.id
        if claim.printed is not None:
            assert claim.decimals is not None


def test_document_000_prints_a_second_forward_pass():
    step_one = [c for c in bundled_document("000-russo").claims if c.step == 1 and c.printed is not None]
    assert len(step_one) == 25  # 18 new weights, 6 outputs, the error


def test_document_002_has_the_text_and_the_listing():
    text, listing = bundled_document("002-hmkcode").parts
    assert listing.working == "full" and text.working == "printed" and text.truncates
    assert {c.decimals for c in listing.claims if c.step == 1} == {8}  # a program's output
    assert {c.decimals for c in text.claims if c.step == 1} == {3}


def test_document_003_rounds_to_four_decimals():
    computed = [c for c in bundled_document("003-swap-network").claims if c.rule is not None]
    assert len(computed) == 18 and {c.decimals for c in computed if c.decimals > 1} == {4}  # 0.1 is exact


def test_document_004_is_mazurs_post_with_its_source_and_two_findings():
    """Every number Mazur's post prints agrees but two: a last digit, and the error after the first round, which is
    what a round gives whose hidden-layer gradients use the already updated w5…w8 (redone here with the engine)."""
    document = bundled_document("004-mazur")
    assert (document.author, document.date) == ("Matt Mazur", "2015-03-17")
    assert document.source == "https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/"
    rows = audit_rows("004-mazur")
    assert len(rows) == 30
    assert [r.id for r in rows if r.verdict != "agree"] == ["dE_o2/dout_h1", "E_total@1"]
    example = nn.example("mazur-2-2-2")
    pass_ = example.forward().backward()
    updated = {name: pass_[name].data - 0.5 * pass_[name].grad for name in ("w5", "w6", "w7", "w8")}
    graph = NamedGraph(pass_.loss)  # the hidden layer's gradients: the same paths, with the updated w5…w8 on them
    updated |= {
        name: pass_[name].data - 0.5 * graph.path_sum(pass_[name], updated) for name in ("w1", "w2", "w3", "w4")
    }
    for name, value in updated.items():
        example[name].data = value
    assert f"{example.forward().loss.data:.9f}" == "0.291027924"
