"""The native reading of a program: its generated Python read as C (``creading``), compiled, called through ctypes.

Where the Python would raise, the C sets an error flag, and the program takes its slow path (the engine
says why). Libraries are built by the system compiler and cached on disk (``libraries``); ``Tiered`` decides
when a program's native reading pays.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import math
import time
from array import array
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any

from autograd.compiler import libraries
from autograd.compiler.creading import ARRAYS, Unreadable, c_body, c_source, extension_source
from autograd.primitive import OPS, SOURCE_C


def reading(
    python: str, outputs: int, shape: Callable[[list[float]], Any], build: bool = True
) -> Callable[..., Any] | None:
    """The native reading of a generated ``run(...)``, called as it is: its outputs numbers shaped by shape.

    None: the source has something the C reading does not know, no compiler is found (noted once), or
    (build=False) the cache does not hold it yet. The native run raises ArithmeticError where the Python
    would raise (an error flag), so that the caller's slow path runs.
    """
    bodies = sorted(f"{name}:{c_body(name)}" for name in {*OPS, *SOURCE_C})
    names = python[python.index("(") + 1 : python.index(")")].split(", ")
    try:
        if names == ["x", "p"]:  # called one at a time: as an extension module, without ctypes' cost a call
            make = lambda: extension_source(python, outputs)  # noqa: E731
            module = libraries.load((python, _READER, *bodies), make, build, extension=True)
            if module is not None:
                return _called_directly(module, shape)
        library = libraries.load((python, _READER, *bodies), lambda: c_source(python), build)
    except Unreadable:
        return None
    return None if library is None else _called_through_ctypes(library, names, outputs, shape)


def _called_through_ctypes(library: Any, names: list[str], outputs: int, shape: Callable[..., Any]) -> Any:
    """A generated run(names...) as library's C function run(..., double *out), its outputs numbers shaped."""
    run = library.run
    run.argtypes = [t for name in names for t in _C_TYPES.get(name, (ctypes.c_double,))] + [ctypes.c_void_p]
    run.restype = ctypes.c_int

    zeros = bytes(8 * outputs)
    if names == ["steps", "x", "p"]:  # iterate: out holds a value per step besides

        def native(steps: int, x: list[float], p: list[float]) -> Any:
            xs, ps, out = array("d", x), array("d", p), array("d", bytes(8 * (outputs + steps)))
            if run(steps, xs.buffer_info()[0], ps.buffer_info()[0], out.buffer_info()[0]):
                raise ArithmeticError("native program: the Python reading raises here")
            return shape(out.tolist())

    elif names == ["x", "p"]:  # forward and gradient: the usual call, spelled out

        def native(x: list[float], p: list[float]) -> Any:
            xs, ps, out = array("d", x), array("d", p), array("d", zeros)
            if run(xs.buffer_info()[0], ps.buffer_info()[0], out.buffer_info()[0]):
                raise ArithmeticError("native program: the Python reading raises here")
            return shape(out.tolist())

    else:
        steps = names[0] == "steps"  # a training loop: out holds a loss per step besides

        def native(*args: Any) -> Any:
            out = array("d", bytes(8 * (outputs + args[0]))) if steps else array("d", zeros)
            held = [out]  # out, then the arrays handed over: alive until the call returns
            numbers: list[Any] = []
            for name, value in zip(names, args):
                if name == "xs":
                    held.append(array("d", chain.from_iterable(value)))
                    numbers += [held[-1].buffer_info()[0], len(value)]
                elif name in ARRAYS:
                    held.append(array("d", value))
                    numbers.append(held[-1].buffer_info()[0])
                else:
                    numbers.append(value)
            if run(*numbers, held[0].buffer_info()[0]):
                raise ArithmeticError("native program: the Python reading raises here")
            return shape(held[0].tolist())

    native.library = library  # type: ignore[attr-defined]  # loaded while the function lives
    return native


def _called_directly(module: Any, shape: Callable[[list[float]], Any]) -> Callable[..., Any]:
    """A generated run(x, p) as an extension module's run, its outputs shaped by shape."""
    run = module.run

    def native(x: list[float], p: list[float]) -> Any:
        return shape(run(x, p))

    native.library = module  # type: ignore[attr-defined]
    return native


_C_TYPES = {
    "xs": (ctypes.c_void_p, ctypes.c_long),
    "steps": (ctypes.c_long,),
    **{n: (ctypes.c_void_p,) for n in ARRAYS},
}
# This reading of the source: a new one makes new cache entries.
_READER = hashlib.sha256(
    b"".join(Path(__file__).with_name(n).read_bytes() for n in ("creading.py", "native.py"))
).hexdigest()


