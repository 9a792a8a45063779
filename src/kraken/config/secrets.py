"""Secrets come from the environment or from files, never from the YAML.

Each secret is read from `KRAKEN_<NAME>` or, for container and systemd
credential setups, from the file named by `KRAKEN_<NAME>_FILE`. Values are held
as `SecretStr` (masked in repr, str and dumps) and registered with the log
formatter so that one slipping into a log line is masked there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

from kraken.errors import ConfigError
from kraken.logs import register_secret

# Secrets attribute -> environment variable. The variable names are public.
SECRET_ENV_VARS: dict[str, str] = {
    "webhook_token": "KRAKEN_WEBHOOK_TOKEN",
    "opsgenie_api_key": "KRAKEN_OPSGENIE_API_KEY",
    "servicenow_password": "KRAKEN_SERVICENOW_PASSWORD",
    "servicenow_client_secret": "KRAKEN_SERVICENOW_CLIENT_SECRET",
}
FILE_SUFFIX = "_FILE"


class Secrets(BaseModel):
    """Credentials Kraken needs at run time; any may be absent at check time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_token: SecretStr | None = None
    opsgenie_api_key: SecretStr | None = None
    servicenow_password: SecretStr | None = None
    servicenow_client_secret: SecretStr | None = None


def load_secrets(environ: Mapping[str, str]) -> Secrets:
    """Read every secret from `environ` (or its `_FILE`); raise ConfigError listing
    each variable that is set but unusable. Unset secrets stay None."""
    values: dict[str, SecretStr] = {}
    problems: list[str] = []
    for attribute, var in SECRET_ENV_VARS.items():
        try:
            value = _read_one(var, environ)
        except ValueError as exc:
            problems.append(f"{exc}")
            continue
        if value is not None:
            register_secret(value)
            values[attribute] = SecretStr(value)
    if problems:
        raise ConfigError(problems)
    return Secrets(**values)


def _read_one(var: str, environ: Mapping[str, str]) -> str | None:
    """The value of `var` or of the file `var_FILE` names; messages never hold it."""
    file_var = var + FILE_SUFFIX
    direct = environ.get(var)
    file_name = environ.get(file_var)
    if direct is not None and file_name is not None:
        raise ValueError(f"{var}: set either {var} or {file_var}, not both")
    if file_name is not None:
        try:
            direct = Path(file_name).read_text(encoding="utf-8")
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ValueError(f"{file_var}: cannot read {file_name}: {reason}") from exc
        direct = direct.rstrip("\r\n")
        var = file_var
    if direct is None:
        return None
    if not direct.strip():
        raise ValueError(f"{var}: is set but empty")
    return direct
