"""Practice on the live page: the learner's number judged by the audit's rule and its slip named by the audit's
diagnosis. viz/judge.js against backprop's Python on the same cases (V8 through mini-racer), then the Russo
page in headless Chromium."""

from __future__ import annotations

import json

import pytest
from test_live_page import no_console_errors, open_page, python_pass

from backprop import sources
from backprop.claims import Claim, bundled_document, number_decimals
from backprop.diagnosis import Diagnosis, hedged
from backprop.practice import ASKED, MOST_NAMES_COMPARED, practice_part, slips
from backprop.quantities import parse_quantity
from backprop.recomputation import Recomputation, matches, number_text, truncates

mini_racer = pytest.importorskip("py_mini_racer", reason="mini-racer runs the JavaScript (the tests extra has it)")
Keys = pytest.importorskip("selenium.webdriver.common.keys", reason="selenium is not installed").Keys


@pytest.fixture(scope="module")
def judge():
    import importlib.resources

    with mini_racer.MiniRacer() as v8:
        v8.eval(importlib.resources.files("viz").joinpath("judge.js").read_text(encoding="utf-8"))
        yield lambda f, *args: json.loads(v8.eval(f"JSON.stringify(JUDGE.{f}(...{json.dumps(args)}))"))


def audited_cases():
    """Every printed number of the bundled documents without a declared rule, with the slips the audit tries."""
    for name in ("000-russo", "001-three-examples", "002-hmkcode", "003-swap-network", "004-mazur"):
        for part in bundled_document(name).parts:
            diagnosis = Diagnosis(Recomputation(part))
            for claim in part.claims:
                if claim.printed and claim.rule is None and not part.truncates and not claim.exact:
                    engine = part.value_of(claim.quantity, claim.step)
                    yield claim, engine, diagnosis


def test_the_page_names_the_slip_the_audit_names_on_the_documents_numbers(judge):
    named = 0
    for claim, engine, diagnosis in audited_cases():
        if judge("places", claim.printed) != claim.places:
            continue  # decimals set in the file: the page counts them from the text, as typed
        candidates = [list(c) for c in diagnosis.candidates(claim, engine)]
        python = diagnosis.cause(claim, claim.value, claim.places, engine)
        assert judge("cause", claim.printed, candidates) == python, claim.id
        assert judge("matches", claim.value, engine, claim.places) == matches(claim.value, engine, claim.places)
        named += python is not None
    assert named >= 3  # the cases include slips the audit names


def typed_cases():
    """Numbers a learner might type about the Russo pass (the right ones and each slip, at 1 to 7 decimals), with
    the claim the audit would read them as and the slips the page carries for it."""
    subject = sources.subject("000-russo")
    table = slips(subject)
    part = practice_part(subject)
    for name in ("w1", "w10", "b2", "net_h2", "out_o3", "E_total"):
        for kind, candidates in table[name].items():
            text, step = ASKED[kind]
            quantity = parse_quantity(text.format(name=name, loss="E_total"))
            engine = part.value_of(quantity, step)
            for value in [engine] + [c[0] for c in candidates[:8]]:
                for places in (1, 3, 4, 6, 7):
                    typed = f"{value:.{places}f}"
                    claim = Claim(quantity.text, quantity, step, typed, places, "", (), None)
                    yield typed, candidates, claim, engine, part


def test_the_pages_rules_for_a_typed_number_are_the_audits(judge):
    for text, candidates, *_ in typed_cases():
        places = number_decimals(text)
        assert judge("decimals", text) == places
        for value, why, _ in candidates[:3]:
            assert judge("matches", float(text), value, places) == matches(float(text), value, places), text
            assert judge("truncates", float(text), value, places) == truncates(float(text), value, places), text
            assert judge("numberText", value, places + 3) == number_text(value, places + 3)
            assert judge("hedged", why, text) == hedged(why, text)
    assert judge("places", "2") == 9 and judge("places", "2.0") == 1  # an integer typed is exact, as printed


