"""Turn one YAML file plus the environment into `Settings`, or into a list of
problems that each name their location.

Every stage collects instead of stopping at the first error, because
`kraken config check` is most useful when one run shows everything to fix.
This is the only module in `kraken.config` that does I/O: it reads the file
and the environment, once, at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from kraken.config.checks import static_problems
from kraken.config.models import Settings
from kraken.config.problems import describe, format_location, salvaged_static_problems
from kraken.config.secrets import SECRET_ENV_VARS, load_secrets
from kraken.errors import ConfigError
from kraken.logs import register_secret

DATABASE_URL_VAR = "KRAKEN_DATABASE_URL"
_SECRET_KEY_PARTS = ("password", "passwd", "token", "api_key", "apikey", "secret")
# Where a secret-looking key sits -> the variable that should carry it instead.
_SECRET_HINTS = {
    "server": "KRAKEN_WEBHOOK_TOKEN",
    "opsgenie": "KRAKEN_OPSGENIE_API_KEY",
    "servicenow": "KRAKEN_SERVICENOW_PASSWORD",
}


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in `path` with secrets from `environ` (default: os.environ).

    Raises ConfigError listing every problem. Missing secrets are not
    problems here; `kraken.config.checks.missing_secrets` names them.
    """
    settings, problems = evaluate_settings(path, environ)
    if problems or settings is None:
        raise ConfigError(problems)
    return settings


def check_settings(path: Path, environ: Mapping[str, str] | None = None) -> list[str]:
    """Every problem with `path` and the environment; empty when it is good."""
    return evaluate_settings(path, environ)[1]


def evaluate_settings(
    path: Path, environ: Mapping[str, str] | None = None
) -> tuple[Settings | None, list[str]]:
    """Settings (None when they cannot be built) and all problems found."""
    env = os.environ if environ is None else environ
    data, problems = _read_yaml(path)
    if data is None:
        return None, problems
    problems += _pop_secret_keys(data, ())
    problems += _database_url(data, env)
    try:
        secrets = load_secrets(env)
    except ConfigError as exc:
        problems += exc.problems
        secrets = None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems += [describe(error) for error in exc.errors()]
        return None, problems + salvaged_static_problems(data, exc.errors())
    problems += static_problems(settings)
    if secrets is not None:
        settings = settings.model_copy(update={"secrets": secrets})
    return settings, problems


def _read_yaml(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return None, [f"{path}: cannot read: {reason}"]
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        return None, [f"{path}:{where} YAML syntax error: {exc.problem}"]
    except yaml.YAMLError as exc:
        return None, [f"{path}: YAML error: {exc}"]
    if data is None:
        return None, [f"{path}: file is empty"]
    if not isinstance(data, dict):
        return None, [f"{path}: must be a mapping of sections (server, routes, ...)"]
    return data, []


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys: PyYAML would keep the last one
    silently, and a second `routes:` would drop the first list unnoticed."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool):
                continue  # unhashable keys are rejected later as non-string keys
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _pop_secret_keys(node: Any, loc: tuple[str | int, ...]) -> list[str]:
    """Report and remove every key that looks like a secret, at any depth."""
    problems: list[str] = []
    if isinstance(node, dict):
        for key in list(node):
            where = (*loc, str(key))
            normalised = str(key).lower().replace("-", "_")
            if any(part in normalised for part in _SECRET_KEY_PARTS):
                del node[key]
                problems.append(f"{format_location(where)}: {_secret_advice(where)}")
            else:
                problems += _pop_secret_keys(node[key], where)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            problems += _pop_secret_keys(item, (*loc, index))
    return problems


def _secret_advice(loc: tuple[str | int, ...]) -> str:
    key = str(loc[-1]).lower()
    section = str(loc[0]) if len(loc) > 1 else ""
    var = _SECRET_HINTS.get(section)
    if section == "servicenow" and "secret" in key:
        var = SECRET_ENV_VARS["servicenow_client_secret"]
    if var is None:
        names = ", ".join(SECRET_ENV_VARS.values())
        return f"secrets are never read from the YAML file; use the env var ({names})"
    return (
        f"secrets are never read from the YAML file; use the env var {var}"
        f" (or {var}_FILE)"
    )


def _database_url(data: dict[str, Any], env: Mapping[str, str]) -> list[str]:
    """Apply KRAKEN_DATABASE_URL, and refuse a password written in the YAML."""
    section = data.get("database")
    if section is not None and not isinstance(section, dict):
        return []  # validation reports the wrong type
    section = dict(section or {})
    problems: list[str] = []
    url = section.get("url")
    if isinstance(url, str) and _url_password(url):
        problems.append(
            "database.url: contains a password;"
            f" set the whole URL in {DATABASE_URL_VAR} instead"
        )
    override = env.get(DATABASE_URL_VAR)
    if override:
        password = _url_password(override)
        if password:
            register_secret(password)
        section["url"] = override
    if section:
        data["database"] = section
    return problems


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None
