"""Where ../shared is, and skips that say why when it is absent (a fresh clone).

A plain module rather than conftest.py, because `from conftest import` is
ambiguous once several test folders have a conftest.py of their own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a visible skip when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: shared/ is only beside the repo in CI and dev")
    return path


def recorded_opsgenie(name: str) -> Any:
    """One recorded OpsGenie payload from ../shared/contracts/opsgenie."""
    path = shared_path("contracts", "opsgenie", name)
    return json.loads(path.read_text(encoding="utf-8"))
