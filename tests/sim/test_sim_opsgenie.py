"""The OpsGenie simulator: auth, validation, dedup, async requests, webhooks."""

from __future__ import annotations

import asyncio
import re

import httpx
from sim_helpers import API_KEY, Receiver

from kraken.sim import RunningSim

AUTH = {"Authorization": API_KEY}


async def _create(http: httpx.AsyncClient, **body: object) -> str:
    response = await http.post(
        "/v2/alerts", json={"message": "m", **body}, headers=AUTH
    )
    assert response.status_code == 202
    request_id = str(response.json()["requestId"])
    for _ in range(3):
        status = await http.get(f"/v2/alerts/requests/{request_id}", headers=AUTH)
        if status.status_code == 200:
            return str(status.json()["data"]["alertId"])
    raise AssertionError("request never processed")


async def test_missing_key_is_401_with_the_vendor_body(http: httpx.AsyncClient) -> None:
    response = await http.post("/v2/alerts", json={"message": "m"})
    assert response.status_code == 401
    assert set(response.json()) == {"message", "took", "requestId"}


async def test_missing_message_is_422_with_an_errors_map(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post("/v2/alerts", json={"alias": "a"}, headers=AUTH)
    assert response.status_code == 422
    assert "message" in response.json()["errors"]


async def test_first_status_poll_is_not_processed_yet(http: httpx.AsyncClient) -> None:
    accepted = await http.post("/v2/alerts", json={"message": "m"}, headers=AUTH)
    path = f"/v2/alerts/requests/{accepted.json()['requestId']}"
    first = await http.get(path, headers=AUTH)
    second = await http.get(path, headers=AUTH)
    assert first.status_code == 404
    assert first.headers["X-Opsgenie-Errortype"] == "RequestNotProcessed"
    assert second.status_code == 200


async def test_alert_ids_and_tiny_ids_look_real(http: httpx.AsyncClient) -> None:
    first = await _create(http)
    second = await _create(http)
    alert = (await http.get(f"/v2/alerts/{second}", headers=AUTH)).json()["data"]
    assert re.fullmatch(r"[0-9a-f-]{36}-\d{13}", first)
    assert alert["tinyId"] == "2"
    assert alert["alias"] == second


async def test_dedup_counts_without_a_second_alert_or_webhook(
    sim: RunningSim, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    sim.settings.webhook_url = receiver.url
    first = await _create(http, alias="same")
    second = await _create(http, alias="same")
    await receiver.wait_for(1)
    stats = (await http.get("/_sim/stats")).json()["opsgenie"]
    assert first == second
    assert stats["alerts"] == 1
    assert stats["creates"] == 2
    assert stats["deduplicated"] == 1
    assert receiver.actions() == ["Create"]


async def test_create_webhook_carries_the_configured_headers(
    sim: RunningSim, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    sim.settings.webhook_url = receiver.url
    sim.settings.webhook_headers = {"X-Webhook-Secret": "s3cret"}
    alert_id = await _create(http, tags=["phishing"], priority="P1")
    await receiver.wait_for(1)
    headers, body = receiver.deliveries[0]
    assert headers["x-webhook-secret"] == "s3cret"
    assert body["alert"]["alertId"] == alert_id
    assert body["alert"]["tags"] == ["phishing"]
    assert body["alert"]["priority"] == "P1"


async def test_redelivery_rate_one_delivers_every_webhook_twice(
    sim: RunningSim, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    sim.settings.webhook_url = receiver.url
    sim.settings.redelivery_rate = 1.0
    await _create(http)
    await receiver.wait_for(2)
    [(_, first), (_, second)] = receiver.deliveries
    assert first == second
    assert (await http.get("/_sim/stats")).json()["opsgenie"]["webhooks_sent"] == 2


async def test_api_notes_and_acks_fire_no_webhook_but_close_does(
    sim: RunningSim, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    sim.settings.webhook_url = receiver.url
    alert_id = await _create(http)
    for action, body in [("notes", {"note": "n"}), ("acknowledge", {}), ("close", {})]:
        response = await http.post(
            f"/v2/alerts/{alert_id}/{action}?identifierType=id", json=body, headers=AUTH
        )
        assert response.status_code == 202
    await receiver.wait_for(2)
    stats = (await http.get("/_sim/stats")).json()["opsgenie"]
    assert receiver.actions() == ["Create", "Close"]
    assert stats["notes"] == 1
    assert stats["acks"] == 1


async def test_unreachable_webhook_is_counted_as_failed(
    sim: RunningSim, http: httpx.AsyncClient
) -> None:
    sim.settings.webhook_url = "http://127.0.0.1:9/unreachable"
    await _create(http)
    for _ in range(100):
        stats = (await http.get("/_sim/stats")).json()["opsgenie"]
        if stats["webhooks_failed"]:
            break
        await asyncio.sleep(0.01)
    assert stats["webhooks_failed"] == 1


async def test_alert_dump_shows_notes(http: httpx.AsyncClient) -> None:
    alert_id = await _create(http)
    await http.post(f"/v2/alerts/{alert_id}/notes", json={"note": "hi"}, headers=AUTH)
    [alert] = (await http.get("/_sim/opsgenie/alerts")).json()["alerts"]
    assert alert["notes"] == [{"note": "hi", "owner": ""}]
