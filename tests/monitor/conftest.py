"""Monitor test fixtures (helpers live in monitor_world.py, importable by the tests)."""

from __future__ import annotations

import pytest
from monitor_world import World


@pytest.fixture
def world(tmp_path) -> World:
    return World(tmp_path)
