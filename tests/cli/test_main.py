"""The `kraken` command surface: every registered command loads and answers --help."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from kraken.cli import _COMMANDS, cli


def test_top_level_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in _COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_every_command_answers_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_python_dash_m_passes_the_exit_code_through(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("routes: [{name: x}]\n")
    done = subprocess.run(
        [sys.executable, "-m", "kraken", "config", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "routes[0]" in done.stdout + done.stderr
