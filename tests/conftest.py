"""Fixtures every test folder may use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shared_files import recorded_opsgenie


@pytest.fixture
def recorded() -> Callable[[str], Any]:
    """Load a recorded OpsGenie payload, or skip visibly when shared/ is absent."""
    return recorded_opsgenie
