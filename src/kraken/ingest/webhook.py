"""The HTTP face of Kraken: webhooks in, health and metrics out.

Every rejection is answered in one place (`_reject`): the caller gets a short
reason, the log gets the event with the provider and status. An accepted
webhook is answered only after its event and job are committed.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kraken.domain import Alert
from kraken.errors import PayloadError, StoreError
from kraken.ingest.inbox import GroupCommitInbox
from kraken.ingest.providers import AlertProvider, get_provider
from kraken.logs import get_logger
from kraken.metrics.definitions import Metrics
from kraken.store import NewEvent

log = get_logger(__name__)

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class _Rejected(Exception):
    """Why a webhook is refused: the status and a short reason for the sender."""

    def __init__(
        self, status: int, message: str, *, field: str = "", reason: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.reason = reason  # logged only: never tells an attacker which check failed


def create_app(
    *,
    inbox: GroupCommitInbox,
    token: str,
    header: str,
    metrics: Metrics,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    readiness: Callable[[], Awaitable[bool]] | None = None,
) -> Starlette:
    """Build the ASGI app. `token` is the shared webhook secret (never logged)."""
    expected = token.encode()

    async def webhook(request: Request) -> Response:
        provider_name = request.path_params["provider"]
        provider = get_provider(provider_name)
        if provider is None:
            return _reject(metrics, "unknown", _Rejected(404, "unknown alert provider"))
        try:
            payload = await _read_payload(request, header, expected, max_body_bytes)
            alert = _parse(provider, payload)
        except _Rejected as rejection:
            return _reject(metrics, provider_name, rejection)

        event = NewEvent(
            provider=provider.name,
            idempotency_key=provider.idempotency_key(alert),
            alert_id=alert.alert_id,
            action=alert.action,
            payload=payload,
            received_at=time.time(),
            source="webhook",
        )
        try:
            accepted = await inbox.accept(event)
        except StoreError:
            log.error("webhook.store_unavailable", provider=provider_name)
            return JSONResponse({"error": "store unavailable, retry later"}, 503)

        outcome = "duplicate" if accepted.duplicate else "accepted"
        metrics.webhooks.labels(provider_name, outcome).inc()
        log.debug(
            "webhook.received",
            provider=provider_name,
            alert_id=alert.alert_id,
            action=alert.action,
            event_id=accepted.event_id,
            outcome=outcome,
        )
        body_out = {"event_id": accepted.event_id, "status": outcome}
        return JSONResponse(body_out, 200 if accepted.duplicate else 202)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        ok = True if readiness is None else await readiness()
        return JSONResponse({"ready": ok}, 200 if ok else 503)

    async def metrics_endpoint(request: Request) -> Response:
        data = generate_latest(metrics.registry)
        return Response(data, media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/webhooks/{provider}", webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def _reject(metrics: Metrics, provider: str, rejection: _Rejected) -> JSONResponse:
    metrics.webhooks.labels(provider, "rejected").inc()
    log.warning(
        "webhook.rejected",
        provider=provider,
        status=rejection.status,
        reason=rejection.reason or rejection.message,
        field=rejection.field,
    )
    body = {"error": rejection.message}
    if rejection.field:
        body["field"] = rejection.field
    return JSONResponse(body, rejection.status)


async def _read_payload(
    request: Request, header: str, expected: bytes, limit: int
) -> dict[str, Any]:
    """Authenticate, then read and decode the body, in that order: an
    unauthenticated sender costs no body read."""
    given = request.headers.get(header, "").encode()
    if not given or not hmac.compare_digest(given, expected):
        reason = "token missing" if not given else "token mismatch"
        raise _Rejected(401, "unauthorized", reason=reason)
    if not _is_json(request.headers.get("content-type", "")):
        raise _Rejected(415, "content type must be application/json")
    body = await _read_limited(request, limit)
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Rejected(400, f"invalid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise _Rejected(400, "payload must be a JSON object")
    return payload


def _parse(provider: AlertProvider, payload: dict[str, Any]) -> Alert:
    try:
        return provider.parse_webhook(payload)
    except PayloadError as exc:
        raise _Rejected(400, str(exc), field=exc.field) from exc


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    too_large = _Rejected(413, f"payload exceeds {limit} bytes")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
