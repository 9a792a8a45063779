"""Tricks that keep a report from being auto-closed, whatever the model says.

The model learns from one organisation's history, and a lure from another era,
source or language can score low on it. A reported email that carries one of
these tricks is rarely innocent, so it goes to an analyst instead of being
closed: the guard can only move a report from auto-close to the queue, never
the other way. The rules travel in the model's metadata, because its
thresholds were chosen with them in force. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kraken.phishing.catalogue import SIGNALS

# Each alone is enough to hold a report: rare in benign mail, common in lures.
DEFAULT_ALONE: tuple[str, ...] = (
    "html_password",
    "attach_risky",
    "attach_macro",
    "attach_html",
    "attach_double_ext",
    "attach_encrypted",
    "url_userinfo",
    "url_script_scheme",
    "punycode_url",
)
# Each holds a report only together with wording that asks for credentials.
DEFAULT_WITH_CREDENTIALS: tuple[str, ...] = (
    "html_form",
    "link_text_mismatch",
    "ip_url",
    "url_login_path",
    "url_free_hosting",
    "shortener_url",
    "display_name_brand",
    "auth_fail",
)
CREDENTIALS = "credential_words"


@dataclass(frozen=True, slots=True)
class CloseGuard:
    """Which signals, alone or with credential wording, forbid auto-closing."""

    alone: tuple[str, ...] = DEFAULT_ALONE
    with_credentials: tuple[str, ...] = DEFAULT_WITH_CREDENTIALS
    enabled: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.alone + self.with_credentials) - set(SIGNALS))
        if unknown:
            raise ValueError(f"unknown guard signals: {', '.join(unknown)}")

    def reason(self, signals: Mapping[str, float]) -> str | None:
        """Why `signals` forbid auto-closing, in an analyst's words, or None."""
        if not self.enabled:
            return None
        for name in self.alone:
            if signals.get(name, 0.0) > 0:
                return SIGNALS[name].description
        if signals.get(CREDENTIALS, 0.0) > 0:
            for name in self.with_credentials:
                if signals.get(name, 0.0) > 0:
                    return f"asks for credentials and {SIGNALS[name].description}"
        return None

    def holds(
        self, rows: Sequence[Sequence[float]], names: Sequence[str]
    ) -> list[bool]:
        """For each row of signal values (in `names` order): is it held?"""
        return [
            self.reason(dict(zip(names, row, strict=True))) is not None for row in rows
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "alone": list(self.alone),
            "with_credentials": list(self.with_credentials),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CloseGuard:
        """The guard a model was trained with; none for a model that recorded none."""
        if data is None:
            return cls(enabled=False)
        return cls(
            alone=tuple(data.get("alone", ())),
            with_credentials=tuple(data.get("with_credentials", ())),
            enabled=bool(data.get("enabled", True)),
        )
