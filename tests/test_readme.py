"""The README's Python examples run as written (in order, in one namespace, in a scratch folder)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_python_example_runs(tmp_path, monkeypatch, capsys):
    if shutil.which("dot") is None:
        pytest.skip("the README's drawing example needs Graphviz's dot (apt-get install graphviz)")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"README.md python block {number}", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "True" in printed  # gradcheck's and the tracer's claims
    assert {"russo-graph.svg", "russo-network.png", "neuron.svg", "moons.json"} <= {p.name for p in tmp_path.iterdir()}


def test_the_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n# (set up and run the [a-z ]+)\n(.+)\n```", text)
    assert [c[0] for c in commands[:2]] == ["set up and run the main job", "set up and run the tests"]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "# set up and run the tests" in ci  # .ci/run reads the second command from the README
