"""The child process that runs the learner's code, one probe at a time, each within a time limit, under a
memory limit: an infinite loop, a crash or a huge allocation is reported, and never hangs or kills the caller.

The child is forked where the platform can (Linux, macOS), so a class defined anywhere, a notebook too,
is probed as it is; elsewhere (Windows) it is started afresh and the class must be importable by name.
The time limit is a timer in the child, which stops the learner's code and says where it was, and a
deadline in the parent, which kills a child stuck where the timer cannot reach it (in C code).
The memory limit is on the child's address space (``RLIMIT_AS``): it holds on Linux only.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import multiprocessing
import os
import signal
import sys
from pathlib import Path
from typing import Any

from autograd.probe.outcomes import PROBLEMS, describe, learner_frame
from autograd.probe.tasks import TASKS, InputError

MEMORY_LIMITED = sys.platform.startswith("linux")  # where RLIMIT_AS bounds what a process can allocate


class ProbeTimeout(BaseException):
    """A probe's time ran out (a BaseException, so that the learner's `except Exception` lets it through)."""


def check_spec(spec: str) -> None:
    """InputError unless spec reads FILE.py:CLASS (an existing file) or package.module:CLASS; runs no code."""
    where, _, name = spec.rpartition(":")
    if not where or not name or not name.replace(".", "").isidentifier():
        raise InputError(f"expected FILE.py:CLASS or package.module:CLASS, got {spec!r}")
    if where.endswith(".py") and not Path(where).is_file():
        raise InputError(f"no such file: {where}")


def load(target: Any) -> Any:
    """The class target names (FILE.py:CLASS or package.module:CLASS), or target itself if it is not a string."""
    if not isinstance(target, str):
        return target
    check_spec(target)
    where, _, name = target.rpartition(":")
    found = _import_file(Path(where)) if where.endswith(".py") else _import_module(where)
    for part in name.split("."):
        if not hasattr(found, part):
            raise InputError(f"{where} has no {name}")
        found = getattr(found, part)
    return found


def _import_file(path: Path) -> Any:
    """The module in path, imported as `python path` would see it: its folder first on sys.path."""
    sys.path.insert(0, str(path.resolve().parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise InputError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    except PROBLEMS as e:
        raise InputError(f"importing {path} raised {describe(e)}") from None
    return module


def _import_module(name: str) -> Any:
    sys.path.insert(0, os.getcwd())  # as `python -m` does
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if name == e.name or name.startswith(f"{e.name}."):
            raise InputError(f"no module named {e.name!r}") from None
        raise InputError(f"importing {name} raised {describe(e)}") from None
    except PROBLEMS as e:
        raise InputError(f"importing {name} raised {describe(e)}") from None


def _expire(signum: int, frame: Any) -> None:
    raise ProbeTimeout


def _arm(seconds: float) -> None:
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _limit_memory(megabytes: float) -> None:
    """Let the process grow by megabytes more than it has now (Linux only: RLIMIT_AS is not enforced elsewhere)."""
    if not MEMORY_LIMITED:
        return
    import resource

    with open("/proc/self/statm") as statm:  # the address space in use: the limit is above it
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + int(megabytes * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _quiet() -> None:
    """What the learner's code prints goes nowhere, and input() ends at once: the report is the only output."""
    nothing = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(nothing, fd)
    sys.stdin, sys.stdout, sys.stderr = (open(os.devnull, mode) for mode in ("r", "w", "w"))  # noqa: SIM115  # open as long as the child


def serve(connection: Any, target: Any, seconds: float, megabytes: float) -> None:
    """The child: load the class, then answer each task sent with ("done", result) or why it stopped."""
    _quiet()
    _limit_memory(megabytes)
    if hasattr(signal, "SIGALRM"):
        signal.signal(signal.SIGALRM, _expire)
    loaded: dict[str, Any] = {}
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        connection.send(_answer(message, target, loaded, seconds))


def _answer(message: tuple[str, tuple[Any, ...]], target: Any, loaded: dict[str, Any], seconds: float) -> tuple:
    task, args = message
    _arm(seconds)
    try:
        if "class" not in loaded:
            loaded["class"] = load(target)
        return ("done", TASKS[task](loaded["class"], *args))
    except InputError as e:
        return ("input", str(e))
    except ProbeTimeout as e:
        where = learner_frame(e)
        return ("stopped", f"timed out after {seconds:g} s" + (f" (in {where})" if where else ""))
    except BaseException as e:  # the probe's own code failed: say so rather than blame the class
        return ("failed", describe(e))
    finally:
        _arm(0)


class Worker:
    """The parent's end: runs tasks in a child process, starting a new one after a crash or a hang."""

    def __init__(self, target: Any, seconds: float, megabytes: float):
        self.target, self.seconds, self.megabytes = target, seconds, megabytes
        self._process: Any = None
        self._connection: Any = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, task: str, *args: Any) -> tuple[str, Any]:
        """("done", the task's result), ("input", why the class cannot be probed), ("stopped", a timeout or a
        crash), or ("failed", the probe's own error)."""
        if self._process is None:
            self._start()
        try:
            self._connection.send((task, args))
        except OSError:  # the child ended between two tasks: run this one in a new child
            self._stop()
            self._start()
            self._connection.send((task, args))
        if self._connection.poll(self.seconds * 1.5 + 1.0):  # the child's timer first: it says where it was
            try:
                return self._connection.recv()
            except (EOFError, OSError):
                return ("stopped", self._ended())
        self._stop()
        return ("stopped", f"timed out after {self.seconds:g} s (stuck where a timer cannot stop it)")

    def _start(self) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._connection, child = context.Pipe()
        process = context.Process(target=serve, args=(child, self.target, self.seconds, self.megabytes), daemon=True)
        for stream in (sys.stdout, sys.stderr):  # a forked child must not print the parent's buffered text again
            stream.flush()
        try:
            process.start()
        except Exception as e:  # spawn pickles the class by name: one defined in a notebook cannot be sent
            raise InputError(f"cannot start a process for {self.target!r}: {e}; pass 'FILE.py:CLASS'") from None
        finally:
            child.close()
        self._process = process

    def _ended(self) -> str:
        """How the child ended, after it did: its exit status or the signal that killed it."""
        self._process.join(5)
        code = self._process.exitcode
        self._stop()
        if code is not None and code < 0:
            return f"crashed: the process was killed by {signal.Signals(-code).name}"
        return f"crashed: the process exited with status {code}"

    def _stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._connection.close()
        self._process = self._connection = None

    def close(self) -> None:
        """End the child process, if there is one."""
        if self._process is None:
            return
        with contextlib.suppress(OSError):  # the child has ended already
            self._connection.send(None)
        self._process.join(1)
        self._stop()