class Tiered:
    """A generated run(...) in Python until its native reading pays, then native; called as run is.

    mode True: native at once; False: Python always. "auto" (ski rental): the Python runs until it has
    taken as long as building the library is estimated to take (from the builds measured so far), then the
    library is built (at once if the cache holds it), and the next call times both readings and keeps the
    faster: a short run never waits for the compiler, a long one spends at most about as long in Python as
    it then saves, and a program too small to gain from C (the call through ctypes costs ~2 µs) stays Python.
    The Python time counts over every Tiered of the same source in the process (each nn.train traces its loss
    anew) and in earlier processes (kept in the cache at exit: a script run again and again is one long run);
    a loop of steps builds at once when the steps asked for would take longer in Python than the build.
    """

    def __init__(
        self,
        python: Callable[..., Any],
        source: str,
        outputs: int,
        shape: Callable[..., Any],
        mode: bool | str,
        compare: bool = True,
    ):
        self.python = self.run = python
        self.reading = (source, outputs, shape)
        self.compare = compare  # False: a native reading is taken untimed (a loop of steps: it always wins)
        self.chunk = 8  # steps per call of a loop of steps while counting, doubling
        self.left: float | None = None  # seconds of Python before building, while counting
        self.trial: Callable[..., Any] | None = None  # a native reading to time against the Python at the next call
        if mode is True:
            self.run = self._native(build=True) or python
        elif mode == "auto":
            self.trial = self._native(build=False)
            self.left = 0.0 if self.trial else build_seconds(source) - python_seconds(source)
        self.step_seconds = 0.0  # a loop of steps: how long a step took in Python

    def __call__(self, *args: Any) -> Any:
        if self.left is None:
            return self.run(*args)
        if self.trial is not None:
            return self._choose(args)
        start = time.perf_counter()
        try:
            return self.python(*args)
        finally:
            spent = time.perf_counter() - start
            key = hash(self.reading[0])  # a str caches its hash: no cost after the first call
            SPENT[key] = SPENT.get(key, 0.0) + spent
            if not self.compare:  # a loop of steps: args[0] steps
                self.step_seconds = spent / max(1, args[0])
            self.left -= spent
            if self.left <= 0.0:
                self._build()

    def _build(self) -> None:
        """Build the native reading now, to be taken at the next call (or Python for good without a compiler)."""
        self.left = 0.0
        self.trial = self._native(build=True)
        if self.trial is None:
            self.left = None
        else:  # in the cache now: its time in Python is nobody's concern any more
            NAMES.pop(hash(self.reading[0]), None)

    @property
    def is_native(self) -> bool:
        """Whether calls run the native reading."""
        return self.run is not self.python

    def _choose(self, args: tuple[Any, ...]) -> Any:
        """The Python's result at args, after timing both readings there and keeping the faster for later calls."""
        native, self.trial, self.left = self.trial, None, None
        if native is None:  # another thread chose meanwhile
            return self.run(*args)
        if not self.compare:
            self.run = native
            return native(*args)
        python = min(_seconds(self.python, args) for _ in range(3))
        if python == math.inf:  # the Python raises here: choose at a call that computes
            self.trial, self.left = native, 0.0
        elif min(_seconds(native, args) for _ in range(3)) < python:
            self.run = native
        return self.python(*args)

    def steps(self, remaining: int) -> int:
        """How many of the remaining steps of a loop of steps to ask for in the next call: all once settled."""
        if self.left is None:
            return remaining
        if self.trial is None and self.step_seconds * remaining > self.left:  # the rest takes longer in Python
            self._build()
        self.chunk *= 2
        return min(remaining, self.chunk // 2)

    def _native(self, build: bool) -> Callable[..., Any] | None:
        source, outputs, shape = self.reading
        start = time.perf_counter()
        native = reading(source, outputs, shape, build)
        if native is not None and build:  # a measured build (or a cache hit, cheaper still): estimate in proportion
            SPEED[0] = min(10.0, max(0.01, (time.perf_counter() - start) / build_seconds(source, measured=False)))
        return native


def _seconds(run: Callable[..., Any], args: tuple[Any, ...]) -> float:
    """How long run(*args) takes (inf if it raises: the slow path would follow)."""
    start = time.perf_counter()
    try:
        run(*args)
    except (ArithmeticError, ValueError):
        return math.inf
    return time.perf_counter() - start


def python_seconds(source: str) -> float:
    """Seconds source has run in Python: in this process, and in earlier ones (saved at their exit)."""
    key = hash(source)
    if key not in SAVED:
        SAVED[key] = libraries.python_seconds(_name(source))
        if not NAMES:
            atexit.register(_save_python_seconds)
        NAMES[key] = _name(source)
    return SAVED[key] + SPENT.get(key, 0.0)


def _name(source: str) -> str:
    return hashlib.sha256(f"{_READER}\0{source}".encode()).hexdigest()


def _save_python_seconds() -> None:
    """At exit: add each program's seconds in Python in this process to the cache's, for the processes after."""
    for key, name in NAMES.items():
        if SPENT.get(key):
            libraries.add_python_seconds(name, SPENT[key])


def build_seconds(source: str, measured: bool = True) -> float:
    """How long building source's library is estimated to take: gcc's time on this machine, scaled by the last build."""
    seconds = 0.1 + libraries.level(source)[1] * source.count("\n")
    return seconds * SPEED[0] if measured else seconds


SPEED = [1.0]  # the last build's time over its estimate
SPENT: dict[
    int, float
] = {}  # by the source's hash: seconds each source has run in Python in this process, while its library was not built
SAVED: dict[int, float] = {}  # by the source's hash: its seconds in Python in earlier processes, read from the cache
NAMES: dict[int, str] = {}  # by the source's hash: its name in the cache
