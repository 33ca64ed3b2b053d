"""The native reading of programs (C, autograd.compiler.native) against the Python replay, float for float."""

from __future__ import annotations

import ctypes
import inspect
import math
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from test_ops import CONVENTION_POINTS, ROWS

import autograd
import nn
from autograd import Value, trace, trace_sum
from autograd.compiler import libraries, native
from nn.training import Sample, SampleLoss, batch_loss

pytestmark = pytest.mark.skipif(libraries.compiler() is None, reason="no C compiler: the native reading is not built")


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A cache directory of the test's own."""
    monkeypatch.setenv("AUTOGRAD_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def same(a, b) -> bool:
    """Equal floats, zeros of the same sign, nan equal to nan; sequences element by element."""
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return (a == b and math.copysign(1.0, a) == math.copysign(1.0, b)) or (a != a and b != b)


def readings(f, *args):
    """The generated gradient function of f's program, in Python and native."""
    python = trace(f, *args, native=False)
    compiled = trace(f, *args, native=True)
    tiered = compiled._function("gradient")
    assert tiered.is_native
    return python, compiled, python._function("gradient"), tiered.run


def outcome(run, x, p):
    """What a generated run gives: its numbers (inf or nan in the check read as one), or that it raised."""
    try:
        value, arg_grads, param_grads, check = run(x, p)
    except (ArithmeticError, ValueError):
        return "raised"
    return [value, list(arg_grads), list(param_grads), check - check == 0.0]


def assert_same_readings(f, *args, at=None):
    """f's program read in Python and natively gives the same numbers at args (and at each point of at)."""
    python, compiled, python_run, native_run = readings(f, *args)
    for point in [args, *(at or [])]:
        x, p = python._floats(point), python._param_data()
        found, expected = outcome(native_run, x, p), outcome(python_run, x, p)
        assert expected == "raised" or found != "raised", "the native reading flags where Python does not raise"
        assert expected != "raised" or found == "raised" or found[-1] is False, "Python raises, the native does not"
        if found != "raised" and expected != "raised":
            assert same(found, expected), (found, expected)
        try:
            wanted = python.value_and_grad(*point)
        except (ArithmeticError, ValueError) as error:
            with pytest.raises(type(error), match=re.escape(str(error))):
                compiled.value_and_grad(*point)
        else:
            assert same(list(compiled.value_and_grad(*point)), list(wanted))


# ---- every op at its oracle points ------------------------------------------------------------------

POINTS = {name: [*row.points, *CONVENTION_POINTS.get(name, [])] for name, row in ROWS.items()}


@pytest.mark.parametrize("name", sorted(POINTS))
def test_every_op_reads_natively_as_in_python_at_its_oracle_points(name):
    for point in POINTS[name]:
        if name == "pow_const":  # the exponent is a number in the program
            assert_same_readings(lambda a, n=point[1]: a**n, point[0])
        else:
            assert_same_readings(lambda *xs: ROWS[name].ours(*xs), *point)


ERRORS = [
    (Value.log, (-1.0,), ValueError, "log: operand must be positive"),
    (Value.log, (0.0,), ValueError, "log: operand must be positive"),
    (Value.sqrt, (-2.0,), ValueError, "sqrt: operand must not be negative"),
    (Value.exp, (710.0,), OverflowError, "exp: exp(710.0) overflows a float"),
    (lambda a, b: a / b, (1.0, 0.0), ZeroDivisionError, "div: division by zero in 1.0 / 0.0"),
    (lambda a, b: a**b, (-2.0, 0.5), ValueError, "pow: negative base -2.0"),
    (lambda a: a**-1.0, (0.0,), ZeroDivisionError, "pow: zero to a negative power"),
    (lambda a: a**3.0, (1e200,), OverflowError, "overflows a float"),
    (lambda a, b: a * b, (1e200, 1e200), OverflowError, "the result of mul"),
    (lambda a, b: a.xlogy(b), (1.0, -1.0), ValueError, "xlogy: y must be positive"),
]


@pytest.mark.parametrize(("f", "point", "error", "message"), ERRORS, ids=[e[3][:24] for e in ERRORS])
def test_a_domain_error_is_the_engines_own_exception(f, point, error, message):
    """Where the Python would raise, the native code flags, and the engine raises its error naming the op."""
    fine = tuple(0.5 + k for k in range(len(point)))
    python, compiled, _, native_run = readings(f, *fine)
    x, p = python._floats(point), python._param_data()
    found = outcome(native_run, x, p)
    assert found == "raised" or found[-1] is False  # flagged, or inf in the check (an overflow, as in Python)
    with pytest.raises(error, match=re.escape(message)):
        compiled.value_and_grad(*point)
    with pytest.raises(error, match=re.escape(message)):
        compiled(*point)


# ---- networks: random MLPs with every activation and loss, and the bundled examples -------------------------

CASES = [(a, loss) for a in sorted(nn.ACTIVATIONS) for loss in sorted(nn.LOSSES)]


def targets_for(loss: str, rng: random.Random, width: int) -> tuple[float, ...]:
    if nn.losses.loss_named(loss).classifies:
        one = rng.randrange(width)
        return tuple(float(k == one) for k in range(width))
    if loss == "bce_with_logits":
        return tuple(float(rng.random() < 0.5) for _ in range(width))
    if loss == "hinge":
        return tuple(rng.choice((-1.0, 1.0)) for _ in range(width))
    return tuple(rng.uniform(-1, 1) for _ in range(width))


def random_network(activation: str, loss: str) -> tuple[nn.MLP, list[Sample]]:
    """A small MLP with activation (and a last layer loss can take), and samples with targets for loss."""
    rng = random.Random(f"{activation} {loss}")
    last = "softmax" if loss == "categorical_cross_entropy" else activation
    if nn.losses.loss_named(loss).misfit(last):
        last = "linear"
    width = 1 if loss in ("hinge", "bce_with_logits") and rng.random() < 0.5 else 3
    model = nn.MLP(2, [4, width], activation=[activation, last], seed=rng.randrange(100))
    samples = [Sample((rng.uniform(-2, 2), rng.uniform(-2, 2)), targets_for(loss, rng, width)) for _ in range(4)]
    return model, samples


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_random_mlps_read_natively_as_in_python(activation, loss):
    model, samples = random_network(activation, loss)

    def f(inputs, targets):
        return batch_loss(model, [Sample(tuple(x), tuple(t)) for x, t in zip(inputs, targets)], loss)

    columns = ([list(s.inputs) for s in samples], [list(s.targets) for s in samples])
    assert_same_readings(f, *columns)


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_the_loop_over_samples_reads_natively_as_in_python(activation, loss):
    """nn.train's per-sample replay (trace_sum): the native loop adds the same numbers in the same order."""
    model, samples = random_network(activation, loss)
    terms = SampleLoss(model, loss, samples[0]).program.terms
    sums = [trace_sum(terms, *samples[0], native=mode) for mode in (False, True)]
    (python,), (compiled,) = (list(s._replays.values()) for s in sums)
    assert compiled.function.is_native
    xs, p = [[*s.inputs, *s.targets] for s in samples], [q.data for q in compiled.params]
    start = [0.25 * k for k in range(len(p))]
    assert same(list(compiled.function.run(xs, p, start, 0.5, 0.75)), list(python.function(xs, p, start, 0.5, 0.75)))
    found = []
    for program in sums:
        model.zero_grad()
        found.append([program.backward(samples, 0.5), *(q.grad for q in model.parameters())])
    assert same(found[0], found[1])


@pytest.mark.parametrize("name", ["hmkcode-2-2-1", "one-neuron", "russo-3-3-3", "swap-2-4-3-2", "two-neurons-chain"])
def test_every_bundled_network_reads_natively_as_in_python(name):
    example = nn.example(name)
    assert_same_readings(lambda: example.forward().loss)
    python, compiled = trace(lambda: example.forward().loss, native=False), trace(lambda: example.forward().loss)
    assert same(python.backward(), compiled.backward())


# ---- when the native reading is used ---------------------------------------------------------------


def test_auto_builds_once_the_replay_has_run_as_long_as_building_takes_and_keeps_the_faster(monkeypatch, cache):
    def f(a, b):
        return (a * b).tanh() + (a / b).exp()

    expected = trace(f, 0.5, 2.0, native=False).value_and_grad(0.25, 3.0)
    seconds = native._seconds
    for faster in ("native", "python"):
        monkeypatch.setenv("AUTOGRAD_CACHE", str(cache / faster))
        program = trace(f, 0.5, 2.0)  # "auto"
        run = program._function("gradient")
        assert run.trial is None and run.left > 0.0
        run.left = 1e-9  # as if the replay had run that long
        program.value_and_grad(0.5, 2.0)
        assert run.trial is not None and not run.is_native  # built; timed against the Python at the next call
        timed = {run.trial: 1.0 if faster == "python" else 0.0, run.python: 0.5}
        monkeypatch.setattr(native, "_seconds", lambda f, args, timed=timed: timed[f])
        assert same(list(program.value_and_grad(0.25, 3.0)), list(expected))
        assert run.is_native == (faster == "native") and run.left is None
    monkeypatch.setattr(native, "_seconds", seconds)
    monkeypatch.setenv("AUTOGRAD_CACHE", str(cache / "native"))
    program = trace(f, 0.25, 3.0)
    run = program._function("gradient")
    assert run.trial is not None  # in the cache: tried at the first call...
    with pytest.raises(ZeroDivisionError, match="div: division by zero"):
        program.value_and_grad(0.25, 0.0)
    assert run.trial is not None and run.left == 0.0  # ...that computes


def test_a_program_with_a_rule_only_floats_can_run_replays_in_python():
    op = autograd.define_op("float_only_cube", lambda a: math.pow(a, 3.0), lambda a, out: (3.0 * a * a,), replace=True)
    program = trace(lambda a: op(a) + a, 2.0, native=True)
    assert not program._function("gradient").is_native
    assert program.value_and_grad(2.0) == (10.0, [13.0])


def test_trace_refuses_an_unknown_native_mode():
    with pytest.raises(ValueError, match="trace: native must be True, False or 'auto', got 'yes'"):
        trace(lambda a: a * a, 1.0, native="yes")


def test_without_a_compiler_programs_replay_in_python_with_one_warning(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(libraries, "_noted", [])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace(lambda a: a.sin(), 0.5).value_and_grad(0.5)  # "auto" only looked into the cache: nothing to note
    with pytest.warns(RuntimeWarning, match="no C compiler found"):
        program = trace(lambda a: a.tanh() * a, 0.5, native=True)
        assert program.value_and_grad(0.5) == trace(lambda a: a.tanh() * a, 0.5, native=False).value_and_grad(0.5)
    assert not program._function("gradient").is_native
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace(lambda a: a.exp(), 0.5, native=True).value_and_grad(0.5)  # noted once


def test_the_no_compiler_warning_points_at_the_callers_line(monkeypatch):
    """Made deep in the compiler, the warning names the line of the user's code that asked for a program."""
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(libraries, "_noted", [])
    with pytest.warns(RuntimeWarning, match="no C compiler found") as caught:
        trace(lambda a: a.tanh() * a, 0.5, native=True).value_and_grad(0.5)
    line = inspect.currentframe().f_lineno - 1
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, line)]


