"""ServiceNow Table API client against the simulator, over real HTTP."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from kraken.connectors.http import RequestCounter
from kraken.connectors.servicenow import (
    BasicAuth,
    OAuthPasswordGrant,
    ServiceNowClient,
)
from kraken.connectors.servicenow.client import escape_query_value
from kraken.errors import PermanentConnectorError, RetryableConnectorError
from kraken.sim import RunningSim, SimSettings

FIXTURES = Path(__file__).parent / "fixtures"

FIELDS = {
    "short_description": "Suspicious login",
    "description": "Routed by tag auth-anomaly",
    "caller_id": "46d44a5b2f2a1010c5a5b0b8e3a1c2d3",
    "category": "security",
    "subcategory": "account",
    "assignment_group": "8a5055c9c61122780043563ef53438e3",
    "impact": "2",
    "urgency": "1",
    "contact_type": "monitoring",
    "correlation_id": "opsgenie:alert-1:Create",
}


def _basic(settings: SimSettings, password: str | None = None) -> BasicAuth:
    return BasicAuth(
        settings.servicenow_user, SecretStr(password or settings.servicenow_password)
    )


def _oauth(settings: SimSettings) -> OAuthPasswordGrant:
    return OAuthPasswordGrant(
        client_id=settings.oauth_client_id or "",
        client_secret=SecretStr(settings.oauth_client_secret or ""),
        username=settings.servicenow_user,
        password=SecretStr(settings.servicenow_password),
    )


class GrantRecorder(httpx.AsyncBaseTransport):
    """A real transport that also notes which OAuth grants were asked for."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.grants: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth_token.do":
            form = dict(httpx.QueryParams(request.content.decode()))
            self.grants.append(form["grant_type"])
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _sim_json(sim: RunningSim, path: str) -> Any:
    async with httpx.AsyncClient(base_url=sim.url) as http:
        return (await http.get(path)).json()


async def test_create_find_and_work_note_round_trip(
    sim: RunningSim, counter: RequestCounter
) -> None:
    async with ServiceNowClient(sim.url, _basic(sim.settings), counter=counter) as sn:
        assert await sn.find_by_correlation_id(FIELDS["correlation_id"]) is None
        created = await sn.create_incident(FIELDS)
        found = await sn.find_by_correlation_id(FIELDS["correlation_id"])
        await sn.add_work_note(created.sys_id, "Kraken: enriched with SIEM context")
        fetched = await sn.get_incident(created.sys_id)

    assert created.number == "INC0010001"
    assert len(created.sys_id) == 32
    assert created.fields["caller_id"] == FIELDS["caller_id"]
    assert created.fields["priority"] == "2"
    assert found is not None and found.sys_id == created.sys_id
    assert fetched is not None and fetched.fields["work_notes"] == ""
    assert counter.get("servicenow") == 5

    dump = await _sim_json(sim, "/_sim/servicenow/incidents")
    [record] = dump["incidents"]
    assert record["_journal"]["work_notes"] == ["Kraken: enriched with SIEM context"]


async def test_lookup_escapes_carets_in_the_key(sim: RunningSim) -> None:
    async with ServiceNowClient(sim.url, _basic(sim.settings)) as sn:
        await sn.create_incident({**FIELDS, "correlation_id": "a"})
        wanted = await sn.create_incident({**FIELDS, "correlation_id": "a^b"})
        found = await sn.find_by_correlation_id("a^b")
    assert escape_query_value("a^b") == "a^^b"
    assert found is not None and found.sys_id == wanted.sys_id


async def test_missing_incident_is_none(sim: RunningSim) -> None:
    async with ServiceNowClient(sim.url, _basic(sim.settings)) as sn:
        assert await sn.get_incident("0" * 32) is None


async def test_work_note_on_missing_incident_is_permanent(sim: RunningSim) -> None:
    async with ServiceNowClient(sim.url, _basic(sim.settings)) as sn:
        with pytest.raises(PermanentConnectorError) as caught:
            await sn.add_work_note("0" * 32, "note")
    assert caught.value.status == 404


async def test_wrong_password_is_permanent_and_never_shown(sim: RunningSim) -> None:
    password = "wrong-password-do-not-print"
    auth = _basic(sim.settings, password=password)
    async with ServiceNowClient(sim.url, auth) as sn:
        with pytest.raises(PermanentConnectorError) as caught:
            await sn.create_incident(FIELDS)
        shown = f"{caught.value} {caught.value!r} {sn!r} {auth!r}"
    assert caught.value.status == 401
    assert password not in shown


