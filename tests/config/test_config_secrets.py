"""Secrets: from the environment or *_FILE, never from YAML, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from kraken.config import Settings, check_settings, load_secrets, load_settings
from kraken.config.checks import missing_secrets
from kraken.errors import ConfigError
from kraken.logs import redact

TOKEN = "tok-7f3a9c1e"
PASSWORD = "pw-snow-91b2"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kraken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_secrets_are_read_from_env_vars() -> None:
    secrets = load_secrets(
        {
            "KRAKEN_WEBHOOK_TOKEN": TOKEN,
            "KRAKEN_OPSGENIE_API_KEY": "og-key-123",
            "KRAKEN_SERVICENOW_PASSWORD": PASSWORD,
            "KRAKEN_SERVICENOW_CLIENT_SECRET": "cs-0001",
        }
    )
    assert secrets.webhook_token is not None
    assert secrets.webhook_token.get_secret_value() == TOKEN
    assert secrets.opsgenie_api_key is not None
    assert secrets.opsgenie_api_key.get_secret_value() == "og-key-123"
    assert secrets.servicenow_password is not None
    assert secrets.servicenow_client_secret is not None


def test_unset_secrets_are_none() -> None:
    secrets = load_secrets({})
    assert secrets.webhook_token is None
    assert secrets.servicenow_client_secret is None


def test_secret_is_read_from_file_without_trailing_newline(tmp_path: Path) -> None:
    secret_file = tmp_path / "password"
    secret_file.write_text(PASSWORD + "\n", encoding="utf-8")
    secrets = load_secrets({"KRAKEN_SERVICENOW_PASSWORD_FILE": str(secret_file)})
    assert secrets.servicenow_password is not None
    assert secrets.servicenow_password.get_secret_value() == PASSWORD


def test_unreadable_secret_file_names_the_variable_not_the_value(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError) as caught:
        load_secrets({"KRAKEN_WEBHOOK_TOKEN_FILE": str(missing)})
    assert caught.value.problems == [
        f"KRAKEN_WEBHOOK_TOKEN_FILE: cannot read {missing}: No such file or directory"
    ]


def test_setting_both_var_and_file_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load_secrets({"KRAKEN_WEBHOOK_TOKEN": TOKEN, "KRAKEN_WEBHOOK_TOKEN_FILE": "/x"})
    assert TOKEN not in str(caught.value)
    assert "KRAKEN_WEBHOOK_TOKEN_FILE" in caught.value.problems[0]


def test_empty_secret_is_an_error_not_a_blank_credential() -> None:
    with pytest.raises(ConfigError) as caught:
        load_secrets({"KRAKEN_OPSGENIE_API_KEY": ""})
    assert caught.value.problems == ["KRAKEN_OPSGENIE_API_KEY: is set but empty"]


def test_secret_values_never_appear_in_repr_str_or_dumps(tmp_path: Path) -> None:
    env = {"KRAKEN_WEBHOOK_TOKEN": TOKEN, "KRAKEN_SERVICENOW_PASSWORD": PASSWORD}
    settings = load_settings(write(tmp_path, "routes: []\n"), env)
    for text in (
        repr(settings),
        str(settings),
        repr(settings.secrets),
        str(settings.secrets),
        settings.secrets.model_dump_json(),
        settings.model_dump_json(),
        str(settings.model_dump()),
    ):
        assert TOKEN not in text
        assert PASSWORD not in text


def test_settings_dump_excludes_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, "routes: []\n"), {"KRAKEN_WEBHOOK_TOKEN": TOKEN}
    )
    assert "secrets" not in settings.model_dump()
    assert settings.secrets.webhook_token is not None


def test_loaded_secrets_are_masked_in_logs() -> None:
    value = "registered-secret-4242"
    load_secrets({"KRAKEN_OPSGENIE_API_KEY": value})
    assert redact(f"key={value}") == "key=***"


def test_password_key_in_yaml_is_refused_with_the_env_var_to_use(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, f"servicenow:\n  username: k\n  password: {PASSWORD}\n")
    found = check_settings(path, {})
    assert found == [
        "servicenow.password: secrets are never read from the YAML file;"
        " use the env var KRAKEN_SERVICENOW_PASSWORD"
        " (or KRAKEN_SERVICENOW_PASSWORD_FILE)"
    ]
    assert PASSWORD not in found[0]


@pytest.mark.parametrize(
    ("yaml_text", "location", "var"),
    [
        ("opsgenie: {api_key: x}\n", "opsgenie.api_key", "KRAKEN_OPSGENIE_API_KEY"),
        (
            "server: {webhook_token: x}\n",
            "server.webhook_token",
            "KRAKEN_WEBHOOK_TOKEN",
        ),
        (
            "servicenow: {client_secret: x}\n",
            "servicenow.client_secret",
            "KRAKEN_SERVICENOW_CLIENT_SECRET",
        ),
    ],
)
def test_secret_like_keys_name_their_env_var(
    tmp_path: Path, yaml_text: str, location: str, var: str
) -> None:
    found = check_settings(write(tmp_path, yaml_text), {})
    assert len(found) == 1
    assert found[0].startswith(f"{location}: secrets are never read from the YAML")
    assert var in found[0]


def test_secret_like_key_anywhere_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "templates:\n  t:\n    api_token: x\nsecrets: {}\n")
    found = check_settings(path, {})
    assert [p.split(":")[0] for p in found] == ["templates.t.api_token", "secrets"]


def test_missing_secrets_are_not_problems_but_are_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "routes: []\n")
    assert check_settings(path, {}) == []
    settings = load_settings(path, {"KRAKEN_WEBHOOK_TOKEN": TOKEN})
    assert missing_secrets(settings) == [
        "KRAKEN_OPSGENIE_API_KEY",
        "KRAKEN_SERVICENOW_PASSWORD",
    ]


def test_oauth_also_needs_the_client_secret() -> None:
    settings = Settings.model_validate(
        {"servicenow": {"auth": "oauth", "client_id": "abc"}}
    )
    assert "KRAKEN_SERVICENOW_CLIENT_SECRET" in missing_secrets(settings)
