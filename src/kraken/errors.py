"""One exception root for everything Kraken raises on purpose.

The tree, so callers can catch at the right depth::

    KrakenError (exit 1)
    ├── ConfigError (exit 78, EX_CONFIG: systemd should not restart-loop on it)
    ├── StoreError (exit 75, EX_TEMPFAIL)
    ├── PayloadError           a webhook or replayed payload that cannot be used
    ├── TicketIncompleteError  a ticket would miss a required field; never filed
    ├── ConnectorError         a call to another system failed
    │   ├── RetryableConnectorError   429, 5xx, timeouts, transport errors
    │   └── PermanentConnectorError   other 4xx: retrying cannot help
    └── ModelError             a phishing model cannot be loaded or used

Subclasses carry structured fields; nothing parses message text. Messages never
contain secrets: connectors build them from the method, path and status only.
"""

from __future__ import annotations


class KrakenError(Exception):
    """Root of every error Kraken raises deliberately."""

    exit_code = 1


class ConfigError(KrakenError):
    """The configuration file or environment is invalid."""

    exit_code = 78

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems) if problems else "invalid configuration")


class StoreError(KrakenError):
    """The database could not be reached or refused the operation."""

    exit_code = 75


class PayloadError(KrakenError):
    """A payload is unusable; `field` names what is wrong with it."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class TicketIncompleteError(KrakenError):
    """A ticket would be filed without every required field."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("ticket is missing required fields: " + ", ".join(missing))


class ConnectorError(KrakenError):
    """A call to another system failed."""

    retryable = False

    def __init__(
        self,
        system: str,
        operation: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        detail: str = "",
    ) -> None:
        self.system = system
        self.operation = operation
        self.status = status
        self.retry_after = retry_after
        self.detail = detail
        where = f"{system} {operation}"
        what = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{where}: {what}" + (f": {detail}" if detail else ""))


class RetryableConnectorError(ConnectorError):
    """Worth retrying later: throttled, server error, timeout or transport failure."""

    retryable = True


class PermanentConnectorError(ConnectorError):
    """The other system refused the request itself; the same call will fail again."""


class ModelError(KrakenError):
    """A phishing model file is unsafe, corrupt or incompatible."""
