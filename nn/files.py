"""Reading the package's input files (specs, parameter files, claim files) with errors that name the file.

Besides read_text, the pieces every TOML reader's errors are made of: a field path as text (``dotted``), a
value described (``shown``), the kinds a field takes (``kinds_named``), the line a field is set on
(``toml_line``), and ``FieldReader``, which checks fields and raises ``file:line: field: what is wrong``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

Path_ = tuple[str | int, ...]  # a field: keys and array indices, e.g. ("layers", 0, "weights", 2)
E = TypeVar("E", bound=Exception)


def read_text(path: Path, what: str, error: type[Exception]) -> str:
    """The UTF-8 text of path, or error("<path>: cannot read the <what>: <reason>")."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise error(f"{path}: cannot read the {what}: {e.strerror or e}") from None


def dotted(path: Path_) -> str:
    """A field path as text: part[0].claim[3].printed (the empty path is "(top level)")."""
    out = ""
    for piece in path:
        out += f"[{piece}]" if isinstance(piece, int) else (f".{piece}" if out else piece)
    return out or "(top level)"


def parse_dotted(text: str) -> Path_:
    """The field path that dotted wrote as text."""
    path: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        path.append(int(index) if index else name)
    return tuple(path)


# bool has no word: an expected bool reads "expected bool" (claim files' truncates; specs ask for none)
_KIND_WORDS: dict[type, str] = {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a table"}
_VALUE_KINDS: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    list: "list",
    bool: "boolean",
    dict: "table",
}


def kinds_named(kinds: tuple[type, ...]) -> str:
    """What a field takes, in words: "a string or a list" (other types by their Python name)."""
    return " or ".join(dict.fromkeys(_KIND_WORDS.get(k, k.__name__) for k in kinds))


def shown(value: Any) -> str:
    """A value as an error shows what it got: its TOML kind and its repr, cut to 60 characters."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{_VALUE_KINDS.get(type(value), type(value).__name__)} {text}"


def toml_line(text: str, path: Path_, *, enclosing: bool = True) -> int | None:
    """The line of the TOML text where the field at path is set, if it can be found by its key or header.

    enclosing (default): the field's ``key =`` or table header, else the nearest enclosing field's or
    table's. Otherwise only the field's own line: its ``key =`` if path ends in a name, or its ``[[table]]``
    header if path ends in an index (an entry of an array of tables).
    """
    tables, keys = _layout(text)
    if not enclosing:
        return (tables if path and isinstance(path[-1], int) else keys).get(tuple(path))
    for n in range(len(path), 0, -1):
        prefix = tuple(path[:n])
        if prefix in keys:
            return keys[prefix]
        if prefix in tables:
            return tables[prefix]
    return None


@cache
def _layout(text: str) -> tuple[dict[Path_, int], dict[Path_, int]]:
    """Where each table header and each key of a TOML text is: path → line number."""
    tables: dict[Path_, int] = {}
    keys: dict[Path_, int] = {}
    counts: dict[Path_, int] = {}
    current: Path_ = ()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"(\[\[?)\s*([\w.\-\"' ]+?)\s*\]\]?\s*(#.*)?$", stripped)
        if header and not re.match(r"[\w\"'-]+\s*=", stripped):
            resolved: list[str | int] = []
            names = [s.strip().strip("\"'") for s in header[2].split(".")]
            for j, name in enumerate(names):
                resolved.append(name)
                key = tuple(resolved)
                if j == len(names) - 1 and header[1] == "[[":
                    counts[key] = counts.get(key, -1) + 1
                    resolved.append(counts[key])
                elif key in counts:
                    resolved.append(counts[key])
            current = tuple(resolved)
            tables.setdefault(current, number)
            continue
        key_match = re.match(r"([\w\-]+|\"[^\"]*\"|'[^']*')\s*=", stripped)
        if key_match:
            keys.setdefault((*current, key_match[1].strip("\"'")), number)
    return tables, keys


class FieldReader(Generic[E]):
    """Checks a parsed TOML table field by field; failures name the source, the field's line and the field.

    Subclasses set error, the exception they raise; text is the file's TOML ("" for a table parsed elsewhere).
    """

    error: type[E]

    def __init__(self, source: str, text: str):
        self.source = source
        self.text = text

    def line(self, path: Path_) -> int | None:
        """The line the field at path is set on (or its nearest enclosing field's), if known."""
        return toml_line(self.text, path)

    def fail(self, path: Path_, message: str) -> E:
        line = self.line(path)
        at = f":{line}" if line else ""
        return self.error(f"{self.source}{at}: {dotted(path)}: {message}")

    def get(self, table: Mapping[str, Any], path: Path_, kinds: tuple[type, ...], default: Any = ...) -> Any:
        """table's field path[-1], which must be of one of kinds (a bool only if bool is one of them).

        Without a default, the field is required.
        """
        key = str(path[-1])
        if key not in table:
            if default is ...:
                raise self.fail(path, "this required field is missing")
            return default
        value = table[key]
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(path, f"expected {kinds_named(kinds)}, got {shown(value)}")
        return value
