"""Saving and loading a network's parameters as JSON: exact floats, and checked before anything changes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from nn.files import read_text
from nn.layers import Module

FORMAT = "scalar-backprop parameters"
VERSION = 1


class CheckpointError(ValueError):
    """A parameter file that does not fit the network: ``file: field: what is wrong``."""


def save_parameters(model: Module, path: str | Path) -> None:
    """Write every parameter of model by name to a JSON file (floats written so they read back exactly)."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "sizes": list(getattr(model, "sizes", [])),
        "parameters": {name: p.data for name, p in model.parameters_by_name().items()},
    }
    Path(path).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def load_parameters(model: Module, path: str | Path) -> None:
    """Set model's parameters from a file save_parameters wrote; on any error, change nothing."""
    values = _read(model, Path(path))
    for name, p in model.parameters_by_name().items():
        p.data = values[name]


def _read(model: Module, path: Path) -> dict[str, float]:
    def fail(field: str, message: str) -> CheckpointError:
        return CheckpointError(f"{path}: {field}: {message}")

    text = read_text(path, "parameters", CheckpointError)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path}:{e.lineno}: not valid JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(document, dict):
        raise fail("(top level)", f"expected a JSON object, got {_shown(document)}")
    for key, expected in (("format", FORMAT), ("version", VERSION)):
        if document.get(key) != expected:
            raise fail(key, f"expected {expected!r}, got {_shown(document.get(key))}")
    sizes = list(getattr(model, "sizes", []))
    if document.get("sizes") != sizes:
        held = document.get("sizes")
        shape = "-".join(map(str, held)) if isinstance(held, list) else _shown(held)
        raise fail("sizes", f"the file holds a {shape} network, this network is {'-'.join(map(str, sizes))}")
    stored = document.get("parameters")
    if not isinstance(stored, dict):
        raise fail("parameters", f"expected a JSON object of name: number, got {_shown(stored)}")
    names = model.parameters_by_name()
    for name, value in stored.items():
        if name not in names:
            raise fail(f"parameters.{name}", "no parameter of this network has this name")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(f"parameters.{name}", f"expected a number, got {_shown(value)}")
        if not math.isfinite(value):
            raise fail(f"parameters.{name}", f"expected a finite number, got {value!r}")
    missing = [name for name in names if name not in stored]
    if missing:
        raise fail("parameters", f"missing {', '.join(missing)}")
    return {name: float(value) for name, value in stored.items()}


def _shown(value: Any) -> str:
    kinds = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object"}
    return "nothing" if value is None else f"{kinds.get(type(value), type(value).__name__)} {value!r}"[:80]
