"""The bundled claim files read, and say where and how each number is printed (the numbers: test_examples)."""

from __future__ import annotations

import pytest

from backprop import bundled, bundled_document


def test_one_file_per_seed_document():
    assert bundled() == ["000-russo", "001-three-examples", "002-hmkcode", "003-swap-network"]


@pytest.mark.parametrize("name", ["000-russo", "001-three-examples", "002-hmkcode", "003-swap-network"])
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
