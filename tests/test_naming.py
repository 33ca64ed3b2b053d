"""Name patterns: placeholders, formats and the name-length limit."""

from __future__ import annotations

import pytest

from nn.naming import MAX_NAME_LENGTH, NamingError, expand, fill

FIELDS = {"layer": 1, "n": 2, "neuron": "h2"}


@pytest.mark.parametrize(
    ("pattern", "name"),
    [("w{layer}{n}", "w12"), ("h{n:03}", "h002"), ("{neuron}_out", "h2_out"), ("{neuron!r}", "'h2'"), ("x", "x")],
)
def test_patterns_fill_in_their_placeholders(pattern, name):
    assert fill("neurons", pattern, **FIELDS) == name


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{n:>50000000}", "neurons: the format {n:>50000000} in '{n:>50000000}' could make names longer than 100"),
        ("{n:.99999f}", "neurons: the format {n:.99999f} in '{n:.99999f}' could make names longer than 100"),
        ("{n:{n}}", "neurons: the format {n:{n}} in '{n:{n}}' could make names longer than 100"),
        ("{n[0]}", "neurons: unknown placeholder {n[0]} in '{n[0]}'; use {layer}, {n}, {neuron}"),
        ("{neuron.upper}", "neurons: unknown placeholder {neuron.upper} in '{neuron.upper}'"),
        ("{0}", "neurons: unknown placeholder {0} in '{0}'"),
        ("{}", "neurons: unknown placeholder {} in '{}'"),
        ("{m}", "neurons: unknown placeholder {m} in '{m}'"),
        ("{neuron:d}", "neurons: bad pattern '{neuron:d}': Unknown format code 'd'"),
        ("{n", "neurons: bad pattern '{n': expected '}' before end of string"),
        ("{n:.100f}", "neurons: '2.000000000000000000'... is 102 characters; a name has at most 100"),
        ("w" * 101, "neurons pattern: 'wwwwwwwwwwwwwwwwwwww'... is 101 characters; a name has at most 100"),
    ],
)
def test_bad_patterns_are_refused_before_making_a_name(pattern, message):
    with pytest.raises(NamingError) as info:
        fill("neurons", pattern, **FIELDS)
    assert str(info.value).startswith(message)


def test_listed_names_have_the_same_length_limit():
    assert expand("inputs", ["a" * MAX_NAME_LENGTH], 1) == ("a" * MAX_NAME_LENGTH,)
    with pytest.raises(NamingError, match=r"^inputs: 'aaaaaaaaaaaaaaaaaaaa'\.\.\. is 101 characters; a name has at"):
        expand("inputs", ["a" * 101], 1)
