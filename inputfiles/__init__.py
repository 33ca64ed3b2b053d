"""Reading the project's input files (specs, claim files, parameter files): bounded, and with errors that name the file.

Shared by nn and backprop, so it imports neither (nor autograd or viz).

``read_text`` reads a file (at most ``MAX_FILE_BYTES``, UTF-8); ``parse_toml`` and ``parse_json`` parse it
within ``MAX_NESTING`` and ``MAX_DIGITS``; ``check_tree`` holds an already parsed table to the same limits.
Every error is ``file:line: message`` or ``file:line: field: message``. Besides, the pieces every TOML
reader's errors are made of: a field path as text (``dotted``), a value described (``shown``) or quoted
(``quoted``), the names known beside an unknown one (``names_near``), the kinds a
field takes (``kinds_named``), the line a field is set on (``toml_line``), and ``FieldReader``, which checks
fields and raises ``file:line: field: what is wrong``.
"""

from __future__ import annotations

import difflib
import json
import json.scanner
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

Path_ = tuple[str | int, ...]  # a field: keys and array indices, e.g. ("layers", 0, "weights", 2)
E = TypeVar("E", bound=Exception)

MAX_FILE_BYTES = 16 * 2**20  # 16 MiB: far more than any network or document needs
MAX_NESTING = 32  # arrays and tables inside each other
MAX_DIGITS = 100  # digits in one number as written
MAX_NAMES_LISTED = 40  # an unknown name's error lists the names known, or the nearest of many
INT_RANGE = range(-(2**63), 2**63)  # TOML's integers are 64-bit; larger ones must be refused

# The limit scan's tokens: strings and comments (their brackets and digits do not count), brackets,
# line ends, and runs of digits longer than MAX_DIGITS. Strings end where the parser ends them: a
# multi-line string's last one or two quotes may be its own ('''it''''), else what follows would be
# read as a string and its brackets would go uncounted.
_LIMIT_TOKENS = (r"[\[\]{}\n]", rf"[0-9_]{{{MAX_DIGITS + 1},}}")
_TOML_TOKENS = re.compile(
    "|".join(
        (
            r'"""(?:[^\\]|\\.)*?"{3,5}',  # multi-line basic string
            r"'''.*?'{3,5}",  # multi-line literal string
            r'"(?:[^"\\\n]|\\.)*"',  # basic string
            r"'[^'\n]*'",  # literal string
            r"#[^\n]*",  # comment
            *_LIMIT_TOKENS,
        )
    ),
    re.S,
)
_JSON_TOKENS = re.compile("|".join((r'"(?:[^"\\]|\\.)*"', *_LIMIT_TOKENS)), re.S)


