"""Reading the package's input files (specs, parameter files) with errors that name the file."""

from __future__ import annotations

from pathlib import Path


def read_text(path: Path, what: str, error: type[Exception]) -> str:
    """The UTF-8 text of path, or error("<path>: cannot read the <what>: <reason>")."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise error(f"{path}: cannot read the {what}: {e.strerror or e}") from None
