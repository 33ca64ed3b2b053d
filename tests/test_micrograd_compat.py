"""micrograd's own test suite and README example, run against this engine with only the import changed.

Their files are read from micrograd's source distribution on PyPI at test time (not copied here).
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

MICROGRAD = "micrograd==0.1.0"
ORIGINAL_IMPORT = "from micrograd.engine import Value"
OUR_IMPORT = "from autograd import Value"


@pytest.fixture(scope="session")
def micrograd_source(tmp_path_factory) -> Path:
    """micrograd's unpacked source distribution, downloaded from PyPI once per session."""
    where = tmp_path_factory.mktemp("micrograd")
    download = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            MICROGRAD,
            "--no-binary",
            ":all:",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-d",
            str(where),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    archives = list(where.glob("micrograd-*.tar.gz"))
    if download.returncode or not archives:
        pytest.skip(f"could not download {MICROGRAD}'s sources from PyPI: {download.stderr.strip()[-200:]}")
    with tarfile.open(archives[0]) as archive:
        archive.extractall(where, filter="data")
    return next(where.glob("micrograd-*/"))


def with_our_import(source: str) -> str:
    assert ORIGINAL_IMPORT in source
    return source.replace(ORIGINAL_IMPORT, OUR_IMPORT)


def test_micrograds_test_suite_passes(micrograd_source):
    pytest.importorskip("torch", reason="micrograd's tests compare with PyTorch; CI installs torch==2.13.0")
    namespace: dict = {}
    code = with_our_import((micrograd_source / "test" / "test_engine.py").read_text())
    exec(compile(code, "micrograd/test/test_engine.py", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert len(tests) >= 2
    for test in tests:
        test()


def test_micrograds_readme_example_prints_its_numbers(micrograd_source):
    readme = (micrograd_source / "README.md").read_text()
    example = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(with_our_import(example), "micrograd/README.md", "exec"), {})
    assert output.getvalue().split() == ["24.7041", "138.8338", "645.5773"]
