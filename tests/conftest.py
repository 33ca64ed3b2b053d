"""What every test shares: compiled programs are cached in a directory of the test session's own."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def native_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Native programs built during the tests go to a temporary cache, never the user's."""
    os.environ["AUTOGRAD_CACHE"] = str(tmp_path_factory.mktemp("native-cache"))