def read_text(path: Path, what: str, error: type[Exception]) -> str:
    """The UTF-8 text of path (at most MAX_FILE_BYTES), or error naming the file and what is wrong."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise error(f"{path}: cannot read the {what}: {e.strerror or e}") from None
    if len(data) > MAX_FILE_BYTES:
        raise error(f"{path}: the {what} is larger than {MAX_FILE_BYTES // 2**20} MiB, the limit for an input file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        byte = data[e.start]
        raise error(f"{path}:{line}: not UTF-8 text: byte 0x{byte:02x} at column {column} ({e.reason})") from None


def parse_toml(text: str, source: str, error: type[Exception]) -> dict[str, Any]:
    """The TOML text as a table, within the limits, or error("source:line: what is wrong")."""
    _check_limits(text, source, error, _TOML_TOKENS)
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        match = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if not match:
            raise error(f"{source}: TOML syntax error: {message}") from None
        message = message[: match.start()].rstrip()
        raise error(f"{source}:{match[1]}: TOML syntax error at column {match[2]}: {message}") from None
    check_tree(table, lambda path, message: _fail(error, source, text, path, message))
    return table


def parse_json(text: str, source: str, error: type[Exception]) -> Any:
    """The JSON text as Python values, within the limits, or error("source:line: what is wrong").

    What JSON leaves open is refused, not guessed: a key given twice in one object (json keeps the last
    silently) and NaN or Infinity (Python's json reads them; JSON has no such numbers).
    """
    _check_limits(text, source, error, _JSON_TOKENS)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise error(f"{source}:{e.lineno}: JSON syntax error at column {e.colno}: {e.msg}") from None
    except _Unclear as e:
        raise error(f"{source}:{e.line(text)}: {e}") from None


class _Unclear(ValueError):
    """Something JSON leaves open, found by json's hooks, which are not told where it is: line() finds it."""

    def line(self, text: str) -> int:
        """The line of the first such thing in text (where the parse that raised this stopped)."""
        constant = next((m for m in _JSON_CONSTANT.finditer(text) if m[1]), None)
        if constant is not None:
            return text.count("\n", 0, constant.start()) + 1
        decoder = json.JSONDecoder(object_pairs_hook=_unique_keys)
        decoder.parse_object = _object_at  # type: ignore[attr-defined]
        decoder.scan_once = json.scanner.py_make_scanner(decoder)  # the pure-Python parser: it calls parse_object
        try:
            decoder.decode(text)
        except json.JSONDecodeError as e:
            return e.lineno
        return 1  # not reached: the same text raised this


_JSON_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(NaN|-?Infinity)', re.S)  # strings, so that none is read inside one


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys: set[str] = set()
    for key, _ in pairs:
        if key in keys:
            raise _Unclear(f"the key {json.dumps(key)} is given twice in one object; which value is meant?")
        keys.add(key)
    return dict(pairs)


def _no_constant(name: str) -> None:
    raise _Unclear(f"{name} is not a JSON number (JSON has no NaN or infinities)")


def _object_at(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
    """json's parse_object, whose errors point at the object's opening brace."""
    try:
        return json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
    except _Unclear as e:
        raise json.JSONDecodeError(str(e), s_and_end[0], s_and_end[1] - 1) from None


def check_tree(value: Any, fail: Callable[[Path_, str], Exception]) -> None:
    """Nothing if value's lists and tables nest at most MAX_NESTING deep and its integers are 64-bit.

    Otherwise raises fail(field, message). Walks without recursion, so a cyclic list is refused, not followed.
    """
    stack: list[tuple[Any, Path_]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, int) and not isinstance(item, bool) and item not in INT_RANGE:
            shown = str(item) if item.bit_length() <= 100 else f"of {item.bit_length()} bits"  # str() has a limit
            raise fail(path, f"the integer {shown} is outside the 64-bit range of TOML integers")
        children = item.items() if isinstance(item, Mapping) else enumerate(item) if isinstance(item, list) else ()
        for key, child in children:
            if isinstance(child, Mapping | list) and len(path) >= MAX_NESTING:
                raise fail(path, f"lists and tables are nested more than {MAX_NESTING} deep")
            stack.append((child, (*path, key)))


def _check_limits(text: str, source: str, error: type[Exception], tokens: re.Pattern[str]) -> None:
    """Refuse, before a parser sees it, text nested deeper than MAX_NESTING or a number longer than MAX_DIGITS."""
    line, depth = 1, 0
    for token in tokens.finditer(text):
        piece = token[0]
        if piece in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                raise error(f"{source}:{line}: lists and tables are nested more than {MAX_NESTING} deep")
        elif piece in ("]", "}"):
            depth = max(depth - 1, 0)
        elif piece[0].isdigit() or piece[0] == "_":
            raise error(f"{source}:{line}: a number written with more than {MAX_DIGITS} digits")
        line += piece.count("\n")


def _fail(error: type[E], source: str, text: str, path: Path_, message: str) -> E:
    line = toml_line(text, path)
    return error(f"{source}{f':{line}' if line else ''}: {dotted(path)}: {message}")


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
    return f"{_VALUE_KINDS.get(type(value), type(value).__name__)} {quoted(value)}"


def quoted(value: Any) -> str:
    """A value as an error quotes it: its repr, cut to 60 characters (a 2,000-character formula is not repeated)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def names_near(names: Collection[str], name: str, what: str = "the names") -> str:
    """What an error about an unknown name says of the names known: all of a few, else those nearest to name."""
    if len(names) <= MAX_NAMES_LISTED:
        return f"{what} are {', '.join(names)}"
    near = difflib.get_close_matches(name, names, n=MAX_NAMES_LISTED // 4, cutoff=0)
    return f"{what} nearest to it are {', '.join(near)} (of {len(names):,})"


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


@lru_cache(maxsize=8)
def _layout(text: str) -> tuple[dict[Path_, int], dict[Path_, int]]:
    """Where each table header and each key of a TOML text is: path → line number."""
    tables: dict[Path_, int] = {}
    keys: dict[Path_, int] = {}
    counts: dict[Path_, int] = {}
    current: Path_ = ()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"(\[\[?)([\w.\-\"' ]+)\]\]?\s*(#.*)?$", stripped)  # no nested repeats: linear
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