async def test_oauth_password_grant_then_refresh(
    sim: RunningSim, counter: RequestCounter
) -> None:
    sim.settings.oauth_token_ttl_s = 0.3
    recorder = GrantRecorder()
    auth = _oauth(sim.settings)
    async with ServiceNowClient(
        sim.url, auth, transport=recorder, counter=counter
    ) as sn:
        await sn.create_incident(FIELDS)
        await sn.find_by_correlation_id(FIELDS["correlation_id"])
        await asyncio.sleep(0.35)
        found = await sn.find_by_correlation_id(FIELDS["correlation_id"])
    assert found is not None
    assert recorder.grants == ["password", "refresh_token"]
    assert counter.get("servicenow") == 5
    assert sim.settings.servicenow_password not in repr(auth)


async def test_oauth_reauthenticates_once_after_a_401(sim: RunningSim) -> None:
    recorder = GrantRecorder()
    async with ServiceNowClient(
        sim.url, _oauth(sim.settings), transport=recorder
    ) as sn:
        await sn.create_incident(FIELDS)
        async with httpx.AsyncClient(base_url=sim.url) as control:
            await control.post("/_sim/servicenow/revoke_tokens")
        found = await sn.find_by_correlation_id(FIELDS["correlation_id"])
    assert found is not None
    assert recorder.grants == ["password", "refresh_token"]


async def test_oauth_with_wrong_secret_is_permanent(sim: RunningSim) -> None:
    auth = OAuthPasswordGrant(
        client_id="kraken-sim-client",
        client_secret=SecretStr("not-the-client-secret"),
        username=sim.settings.servicenow_user,
        password=SecretStr(sim.settings.servicenow_password),
    )
    async with ServiceNowClient(sim.url, auth) as sn:
        with pytest.raises(PermanentConnectorError) as caught:
            await sn.get_incident("0" * 32)
    assert caught.value.status == 401
    assert "not-the-client-secret" not in str(caught.value)


@pytest.mark.parametrize("sim_settings", [SimSettings(rate_limit_rate=1.0)])
async def test_throttled_call_is_retryable_after_retry_after(sim: RunningSim) -> None:
    async with ServiceNowClient(sim.url, _basic(sim.settings)) as sn:
        with pytest.raises(RetryableConnectorError) as caught:
            await sn.create_incident(FIELDS)
    assert caught.value.status == 429
    assert caught.value.retry_after == 1.0


@pytest.mark.parametrize("sim_settings", [SimSettings(error_rate=1.0)])
async def test_server_error_is_retryable(sim: RunningSim) -> None:
    async with ServiceNowClient(sim.url, _basic(sim.settings)) as sn:
        with pytest.raises(RetryableConnectorError) as caught:
            await sn.find_by_correlation_id("x")
    assert caught.value.status in (500, 503)


@pytest.mark.parametrize("sim_settings", [SimSettings(latency_ms=500)])
async def test_timeout_is_retryable(sim: RunningSim) -> None:
    fast = httpx.Timeout(0.05)
    async with ServiceNowClient(sim.url, _basic(sim.settings), timeout=fast) as sn:
        with pytest.raises(RetryableConnectorError) as caught:
            await sn.find_by_correlation_id("x")
    assert caught.value.status is None
    assert caught.value.detail == "timeout"


@pytest.mark.parametrize(
    "sim_settings", [SimSettings(servicenow_create_response_delay_s=0.5)]
)
async def test_create_lost_in_flight_is_found_by_its_key(sim: RunningSim) -> None:
    fast = httpx.Timeout(0.1)
    async with ServiceNowClient(sim.url, _basic(sim.settings), timeout=fast) as sn:
        with pytest.raises(RetryableConnectorError):
            await sn.create_incident(FIELDS)
        found = await sn.find_by_correlation_id(FIELDS["correlation_id"])
    assert found is not None and found.number == "INC0010001"


async def test_client_parses_a_recorded_shape_create_response() -> None:
    body = json.loads((FIXTURES / "servicenow-incident-create.json").read_text())

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json=body)

    auth = BasicAuth("kraken", SecretStr("irrelevant"))
    transport = httpx.MockTransport(answer)
    async with ServiceNowClient("https://x.invalid", auth, transport=transport) as sn:
        incident = await sn.create_incident({"short_description": "x"})
    assert incident.number == "INC0010042"
    assert incident.fields["caller_id"] == "46d44a5b2f2a1010c5a5b0b8e3a1c2d3"
    assert all(isinstance(value, str) for value in incident.fields.values())
