"""The programs that draw: Graphviz's dot where it is installed, and graphviz-pure, which comes with the install."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROGRAMS = ["dot", "graphviz-pure"]


def hide_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which Graphviz's dot cannot be found (graphviz-pure still is, beside this Python)."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


def draw_with(program: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make program the one that draws: dot (skipped where it is not installed), or graphviz-pure with dot hidden."""
    if program == "graphviz-pure":
        hide_dot(monkeypatch, tmp_path)
    elif shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed (Debian: apt-get install graphviz); graphviz-pure draws here")
