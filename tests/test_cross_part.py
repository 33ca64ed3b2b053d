"""A claim that uses another part's number: "part1:y_hat" in from, its errors, and its audit."""

from __future__ import annotations

import pytest

from backprop import CARRIED, DISAGREE, DocumentError, audit_rows, load_document
from tests.test_claims import NETWORK

SPEC = NETWORK.replace("[network]\n", "").replace("[[network.", "[[")

FIRST = """
[[part]]
title = "forward pass"
network = "net.toml"
[[part.claim]]
quantity = "y_hat"
printed = "0.60"
[[part.claim]]
quantity = "1 - y_hat"
printed = "0.40"
from = ["y_hat"]
"""

SECOND = """
[[part]]
title = "the sigmoid's derivative"
network = "net.toml"
[[part.claim]]
quantity = "y_hat * (1 - y_hat)"
printed = "0.24"
rule = "product"
from = ["part1:y_hat", "part1:1 - y_hat"]
"""


def write(tmp_path, text):
    (tmp_path / "net.toml").write_text(SPEC, encoding="utf-8")
    path = tmp_path / "doc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_number_computed_from_another_parts_wrong_number_is_carried_forward(tmp_path):
    rows = audit_rows(str(write(tmp_path, FIRST + SECOND)))
    assert [(r.id, r.verdict, r.origin) for r in rows] == [
        ("y_hat", DISAGREE, "wrong in itself"),
        ("1 - y_hat", DISAGREE, CARRIED),
        ("y_hat * (1 - y_hat)", DISAGREE, CARRIED),
    ]
    assert rows[2].recomputed == pytest.approx(0.24)
    assert "the error comes from part1:y_hat, part1:1 - y_hat" in rows[2].explanation


def test_a_part_is_audited_after_the_part_whose_numbers_it_uses_and_named_by_its_id(tmp_path):
    """The using part comes first in the file; the used one has its own id; the rows stay in file order."""
    second = SECOND.replace("part1:", "forward:")
    rows = audit_rows(str(write(tmp_path, second + FIRST.replace('title = "forward pass"', 'id = "forward"'))))
    assert [(r.id, r.origin) for r in rows] == [
        ("y_hat * (1 - y_hat)", CARRIED),
        ("y_hat", "wrong in itself"),
        ("1 - y_hat", CARRIED),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            FIRST + SECOND.replace("part1:y_hat", "part3:y_hat"),
            20,
            "part[1].claim[0].from[0]: 'part3:y_hat': no part has the id 'part3'; the parts are part1, part2",
        ),
        (
            FIRST + SECOND.replace("part1:y_hat", "part1:z"),
            20,
            "part[1].claim[0].from[0]: 'part1:z': part 'part1' has no claim with the id 'z'",
        ),
        (
            FIRST.replace('from = ["y_hat"]', 'from = ["part1:y_hat"]'),
            11,
            "part[0].claim[1].from[0]: 'part1:y_hat' is a claim of this part: write 'y_hat'",
        ),
        (
            FIRST + SECOND.replace('rule = "product"', 'rule = "replay"'),
            20,
            "part[1].claim[0].from[1]: rule 'replay' recomputes from named values of this part's network; "
            "'part1:1 - y_hat' is not one of them",
        ),
        (
            FIRST.replace('title = "forward pass"', 'id = "a:b"'),
            3,
            "part[0].id: 'a:b': a part's id is a word without ':'",
        ),
        (
            FIRST + SECOND.replace('title = "the', 'id = "part1"\ntitle = "the'),
            14,
            "part[1].id: the id 'part1' is already used by part[0]",
        ),
        (
            FIRST.replace('printed = "0.40"', 'printed = "0.40"\nid = "p:q"'),
            11,
            "part[0].claim[1].id: 'p:q': an id cannot contain ':'",
        ),
        (
            FIRST.replace('from = ["y_hat"]', 'rule = "quote"\nfrom = ["part2:y_hat * (1 - y_hat)"]') + SECOND,
            14,
            "part[1]: part 'part2' uses numbers of part 'part1', which uses numbers of part 'part2'",
        ),
    ],
)
def test_a_reference_to_another_part_that_is_unknown_ambiguous_or_circular_is_refused(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value).startswith(f"{path}:{line}: "), str(failure.value)
    assert message in str(failure.value)


def test_an_update_from_another_parts_gradient_is_judged_with_it(tmp_path):
    """part 2 steps its v with part 1's printed gradient of w (another network's name): a wrong step is wrong in
    itself, and the slips tried on it are this part's."""
    (tmp_path / "net2.toml").write_text('loss_name = "Loss"\n' + SPEC.replace('[["w"]]', '[["v"]]'), encoding="utf-8")
    first = FIRST + '[[part.claim]]\nquantity = "dE_total/dw"\nprinted = "-0.0578"\n'
    second = """
[[part]]
network = "net2.toml"
[[part.claim]]
quantity = "v"
step = 1
printed = "0.3300"
rule = "update"
from = ["v", "part1:dE_total/dw"]
"""
    rows = audit_rows(str(write(tmp_path, first + second)))
    assert (rows[-1].verdict, rows[-1].origin) == (DISAGREE, "wrong in itself")
    assert rows[-1].recomputed == pytest.approx(0.3 + 0.1 * 0.0578)
