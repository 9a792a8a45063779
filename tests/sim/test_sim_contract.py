"""The simulators against the recorded vendor payloads, so they cannot drift."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sim_helpers import API_KEY, Receiver

from kraken.sim import RunningSim

AUTH = {"Authorization": API_KEY}
SERVICENOW_FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "connectors"
    / "fixtures"
    / "servicenow-incident-create.json"
)


def _shape(value: Any) -> Any:
    """Keys and JSON types, recursively; lists by their first item."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else type(value).__name__
    )


async def _create(
    http: httpx.AsyncClient, **body: Any
) -> tuple[httpx.Response, dict[str, Any]]:
    accepted = await http.post(
        "/v2/alerts", json={"message": "m", **body}, headers=AUTH
    )
    path = f"/v2/alerts/requests/{accepted.json()['requestId']}"
    status = await http.get(path, headers=AUTH)
    if status.status_code == 404:
        status = await http.get(path, headers=AUTH)
    return accepted, status.json()


async def test_accepted_body_has_the_recorded_keys(
    http: httpx.AsyncClient, recorded: Callable[[str], Any]
) -> None:
    accepted, _ = await _create(http)
    assert accepted.status_code == 202
    assert _shape(accepted.json()) == _shape(recorded("alert-api-202-accepted.json"))


async def test_request_status_has_the_recorded_shape(
    http: httpx.AsyncClient, recorded: Callable[[str], Any]
) -> None:
    _, status = await _create(http)
    assert _shape(status) == _shape(recorded("alert-request-status-create.json"))
    assert status["data"]["action"] == "Create"
    assert status["data"]["status"] == "Created alert"


async def test_list_items_have_every_recorded_key(
    http: httpx.AsyncClient, recorded: Callable[[str], Any]
) -> None:
    await _create(http)
    await _create(http)
    body = (
        await http.get(
            "/v2/alerts", params={"query": "status:open", "limit": 1}, headers=AUTH
        )
    ).json()
    real = recorded("alerts-list.json")
    real_item, item = real["data"][0], body["data"][0]
    assert set(body) == set(real)
    assert set(real_item) <= set(item)
    assert {k: _shape(v) for k, v in item.items() if k in real_item} == _shape(
        real_item
    )
    assert set(body["paging"]) <= {"first", "prev", "next", "last"}
    assert set(real["paging"]) <= set(body["paging"])


async def test_create_webhook_matches_the_recorded_keys_and_types(
    sim: RunningSim,
    http: httpx.AsyncClient,
    receiver: Receiver,
    recorded: Callable[[str], Any],
) -> None:
    sim.settings.webhook_url = receiver.url
    await _create(http, tags=["vip"], entity="Server", alias="alert-alias")
    await receiver.wait_for(1)
    _, sent = receiver.deliveries[0]
    real = recorded("webhook-create.json")
    sent_shape, real_shape = _shape(sent), _shape(real)
    # Priority is "P3" in current payloads, 3 in the 2017 recording: both real.
    assert sent["alert"]["priority"] == "P3"
    sent_shape["alert"].pop("priority")
    real_shape["alert"].pop("priority")
    for key, shape in real_shape.items():
        if isinstance(shape, dict):
            assert {k: sent_shape[key][k] for k in shape} == shape, key
        else:
            assert sent_shape[key] == shape, key
    assert sent["alert"]["updatedAt"] > 10**18  # epoch nanoseconds, an integer


async def test_close_webhook_has_every_recorded_key(
    sim: RunningSim,
    http: httpx.AsyncClient,
    receiver: Receiver,
    recorded: Callable[[str], Any],
) -> None:
    sim.settings.webhook_url = receiver.url
    _, status = await _create(http)
    await http.post(
        f"/v2/alerts/{status['data']['alertId']}/close", json={}, headers=AUTH
    )
    await receiver.wait_for(2)
    _, sent = receiver.deliveries[1]
    real = recorded("webhook-close.json")
    assert sent["action"] == "Close"
    assert set(real) <= set(sent)
    assert set(real["alert"]) <= set(sent["alert"])
    assert "description" not in sent["alert"]


async def test_servicenow_create_has_every_field_of_the_contract_fixture(
    sim: RunningSim, http: httpx.AsyncClient
) -> None:
    fixture = json.loads(SERVICENOW_FIXTURE.read_text())["result"]
    auth = httpx.BasicAuth(
        sim.settings.servicenow_user, sim.settings.servicenow_password
    )
    body = {"caller_id": "46d44a5b2f2a1010c5a5b0b8e3a1c2d3", "assignment_group": "8a50"}
    result = (await http.post("/api/now/table/incident", json=body, auth=auth)).json()[
        "result"
    ]
    assert set(fixture) <= set(result)
    for name, value in fixture.items():
        if isinstance(value, dict) and result[name]:
            assert set(result[name]) == set(value), name
        elif not isinstance(value, dict):
            assert isinstance(result[name], str), name
