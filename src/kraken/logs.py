"""Event-style logging: a constant event name plus key=value context.

Every value that was registered as a secret is masked by the formatter, so a
secret that slips into a log call still never reaches the output.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from typing import Any

_SECRET_MASK = "***"  # noqa: S105 (the mask, not a secret)
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_MIN_SECRET_LENGTH = 4  # masking very short strings would garble ordinary output


def register_secret(value: str) -> None:
    """Mask `value` in every log line from now on."""
    if len(value) >= _MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """Replace every registered secret in `text` with a mask."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, _SECRET_MASK)
    return text


class EventFormatter(logging.Formatter):
    """Render `event key=value ...`, or one JSON object per line when json=True."""

    def __init__(self, *, json_lines: bool = False) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = getattr(record, "kv", {})
        if self.json_lines:
            body = {"level": record.levelname.lower(), "logger": record.name}
            body["event"] = record.getMessage()
            body.update(fields)
            if record.exc_info:
                body["exc"] = self.formatException(record.exc_info)
            line = json.dumps(body, default=str)
        else:
            parts = [f"{record.levelname.lower():<7} {record.getMessage()}"]
            parts += [f"{key}={_quote(value)}" for key, value in fields.items()]
            line = " ".join(parts)
            if record.exc_info:
                line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def _quote(value: Any) -> str:
    text = str(value)
    return json.dumps(text) if (" " in text or not text) else text


class EventLogger:
    """A thin wrapper so call sites read `log.info("ticket.created", number=n)`."""

    def __init__(self, name: str, **bound: Any) -> None:
        self._logger = logging.getLogger(name)
        self._bound = bound

    def bind(self, **fields: Any) -> EventLogger:
        return EventLogger(self._logger.name, **{**self._bound, **fields})

    def _log(
        self, level: int, event: str, exc_info: bool, fields: dict[str, Any]
    ) -> None:
        if self._logger.isEnabledFor(level):
            kv = {**self._bound, **fields}
            self._logger.log(level, event, exc_info=exc_info, extra={"kv": kv})

    def debug(self, event: str, **fields: Any) -> None:
        self._log(logging.DEBUG, event, False, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._log(logging.INFO, event, False, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._log(logging.WARNING, event, False, fields)

    def error(self, event: str, *, exc_info: bool = False, **fields: Any) -> None:
        self._log(logging.ERROR, event, exc_info, fields)


def get_logger(name: str, **bound: Any) -> EventLogger:
    return EventLogger(name, **bound)


def configure(level: str = "INFO", *, json_lines: bool = False) -> None:
    """Install one stderr handler on the `kraken` logger; idempotent."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    root = logging.getLogger("kraken")
    root.setLevel(numeric)
    for handler in root.handlers:
        if getattr(handler, "_kraken", False):
            handler.setFormatter(EventFormatter(json_lines=json_lines))
            return
    handler = logging.StreamHandler(sys.stderr)
    handler._kraken = True  # type: ignore[attr-defined]
    handler.setFormatter(EventFormatter(json_lines=json_lines))
    root.addHandler(handler)
    root.propagate = False
