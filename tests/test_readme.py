"""The README's examples are true: every TOML block loads, every Python and shell block runs as written
(in order, in one scratch folder), and every output block is what those commands print."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from oracles import needs_torch

from backprop import sources

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", TEXT, re.S | re.M)
SET_UP = ("python -m pip install", "python -m pytest")  # CI runs these itself: a test cannot install or recurse


def blocks(kind: str) -> list[str]:
    return [body for tag, body in BLOCKS if tag == kind]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A scratch folder holding the README's TOML files, each named by its block's first line."""
    path = tmp_path_factory.mktemp("readme")
    for body in blocks("toml"):
        name = re.fullmatch(r"# ([\w.-]+\.toml)", body.splitlines()[0])
        assert name, f"a TOML block starts with its file name as a comment, not {body.splitlines()[0]!r}"
        (path / name[1]).write_text(body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shell_output(folder) -> str:
    """What every shell command of the README prints, each checked for the exit status it states."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    printed = []
    for line in (line for body in blocks("bash") for line in body.splitlines()):
        command, _, comment = line.partition("  #")
        steps = [s for s in command.split(" && ") if s.strip() and not s.startswith(SET_UP)]
        if not steps or line.startswith("#"):
            continue
        stated = re.search(r"exit status (\d)", comment)
        result = subprocess.run(" && ".join(steps), shell=True, cwd=folder, env=env, capture_output=True, text=True)
        assert (result.returncode, result.stderr) == (int(stated[1]) if stated else 0, ""), line
        printed.append(result.stdout)
    return "\n".join(printed)


def test_every_toml_block_loads(folder):
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["lecture.toml", "mine.toml", "my-net.toml", "softmax-net.toml"]
    for name in names:
        assert math.isfinite(sources.subjects(str(folder / name))[0].make().forward().loss.data)


def test_every_shell_command_runs_and_every_output_block_is_printed(shell_output):
    outputs = blocks("")
    assert len(outputs) >= 2
    lines = set(shell_output.splitlines())
    for body in outputs:
        for line in body.splitlines():
            assert line in lines, line


@needs_torch  # the bridge's example
def test_every_python_example_runs(folder, monkeypatch, capsys):
    assert len(blocks("python")) >= 6
    monkeypatch.chdir(folder)
    for number, block in enumerate(blocks("python"), 1):  # each alone, as a reader copies one
        exec(compile(block, f"README.md python block {number}", "exec"), {})
    printed = capsys.readouterr().out
    assert "True" in printed  # gradcheck's and the tracer's claims
    assert {"russo-graph.svg", "russo-network.png", "neuron.svg", "moons.json"} <= {p.name for p in folder.iterdir()}
    drawn = (folder / "spirals.svg").read_text(encoding="utf-8")
    assert drawn == (README.parent / "docs" / "spirals.svg").read_text(encoding="utf-8")  # the picture it shows


def test_the_readme_opens_with_the_two_commands():
    commands = re.findall(r"```bash\n# (set up and run the [a-z ]+)\n(.+)\n```", TEXT)
    assert [c[0] for c in commands[:2]] == ["set up and run the main job", "set up and run the tests"]
    assert TEXT.index(commands[0][1]) < TEXT.index("## ")


def test_ci_ends_with_the_readme_test_command():
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert "grep -m1 -A1 '^# set up and run the tests' README.md" in "\n".join(ci)  # read from the README
    assert ci[-1] == 'exec bash -c "$test_command"'  # last: CI counts the tests from its summary