def test_a_typed_slip_is_named_as_the_audit_names_a_printed_one(judge):
    named = set()
    for text, candidates, claim, engine, part in typed_cases():
        python = Diagnosis(Recomputation(part)).cause(claim, float(text), claim.places, engine)
        assert judge("cause", text, candidates) == python, (claim.id, claim.step, text)
        named.add((python or "").split(" (")[0])
    assert {"inferred: the sign is wrong", "inferred: the learning rate was left out"} <= named


# ---- in headless Chromium ----------------------------------------------------------------------------------


def russo_numbers(name):
    return next(v for v in python_pass() if v.label == name)


def answer(browser, name, typed, which="grad"):
    return browser.execute_script(
        "return backprop.answer(arguments[0], arguments[1], arguments[2])", name, typed, which
    )


def test_practice_accepts_a_right_answer_and_names_a_wrong_ones_slip(browser, russo):
    open_page(browser, russo, "#w5")
    browser.execute_script("backprop.practice(true)")
    w5 = russo_numbers("w5")
    assert answer(browser, "w5", f"{w5.grad:.6f}") == {"verdict": "agree", "why": "right to 6 decimals"}
    assert answer(browser, "w5", round(w5.grad, 5)) == {"verdict": "agree", "why": "right to 5 decimals"}
    wrong = answer(browser, "w5", f"{-w5.grad:.6f}")
    assert wrong == {"verdict": "disagree", "why": f"wrong: inferred: the sign is wrong ({-w5.grad:.6f})"}
    no_rate = answer(browser, "w5", f"{w5.data - w5.grad:.5f}", "step")
    assert no_rate["why"] == "wrong: inferred: the learning rate was left out (w − gradient, not w − 0.5·gradient)"
    added = answer(browser, "w5", f"{w5.data + 0.5 * w5.grad:.5f}", "step")
    assert added["why"] == "wrong: inferred: the step was added instead of subtracted (w + η·gradient)"
    cut = f"{w5.grad:.12f}"[:10]  # 0.0020694681… cut to 8 decimals, not rounded
    assert answer(browser, "w5", cut)["verdict"] == ("agree" if cut == f"{w5.grad:.8f}" else "agree with rounding")
    no_console_errors(browser)


def test_practice_hides_the_gradients_and_takes_answers_from_the_keyboard(browser, russo, tmp_path):
    open_page(browser, russo)
    for _ in range(400):  # tab to the practise button, as a learner without a mouse does
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("id") == "practise":
            break
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.execute_script("return backprop.practice()") is True
    grads = browser.find_elements("css selector", '[data-show="grad"]')
    assert grads and not any(el.is_displayed() for el in grads)
    assert not browser.find_element("id", "audit").is_displayed()
    browser.get(russo.as_uri() + "#w5")  # the same page: select w5 (practice stays on)
    browser.switch_to.active_element.send_keys("e")  # the first number to type: w5's gradient
    field = browser.switch_to.active_element
    assert field.get_attribute("aria-label") == "w5: its gradient"
    w5 = russo_numbers("w5")
    field.send_keys(f"{-w5.grad:.4f}", Keys.ENTER)
    verdict = browser.find_element("css selector", "#detail .verdict")
    assert verdict.text == f"✗ wrong: inferred: the sign is wrong ({-w5.grad:.6f})"
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(f"{w5.grad:.4f}", Keys.ENTER)
    assert verdict.text == "✓ right to 4 decimals"
    detail = browser.find_element("id", "detail").text
    assert f"{w5.grad:.6g}" not in detail and "NaN" not in browser.find_element("tag name", "body").text
    browser.save_screenshot(str(tmp_path / "practice.png"))
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("nan", Keys.ENTER)
    assert verdict.text == "w5 must be a finite number, got nan"
    no_console_errors(browser)


