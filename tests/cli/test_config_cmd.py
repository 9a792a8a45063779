"""`kraken config check`: problems on stdout and exit 1, or `ok:` and exit 0."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kraken.cli import cli

REPO = Path(__file__).resolve().parents[2]
NO_SECRETS: dict[str, str | None] = {
    "KRAKEN_WEBHOOK_TOKEN": None,
    "KRAKEN_OPSGENIE_API_KEY": None,
    "KRAKEN_SERVICENOW_PASSWORD": None,
    "KRAKEN_SERVICENOW_CLIENT_SECRET": None,
    "KRAKEN_DATABASE_URL": None,
}
ALL_SECRETS: dict[str, str | None] = {
    **NO_SECRETS,
    "KRAKEN_WEBHOOK_TOKEN": "t0ken-cli",
    "KRAKEN_OPSGENIE_API_KEY": "key-cli",
    "KRAKEN_SERVICENOW_PASSWORD": "pw-cli",
}


def check(path: Path, env: dict[str, str | None]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_good_example_config_passes() -> None:
    path = REPO / "kraken.example.yaml"
    code, out, err = check(path, ALL_SECRETS)
    assert code == 0
    assert out == f"ok: {path} (6 routes)\n"
    assert err == ""


def test_missing_secrets_are_warnings_not_failures() -> None:
    code, out, err = check(REPO / "kraken.example.yaml", NO_SECRETS)
    assert code == 0
    assert out.startswith("ok: ")
    assert "warning: KRAKEN_SERVICENOW_PASSWORD is not set" in err.splitlines()
    assert "warning: KRAKEN_WEBHOOK_TOKEN is not set" in err.splitlines()


def test_every_problem_is_printed_one_per_line_with_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "servicenow: {auth: ldap}\nworker: {max_attempts: 0}\n", encoding="utf-8"
    )
    code, out, _ = check(path, NO_SECRETS)
    assert code == 1
    assert out.splitlines() == [
        "servicenow.auth: must be one of basic, oauth",
        "worker.max_attempts: must be >= 1",
    ]


def test_missing_file_is_a_problem_with_exit_1(tmp_path: Path) -> None:
    code, out, _ = check(tmp_path / "absent.yaml", NO_SECRETS)
    assert code == 1
    assert "cannot read" in out


def test_unreadable_secret_file_is_a_problem(tmp_path: Path) -> None:
    env = {**NO_SECRETS, "KRAKEN_WEBHOOK_TOKEN_FILE": str(tmp_path / "none")}
    code, out, _ = check(REPO / "kraken.example.yaml", env)
    assert code == 1
    assert out.startswith("KRAKEN_WEBHOOK_TOKEN_FILE: cannot read")
