"""The one place where HTTP outcomes become Kraken errors.

Every connector sends through `VendorHTTP`, so the rules are the same for all
vendors: transport failures and timeouts, 429 and 5xx are worth a retry (with
the vendor's `Retry-After` when it gives one); any other 4xx is permanent.
Error messages are built from the method, the path and the status only: query
strings and bodies can carry ticket text or tokens, so they never reach an
exception or a log line.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import httpx

from kraken.errors import (
    ConnectorError,
    PermanentConnectorError,
    RetryableConnectorError,
)
from kraken.logs import get_logger

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Ten seconds for a vendor to answer, five to connect: generous for a SaaS API,
short enough that a hung vendor frees the worker for other jobs."""

log = get_logger(__name__)


class RequestCounter:
    """Round trips per system, so a benchmark can report requests per alert.

    Plain integers in a dict: the event loop is single-threaded, so no lock is
    needed for the async clients that share one counter.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, system: str) -> None:
        self._counts[system] += 1

    def get(self, system: str) -> int:
        return self._counts[system]

    def snapshot(self) -> dict[str, int]:
        return dict(self._counts)

    def reset(self) -> None:
        self._counts.clear()


REQUEST_COUNTER = RequestCounter()
"""Process-wide default: clients count here unless given their own counter."""


def parse_retry_after(
    value: str | None, *, now: datetime | None = None
) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP-date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


@contextmanager
def map_transport_errors(system: str, operation: str) -> Iterator[None]:
    """Turn httpx's request-level exceptions into connector errors, chained."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise RetryableConnectorError(system, operation, detail="timeout") from exc
    except httpx.TransportError as exc:
        detail = type(exc).__name__
        raise RetryableConnectorError(system, operation, detail=detail) from exc
    except httpx.HTTPError as exc:
        # Redirect loops and undecodable bodies: the same call fails again.
        detail = type(exc).__name__
        raise PermanentConnectorError(system, operation, detail=detail) from exc


def error_for_status(
    response: httpx.Response, *, system: str, operation: str
) -> ConnectorError | None:
    """The error a non-2xx answer stands for, or None for a success."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RetryableConnectorError(
            system, operation, status=status, retry_after=retry_after
        )
    return PermanentConnectorError(system, operation, status=status)


def json_object(response: httpx.Response, *, system: str, operation: str) -> Any:
    """The decoded JSON body; a 2xx that is not JSON breaks the contract."""
    try:
        return response.json()
    except ValueError as exc:
        raise PermanentConnectorError(
            system, operation, status=response.status_code, detail="body is not JSON"
        ) from exc


class VendorHTTP:
    """One pooled async client for one vendor: counted, timed out, error-mapped.

    Constructing it does no I/O; the connection pool opens on the first call.
    """

    def __init__(
        self,
        system: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        counter: RequestCounter | None = None,
    ) -> None:
        self.system = system
        self.counter = counter if counter is not None else REQUEST_COUNTER
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=dict(headers or {}),
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        base_url = str(self._client.base_url)
        return f"VendorHTTP(system={self.system!r}, base_url={base_url!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        allow: Collection[int] = (),
    ) -> httpx.Response:
        """Send one request; statuses in `allow` come back instead of raising."""
        operation = f"{method} {path}"
        self.counter.add(self.system)
        started = time.perf_counter()
        with map_transport_errors(self.system, operation):
            response = await self._client.request(
                method, path, params=params, json=json, data=data, headers=headers
            )
        log.debug(
            "http.request",
            system=self.system,
            method=method,
            path=path,
            status=response.status_code,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        if response.status_code in allow:
            return response
        error = error_for_status(response, system=self.system, operation=operation)
        if error is not None:
            raise error
        return response

    async def aclose(self) -> None:
        await self._client.aclose()


class VendorClient:
    """What every vendor client shares: one `VendorHTTP`, closed on exit.

    Subclasses set `_http` in their constructor and add the vendor's calls.
    """

    _http: VendorHTTP

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