def test_after_an_edit_answers_are_judged_at_the_new_numbers_without_naming_slips(browser, russo):
    open_page(browser, russo, "#w5")
    browser.execute_script("backprop.practice('values'); backprop.set('w1', 0.7)")
    edited = {v.label: v for v in python_pass(w1=0.7)}
    assert answer(browser, "w1", f"{edited['w1'].grad:.6f}")["verdict"] == "agree"
    assert answer(browser, "net_h1", f"{edited['net_h1'].data:.4f}", "data")["verdict"] == "agree"
    assert answer(browser, "w1", f"{-edited['w1'].grad:.6f}") == {
        "verdict": "disagree",
        "why": "not right to 6 decimals (slips are named at the document's numbers: reset)",
    }
    assert "slips are named only at the document's numbers" in browser.find_element("id", "detail").text
    browser.execute_script("backprop.reset()")
    w1 = russo_numbers("w1")
    assert answer(browser, "w1", f"{-w1.grad:.6f}")["why"].startswith("wrong: inferred: the sign is wrong")
    with pytest.raises(Exception, match='practice: on must be true, false or "values"'):
        browser.execute_script("backprop.practice(2)")
    with pytest.raises(Exception, match="i1 is not trained: it takes no step"):
        answer(browser, "i1", "0.1", "step")
    browser.execute_script("backprop.practice(false)")
    assert browser.find_element("id", "audit").is_displayed()
    no_console_errors(browser)


def test_a_large_networks_page_names_the_slips_but_not_every_other_value():
    import nn

    spec = {
        "name": "wide",
        "inputs": 2,
        "learning_rate": 0.05,
        "layers": [{"size": 16, "activation": "tanh"}, {"size": 1, "activation": "linear"}],
        "samples": [{"inputs": [0.5, -0.25], "targets": [1.0]}],
    }
    table = slips(sources.Subject("wide", lambda: nn.load_spec(spec)))
    assert len(table) > MOST_NAMES_COMPARED
    kinds = [table[name][kind] for name in table for kind in table[name]]
    assert all(kind and not any(chance for *_, chance in kind) for kind in kinds)  # the sign's slip at least
    assert any("learning rate was left out" in why for kind in kinds for _, why, _ in kind)


def test_practice_names_a_factor_taken_from_the_wrong_node(browser, russo):
    """∂E_total/∂w10 = (out_o1 − target_o1)·out_o1·(1 − out_o1)·out_h1 worked with out_o2·(1 − out_o2) instead."""
    open_page(browser, russo, "#w10")
    browser.execute_script("backprop.practice(true)")
    v = {name: russo_numbers(name).data for name in ("out_o1", "out_o2", "target_o1", "out_h1")}
    right = (v["out_o1"] - v["target_o1"]) * v["out_o1"] * (1 - v["out_o1"]) * v["out_h1"]
    slip = (v["out_o1"] - v["target_o1"]) * v["out_o2"] * (1 - v["out_o2"]) * v["out_h1"]
    assert answer(browser, "w10", f"{right:.7f}")["verdict"] == "agree"
    factors = f"{v['out_o2'] * (1 - v['out_o2']):.6f}", f"{v['out_o1'] * (1 - v['out_o1']):.6f}"
    assert answer(browser, "w10", f"{slip:.7f}") == {
        "verdict": "disagree",
        "why": f"wrong: inferred: a factor from the wrong node: ∂out_o2/∂net_o2 ({factors[0]}) in place of "
        f"∂out_o1/∂net_o1 ({factors[1]})",
    }
    no_console_errors(browser)


def test_a_bare_graphs_page_hides_a_computed_value_in_practice_and_fills_its_formula_when_edited(browser, tmp_path):
    """A page of a plain Value graph (no formulas given): its formula in names, never the number it hides."""
    import autograd
    import viz

    a, b = autograd.Value(2.0, label="a"), autograd.Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c.tanh()
    d.label = "d"
    d.backward()
    path = tmp_path / "bare.html"
    path.write_text(viz.page(d))
    browser.get(path.as_uri() + "#c")
    browser.execute_script("backprop.practice('values')")
    detail = browser.find_element("id", "detail").text
    assert "c = *(a, b)" in detail and "-6" not in detail
    browser.execute_script("backprop.practice(false); backprop.set('a', 0.5)")
    assert "c = *(a, b) = *(0.5, (-3)) = -1.5" in browser.find_element("id", "detail").text
    no_console_errors(browser)
