"""Saving and loading a network's parameters as JSON: exact floats, checked before anything changes.

A save writes a temporary file beside the target and renames it over the old one, so a checkpoint on
disk is always a whole save: the old one until the new one is complete.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from autograd import Value
from inputfiles import parse_json, read_text
from nn.layers import Module

FORMAT = "scalar-backprop parameters"
VERSION = 1
FIELDS = ("format", "version", "sizes", "parameters")  # what save_parameters writes, and all a file may hold


class CheckpointError(ValueError):
    """A parameter file that cannot be read or written, or does not fit the network: ``file: field: what``."""


def save_parameters(model: Module, path: str | Path) -> None:
    """Write every parameter of model by name to a JSON file (floats written so they read back exactly).

    The file is replaced whole or not at all; unnamed, same-named and non-finite parameters are refused.
    """
    path = Path(path)
    params = _named(model, path)
    for name, p in params.items():
        problem = finite_number_problem(p.data)
        if problem:
            raise CheckpointError(f"{path}: parameters.{name}: {problem}")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": list(getattr(model, "sizes", [])),
        "parameters": {name: p.data for name, p in params.items()},
    }
    try:
        _replace(path, (json.dumps(document, indent=1) + "\n").encode("utf-8"))
    except OSError as e:
        raise CheckpointError(f"{path}: cannot write the parameters: {e.strerror or e}") from e


def load_parameters(model: Module, path: str | Path) -> None:
    """Set model's parameters from a file save_parameters wrote; on any error, change nothing."""
    path = Path(path)
    params = _named(model, path)
    values = _read(params, list(getattr(model, "sizes", [])), path)
    for name, p in params.items():
        p.data = values[name]


def _named(model: Module, path: Path) -> dict[str, Value]:
    """model's parameters by name; a CheckpointError if one has no name or two share one (files key by name)."""
    params: dict[str, Value] = {}
    index: dict[str, int] = {}
    for i, p in enumerate(model.parameters()):
        if p.label is not None and not isinstance(p.label, str):
            raise CheckpointError(f"{path}: parameters[{i}]: expected a name (a string), got {shown_as_json(p.label)}")
        if not p.label:
            raise CheckpointError(f"{path}: parameters[{i}]: the parameter has no name (a checkpoint keys by name)")
        if p.label in index:
            raise CheckpointError(
                f"{path}: parameters.{p.label}: parameters[{index[p.label]}] and [{i}] share this name"
            )
        params[p.label], index[p.label] = p, i
    return params


def _replace(path: Path, data: bytes) -> None:
    """Write data to a new file beside path, flushed to disk, then rename it over path in one step."""
    target = Path(os.path.realpath(path))  # through a symlink: replace the file it points to
    # a name no other save can have (O_EXCL refuses a clash), so concurrent saves never share a file
    temp = target.with_name(f".{target.name[:200]}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0o666 & ~umask, as open() would
    try:
        with os.fdopen(fd, "wb") as file:
            with contextlib.suppress(FileNotFoundError):  # a new file keeps the umask's mode
                os.fchmod(file.fileno(), stat.S_IMODE(os.stat(target).st_mode))
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _read(names: dict[str, Value], sizes: list[int], path: Path) -> dict[str, float]:
    def fail(field: str, message: str) -> CheckpointError:
        return CheckpointError(f"{path}: {field}: {message}")

    document = parse_json(read_text(path, "parameters", CheckpointError), str(path), CheckpointError)
    if not isinstance(document, dict):
        raise fail("(top level)", f"expected a JSON object, got {shown_as_json(document)}")
    for key in document:
        if key not in FIELDS:
            raise fail(key, f"unknown field; the fields are {', '.join(FIELDS)}")
    for key, expected in (("format", FORMAT), ("version", VERSION)):
        if not same(document.get(key), expected):
            raise fail(key, f"expected {expected!r}, got {shown_as_json(document.get(key))}")
    if not same(document.get("sizes"), sizes):
        held = document.get("sizes")
        shape = "-".join(map(str, held)) if isinstance(held, list) else shown_as_json(held)
        raise fail("sizes", f"the file holds a {shape} network, this network is {'-'.join(map(str, sizes))}")
    stored = document.get("parameters")
    if not isinstance(stored, dict):
        raise fail("parameters", f"expected a JSON object of name: number, got {shown_as_json(stored)}")
    for name, value in stored.items():
        if name not in names:
            raise fail(f"parameters.{name}", "no parameter of this network has this name")
        problem = finite_number_problem(value)
        if problem:
            raise fail(f"parameters.{name}", problem)
    missing = [name for name in names if name not in stored]
    if missing:
        raise fail("parameters", f"missing {', '.join(missing)}")
    return {name: float(value) for name, value in stored.items()}


def same(value: Any, expected: Any) -> bool:
    """Whether value is expected in JSON's terms too: true is not 1, 1.0 is not 1 (lists item by item)."""
    if isinstance(expected, list):
        return isinstance(value, list) and len(value) == len(expected) and all(map(same, value, expected))
    return type(value) is type(expected) and value == expected


def finite_number_problem(value: Any) -> str | None:
    """What keeps value out of a checkpoint, if anything: it must be a finite float, or an int a float holds exactly."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"expected a number, got {shown_as_json(value)}"
    if isinstance(value, int) and not (value.bit_length() <= 1024 and float(value) == value):
        return f"{shown_as_json(value)} has no exact float; a parameter is a float"
    if not math.isfinite(value):
        return f"expected a finite number, got {value!r}"
    return None


def shown_as_json(value: Any) -> str:
    """A value as a checkpoint error shows what it got: its JSON kind and its repr, cut to 80 characters."""
    kinds = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object"}
    if isinstance(value, int) and value.bit_length() > 100:  # repr refuses ints of over 4,300 digits
        return f"an integer of {value.bit_length():,} bits"
    return "nothing" if value is None else f"{kinds.get(type(value), type(value).__name__)} {value!r}"[:80]
