"""viz.labels: user text escaped for Graphviz's HTML-like and record labels, numbers at a precision."""

from __future__ import annotations

import pytest

from viz.labels import html_text, number, record_text, table


@pytest.mark.parametrize(
    ("text", "html", "record"),
    [
        ("a<b>&c", "a&lt;b&gt;&amp;c", "a\\<b\\>&c"),
        ("\"q\" 'q'", "&quot;q&quot; &#39;q&#39;", "\\\"q\\\" 'q'"),
        ("{x|y}", "{x|y}", "\\{x\\|y\\}"),
        ("\\N", "\\\\N", "\\\\N"),  # Graphviz would put the node's name for \N, even in HTML-like labels
        ("one\ntwo\r\nthree\rfour", "one<BR/>two<BR/>three<BR/>four", "one\\ntwo\\nthree\\nfour"),
        ("tab\tbell\x07", "tab bell\\\\x07", "tab bell\\\\x07"),
        (3, "3", "3"),
    ],
)
def test_text_is_escaped_to_render_literally(text, html, record):
    assert html_text(text) == html
    assert record_text(text) == record


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\ufffeb\uffff", "a\\ufffeb\\uffff"),  # XML forbids these two: dot would refuse the label
        ("lone \ud800 \udfff", "lone \\ud800 \\udfff"),  # surrogates cannot even be encoded as UTF-8
        ("del\x7f c1\x85\x9f", "del\\x7f c1\\x85\\x9f"),
        ("\ufdd0\ufdef \U0001fffe \U0010ffff", "\\ufdd0\\ufdef \\U0001fffe \\U0010ffff"),  # noncharacters
        ("é ∂ 😀 \ufffd", "é ∂ 😀 \ufffd"),  # characters that draw stay themselves
        ("w1\u200b0 w\u202e01", "w1\\u200b0 w\\u202e01"),  # invisible ones, that would pass for w10
    ],
)
def test_characters_xml_forbids_or_that_do_not_show_become_escapes(text, shown):
    assert record_text(text) == html_text(text) == shown.replace("\\", "\\\\")  # Graphviz needs a backslash doubled


def test_long_text_keeps_its_start_and_end_and_says_how_long_it_was():
    text = "start " + "&" * 10_000 + " the end"
    assert html_text(text) == "start " + "&amp;" * 44 + "…" + "&amp;" * 12 + " the end (10,014 characters)"
    assert record_text("x" * 80) == "x" * 80  # up to 80 characters are kept whole
    assert record_text("x" * 81) == "x" * 50 + "…" + "x" * 20 + " (81 characters)"


@pytest.mark.parametrize(
    ("x", "precision", "shown"), [(0.123456, 3, "0.123"), (-0.0, 4, "0"), (2.0, 4, "2"), (1e-7, 2, "1e-07")]
)
def test_numbers_have_significant_digits(x, precision, shown):
    assert number(x, precision) == shown


def test_table_spans_short_rows_across_the_columns():
    label = table([["<B>h1</B>"], ["a", "b", "c"]], fill="#ffffff")
    assert '<TR><TD COLSPAN="3"><B>h1</B></TD></TR><TR><TD>a</TD><TD>b</TD><TD>c</TD></TR>' in label
    assert label.startswith("<<TABLE") and label.endswith("</TABLE>>") and 'BGCOLOR="#ffffff"' in label
