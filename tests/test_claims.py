"""Reading claim files: the format, and every mistake reported with the file, the line and the field."""

from __future__ import annotations

import pytest

from backprop import DocumentError, audit_rows, load_document
from backprop.claims import FORMAT, number_decimals
from backprop.cli import main

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
        (NETWORK + CLAIM.replace('"0.56"', "true"), 21, "claim[0].printed: expected a string, got boolean True"),
        (
            NETWORK + CLAIM.replace("y_hat", "y_hut"),
            20,
            "claim[0].quantity: unknown name 'y_hut'; the network's names are",
        ),
        (NETWORK + CLAIM.replace('"y_hat"', '"y_hat#1"'), 20, "claim[0].quantity: 'y_hat#1': '#' is not allowed"),
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


@pytest.mark.parametrize("field", ["title", "author", "copy"])
def test_a_one_line_field_with_a_line_break_is_refused(tmp_path, field):
    """A title, author or copy is shown on one line by list, check and the page: a line break would break them."""
    header = f'[document]\n{field} = """Notes\nmore"""\n'
    path = write(tmp_path, header + NETWORK + CLAIM)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value) == (
        f"{path}:2: document.{field}: 'Notes\\nmore' holds a line break or another control character: it is one line"
    )


def test_a_document_cites_its_address_or_says_it_is_not_known(tmp_path, capsys):
    """source is a published address; a file name there is refused, and a copy's name is shown as only that."""
    header = '[document]\ntitle = "Notes"\nauthor = "Me"\nsource = "notes.txt"\n'
    path = write(tmp_path, header + NETWORK + CLAIM)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value) == (
        f"{path}:4: document.source: 'notes.txt' is not a web address (https://...); a document whose address is "
        "not known names the copy read as copy instead, and the tools say that its address is not known"
    )
    write(tmp_path, header.replace("source", "copy") + NETWORK + CLAIM)
    document = load_document(path)
    assert (document.address, document.citation) == (
        "address not known; the copy we have: notes.txt",
        "Me, address not known; the copy we have: notes.txt",
    )
    assert main(["check", str(path)]) == 0
    assert "\nsource: address not known; the copy we have: notes.txt\n" in capsys.readouterr().out
    write(tmp_path, header.replace("notes.txt", "https://example.org/notes") + NETWORK + CLAIM)
    assert load_document(path).citation == "Me, https://example.org/notes"
    assert load_document(write(tmp_path, NETWORK + CLAIM)).citation == ""


def test_a_parts_field_written_below_document_says_where_it_belongs(tmp_path):
    """TOML files every key after [document] into it: network = ... written there is a common first mistake."""
    path = write(tmp_path, '[document]\ntitle = "Notes"\nnetwork = "my-net.toml"\n' + CLAIM)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value) == (
        f"{path}:3: document.network: network is a field of a part, not of [document]: TOML puts every key after "
        "a [document] header into that table, so write network above [document] (or in a [[part]])"
    )


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
    with pytest.raises(
        DocumentError, match=rf"^{path}:1: network: no bundled network and no spec file named 'no-such-net'"
    ):
        load_document(path)


def test_a_network_named_by_its_spec_file_next_to_the_claim_file(tmp_path, monkeypatch):
    """network = "my-net.toml" is a path from the claim file (not from where check runs), of either kind of spec."""
    (tmp_path / "specs").mkdir()
    spec = NETWORK.replace("[network]\n", "").replace("[[network.", "[[")
    (tmp_path / "specs" / "my-net.toml").write_text(spec)
    (tmp_path / "specs" / "lecture.toml").write_text('[values]\na = 2.0\nb = -3.0\n[expressions]\ne = "a * b"\n')
    net = tmp_path / "specs" / "mine.toml"
    net.write_text('network = "my-net.toml"\n[[claim]]\nquantity = "w"\nprinted = "0.3"\n')
    lecture = tmp_path / "specs" / "lecture-claims.toml"
    lecture.write_text('network = "lecture.toml"\n[[claim]]\nquantity = "de/da"\nprinted = "-2"\n')
    monkeypatch.chdir(tmp_path)
    assert [r.verdict for r in audit_rows(str(net))] == ["agree"]
    assert [(r.engine, r.verdict) for r in audit_rows(str(lecture))] == [(-3.0, "disagree")]
    missing = tmp_path / "specs" / "other.toml"
    missing.write_text('network = "nets/absent.toml"\n[[claim]]\nquantity = "w1"\nprinted = "0.3"\n')
    with pytest.raises(
        DocumentError,
        match=r"other.toml:1: network: no bundled network and no spec file named "
        r"'nets/absent.toml' \(a file is named by its path from this claim file: .*specs/nets/absent.toml",
    ):
        load_document(missing)


