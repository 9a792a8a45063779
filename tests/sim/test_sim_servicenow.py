"""The ServiceNow simulator: auth, records as strings, queries, journals, stats."""

from __future__ import annotations

import re

import httpx
import pytest

from kraken.sim import RunningSim, SimSettings
from kraken.sim.settings import DEFAULT_REQUIRED_FIELDS

TABLE = "/api/now/table/incident"


@pytest.fixture
def auth(sim: RunningSim) -> httpx.BasicAuth:
    return httpx.BasicAuth(
        sim.settings.servicenow_user, sim.settings.servicenow_password
    )


def _complete(key: str) -> dict[str, str]:
    return {name: f"{name}-value" for name in DEFAULT_REQUIRED_FIELDS} | {
        "impact": "1",
        "urgency": "2",
        "correlation_id": key,
    }


async def test_unauthenticated_call_gets_the_vendor_401(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get(TABLE)
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "message": "User Not Authenticated",
            "detail": "Required to provide Auth information",
        },
        "status": "failure",
    }


async def test_create_answers_201_with_location_and_string_fields(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    first = await http.post(
        TABLE, json={"short_description": "a", "impact": 1}, auth=auth
    )
    second = await http.post("/api/now/v2/table/incident", json={}, auth=auth)
    record = first.json()["result"]
    assert first.status_code == 201
    assert first.headers["Location"].endswith(
        f"/api/now/v2/table/incident/{record['sys_id']}"
    )
    assert re.fullmatch(r"[0-9a-f]{32}", record["sys_id"])
    assert record["number"] == "INC0010001"
    assert second.json()["result"]["number"] == "INC0010002"
    assert record["impact"] == "1"
    assert record["priority"] == "3"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", record["sys_created_on"])


async def test_reference_fields_carry_links_unless_excluded(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    body = {"caller_id": "abc123"}
    linked = (await http.post(TABLE, json=body, auth=auth)).json()["result"]
    bare = (
        await http.post(
            TABLE,
            json=body,
            auth=auth,
            params={"sysparm_exclude_reference_link": "true"},
        )
    ).json()["result"]
    assert linked["caller_id"]["value"] == "abc123"
    assert linked["caller_id"]["link"].endswith("/api/now/table/sys_user/abc123")
    assert bare["caller_id"] == "abc123"
    assert all(isinstance(value, str) for value in bare.values())


async def test_query_filters_orders_limits_and_projects(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    for i, category in enumerate(["network", "security", "security"]):
        body = {"category": category, "short_description": f"s{i}"}
        await http.post(TABLE, json=body, auth=auth)
    params = {
        "sysparm_query": "category=security^ORDERBYDESCnumber",
        "sysparm_limit": "1",
        "sysparm_fields": "number,short_description",
    }
    response = await http.get(TABLE, params=params, auth=auth)
    assert response.headers["X-Total-Count"] == "2"
    assert response.json() == {
        "result": [{"number": "INC0010003", "short_description": "s2"}]
    }


async def test_unsupported_query_is_refused_not_ignored(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    response = await http.get(
        TABLE, params={"sysparm_query": "nosuchfield=1"}, auth=auth
    )
    assert response.status_code == 400
    assert response.json()["status"] == "failure"


async def test_work_notes_append_to_the_journal_and_read_back_empty(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    created = (await http.post(TABLE, json={"work_notes": "one"}, auth=auth)).json()
    sys_id = created["result"]["sys_id"]
    patched = await http.patch(
        f"{TABLE}/{sys_id}", json={"work_notes": "two"}, auth=auth
    )
    [record] = (await http.get("/_sim/servicenow/incidents")).json()["incidents"]
    assert patched.json()["result"]["work_notes"] == ""
    assert patched.json()["result"]["sys_mod_count"] == "1"
    assert record["_journal"]["work_notes"] == ["one", "two"]


async def test_missing_record_is_the_vendor_404(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    response = await http.get(f"{TABLE}/{'0' * 32}", auth=auth)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No Record found"


async def test_stats_count_duplicates_and_complete_incidents(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    await http.post(TABLE, json=_complete("k1"), auth=auth)
    await http.post(TABLE, json=_complete("k1"), auth=auth)
    await http.post(TABLE, json={"correlation_id": "k2"}, auth=auth)
    stats = (await http.get("/_sim/stats")).json()["servicenow"]
    assert stats == {
        "incidents": 3,
        "duplicate_correlation_ids": 1,
        "complete": 2,
        "requests": 3,
    }


async def test_oauth_password_grant_issues_a_usable_bearer_token(
    sim: RunningSim, http: httpx.AsyncClient
) -> None:
    form = {
        "grant_type": "password",
        "client_id": sim.settings.oauth_client_id or "",
        "client_secret": sim.settings.oauth_client_secret or "",
        "username": sim.settings.servicenow_user,
        "password": sim.settings.servicenow_password,
    }
    token = (await http.post("/oauth_token.do", data=form)).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 1800
    assert set(token) == {
        "access_token",
        "refresh_token",
        "scope",
        "token_type",
        "expires_in",
    }
    assert (await http.get(TABLE, headers=bearer)).status_code == 200


@pytest.mark.parametrize("sim_settings", [SimSettings(error_rate=1.0)])
async def test_knobs_spare_the_control_endpoints(
    http: httpx.AsyncClient, auth: httpx.BasicAuth
) -> None:
    assert (await http.get(TABLE, auth=auth)).status_code in (500, 503)
    assert (await http.get("/_sim/stats")).status_code == 200
    changed = await http.post("/_sim/settings", json={"error_rate": 0})
    assert changed.json()["error_rate"] == 0.0
    assert (await http.get(TABLE, auth=auth)).status_code == 200


async def test_bad_runtime_settings_are_refused_whole(http: httpx.AsyncClient) -> None:
    bad_rate = await http.post(
        "/_sim/settings", json={"error_rate": 2, "latency_ms": 5}
    )
    not_a_knob = await http.post("/_sim/settings", json={"seed": 1})
    settings = (await http.get("/_sim/settings")).json()
    assert bad_rate.status_code == 400
    assert not_a_knob.status_code == 400
    assert settings["latency_ms"] == 0.0
