"""The shared error mapping: what is retried, what is not, and for how long."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import httpx
import pytest

from kraken.connectors.http import (
    RequestCounter,
    VendorHTTP,
    error_for_status,
    parse_retry_after,
)
from kraken.errors import PermanentConnectorError, RetryableConnectorError


def _response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, request=httpx.Request("GET", "http://x/")
    )


def test_retry_after_accepts_delta_seconds() -> None:
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after(" 2.5 ") == 2.5


def test_retry_after_accepts_an_http_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0


def test_retry_after_in_the_past_or_garbage_gives_zero_or_none() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_retryable(status: int) -> None:
    error = error_for_status(
        _response(status, {"Retry-After": "3"}), system="x", operation="GET /a"
    )
    assert isinstance(error, RetryableConnectorError)
    assert error.status == status
    assert error.retry_after == 3.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_other_client_errors_are_permanent(status: int) -> None:
    error = error_for_status(_response(status), system="x", operation="GET /a")
    assert isinstance(error, PermanentConnectorError)
    assert error.status == status


def test_success_is_no_error() -> None:
    assert error_for_status(_response(204), system="x", operation="GET /a") is None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_connection_is_retryable_without_status(
    counter: RequestCounter,
) -> None:
    http = VendorHTTP("x", f"http://127.0.0.1:{_closed_port()}", counter=counter)
    try:
        with pytest.raises(RetryableConnectorError) as caught:
            await http.request("GET", "/ping")
    finally:
        await http.aclose()
    assert caught.value.status is None
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert counter.get("x") == 1


def test_counter_counts_per_system() -> None:
    counter = RequestCounter()
    counter.add("opsgenie")
    counter.add("opsgenie")
    counter.add("servicenow")
    assert counter.snapshot() == {"opsgenie": 2, "servicenow": 1}
    counter.reset()
    assert counter.get("opsgenie") == 0