def test_training_one_sample_at_a_time_is_expressible(tmp_path):
    """A tutorial that takes a step per pattern: step 1 on sample 0, step 2 on sample 1, each forward pass on the
    sample of the next step (the walkthrough's --in-turn shows the same numbers)."""
    spec = (
        NETWORK.replace("[network]\n", "").replace("[[network.", "[[")
        + "[[samples]]\ninputs = [1.0]\ntargets = [0.0]\n"
    )
    (tmp_path / "two.toml").write_text(spec, encoding="utf-8")
    claims = '[[claim]]\nquantity = "w"\nstep = 2\nprinted = "0.290958"\n'  # after a step on each sample
    claims += '[[claim]]\nquantity = "x"\nstep = 1\nprinted = "1"\n'  # the second sample's input, after one step
    path = tmp_path / "turns.toml"
    path.write_text('network = "two.toml"\ntraining = "in turn"\n' + claims, encoding="utf-8")
    assert [r.verdict for r in audit_rows(str(path))] == ["agree", "agree"]
    path.write_text('network = "two.toml"\n' + claims, encoding="utf-8")  # every step on sample 0
    assert [r.verdict for r in audit_rows(str(path))] == ["disagree", "disagree"]
    path.write_text('network = "two.toml"\ntraining = "each"\n' + claims, encoding="utf-8")
    with pytest.raises(DocumentError, match=r"turns.toml:2: training: use one of 'one sample', 'in turn', got 'each'"):
        load_document(path)


def test_a_circular_working_is_refused(tmp_path):
    loop = CLAIM + 'id = "one"\nfrom = ["two"]\n' + CLAIM.replace("y_hat", "z") + 'id = "two"\nfrom = ["one"]\n'
    with pytest.raises(DocumentError, match="depends on itself"):
        load_document(write(tmp_path, NETWORK + loop))


@pytest.mark.parametrize("claim_id", ["b", "w@1", "z - b"])  # a value's name (the bias b), at a step, an expression
def test_an_id_that_is_also_a_quantity_is_refused(tmp_path, claim_id):
    text = NETWORK + CLAIM + f'id = "{claim_id}"\n' + CLAIM.replace('"y_hat"', '"z"') + f'from = ["{claim_id}"]\n'
    path = write(tmp_path, text)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value) == (
        f"{path}:23: claim[0].id: {claim_id!r} is also a quantity of the network; "
        f"from = [{claim_id!r}] could mean either: choose another id"
    )
    ok = load_document(write(tmp_path, text.replace(f'"{claim_id}"', '"my y_hat"')))  # a name of its own
    assert ok.claims[1].inputs == ("my y_hat",)


@pytest.mark.parametrize(("text", "places"), [("0.05304", 5), ("2", 0), ("0,0052", 4), ("1.5e-3", 4), ("-0.118", 3)])
def test_printed_precision(text, places):
    assert number_decimals(text) == places


def test_the_format_is_documented():
    for field in ("quantity", "printed", "decimals", "where", "from", "rule", "truncates", "working"):
        assert field in FORMAT


