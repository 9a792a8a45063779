"""OpsGenie Alert API v2 client.

Writes are asynchronous on OpsGenie's side: they answer 202 with a request id,
and `request_status` tells whether (and to which alert) the write applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from kraken.connectors.http import (
    DEFAULT_TIMEOUT,
    RequestCounter,
    VendorClient,
    VendorHTTP,
    json_object,
)
from kraken.connectors.opsgenie.models import (
    MAX_ALIAS,
    MAX_DESCRIPTION,
    MAX_ENTITY,
    MAX_LIST_LIMIT,
    MAX_MESSAGE,
    MAX_NOTE,
    MAX_SOURCE,
    MAX_USER,
    PRIORITIES,
    SYSTEM,
    AlertPage,
    Priority,
    check_tags,
    clip,
    data_of,
    next_offset_of,
    request_id_of,
)
from kraken.errors import PermanentConnectorError
from kraken.logs import get_logger, register_secret

NOT_PROCESSED = "RequestNotProcessed"
"""`X-Opsgenie-Errortype` on a 404 that means "not yet", not "never"."""

_BY_ID = {"identifierType": "id"}

log = get_logger(__name__)


class OpsGenieClient(VendorClient):
    """Async client for one OpsGenie API integration (one GenieKey)."""

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        counter: RequestCounter | None = None,
    ) -> None:
        key = api_key.get_secret_value()
        register_secret(key)
        self._http = VendorHTTP(
            SYSTEM,
            base_url,
            headers={"Authorization": f"GenieKey {key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            counter=counter,
        )

    def __repr__(self) -> str:
        return f"OpsGenieClient({self._http!r})"

    async def create_alert(
        self,
        *,
        message: str,
        alias: str | None = None,
        tags: Sequence[str] = (),
        priority: Priority = "P3",
        source: str | None = None,
        entity: str | None = None,
        description: str | None = None,
        details: Mapping[str, str] | None = None,
    ) -> str:
        """Ask OpsGenie to create (or deduplicate by alias) an alert; the request id."""
        if not message.strip():
            raise ValueError("an OpsGenie alert needs a non-empty message")
        if priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {sorted(PRIORITIES)}")
        body: dict[str, Any] = {
            "message": clip(message, MAX_MESSAGE),
            "tags": check_tags(tags),
            "priority": priority,
        }
        optional = {
            "alias": clip(alias, MAX_ALIAS),
            "source": clip(source, MAX_SOURCE),
            "entity": clip(entity, MAX_ENTITY),
            "description": clip(description, MAX_DESCRIPTION),
            "details": dict(details) if details is not None else None,
        }
        body.update(
            {key: value for key, value in optional.items() if value is not None}
        )
        request_id = await self._write("/v2/alerts", body, params={})
        log.info("opsgenie.alert.create_requested", request_id=request_id)
        return request_id

    async def request_status(self, request_id: str) -> dict[str, Any] | None:
        """What became of a write, or None while OpsGenie has not processed it."""
        path = f"/v2/alerts/requests/{quote(request_id, safe='')}"
        response = await self._http.request("GET", path, allow=(404,))
        if response.status_code == 404:
            if response.headers.get("X-Opsgenie-Errortype") == NOT_PROCESSED:
                return None
            raise PermanentConnectorError(SYSTEM, f"GET {path}", status=404)
        data = data_of(self._json(response, path), operation=f"GET {path}")
        if not isinstance(data, dict):
            raise PermanentConnectorError(
                SYSTEM, f"GET {path}", detail="data is not an object"
            )
        return data

    async def add_note(
        self, alert_id: str, note: str, *, user: str = "Kraken", source: str = "kraken"
    ) -> str:
        body = {
            "note": clip(note, MAX_NOTE),
            "user": clip(user, MAX_USER),
            "source": clip(source, MAX_SOURCE),
        }
        return await self._write(self._alert_path(alert_id, "notes"), body)

    async def acknowledge(self, alert_id: str, *, note: str | None = None) -> str:
        return await self._write(self._alert_path(alert_id, "acknowledge"), _note(note))

    async def close(self, alert_id: str, *, note: str | None = None) -> str:
        return await self._write(self._alert_path(alert_id, "close"), _note(note))

    async def add_tags(self, alert_id: str, tags: Sequence[str]) -> str:
        body = {"tags": check_tags(tags)}
        return await self._write(self._alert_path(alert_id, "tags"), body)

    async def get_alert(self, alert_id: str) -> dict[str, Any]:
        path = self._alert_path(alert_id)
        response = await self._http.request("GET", path, params=_BY_ID)
        data = data_of(self._json(response, path), operation=f"GET {path}")
        if not isinstance(data, dict):
            raise PermanentConnectorError(
                SYSTEM, f"GET {path}", detail="data is not an object"
            )
        return data

    async def list_alerts(
        self,
        *,
        query: str,
        offset: int = 0,
        limit: int = MAX_LIST_LIMIT,
        sort: str = "updatedAt",
        order: str = "asc",
    ) -> AlertPage:
        """One page of alerts matching an OpsGenie search query."""
        if offset < 0 or not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"offset must be >= 0 and limit 1..{MAX_LIST_LIMIT}")
        if order not in ("asc", "desc"):
            raise ValueError("order must be 'asc' or 'desc'")
        params: dict[str, str | int] = {
            "query": query,
            "offset": offset,
            "limit": limit,
            "sort": sort,
            "order": order,
        }
        response = await self._http.request("GET", "/v2/alerts", params=params)
        body = self._json(response, "/v2/alerts")
        alerts = data_of(body, operation="GET /v2/alerts")
        if not isinstance(alerts, list):
            raise PermanentConnectorError(
                SYSTEM, "GET /v2/alerts", detail="data is not a list"
            )
        return AlertPage(alerts=alerts, next_offset=next_offset_of(body))

    @staticmethod
    def _alert_path(alert_id: str, action: str | None = None) -> str:
        path = f"/v2/alerts/{quote(alert_id, safe='')}"
        return f"{path}/{action}" if action else path

    def _json(self, response: httpx.Response, path: str) -> Any:
        return json_object(
            response, system=SYSTEM, operation=f"{response.request.method} {path}"
        )

    async def _write(
        self, path: str, body: Mapping[str, Any], *, params: Mapping[str, str] = _BY_ID
    ) -> str:
        response = await self._http.request("POST", path, params=params, json=body)
        return request_id_of(self._json(response, path), operation=f"POST {path}")


def _note(note: str | None) -> dict[str, str]:
    return {"user": "Kraken", "source": "kraken"} | (
        {"note": clip(note, MAX_NOTE) or ""} if note is not None else {}
    )
