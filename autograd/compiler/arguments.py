"""A traced function's arguments: numbers, Values or nested lists of them, read as shapes and flat numbers."""

from __future__ import annotations

import numbers
from collections.abc import Iterator
from typing import Any

from autograd.compiler.errors import TraceError
from autograd.value import Value, as_finite_float

Shape = tuple["Shape | None", ...] | None  # None: one number; a tuple: a list, one shape per item


def shape_of(x: Any, where: str) -> Shape:
    if isinstance(x, list | tuple):
        return tuple(shape_of(item, f"{where}[{k}]") for k, item in enumerate(x))
    if isinstance(x, Value | numbers.Real):
        return None
    raise TypeError(f"{where} must be a number, a Value or a list of them, got {type(x).__name__}: {x!r}")


def checked_items(args: Any, shapes: tuple[Shape, ...], where: str = "args") -> Iterator[Any]:
    """The numbers and Values in args, depth first, checked against shapes."""
    if len(args) != len(shapes):
        raise TraceError(f"program: {where} has {len(args)} items; the traced example had {len(shapes)}")
    for k, (x, shape) in enumerate(zip(args, shapes)):
        is_list = isinstance(x, list | tuple)
        if shape is None and not is_list:
            yield x
        elif shape is not None and is_list:
            yield from checked_items(x, shape, f"{where}[{k}]")
        else:
            got = f"a list of {len(x)}" if is_list else "a number"
            wanted = "a number" if shape is None else f"a list of {len(shape)}"
            raise TraceError(f"program: {where}[{k}] is {got}; the traced example had {wanted}")


def flatten(args: Any, shapes: tuple[Shape, ...], floats: list[float]) -> bool:
    """Append the numbers in args to floats; False if args are not shaped like shapes."""
    if len(args) != len(shapes):
        return False
    for x, shape in zip(args, shapes):
        if shape is not None:
            if not (isinstance(x, list | tuple) and flatten(x, shape, floats)):
                return False
        elif x.__class__ is float and x - x == 0.0:
            floats.append(x)
        elif isinstance(x, Value):
            floats.append(x.data)
        elif isinstance(x, list | tuple):
            return False
        else:
            floats.append(as_finite_float(x, "program: argument"))
    return True


def size(shapes: tuple[Shape, ...]) -> int:
    """How many numbers args shaped like shapes hold."""
    return sum(1 if shape is None else size(shape) for shape in shapes)


def nest(flat: Iterator[Any], shapes: tuple[Shape, ...]) -> list[Any]:
    """flat's items in lists shaped like shapes."""
    return [next(flat) if shape is None else nest(flat, shape) for shape in shapes]
