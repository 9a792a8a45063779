"""Validation errors as `location: message` lines, and more problems despite them.

Pydantic's messages talk about "input"; operators think in YAML paths, so
each error becomes `routes[2].match.tag_all: unknown key`. And because one
run of `kraken config check` should show everything to fix, the parts that did
validate are still checked across sections: invalid routes and templates are
set aside (keeping route positions, so locations stay right) and the rest goes
through the static checks.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kraken.config.checks import static_problems
from kraken.config.models import Settings

_MESSAGES = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}
_BOUNDS = {
    "greater_than_equal": ">=",
    "greater_than": ">",
    "less_than_equal": "<=",
    "less_than": "<",
}
# Sections the cross-section checks do not read; when invalid, drop them.
_INDEPENDENT_SECTIONS = {"server", "database", "logging", "opsgenie", "worker"}


def describe(error: ErrorDetails) -> str:
    """One pydantic error as `location: message`, never echoing the input value."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = "must be one of " + ", ".join(choices)
    elif kind in _BOUNDS:
        message = f"must be {_BOUNDS[kind]} {next(iter(ctx.values()), '?')}"
    elif kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
    else:
        message = _MESSAGES.get(kind) or error["msg"][:1].lower() + error["msg"][1:]
    return f"{format_location(error['loc'])}: {message}"


def format_location(loc: Sequence[str | int]) -> str:
    """`('routes', 2, 'ticket')` as `routes[2].ticket`, the way YAML readers say it."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def salvaged_static_problems(
    data: dict[str, Any], errors: Sequence[ErrorDetails]
) -> list[str]:
    """Static-check problems of the parts of `data` that validated on their own."""
    data = copy.deepcopy(data)
    bad_templates: set[str] = set()
    for error in errors:
        loc = error["loc"]
        head = loc[0] if loc else ""
        if head == "routes" and len(loc) > 1 and isinstance(loc[1], int):
            data["routes"][loc[1]] = _set_aside(loc[1])
        elif head == "templates" and len(loc) > 1:
            bad_templates.add(str(loc[1]))
            data["templates"].pop(loc[1], None)
        elif head in _INDEPENDENT_SECTIONS:
            data.pop(head, None)
        else:
            return []  # what the checks compare against is itself invalid
    try:
        settings = Settings.model_validate(data)
    except ValidationError:
        return []
    return static_problems(settings, invalid_templates=frozenset(bad_templates))


def _set_aside(index: int) -> dict[str, Any]:
    """A stand-in for an invalid route that keeps later routes' positions."""
    return {"name": f"(invalid route {index})", "playbook": "ignore", "match": {}}