def quantity(text: str) -> str:
    return NETWORK + CLAIM.replace('"y_hat"', f'"{text}"')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (quantity("z / 0"), ":20: claim[0].quantity: div: division by zero in 0.25 / 0.0"),
        (quantity("z[1]"), ":20: claim[0].quantity: 'z[1]': write a value at another step as name@step"),
        (NETWORK + CLAIM + 'id = " "\n', ":23: claim[0].id: an id cannot be empty"),
        (quantity("z * 1e309"), ":20: claim[0].quantity: 'z * 1e309': a number in it is too large for a float"),
        (
            quantity("(0 - 1) ** 0.5"),
            ":20: claim[0].quantity: pow: negative base -1.0 with non-integer exponent 0.5 has no real value",
        ),
        (quantity("9 ** 9 ** 9"), ":20: claim[0].quantity: pow: 9.0 ** 387420489.0 overflows a float"),
        (quantity("-" * 5000 + "z"), ":20: claim[0].quantity: '--------------------'... is 5,001 characters"),
        (quantity("-" * 21 + "z"), ":20: claim[0].quantity: '---------------------z': nested more than 20 deep"),
        (quantity("z" + " + (z" * 21 + ")" * 21), ":20: claim[0].quantity: 'z + (z + (z + (z + (z + (z + (z + (z"),
        (
            quantity("z@99999999 - z"),
            ":20: claim[0].quantity: 'z@99999999 - z': step 99999999; a claim is about at most 100 gradient-descent",
        ),
        (
            NETWORK + CLAIM.replace("printed", "step = 1000000\nprinted"),
            ":21: claim[0].step: 1,000,000 is too many: a claim is about at most 100 gradient-descent steps",
        ),
        (
            NETWORK + CLAIM + 'from = ["z@1000"]\n',
            ":23: claim[0].from[0]: 'z@1000': a claim is about at most 100 gradient-descent steps",
        ),
        (
            NETWORK + CLAIM + 'from = ["z / 0"]\n',
            ":23: claim[0].from[0]: div: division by zero in 0.25 / 0.0",
        ),
        (
            NETWORK.replace('neurons = ["n"]', 'size = 1\nneurons = "{n[0]}"') + CLAIM,
            ":6: network.layers[0]: layer 1 neurons: unknown placeholder {n[0]} in '{n[0]}'",
        ),
        (
            NETWORK.replace("weights = [[0.3]]", "weights = [[1e308]]").replace("inputs = [0.5]", "inputs = [1e308]")
            + CLAIM,
            ":15: network.samples[0]: this sample's pass cannot be computed: weighted_sum: the result of weighted_sum(",
        ),
        (
            NETWORK.replace("learning_rate = 0.1", 'learning_rate = 0.1\ntrainable = ["w", "w"]') + CLAIM,
            ":6: network.trainable[1]: 'w' is listed twice: trainable[0] and [1]",
        ),
        (
            NETWORK.replace('inputs = ["x"]', "inputs = 1000000000") + CLAIM,
            ":4: network.inputs: 1,000,000,000 is too many: a network has at most 100,000 parameters",
        ),
    ],
)
def test_quantities_the_engine_cannot_compute_are_file_errors_with_status_2(tmp_path, capsys, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value).startswith(f"{path}{message}")
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"backprop: error: {failure.value}\n")


@pytest.mark.parametrize("number", ["0.10", "1", "5e-3"])
def test_a_printed_number_must_be_quoted_to_keep_its_precision(tmp_path, number):
    path = write(tmp_path, NETWORK + CLAIM.replace('"0.56"', number))
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value) == (
        f"{path}:21: claim[0].printed: got the TOML number {float(number) if '.' in number or 'e' in number else 1}"
        ': quote the number as printed (printed = "0.10", not 0.10), since a number loses its trailing zeros '
        "and with them the printed precision"
    )


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("quantity", "-" * 150 + "z", "'" + "-" * 56 + "...: nested more than 20 deep"),
        ("quantity", "tanh(" * 30 + "z" + ")" * 30, "'" + "tanh(" * 11 + "t...: nested more than 20 deep"),
        ("printed", "1" * 5000, "'" + "1" * 56 + "... is not a finite number"),
        ("printed", "0.5x" * 1000, "'" + "0.5x" * 14 + "... is not a number"),
    ],
)
def test_an_error_quotes_a_long_field_cut_to_60_characters(tmp_path, field, text, message):
    # the whole text was repeated: a 2,000-character formula made a 2,000-character error line
    claim = CLAIM.replace('quantity = "y_hat"', f'quantity = "{text}"') if field == "quantity" else CLAIM
    claim = claim.replace('printed = "0.56"', f'printed = "{text}"') if field == "printed" else claim
    path = write(tmp_path, NETWORK + claim)
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    assert str(failure.value).endswith(f"claim[0].{field}: {message}")


def test_an_unknown_name_among_many_lists_the_nearest_not_all(tmp_path):
    # a 40-40-1 network's 1,765 names made a 17,000-character error; a 100,000-parameter one, megabytes
    weights = [[0.1] * 40] * 40
    network = NETWORK.replace(
        'neurons = ["n"]\nweight_names = [["w"]]\nbias_names = ["b"]\nnet = ["z"]\nout = ["y_hat"]\n', ""
    )
    network = network.replace('inputs = ["x"]', "inputs = 40").replace(
        "weights = [[0.3]]", f"size = 40\nweights = {weights}"
    )
    network = network.replace("biases = [0.1]", "[[network.layers]]\nactivation = 'sigmoid'\nsize = 1")
    network = network.replace("inputs = [0.5]", f"inputs = {[0.5] * 40}")
    path = write(tmp_path, network + CLAIM.replace("y_hat", "out_n1_4O"))
    with pytest.raises(DocumentError) as failure:
        load_document(path)
    message = str(failure.value).split("claim[0].quantity: ")[1]
    assert message.startswith("unknown name 'out_n1_4O'; the network's names nearest to it are out_n1_4, out_n1_40, ")
    assert message.endswith(" (of 1,766)") and message.count(", ") == 9
