"""Wire models for the ServiceNow Table API.

ServiceNow sends every value as a string, and a reference field either as its
sys_id or, unless `sysparm_exclude_reference_link=true`, as `{"link", "value"}`.
Both forms are flattened here, so the rest of Kraken only sees strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kraken.errors import PermanentConnectorError

SYSTEM = "servicenow"


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident record as stored, with the keys Kraken reads by name."""

    sys_id: str
    number: str
    correlation_id: str
    fields: Mapping[str, str]


def flatten_value(value: Any) -> str:
    """A raw field value as a string: references give their sys_id."""
    if isinstance(value, Mapping):
        return str(value.get("value", ""))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def incident_from_record(record: Any, *, operation: str) -> Incident:
    """Build an Incident from one `result` object, or fail as a broken contract."""
    if not isinstance(record, Mapping) or not record.get("sys_id"):
        raise PermanentConnectorError(
            SYSTEM, operation, detail="result is not a record with a sys_id"
        )
    fields = {str(key): flatten_value(value) for key, value in record.items()}
    return Incident(
        sys_id=fields["sys_id"],
        number=fields.get("number", ""),
        correlation_id=fields.get("correlation_id", ""),
        fields=MappingProxyType(fields),
    )


def result_of(body: Any, *, operation: str) -> Any:
    """The `result` member of a Table API answer."""
    if not isinstance(body, Mapping) or "result" not in body:
        raise PermanentConnectorError(SYSTEM, operation, detail="body has no result")
    return body["result"]
