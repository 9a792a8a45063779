"""ServiceNow Table API client: the calls Kraken needs to file tickets safely.

Idempotency lives in `correlation_id`: a caller looks the key up with
`find_by_correlation_id` before `create_incident`, so a retry after a crash
finds the incident instead of filing a second one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from kraken.connectors.http import (
    DEFAULT_TIMEOUT,
    RequestCounter,
    VendorClient,
    VendorHTTP,
    error_for_status,
    json_object,
)
from kraken.connectors.servicenow.auth import BasicAuth, OAuthPasswordGrant
from kraken.connectors.servicenow.models import (
    SYSTEM,
    Incident,
    incident_from_record,
    result_of,
)
from kraken.logs import get_logger

LOOKUP_FIELDS = ("sys_id", "number", "correlation_id", "state", "sys_updated_on")
"""What a duplicate check needs; fetching whole records there would be waste."""

_BASE_PARAMS = {"sysparm_exclude_reference_link": "true"}

log = get_logger(__name__)


def escape_query_value(value: str) -> str:
    """Escape a value for an encoded query: a literal `^` is written `^^`.

    Without this, `^` in an external key would start a new query term, and
    ServiceNow ignores terms it cannot parse, so the lookup could match
    unrelated incidents.
    """
    return value.replace("^", "^^")


class ServiceNowClient(VendorClient):
    """Async client for one table (default `incident`) of one instance."""

    def __init__(
        self,
        base_url: str,
        auth: BasicAuth | OAuthPasswordGrant,
        *,
        table: str = "incident",
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        counter: RequestCounter | None = None,
    ) -> None:
        self._auth = auth
        self._path = f"/api/now/table/{quote(table, safe='')}"
        self._http = VendorHTTP(
            SYSTEM,
            base_url,
            headers={"Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            counter=counter,
        )

    def __repr__(self) -> str:
        return f"ServiceNowClient(table_path={self._path!r}, auth={self._auth!r})"

    async def find_by_correlation_id(self, correlation_id: str) -> Incident | None:
        """The first incident carrying this key, or None; only LOOKUP_FIELDS."""
        params = {
            **_BASE_PARAMS,
            "sysparm_query": f"correlation_id={escape_query_value(correlation_id)}",
            "sysparm_limit": "1",
            "sysparm_fields": ",".join(LOOKUP_FIELDS),
        }
        body = await self._call("GET", self._path, params=params)
        records = result_of(body, operation=f"GET {self._path}")
        if not isinstance(records, list) or not records:
            return None
        return incident_from_record(records[0], operation=f"GET {self._path}")

    async def create_incident(self, fields: Mapping[str, str]) -> Incident:
        """File a new incident and return it as stored (number, sys_id, defaults)."""
        body = await self._call("POST", self._path, params=_BASE_PARAMS, json=fields)
        incident = incident_from_record(
            result_of(body, operation=f"POST {self._path}"),
            operation=f"POST {self._path}",
        )
        log.info(
            "servicenow.incident.created",
            number=incident.number,
            sys_id=incident.sys_id,
            correlation_id=incident.correlation_id,
        )
        return incident

    async def add_work_note(self, sys_id: str, note: str) -> None:
        """Append a work note; the journal field is write-to-append."""
        path = self._record_path(sys_id)
        await self._call("PATCH", path, params=_BASE_PARAMS, json={"work_notes": note})
        log.info("servicenow.incident.work_note_added", sys_id=sys_id)

    async def get_incident(self, sys_id: str) -> Incident | None:
        """The whole record, or None if it does not exist (or ACLs hide it)."""
        path = self._record_path(sys_id)
        body = await self._call("GET", path, params=_BASE_PARAMS, missing_ok=True)
        if body is None:
            return None
        return incident_from_record(
            result_of(body, operation=f"GET {path}"), operation=f"GET {path}"
        )

    def _record_path(self, sys_id: str) -> str:
        return f"{self._path}/{quote(sys_id, safe='')}"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str],
        json: Any = None,
        missing_ok: bool = False,
    ) -> Any:
        """Send with auth; re-authenticate once on 401 when the scheme can.

        Returns the decoded body, or None for a 404 when `missing_ok`.
        """
        operation = f"{method} {path}"
        response = await self._send(method, path, params=params, json=json)
        if response.status_code == 401 and self._auth.invalidate():
            log.info("servicenow.auth.retry", operation=operation)
            response = await self._send(method, path, params=params, json=json)
        if missing_ok and response.status_code == 404:
            return None
        error = error_for_status(response, system=SYSTEM, operation=operation)
        if error is not None:
            raise error
        return json_object(response, system=SYSTEM, operation=operation)

    async def _send(
        self, method: str, path: str, *, params: Mapping[str, str], json: Any
    ) -> httpx.Response:
        authorization = await self._auth.authorization(self._http)
        return await self._http.request(
            method,
            path,
            params=params,
            json=json,
            headers={"Authorization": authorization},
            allow=(401, 404),
        )
