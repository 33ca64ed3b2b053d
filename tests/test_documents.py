"""The bundled claim files: they read, and their transcriptions hold the documents' printed numbers."""

from __future__ import annotations

import pytest

from backprop import bundled, bundled_document


def printed(name):
    return {(c.id, c.step): c.printed for c in bundled_document(name).claims if c.printed is not None}


def test_one_file_per_seed_document():
    assert bundled() == ["000-russo", "001-three-examples", "002-hmkcode", "003-swap-network"]


@pytest.mark.parametrize("name", ["000-russo", "001-three-examples", "002-hmkcode", "003-swap-network"])
def test_every_claim_says_where_it_is_printed(name):
    for claim in bundled_document(name).claims:
        assert claim.where, claim.id
        if claim.printed is not None:
            assert claim.decimals is not None


def test_document_000_numbers():
    numbers = printed("000-russo")
    assert numbers["out_h1", 0] == "0.59387" and numbers["E_o1", 0] == "0.2938"
    assert numbers["dE_total/dw10", 0] == "0.05304" and numbers["w10@1", 1] == "0.62348"
    assert numbers["w5@1", 1] == "0.39845" and numbers["out_h3@1", 1] == "0.62237"
    assert numbers["error reduction", 0] == "0,0052"
    assert sum(1 for _, step in numbers if step == 1) == 25  # 18 new weights, 6 outputs, the error


def test_document_002_has_the_text_and_the_listing():
    document = bundled_document("002-hmkcode")
    text, listing = document.parts
    assert listing.working == "full" and text.working == "printed" and document.parts[0].truncates
    assert {c.printed for c in listing.claims if c.step == 1} >= {"0.16535608", "0.22520171", "0.29414432"}
    assert {c.printed for c in text.claims if c.step == 1} >= {"0.162", "0.448", "0.286"}


def test_document_003_rounds_to_four_decimals():
    numbers = printed("003-swap-network")
    assert [numbers[f"out_b{n}", 0] for n in range(1, 5)] == ["0.5250", "0.5744", "0.6225", "0.6682"]
    assert numbers["net_d1", 0] == "0.9441"
