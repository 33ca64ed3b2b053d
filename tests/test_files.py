"""The input-file layer: one set of limits and one error format for specs and claim files."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import nn
from backprop import DocumentError, load_document
from backprop.cli import main
from inputfiles import MAX_FILE_BYTES, check_tree, parse_json

CLAIMS = 'network = "russo-3-3-3"\n[[claim]]\nquantity = "w10"\nprinted = "0.65"\n'

# (what the file holds, the line and message every reader reports for it)
MALFORMED = [
    (CLAIMS.encode() + b"note = 'caf\xe9'\n", ":5: not UTF-8 text: byte 0xe9 at column 12 (invalid continuation byte)"),
    (
        (CLAIMS + "note = " + "[" * 100_000 + "]" * 100_000).encode(),
        ":5: lists and tables are nested more than 32 deep",
    ),
    ((CLAIMS + "step = 1" + "0" * 5000).encode(), ":5: a number written with more than 100 digits"),
    ((CLAIMS + "step = 1" + "0" * 400).encode(), ":5: a number written with more than 100 digits"),
    (
        (CLAIMS + "step = 99999999999999999999\n").encode(),
        ":5: claim[0].step: the integer 99999999999999999999 is outside the 64-bit range of TOML integers",
    ),
    ((CLAIMS + "printed = = 1\n").encode(), ":5: TOML syntax error at column 11: Invalid value"),
]


def test_the_reader_imports_none_of_the_packages_that_share_it():
    code = "import sys, inputfiles; print(sorted({'autograd', 'nn', 'viz', 'backprop'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_a_malformed_file_reads_the_same_as_a_spec_and_as_a_claim_file(tmp_path, data, message):
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    with pytest.raises(nn.SpecError) as spec:
        nn.load_spec(path)
    with pytest.raises(DocumentError) as claims:
        load_document(path)
    assert str(spec.value) == str(claims.value) == f"{path}{message}"


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_a_malformed_claim_file_exits_with_status_2(tmp_path, capsys, data, message):
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"backprop: error: {path}{message}\n")


def test_brackets_and_digits_inside_strings_and_comments_do_not_count(tmp_path):
    path = tmp_path / "fine.toml"
    text = CLAIMS + f'where = "{"[" * 50}{"9" * 200}"\nnote = """{"{" * 40}\n"""\n# {"[" * 40}\n'
    path.write_text(text, encoding="utf-8")
    assert load_document(path).claims[0].where == "[" * 50 + "9" * 200


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "value",
    [  # a multi-line string may end in one or two of its own quotes; what follows is not in a string
        f"['''it'''', {DEEP}, 'x']",
        f"['''it''''', {DEEP}, 'x']",
        f'["""it"""", {DEEP}, "x"]',
        f'["""it""""", {DEEP}, "x"]',
        "['''it'''', " + "{a = " * 100_000 + "1" + "}" * 100_000 + ", 'x']",
    ],
    ids=["literal, 4 quotes", "literal, 5 quotes", "basic, 4 quotes", "basic, 5 quotes", "tables"],
)
def test_the_nesting_limit_holds_whatever_the_quoting(tmp_path, value):
    path = tmp_path / "bad.toml"
    path.write_text(CLAIMS + f"note = {value}\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=rf"^{re.escape(str(path))}:5: lists and tables are nested more than 32"):
        load_document(path)
    with pytest.raises(nn.SpecError, match=rf"^{re.escape(str(path))}:5: lists and tables are nested more than 32"):
        nn.load_spec(path)


def test_a_multi_line_string_s_own_closing_quotes_are_read_as_toml_reads_them(tmp_path):
    path = tmp_path / "fine.toml"
    path.write_text(CLAIMS + "where = '''[[it'''''\nnote = \"\"\"{{\"\"\"\"\"\n", encoding="utf-8")
    claim = load_document(path).claims[0]
    assert (claim.where, claim.note) == ("[[it''", '{{""')


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.toml"
    with open(path, "wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(nn.SpecError, match=rf"^{re.escape(str(path))}: the spec is larger than 16 MiB"):
        nn.load_spec(path)
    with pytest.raises(DocumentError, match=rf"^{re.escape(str(path))}: the claim file is larger than 16 MiB"):
        load_document(path)


def test_a_parsed_table_is_held_to_the_same_limits():
    def fail(path, message):
        return ValueError(f"{path}: {message}")

    with pytest.raises(ValueError, match=r"^\('a', 1\): the integer -9223372036854775809 is outside"):
        check_tree({"a": [0, -(2**63) - 1]}, fail)
    with pytest.raises(ValueError, match=r"^\('a',\): the integer of 1329 bits is outside the 64-bit range"):
        check_tree({"a": 10**400}, fail)
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match=r"lists and tables are nested more than 32 deep"):
        check_tree({"a": cyclic}, fail)
    check_tree({"a": [2**63 - 1, -(2**63), True, 1.5, "x"]}, fail)


def test_a_dict_spec_with_a_huge_integer_names_the_field():
    spec = {"name": "n", "inputs": 1, "learning_rate": 10**400, "layers": [], "samples": []}
    with pytest.raises(nn.SpecError, match=r"^<spec>: learning_rate: the integer of 1329 bits is outside"):
        nn.load_spec(spec)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n "a": 1,,\n}',
            "p.json:2: JSON syntax error at column 9: Expecting property name enclosed in double quotes",
        ),
        ("[" * 100_000 + "]" * 100_000, "p.json:1: lists and tables are nested more than 32 deep"),
        ('{"a": 1' + "0" * 5000 + "}", "p.json:1: a number written with more than 100 digits"),
        ('{"#": ' + "[" * 100 + "]" * 100 + "}", "p.json:1: lists and tables are nested more than 32 deep"),
        ('{"a": 1,\n "a": 1\n}', 'p.json:1: the key "a" is given twice in one object; which value is meant?'),
        ('{"x": {"a": [1, 2]},\n "y": {"a": 3, "b": {},\n "a": 4}}', 'p.json:2: the key "a" is given twice'),
        ('{"NaN": "-Infinity",\n "a": [1, NaN]}', "p.json:2: NaN is not a JSON number (JSON has no NaN or infinities)"),
        ('{"a": "\\"Infinity",\n "b": Infinity}', "p.json:2: Infinity is not a JSON number"),
    ],
)
def test_json_gets_the_same_limits_and_error_format(text, message):
    with pytest.raises(ValueError) as info:
        parse_json(text, "p.json", ValueError)
    assert str(info.value).startswith(message)
