"""A stateful ServiceNow Table API for the `incident` table, with its OAuth.

Journal fields behave as on a real instance: writing `work_notes` appends an
entry, and the raw value reads back as `""`. The entries are kept per record
and shown by `/_sim/servicenow/incidents`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kraken.sim import servicenow_query
from kraken.sim.runtime import SimRuntime, glide_time, servicenow_error
from kraken.sim.servicenow_records import (
    DEFAULTS,
    JOURNAL_FIELDS,
    KNOWN_FIELDS,
    computed_priority,
    render,
    writable,
)

TABLE_PREFIXES = ("/api/now/table", "/api/now/v1/table", "/api/now/v2/table")
FIRST_NUMBER = 10001
DEFAULT_LIMIT = 10000

_NO_AUTH = ("User Not Authenticated", "Required to provide Auth information")


class ServiceNowSim:
    """Incidents, journals and OAuth tokens behind the Table API routes."""

    def __init__(self, runtime: SimRuntime) -> None:
        self._runtime = runtime
        self._records: dict[str, dict[str, str]] = {}
        self._journals: dict[str, dict[str, list[str]]] = {}
        self._tokens: dict[str, float] = {}
        self._refresh_tokens: set[str] = set()
        self.requests = 0

    def routes(self) -> list[Route]:
        routes = [Route("/oauth_token.do", self.token, methods=["POST"])]
        for prefix in TABLE_PREFIXES:
            routes += [
                Route(f"{prefix}/{{table}}", self.query, methods=["GET"]),
                Route(f"{prefix}/{{table}}", self.create, methods=["POST"]),
                Route(f"{prefix}/{{table}}/{{sys_id}}", self.read, methods=["GET"]),
                Route(
                    f"{prefix}/{{table}}/{{sys_id}}",
                    self.update,
                    methods=["PATCH", "PUT"],
                ),
            ]
        return routes

    def stats(self) -> dict[str, int]:
        required = self._runtime.settings.required_fields
        by_key = Counter(
            r["correlation_id"] for r in self._records.values() if r["correlation_id"]
        )
        return {
            "incidents": len(self._records),
            "duplicate_correlation_ids": sum(1 for n in by_key.values() if n > 1),
            "complete": sum(
                1 for r in self._records.values() if all(r.get(f) for f in required)
            ),
            "requests": self.requests,
        }

    def dump(self) -> list[dict[str, Any]]:
        return [
            dict(record)
            | {"_journal": {k: list(v) for k, v in self._journals[sys_id].items()}}
            for sys_id, record in self._records.items()
        ]

    def revoke_access_tokens(self) -> int:
        """Expire every access token (refresh tokens stay), as an admin could."""
        revoked = len(self._tokens)
        self._tokens.clear()
        return revoked

    # -- Table API ------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        body = await _json_object(request)
        if body is None:
            return servicenow_error(
                400, "Exception while reading request", "Invalid JSON"
            )
        user = self._user_of(request)
        record = self._new_record(body, user)
        # Stored now; the answer may be held back to model a lost 201.
        delay = self._runtime.settings.servicenow_create_response_delay_s
        if delay > 0:
            await asyncio.sleep(delay)
        base_url = str(request.base_url).rstrip("/")
        location = f"{base_url}/api/now/v2/table/incident/{record['sys_id']}"
        return JSONResponse(
            {"result": self._render(request, record)},
            status_code=201,
            headers={"Location": location},
        )

    async def query(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        params = request.query_params
        try:
            encoded = servicenow_query.parse(
                params.get("sysparm_query", ""), KNOWN_FIELDS
            )
            limit = int(params.get("sysparm_limit", DEFAULT_LIMIT))
            offset = int(params.get("sysparm_offset", 0))
        except ValueError as exc:
            return servicenow_error(400, "Invalid query", str(exc))
        matched = encoded.sort(
            [r for r in self._records.values() if encoded.matches(r)]
        )
        page = matched[offset : offset + max(0, limit)]
        result = [self._render(request, record) for record in page]
        return JSONResponse(
            {"result": result}, headers={"X-Total-Count": str(len(matched))}
        )

    async def read(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        record = self._records.get(request.path_params["sys_id"])
        if record is None:
            return _no_record()
        return JSONResponse({"result": self._render(request, record)})

    async def update(self, request: Request) -> Response:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        record = self._records.get(request.path_params["sys_id"])
        if record is None:
            return _no_record()
        body = await _json_object(request)
        if body is None:
            return servicenow_error(
                400, "Exception while reading request", "Invalid JSON"
            )
        self._write(record, body, self._user_of(request))
        record["sys_mod_count"] = str(int(record["sys_mod_count"]) + 1)
        return JSONResponse({"result": self._render(request, record)})

    # -- OAuth ----------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        settings = self._runtime.settings
        if settings.oauth_client_id is None or settings.oauth_client_secret is None:
            return _oauth_error(401, "server_error", "access_denied")
        client_ok = _same(form.get("client_id"), settings.oauth_client_id) & _same(
            form.get("client_secret"), settings.oauth_client_secret
        )
        grant = form.get("grant_type")
        if grant == "password":
            user_ok = _same(form.get("username"), settings.servicenow_user) & _same(
                form.get("password"), settings.servicenow_password
            )
            if not (client_ok and user_ok):
                return _oauth_error(401, "server_error", "access_denied")
            return self._issue(with_refresh=True)
        if grant == "refresh_token":
            if not (client_ok and form.get("refresh_token") in self._refresh_tokens):
                return _oauth_error(401, "server_error", "access_denied")
            return self._issue(with_refresh=False)
        return _oauth_error(400, "unsupported_grant_type", "unsupported grant type")

    def _issue(self, *, with_refresh: bool) -> Response:
        ttl = self._runtime.settings.oauth_token_ttl_s
        access = secrets.token_urlsafe(32)
        self._tokens[access] = time.monotonic() + ttl
        body: dict[str, Any] = {
            "access_token": access,
            "scope": "useraccount",
            "token_type": "Bearer",
            "expires_in": int(ttl) if ttl == int(ttl) else ttl,
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(32)
            self._refresh_tokens.add(refresh)
            body["refresh_token"] = refresh
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    # -- helpers --------------------------------------------------------------

    def _new_record(self, body: Mapping[str, Any], user: str) -> dict[str, str]:
        now = glide_time()
        number = f"INC{FIRST_NUMBER + len(self._records):07d}"
        record = dict(DEFAULTS) | {
            "sys_id": uuid.uuid4().hex,
            "number": number,
            "task_effective_number": number,
            "sys_created_on": now,
            "sys_created_by": user,
            "opened_at": now,
            "opened_by": user,
        }
        self._records[record["sys_id"]] = record
        self._journals[record["sys_id"]] = {name: [] for name in JOURNAL_FIELDS}
        self._write(record, body, user)
        return record

    def _write(
        self, record: dict[str, str], body: Mapping[str, Any], user: str
    ) -> None:
        record.update(writable(body))
        record["priority"] = computed_priority(record["impact"], record["urgency"])
        record["sys_updated_on"] = glide_time()
        record["sys_updated_by"] = user
        for name in ("work_notes", "comments"):
            text = body.get(name)
            if isinstance(text, str) and text:
                self._journals[record["sys_id"]][name].append(text)

    def _render(self, request: Request, record: Mapping[str, str]) -> dict[str, Any]:
        params = request.query_params
        fields = params.get("sysparm_fields")
        return render(
            record,
            base_url=str(request.base_url),
            fields=[f.strip() for f in fields.split(",")] if fields else None,
            exclude_links=params.get("sysparm_exclude_reference_link") == "true",
        )

    def _user_of(self, request: Request) -> str:
        # One integration user: both Basic and Bearer callers act as it.
        return self._runtime.settings.servicenow_user

    def _refuse(self, request: Request) -> Response | None:
        """401 unless Basic credentials or a live Bearer token are presented."""
        if request.path_params.get("table") != "incident":
            table = request.path_params.get("table")
            return servicenow_error(400, f"Invalid table {table}", None)
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic" and self._basic_ok(value):
            return None
        if (
            scheme.lower() == "bearer"
            and self._tokens.get(value, 0.0) > time.monotonic()
        ):
            return None
        return servicenow_error(401, *_NO_AUTH)

    def _basic_ok(self, value: str) -> bool:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, _, password = decoded.partition(":")
        settings = self._runtime.settings
        return _same(user, settings.servicenow_user) & _same(
            password, settings.servicenow_password
        )


def _same(given: str | None, expected: str) -> bool:
    return hmac.compare_digest((given or "").encode(), expected.encode())


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _no_record() -> Response:
    detail = "Record doesn't exist or ACL restricts the record retrieval"
    return servicenow_error(404, "No Record found", detail)


def _oauth_error(status: int, error: str, description: str) -> Response:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status)