# ---- the cache ----------------------------------------------------------------------------------------

SOURCE = "def run(x, p):\n    v0, = x\n    v1 = v0 * 3.0\n    return v1, (3.0,), (), v1\n"


def read(source: str = SOURCE, x: float = 2.0) -> float:
    run = native.reading(source, 3, list)
    assert run is not None
    return run([x], [])[0]


def entry(cache):
    (library,) = cache.glob("*.so")
    return library, library.with_suffix(".sha256")


def test_a_corrupted_cache_entry_is_rebuilt_never_loaded(cache):
    assert read() == 6.0
    library, digest = entry(cache)
    sound = library.read_bytes()
    other = SOURCE.replace("3.0", "5.0")
    assert read(other) == 10.0  # another entry: a working library, but not this one
    for bad in (sound[: len(sound) // 2], next(p for p in cache.glob("*.so") if p != library).read_bytes()):
        library.write_bytes(bad)
        assert read() == 6.0
        assert library.read_bytes() == sound
    digest.unlink()
    assert read() == 6.0 and digest.exists()


def test_a_cache_entry_written_over_in_place_leaves_the_loaded_library_alone(cache):
    """A loaded library mapped from the entry itself died with SIGBUS once the entry was repaired in place."""
    import subprocess
    import sys

    script = (
        "import sys; sys.path[:0] = [sys.argv[1]]; from pathlib import Path; import test_native as t\n"
        "cache = Path(sys.argv[2])\n"
        "assert t.read() == 6.0\n"
        "for p in cache.glob('*.so'):\n"
        "    with open(p, 'r+b') as f:\n"
        "        f.truncate(0)\n"
        "assert t.read() == 6.0 and t.read(x=4.0) == 12.0\n"
    )
    tests = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", script, tests, str(cache)], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")


def build_in_a_process(_: int) -> float:
    return read(x=7.0)


def test_processes_building_one_entry_at_once_each_get_a_sound_library(cache):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.map(build_in_a_process, range(8)) == [21.0] * 8
    library, digest = entry(cache)
    assert sorted(p.name for p in cache.iterdir()) == sorted([library.name, digest.name])  # no temporary left
    assert read() == 6.0


# ---- iterate: the loop of steps (SGD.descend) ---------------------------------------------------------


@pytest.mark.parametrize("name", ["hmkcode-2-2-1", "russo-3-3-3", "swap-2-4-3-2"])
def test_a_loop_of_descent_steps_reads_natively_as_in_python(name):
    found = []
    for mode in (False, True):
        example = nn.example(name)
        program = trace(lambda example=example: example.forward().loss, native=mode)
        losses = example.optimizer.descend(program, 300)
        loop = next(f for key, f in program._functions.items() if key[0] == "iterate")
        assert getattr(loop, "is_native", False) == mode
        found.append([losses, list(example.parameter_values().values())])
    assert same(found[0], found[1])


def test_a_loop_that_overflows_stops_at_the_same_step_with_the_same_error():
    errors, data = [], []
    for mode in (False, True):
        w = Value(0.5, label="w")
        program = trace(lambda w=w: (w * w).tanh() * 3.0 + w * w, native=mode)
        with pytest.raises(ArithmeticError) as error:
            program.iterate(1000, lambda p, g: p - 30.0 * g)
        errors.append((type(error.value), str(error.value)))
        data.append(w.data)
    assert errors[0] == errors[1] and "overflows a float" in errors[0][1] and same(data[0], data[1])


def test_readings_say_how_each_function_called_so_far_runs():
    w = Value(0.5)
    native_program, python_program = (trace(lambda x: (w * x).tanh(), 2.0, native=mode) for mode in (True, False))
    assert native_program.readings() == {}
    for program in (native_program, python_program):
        program.value_and_grad(1.0)
        program(1.0)
        program.iterate(3, lambda p, g: p - 0.1 * g, 1.0)
    assert native_program.readings() == {"gradient": "C", "forward": "C", "iterate": "C"}
    assert python_program.readings() == {"gradient": "Python", "forward": "Python", "iterate": "Python"}


# ---- eviction: the least recently used entries past a size and an age ----------------------------------


def sources(n: int) -> list[str]:
    return [SOURCE.replace("3.0", f"{k + 3}.0") for k in range(n)]


def keys_by_use(cache) -> list[str]:
    """The entries' keys, least recently used first."""
    return [p.stem for p in sorted(cache.glob("*.sha256"), key=lambda p: p.stat().st_mtime)]


def test_the_least_recently_used_entries_are_evicted_past_the_size_and_the_age(cache):
    for k, source in enumerate(sources(3)):
        assert read(source) == 2.0 * (k + 3)
    keys = keys_by_use(cache)
    size = (cache / f"{keys[0]}.so").stat().st_size
    for age, key in zip((300.0, 200.0, 100.0), keys):
        stamp = (cache / f"{key}.sha256").stat().st_mtime - age
        os.utime(cache / f"{key}.sha256", (stamp, stamp))
    assert libraries.evict(cache, max_bytes=10 * size, max_age=250.0) == [keys[0]]  # unused for too long
    assert libraries.evict(cache, keep=keys[1], max_bytes=size, max_age=1e9) == [keys[2]]  # too big; keep stays
    assert sorted(p.name for p in cache.iterdir()) == [f"{keys[1]}.sha256", f"{keys[1]}.so"]
    assert [read(source) for source in sources(3)] == [6.0, 8.0, 10.0]  # rebuilt where evicted


def test_a_build_evicts_down_to_the_size_set_in_the_environment(cache, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CACHE_BYTES", "1")
    for k, source in enumerate(sources(3)):
        assert read(source) == 2.0 * (k + 3)
        assert len(list(cache.glob("*.so"))) == 1  # only the entry just built stays
    monkeypatch.setenv("AUTOGRAD_CACHE_BYTES", "lots")
    with pytest.raises(ValueError, match="AUTOGRAD_CACHE_BYTES: must be a number >= 0, got 'lots'"):
        libraries.evict(cache)


def test_evicting_every_entry_leaves_a_library_another_process_has_loaded_working(cache):
    """Each process loads a private copy: removing the entry under it changes nothing it runs."""
    import subprocess
    import sys

    script = (
        "import sys; sys.path[:0] = [sys.argv[1]]; from pathlib import Path; import test_native as t\n"
        "from autograd.compiler import native, libraries\n"
        "run = native.reading(t.SOURCE, 3, list)\n"
        "assert run([2.0], [])[0] == 6.0\n"
        "sys.stdout.write('loaded\\n'); sys.stdout.flush(); sys.stdin.readline()\n"
        "assert not list(Path(sys.argv[2]).glob('*.so'))\n"
        "assert run([4.0], [])[0] == 12.0 and t.read(x=5.0) == 15.0\n"
    )
    tests = str(Path(__file__).parent)
    with subprocess.Popen(
        [sys.executable, "-c", script, tests, str(cache)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout.readline() == "loaded\n"
        evictor = "import sys; from pathlib import Path; from autograd.compiler import libraries\n"
        evictor += "assert libraries.evict(Path(sys.argv[1]), max_bytes=0)\n"
        done = subprocess.run([sys.executable, "-c", evictor, str(cache)], capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr) == (0, "")
        _, stderr = process.communicate("go\n", timeout=120)
        assert (process.returncode, stderr) == (0, "")


def build_another_in_a_process(k: int) -> float:
    return read(sources(4)[k % 4], x=1.0)


def test_processes_building_and_evicting_at_once_each_get_a_sound_library(cache, monkeypatch):
    monkeypatch.setenv("AUTOGRAD_CACHE_BYTES", "1")  # every build evicts the others' entries
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        assert pool.map(build_another_in_a_process, range(12)) == [3.0, 4.0, 5.0, 6.0] * 3
    assert not [p for p in cache.iterdir() if p.suffix not in (".so", ".sha256")]  # no temporary left


# ---- the binding: an extension module where Python's headers are, else ctypes ------------------------------


def test_forward_and_gradient_are_called_as_an_extension_module_with_checked_arguments():
    w = Value(0.5)
    program = trace(lambda x: (w * x).tanh() * x, 2.0, native=True)
    expected = trace(lambda x: (w * x).tanh() * x, 2.0, native=False).value_and_grad(3.0)
    assert same(list(program.value_and_grad(3.0)), list(expected))
    library = program._function("gradient").run.library
    assert type(library).__name__ == "module" and library.__name__ == "program"
    with pytest.raises(TypeError, match=r"native program: x must be a list of 1 numbers"):
        library.run([1.0, 2.0], [0.5])
    with pytest.raises(TypeError, match="must be real number, not str"):
        library.run([1.0], ["0.5"])
    with pytest.raises(ArithmeticError, match="native program: the Python reading raises here"):
        trace(lambda x: x.log(), 2.0, native=True)._function("gradient").run([-1.0], [])


def test_without_pythons_headers_programs_are_called_through_ctypes(monkeypatch):
    monkeypatch.setattr(libraries, "extension_flags", lambda: None)
    w = Value(0.5)
    program = trace(lambda x: (w * x).tanh() * x, 2.0, native=True)
    expected = trace(lambda x: (w * x).tanh() * x, 2.0, native=False).value_and_grad(3.0)
    assert same(list(program.value_and_grad(3.0)), list(expected))
    assert isinstance(program._function("gradient").run.library, ctypes.CDLL)


# ---- a script run again and again: its Python seconds add up across processes ------------------------------

SHORT_RUN = """
import sys
import nn
history = nn.train(nn.MLP(2, [4, 1], seed=0), nn.xor(), steps=int(sys.argv[1]), progress=False)
print(history.looped)
"""


def short_run(steps: int) -> str:
    """How a new process's nn.train of steps steps ran its loop (the cache is the test's)."""
    done = subprocess.run([sys.executable, "-c", SHORT_RUN, str(steps)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_runs_seconds_in_python_are_kept_in_the_cache_and_count_in_the_next_runs_choice(cache):
    assert short_run(20) == "Python"  # too short to pay for a build
    (saved,) = cache.glob("*.python")
    seconds = float(saved.read_text())
    assert 0.0 < seconds < 5.0
    assert short_run(20) == "Python"
    assert float(saved.read_text()) > seconds  # the second run's added
    saved.write_text("1e6")  # as if it had been run a million seconds in Python already
    assert short_run(20) == "C"  # built at once
    assert short_run(20) == "C"  # from the cache
    assert float(saved.read_text()) == 1e6  # a run that built it, or found it built, adds nothing


@pytest.mark.parametrize("text", ["", "nan", "inf", "-5", "lots", "1e6\x00", "1" * 100, "\xff\xfe"])
def test_a_python_seconds_file_that_says_something_else_counts_for_nothing(cache, text):
    cache.mkdir(parents=True)
    name = "a" * 64
    (cache / f"{name}.python").write_text(text)
    assert libraries.python_seconds(name) == 0.0
    libraries.add_python_seconds(name, 0.25)
    assert libraries.python_seconds(name) == 0.25


def test_python_seconds_of_a_program_not_run_for_long_are_evicted(cache):
    libraries.add_python_seconds("b" * 64, 1.0)
    libraries.add_python_seconds("c" * 64, 1.0)
    old = time.time() - 1000.0
    os.utime(cache / f"{'b' * 64}.python", (old, old))
    libraries.evict(cache, max_age=500.0)
    assert [p.name for p in cache.glob("*.python")] == [f"{'c' * 64}.python"]


def test_nn_train_with_native_builds_only_the_loop_of_steps_it_runs(cache):
    history = nn.train(nn.MLP(2, [3, 1], seed=0), nn.xor(), steps=5, native=True, progress=False)
    assert history.looped == "C"
    assert len(list(cache.glob("*.so"))) == 1  # not the loop over samples too, which the loop of steps never calls
