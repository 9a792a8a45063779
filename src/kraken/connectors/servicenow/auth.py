"""How the ServiceNow client proves who it is: basic auth or an OAuth token.

Both kinds register their secrets with the log redactor as soon as they are
built, and neither shows a secret in its repr. OAuth never fetches a token in
its constructor: the first API call does, through the client's own pool.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import SecretStr

from kraken.connectors.http import VendorHTTP, json_object
from kraken.connectors.servicenow.models import SYSTEM
from kraken.errors import PermanentConnectorError
from kraken.logs import get_logger, register_secret

TOKEN_PATH = "/oauth_token.do"  # noqa: S105 (an endpoint path, not a secret)
TOKEN_EXPIRY_MARGIN_S = 30.0
"""Renew up to this long (at most a tenth of the lifetime) before `expires_in`
runs out, so no call goes out with a token that expires on the way."""

log = get_logger(__name__)


class ServiceNowAuth(Protocol):
    """What the client needs from an authentication scheme."""

    async def authorization(self, http: VendorHTTP) -> str:
        """The `Authorization` header value for the next request."""
        ...

    def invalidate(self) -> bool:
        """Forget cached credentials after a 401; True if a new try can help."""
        ...


@dataclass(frozen=True, slots=True)
class BasicAuth:
    """An integration user's name and password, sent on every request."""

    username: str
    password: SecretStr

    def __post_init__(self) -> None:
        register_secret(self.password.get_secret_value())

    async def authorization(self, http: VendorHTTP) -> str:
        pair = f"{self.username}:{self.password.get_secret_value()}"
        return "Basic " + base64.b64encode(pair.encode()).decode("ascii")

    def invalidate(self) -> bool:
        # The same password will be refused again.
        return False


@dataclass(slots=True)
class _Token:
    access: str
    expires_at: float
    refresh: str | None


@dataclass(slots=True)
class OAuthPasswordGrant:
    """OAuth 2.0 password grant against `/oauth_token.do`, as PySNC does it.

    The access token is cached until shortly before `expires_in`; then the
    refresh token is tried, and a full password grant only if that fails.
    """

    client_id: str
    client_secret: SecretStr
    username: str
    password: SecretStr
    _token: _Token | None = field(default=None, init=False, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        register_secret(self.client_secret.get_secret_value())
        register_secret(self.password.get_secret_value())

    async def authorization(self, http: VendorHTTP) -> str:
        async with self._lock:
            token = self._token
            if token is None or time.monotonic() >= token.expires_at:
                token = await self._renew(http, token)
                self._token = token
            return f"Bearer {token.access}"

    def invalidate(self) -> bool:
        if self._token is not None:
            # Keep the refresh token: the server may only have dropped the access token.
            self._token.expires_at = 0.0
        return True

    async def _renew(self, http: VendorHTTP, old: _Token | None) -> _Token:
        if old is not None and old.refresh is not None:
            try:
                return await self._grant(http, self._refresh_form(old.refresh), old)
            except PermanentConnectorError:
                log.info("servicenow.oauth.refresh_refused", client_id=self.client_id)
        return await self._grant(http, self._password_form(), None)

    def _password_form(self) -> dict[str, str]:
        return {
            "grant_type": "password",
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
            "username": self.username,
            "password": self.password.get_secret_value(),
        }

    def _refresh_form(self, refresh_token: str) -> dict[str, str]:
        return {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
            "refresh_token": refresh_token,
        }

    async def _grant(
        self, http: VendorHTTP, form: Mapping[str, str], old: _Token | None
    ) -> _Token:
        operation = f"POST {TOKEN_PATH}"
        response = await http.request(
            "POST", TOKEN_PATH, data=form, headers={"Accept": "application/json"}
        )
        body = json_object(response, system=SYSTEM, operation=operation)
        token = _token_from(body, operation=operation)
        if token.refresh is None and old is not None:
            # A refresh grant answers with an access token only.
            token.refresh = old.refresh
        log.info(
            "servicenow.oauth.token_issued",
            grant_type=form["grant_type"],
            expires_in=round(token.expires_at - time.monotonic()),
        )
        return token


def _token_from(body: Any, *, operation: str) -> _Token:
    access = body.get("access_token") if isinstance(body, Mapping) else None
    if not isinstance(access, str) or not access:
        raise PermanentConnectorError(SYSTEM, operation, detail="no access_token")
    register_secret(access)
    refresh = body.get("refresh_token")
    if isinstance(refresh, str) and refresh:
        register_secret(refresh)
    else:
        refresh = None
    try:
        expires_in = float(body.get("expires_in", 0))
    except (TypeError, ValueError):
        expires_in = 0.0
    margin = min(TOKEN_EXPIRY_MARGIN_S, expires_in / 10)
    expires_at = time.monotonic() + max(0.0, expires_in - margin)
    return _Token(access=access, expires_at=expires_at, refresh=refresh)
