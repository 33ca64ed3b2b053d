"""Compiled C libraries, cached on disk by a hash of their source, and the system compiler that makes them.

An entry is ``<key>.so`` and ``<key>.sha256``, the hash of the library's bytes: a library is loaded only
from bytes that match it, so a corrupted entry is rebuilt, never loaded. Entries are written to a
temporary file and renamed into place, so processes building the same entry at once each see a whole one.
After a build the least recently used entries are removed past a size and an age (``evict``).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.machinery
import importlib.util
import math
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograd.callers import warn_at_caller

# No reassociation, no fused multiply-adds, no compile-time folding of libm calls: the numbers of the source.
FLAGS = ("-fno-fast-math", "-ffp-contract=off", "-fno-builtin", "-shared", "-fPIC")
# How hard the compiler works, by the source's lines: (most lines, level, seconds a line). -O2 takes 23 s on
# 27,000 lines, -O0 3.6 s (and runs 1.5x slower); -O1 on the moons MLP's loop of steps (4,351 lines): 1.9 s
# against -O0's 0.45 s, its steps 1.35x faster.
LEVELS = ((4000, "-O2", 2e-4), (12000, "-O1", 4.2e-4), (None, "-O0", 1.8e-4))


def level(source: str) -> tuple[str, float]:
    """The optimisation level source is compiled at, and about how long a line of it takes (this machine's gcc)."""
    lines = source.count("\n")
    return next((flag, seconds) for most, flag, seconds in LEVELS if most is None or lines <= most)


_noted: list[str] = []  # why there is no compiler, once noted
_LOCK = threading.Lock()
_versions: dict[str, str] = {}


def compiler() -> str | None:
    """The C compiler's path: $CC, else cc, gcc or clang on PATH; None if there is none."""
    names = [os.environ["CC"]] if os.environ.get("CC") else ["cc", "gcc", "clang"]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def cache_directory() -> Path:
    """Where compiled libraries are kept: $AUTOGRAD_CACHE, else the user's cache directory."""
    if os.environ.get("AUTOGRAD_CACHE"):
        return Path(os.environ["AUTOGRAD_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scalar-backprop" / "native"


def load(
    key_parts: tuple[str, ...], make_source: Callable[[], str], build: bool = True, extension: bool = False
) -> Any:
    """The library made of make_source()'s C, from the cache entry for key_parts (what the source is made of).

    Compiled and cached if the cache holds no sound entry (build=False: None then); None without a compiler.
    make_source may raise; it is called only to build. extension: the C is a CPython extension module named
    program, loaded as a module (None, and nothing noted, without Python's headers or if it fails to build).
    """
    cc = compiler()
    if cc is None:
        if build:  # noted when a build is wanted, not when the cache is only looked into
            _note("no C compiler found (set CC, or put cc on PATH): programs replay in Python")
        return None
    flags = extension_flags() if extension else FLAGS
    if flags is None:
        return None
    parts = (*key_parts, cc, _version(cc), platform.machine(), *flags, repr(LEVELS))
    key = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    directory = cache_directory()
    signature = _signature(directory, key)
    loaded = _LOADED.get((directory, key))
    if loaded is not None and loaded[1] == signature:  # the entry it was loaded from is still there, untouched
        return loaded[0]
    library = _sound(directory, key, extension)
    if library is None and build:
        try:
            library = _build(cc, flags, make_source(), directory, key, extension)
        except (OSError, subprocess.SubprocessError, ImportError) as error:
            if not extension:  # an extension module that fails leaves the library called through ctypes
                _note(f"the C compiler failed ({error}): programs replay in Python")
        else:
            evict(directory, keep=key)
    if library is not None:
        with _LOCK:
            _LOADED[directory, key] = library, _signature(directory, key)
            while len(_LOADED) > LOADED_LIBRARIES:
                del _LOADED[next(iter(_LOADED))]  # the oldest: still loaded while a program holds it
    return library


# Libraries loaded by this process, by cache directory and key, with their entry's signature: a program traced
# again (each nn.train traces its loss) is not read, checked and loaded from disk again while its entry stands.
_LOADED: dict[tuple[Path, str], tuple[Any, Any]] = {}
LOADED_LIBRARIES = 64


def _signature(directory: Path, key: str) -> Any:
    """What tells an entry's files apart from any written later (None if there is no whole entry)."""
    try:
        library, digest = (directory / f"{key}.so").stat(), (directory / f"{key}.sha256").stat()
    except OSError:
        return None
    return library.st_ino, library.st_size, library.st_mtime_ns, digest.st_ino, digest.st_size


def extension_flags() -> tuple[str, ...] | None:
    """FLAGS for a CPython extension module of this very Python (its headers, its version); None without Python.h."""
    include = sysconfig.get_paths()["include"]
    if not Path(include, "Python.h").is_file():
        return None
    return (*FLAGS, f"-I{include}", f"-DPYTHON_VERSION={sys.version.split()[0]}{sys.abiflags}")


def _sound(directory: Path, key: str, extension: bool) -> Any:
    """The cached library for key, loaded from bytes that match its stored hash; None if there are none."""
    try:
        data = (directory / f"{key}.so").read_bytes()
        stored = (directory / f"{key}.sha256").read_text().strip()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != stored:
        return None
    with contextlib.suppress(OSError):  # the time of its last use, which eviction goes by
        os.utime(directory / f"{key}.sha256")
    try:
        return _loaded(directory, data, extension)
    except (OSError, ImportError):  # a sound entry this process cannot load: built again
        return None


def _loaded(directory: Path, data: bytes, extension: bool) -> Any:
    """The library of data, loaded from a private copy of those very bytes.

    Never from the cache entry itself: the entry may be replaced meanwhile, a name the loader has seen (as
    /proc/self/fd/N, reused) would give back the library loaded under it, and a mapped entry written over in
    place (a corrupted cache being repaired) would kill the process with SIGBUS when its pages are read.
    """
    with tempfile.TemporaryDirectory(dir=directory) as work:
        copy = Path(work) / "program.so"
        copy.write_bytes(data)
        if not extension:
            return ctypes.CDLL(str(copy))
        # Multi-phase initialisation: the module is made here, not kept in sys.modules or the import cache.
        loader = importlib.machinery.ExtensionFileLoader("program", str(copy))
        module = importlib.util.module_from_spec(importlib.util.spec_from_loader("program", loader))
        loader.exec_module(module)
        return module


def _build(cc: str, flags: tuple[str, ...], source: str, directory: Path, key: str, extension: bool) -> Any:
    """Compile source into the cache as key's entry, and the library loaded (from the bytes just built)."""
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as work:
        c_file, built, digest = Path(work) / "program.c", Path(work) / "program.so", Path(work) / "program.sha256"
        c_file.write_text(source)
        command = [cc, level(source)[0], *flags, str(c_file), "-o", str(built), "-lm"]
        subprocess.run(command, check=True, capture_output=True, timeout=600)
        data = built.read_bytes()
        digest.write_text(hashlib.sha256(data).hexdigest())
        os.replace(built, directory / f"{key}.so")
        os.replace(digest, directory / f"{key}.sha256")
    return _loaded(directory, data, extension)


def evict(directory: Path, keep: str = "", max_bytes: int | None = None, max_age: float | None = None) -> list[str]:
    """Remove the entries least recently used until the cache holds at most max_bytes of libraries, and those
    unused for max_age seconds (defaults: $AUTOGRAD_CACHE_BYTES or 256 MB, $AUTOGRAD_CACHE_DAYS or 30 days);
    never keep's. The keys removed.

    Safe while other processes use the cache: a library loaded is a private copy, which removing the entry
    leaves alone, and an entry removed while another process reads it is at worst built again.
    """
    max_bytes = _setting("AUTOGRAD_CACHE_BYTES", 256 << 20) if max_bytes is None else max_bytes
    max_age = _setting("AUTOGRAD_CACHE_DAYS", 30) * 86400.0 if max_age is None else max_age
    now, entries = time.time(), []
    for library in directory.glob("*.so"):
        try:  # last used: when its digest was last read (or written); another process may remove it meanwhile
            entries.append((library.with_suffix(".sha256").stat().st_mtime, library.stat().st_size, library.stem))
        except OSError:
            entries.append((0.0, 0, library.stem))  # half an entry: removed first
    entries.sort()
    total, removed = sum(size for _, size, _ in entries), []
    for used, size, key in entries:
        if key != keep and (total > max_bytes or now - used > max_age):
            for suffix in (".sha256", ".so"):  # the digest first: an entry without one is never loaded
                with contextlib.suppress(OSError):
                    (directory / f"{key}{suffix}").unlink()
            total -= size
            removed.append(key)
    for spent in directory.glob("*.python"):  # the Python seconds of a program not run for max_age seconds
        with contextlib.suppress(OSError):
            if now - spent.stat().st_mtime > max_age:
                spent.unlink()
    for work in directory.glob("tmp*"):  # a crashed process's work directory or file (a build takes at most 600 s)
        with contextlib.suppress(OSError):
            if now - work.stat().st_mtime > 3600.0:
                shutil.rmtree(work) if work.is_dir() else work.unlink()
    return removed


def python_seconds(name: str) -> float:
    """Seconds the program name has run in Python in earlier processes (add_python_seconds); 0.0 if none are known."""
    try:
        with open(cache_directory() / f"{name}.python", "rb") as file:
            text = file.read(65)  # a number is short: a file grown past 64 bytes is not one
        seconds = float(text) if len(text) <= 64 else math.nan
    except (OSError, ValueError):
        return 0.0
    return seconds if 0.0 <= seconds < math.inf else 0.0  # a file that says something else counts for nothing


def add_python_seconds(name: str, seconds: float) -> None:
    """Add seconds to what the cache says name has run in Python, written whole (a lost race loses some seconds)."""
    directory = cache_directory()
    with contextlib.suppress(OSError):  # a hint for later processes: nothing to say if it cannot be written
        directory.mkdir(parents=True, exist_ok=True)
        total = python_seconds(name) + seconds
        with tempfile.NamedTemporaryFile("w", dir=directory, prefix="tmp", suffix=".python", delete=False) as f:
            f.write(repr(total))
        os.replace(f.name, directory / f"{name}.python")


def _setting(name: str, default: float) -> float:
    """A number from the environment variable name, else default; ValueError naming it if it is not a number >= 0."""
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0.0 or value == float("inf"):
        raise ValueError(f"{name}: must be a number >= 0, got {text!r}")
    return value


def _version(cc: str) -> str:
    """The compiler's first line of --version: a new compiler makes new entries."""
    with _LOCK:
        if cc not in _versions:
            try:
                done = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=60)
                _versions[cc] = done.stdout.partition("\n")[0]
            except (OSError, subprocess.SubprocessError):
                _versions[cc] = ""
    return _versions[cc]


def _note(message: str) -> None:
    """Warn of message once per process."""
    with _LOCK:
        if message in _noted:
            return
        _noted.append(message)
    warn_at_caller(message, RuntimeWarning)
