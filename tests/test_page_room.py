"""Room to look (issue 19, item 6), in headless Chromium at 1280×800: the computation graph pans and zooms by its
SVG's viewBox, a selected value is centred in it, long formulas wrap, and an audit row and the side panel that
explains it are on screen together."""

from __future__ import annotations

import pytest
from test_page import in_graph_pane, open_page, row_of

import viz
from autograd import Value

Keys = pytest.importorskip("selenium.webdriver.common.keys", reason="selenium is not installed").Keys
ActionChains = pytest.importorskip("selenium.webdriver", reason="selenium is not installed").ActionChains


@pytest.fixture(scope="module")
def small(browser):
    """The browser with a 1280×800 viewport, the width the issue asks the page to be readable at."""
    metrics = {"width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def fresh(browser, path, anchor=""):
    browser.get("about:blank")  # a load, not a move within the page
    return open_page(browser, path, anchor)


def view_box(browser):
    return [float(n) for n in browser.execute_script(VIEW).split()]


VIEW = "return document.querySelector('.pane.zoom svg').getAttribute('viewBox')"


def press(browser, key):
    browser.find_element("tag name", "body").send_keys(key)


def no_console_errors(browser):
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_the_keys_zoom_in_out_and_to_the_whole_graph(small, russo):
    fresh(small, russo)
    x, y, w, h = view_box(small)
    press(small, "+")
    zoomed = view_box(small)
    assert zoomed[2] == pytest.approx(w / 1.25, abs=0.02) and zoomed[3] == pytest.approx(h / 1.25, abs=0.02)
    assert zoomed[0] + zoomed[2] / 2 == pytest.approx(x + w / 2, abs=0.02)  # about the pane's middle
    press(small, "-")
    assert view_box(small) == pytest.approx([x, y, w, h], abs=0.02)
    press(small, "0")
    whole = small.execute_script("return document.querySelector('.pane.zoom svg g').getBoundingClientRect().toJSON()")
    pane = small.execute_script("return document.querySelector('.pane.zoom').getBoundingClientRect().toJSON()")
    assert pane["left"] <= whole["left"] and whole["right"] <= pane["right"] + 1  # the whole graph in the pane
    assert pane["top"] <= whole["top"] and whole["bottom"] <= pane["bottom"] + 1
    assert in_graph_pane(small, "i1") and in_graph_pane(small, "E_total")
    no_console_errors(small)


def test_the_wheel_zooms_about_the_pointer_and_a_drag_pans_without_selecting(small, russo):
    fresh(small, russo)
    pane = small.find_element("css selector", ".pane.zoom")
    small.execute_script("arguments[0].scrollIntoView({block: 'center'})", pane)
    before = view_box(small)
    small.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "arguments[0].dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + 10, clientY: r.top + 10,"
        " bubbles: true, cancelable: true}))",
        pane,
    )
    after = view_box(small)
    assert after[2] < before[2]  # closer
    assert after[0] + 10 * after[2] / pane.size["width"] == pytest.approx(
        before[0] + 10 * before[2] / pane.size["width"], abs=0.05
    )
    hash_before = small.execute_script("return location.hash")
    ActionChains(small).move_to_element(pane).click_and_hold().move_by_offset(-60, -40).release().perform()
    dragged = view_box(small)
    assert dragged[0] > after[0] and dragged[1] > after[1] and dragged[2:] == after[2:]  # the view moved with it
    assert small.execute_script("return location.hash") == hash_before  # and the drag selected nothing
    no_console_errors(small)


@pytest.mark.parametrize("name", ["E_total", "w18", "b1"])
def test_selecting_a_value_centres_it_in_the_graph(small, russo, name):
    fresh(small, russo)
    assert not in_graph_pane(small, "E_total")  # it opens on the inputs
    small.execute_script("location.hash = arguments[0]", "#" + name)
    assert in_graph_pane(small, name)
    off = small.execute_script(
        "const pane = document.querySelector('.pane.zoom'), r = pane.getBoundingClientRect();"
        "const b = pane.querySelector('a[data-name=\"' + arguments[0] + '\"]').getBoundingClientRect();"
        "return [b.left + b.width / 2 - (r.left + r.width / 2), b.top + b.height / 2 - (r.top + r.height / 2)]",
        name,
    )
    assert abs(off[0]) <= 2 and abs(off[1]) <= 2


def test_long_formulas_wrap_in_the_side_panel(small, russo):
    fresh(small, russo, "#net_o1")
    for pre in small.find_elements("css selector", "#detail pre"):
        width = small.execute_script("return [arguments[0].scrollWidth, arguments[0].clientWidth]", pre)
        assert width[0] <= width[1], pre.text
    assert "net_o1 = w10·out_h1 + w11·out_h2 + w12·out_h3 + b2" in small.find_element("id", "detail").text
    no_console_errors(small)


def on_screen(browser, element):
    box = browser.execute_script("return arguments[0].getBoundingClientRect().toJSON()", element)
    return box["top"] >= 0 and box["bottom"] <= 800 and box["left"] >= 0 and box["right"] <= 1280


def test_an_audit_row_and_the_side_panel_that_explains_it_are_seen_together(small, russo):
    fresh(small, russo)
    row = small.find_element("css selector", row_of("w18"))
    small.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    row.click()
    assert small.find_element("css selector", "#detail .name").text == "w18"
    assert on_screen(small, row) and on_screen(small, small.find_element("css selector", "#detail .name"))
    assert on_screen(small, small.find_element("css selector", "#detail .claims"))  # the row's own verdict too


def test_the_split_between_the_drawings_and_the_panel_moves(small, russo):
    fresh(small, russo)
    side = small.find_element("id", "side")
    width = side.size["width"]
    split = small.find_element("id", "split")
    ActionChains(small).click_and_hold(split).move_by_offset(-100, 0).release().perform()
    assert side.size["width"] == pytest.approx(width + 100, abs=2)
    split.send_keys(Keys.ARROW_RIGHT)  # the keyboard moves it too, and steps nothing
    assert side.size["width"] == pytest.approx(width + 60, abs=2)
    assert small.find_element("id", "step").get_attribute("data-step") is None
    no_console_errors(small)


def test_a_small_graph_opens_whole_at_its_actual_size(small, tmp_path):
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b + a
    c.label = "c"
    c.backward()
    path = tmp_path / "small.html"
    path.write_text(viz.page(c), encoding="utf-8")
    fresh(small, path)
    assert all(in_graph_pane(small, name, pane=0) for name in ("a", "b", "c"))
    pane, box = small.execute_script(
        "const pane = document.querySelector('.pane.zoom');"
        "return [pane.clientWidth, pane.querySelector('svg').viewBox.baseVal.width]"
    )
    assert pane / box == pytest.approx(4 / 3)  # a point of the drawing is a point on the screen: actual size
    no_console_errors(small)
