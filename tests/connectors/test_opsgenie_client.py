"""OpsGenie Alert API client against the simulator and the recorded payloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from kraken.connectors.http import RequestCounter
from kraken.connectors.opsgenie import OpsGenieClient
from kraken.errors import PermanentConnectorError, RetryableConnectorError
from kraken.sim import RunningSim, SimSettings


def _client(sim: RunningSim, **kwargs: Any) -> OpsGenieClient:
    return OpsGenieClient(sim.url, SecretStr(sim.settings.opsgenie_api_key), **kwargs)


async def _alert_id(og: OpsGenieClient, request_id: str) -> str:
    for _ in range(5):
        status = await og.request_status(request_id)
        if status is not None:
            return str(status["alertId"])
    raise AssertionError("request never processed")


async def test_create_then_status_then_get(
    sim: RunningSim, counter: RequestCounter
) -> None:
    async with _client(sim, counter=counter) as og:
        request_id = await og.create_alert(
            message="Impossible travel for j.doe",
            alias="idp:travel:j.doe",
            tags=["identity", "travel"],
            priority="P2",
            entity="j.doe",
            details={"country": "NZ"},
        )
        assert await og.request_status(request_id) is None
        alert_id = await _alert_id(og, request_id)
        alert = await og.get_alert(alert_id)
    assert alert["message"] == "Impossible travel for j.doe"
    assert alert["tags"] == ["identity", "travel"]
    assert alert["priority"] == "P2"
    assert alert["details"] == {"country": "NZ"}
    assert alert["source"] == "127.0.0.1"
    assert counter.get("opsgenie") == 4


async def test_alias_of_an_open_alert_deduplicates(sim: RunningSim) -> None:
    async with _client(sim) as og:
        first = await _alert_id(og, await og.create_alert(message="m", alias="dup"))
        second = await _alert_id(og, await og.create_alert(message="m", alias="dup"))
        alert = await og.get_alert(first)
        await og.close(first)
        third = await _alert_id(og, await og.create_alert(message="m", alias="dup"))
    assert second == first
    assert alert["count"] == 2
    assert third != first


async def test_note_ack_tags_close_apply_to_the_alert(sim: RunningSim) -> None:
    async with _client(sim) as og:
        alert_id = await _alert_id(og, await og.create_alert(message="m", tags=["a"]))
        note = await og.add_note(alert_id, "Ticket INC0010001 filed")
        await og.acknowledge(alert_id, note="auto-ack")
        await og.add_tags(alert_id, ["kraken", "a"])
        await og.close(alert_id)
        status = await og.request_status(note) or await og.request_status(note)
        alert = await og.get_alert(alert_id)
    assert status is not None and status["status"] == "Added note"
    assert alert["acknowledged"] is True
    assert alert["status"] == "closed"
    assert alert["tags"] == ["a", "kraken"]


async def test_write_to_unknown_alert_is_accepted_then_fails(sim: RunningSim) -> None:
    async with _client(sim) as og:
        request_id = await og.add_note("no-such-alert", "x")
        status = await og.request_status(request_id) or await og.request_status(
            request_id
        )
        with pytest.raises(PermanentConnectorError) as caught:
            await og.get_alert("no-such-alert")
    assert status is not None and status["isSuccess"] is False
    assert caught.value.status == 404


async def test_list_alerts_pages_through_open_alerts(sim: RunningSim) -> None:
    async with _client(sim) as og:
        ids = [
            await _alert_id(og, await og.create_alert(message=f"m{i}"))
            for i in range(3)
        ]
        await og.close(ids[1])
        first = await og.list_alerts(query="status:open", limit=1, sort="createdAt")
        assert first.next_offset == 1
        second = await og.list_alerts(query="status:open", offset=1, limit=1)
    assert [a["id"] for a in first.alerts] == [ids[0]]
    assert [a["id"] for a in second.alerts] == [ids[2]]
    assert second.next_offset is None


async def test_wrong_key_is_permanent_and_never_shown(sim: RunningSim) -> None:
    key = "not-the-genie-key-1234"
    async with OpsGenieClient(sim.url, SecretStr(key)) as og:
        with pytest.raises(PermanentConnectorError) as caught:
            await og.create_alert(message="m")
        shown = f"{caught.value} {caught.value!r} {og!r}"
    assert caught.value.status == 401
    assert key not in shown


async def test_limits_are_checked_before_sending(sim: RunningSim) -> None:
    async with _client(sim) as og:
        with pytest.raises(ValueError, match="20 tags"):
            await og.create_alert(message="m", tags=[f"t{i}" for i in range(21)])
        with pytest.raises(ValueError, match="message"):
            await og.create_alert(message="  ")
        alert_id = await _alert_id(og, await og.create_alert(message="x" * 200))
        alert = await og.get_alert(alert_id)
    assert len(alert["message"]) == 130


@pytest.mark.parametrize("sim_settings", [SimSettings(rate_limit_rate=1.0)])
async def test_throttled_create_is_retryable(sim: RunningSim) -> None:
    async with _client(sim) as og:
        with pytest.raises(RetryableConnectorError) as caught:
            await og.create_alert(message="m")
    assert caught.value.status == 429
    assert caught.value.retry_after == 1.0


@pytest.mark.parametrize("sim_settings", [SimSettings(outages=[(0.0, 60.0)])])
async def test_outage_is_retryable(sim: RunningSim) -> None:
    async with _client(sim) as og:
        with pytest.raises(RetryableConnectorError) as caught:
            await og.get_alert("x")
    assert caught.value.status == 503


def _replay(status: int, body: Any, headers: dict[str, str] | None = None) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(answer)


def _offline(transport: httpx.AsyncBaseTransport) -> OpsGenieClient:
    return OpsGenieClient(
        "https://api.opsgenie.invalid", SecretStr("k" * 8), transport=transport
    )


async def test_parses_recorded_202(recorded: Callable[[str], Any]) -> None:
    body = recorded("alert-api-202-accepted.json")
    async with _offline(_replay(202, body)) as og:
        assert await og.create_alert(message="m") == body["requestId"]


async def test_parses_recorded_request_status(recorded: Callable[[str], Any]) -> None:
    body = recorded("alert-request-status-create.json")
    async with _offline(_replay(200, body)) as og:
        status = await og.request_status("fadf302b")
    assert status is not None
    assert status["alertId"] == "b7da6303-0da4-43e2-8e21-9e22faedc594-1637756080926"


async def test_parses_recorded_alert_list(recorded: Callable[[str], Any]) -> None:
    body = recorded("alerts-list.json")
    async with _offline(_replay(200, body)) as og:
        page = await og.list_alerts(query="status:open", limit=1)
    assert page.next_offset == 1
    assert page.alerts[0]["tinyId"] == "163"


async def test_not_processed_yet_is_none_and_other_404_is_permanent() -> None:
    waiting = _replay(
        404, {"message": "x"}, {"X-Opsgenie-Errortype": "RequestNotProcessed"}
    )
    async with _offline(waiting) as og:
        assert await og.request_status("r") is None
    async with _offline(_replay(404, {"message": "x"})) as og:
        with pytest.raises(PermanentConnectorError):
            await og.request_status("r")
