"""Stripping profiles: what is removed from an email before any feature sees it.

Public corpora carry headers and strings that name the collector rather than
the message (a spam filter's verdict, the honeypot's address, an mbox envelope
line). A model trained on them looks perfect and learns nothing that carries
over. A profile lists those headers and strings; the profile a model was
trained with is stored in the model file and applied again wherever the model
scores, so training and scoring always see the same kind of email.

Built-in profiles live in ``profiles.json`` beside this module:

* ``public-corpus``: the label-leakage rules of the development corpus (filter
  verdicts, mailbox artefacts, receiving-environment and era headers stripped;
  recipient values and collector strings masked).
* ``site``: for an organisation's own history; keeps its own
  ``Authentication-Results`` and ``Received-SPF``, which are good signals there.
* ``none``: strips nothing; used only by the leak canary of the ablation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kraken.errors import ModelError

MASK = "[masked]"
DEFAULT_PROFILE = "public-corpus"


@dataclass(frozen=True, slots=True)
class StrippingProfile:
    """Rules applied to raw bytes, header names and decoded text."""

    name: str
    strip_headers: tuple[str, ...] = ()
    mask_header_values: tuple[str, ...] = ()
    mask_strings: tuple[str, ...] = ()
    drop_mbox_from_line: bool = True
    normalize_crlf: bool = True
    _compiled: _Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        compiled = _compile(
            self.strip_headers, self.mask_header_values, self.mask_strings
        )
        object.__setattr__(self, "_compiled", compiled)

    def prepare_bytes(self, raw: bytes) -> bytes:
        """Normalise line endings and drop a leading mbox ``From `` line."""
        if self.normalize_crlf:
            raw = raw.replace(b"\r\n", b"\n")
        if self.drop_mbox_from_line and raw.startswith(b"From "):
            _, _, raw = raw.partition(b"\n")
        return raw

    def strips_header(self, name: str) -> bool:
        pattern = self._compiled.strip
        return pattern is not None and pattern.fullmatch(name.strip()) is not None

    def masks_header_value(self, name: str) -> bool:
        pattern = self._compiled.mask_values
        return pattern is not None and pattern.fullmatch(name.strip()) is not None

    def mask(self, text: str) -> str:
        """Replace every collector-identifying string in `text`."""
        if not text or not self._compiled.masks:
            return text
        lowered = text.lower()
        for literal, pattern in self._compiled.masks:
            # The literal check skips a regex scan that would cost ~1 ms per body.
            if literal in lowered:
                text = pattern.sub(MASK, text)
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "strip_headers": list(self.strip_headers),
            "mask_header_values": list(self.mask_header_values),
            "mask_strings": list(self.mask_strings),
            "drop_mbox_from_line": self.drop_mbox_from_line,
            "normalize_crlf": self.normalize_crlf,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StrippingProfile:
        try:
            return cls(
                name=str(data["name"]),
                strip_headers=tuple(
                    str(item) for item in data.get("strip_headers", ())
                ),
                mask_header_values=tuple(
                    str(item) for item in data.get("mask_header_values", ())
                ),
                mask_strings=tuple(str(item) for item in data.get("mask_strings", ())),
                drop_mbox_from_line=bool(data.get("drop_mbox_from_line", True)),
                normalize_crlf=bool(data.get("normalize_crlf", True)),
            )
        except (KeyError, TypeError, re.error) as exc:
            raise ModelError(f"invalid stripping profile: {exc}") from exc


@dataclass(frozen=True, slots=True)
class _Compiled:
    strip: re.Pattern[str] | None
    mask_values: re.Pattern[str] | None
    masks: tuple[tuple[str, re.Pattern[str]], ...]


def _union(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{item})" for item in patterns), re.IGNORECASE)


@lru_cache(maxsize=16)
def _compile(
    strip: tuple[str, ...], mask_values: tuple[str, ...], mask_strings: tuple[str, ...]
) -> _Compiled:
    masks = tuple(
        (_required_literal(item).lower(), re.compile(item, re.IGNORECASE))
        for item in mask_strings
    )
    return _Compiled(_union(strip), _union(mask_values), masks)


_QUANTIFIERS = frozenset("*+?{")
_META = frozenset("^$.|()[]{}*+?\\")


def _required_literal(pattern: str) -> str:
    """The longest plain-text run every match of `pattern` must contain ("" if unsure).

    Only runs outside groups and character classes count, and a top-level
    alternation gives up, so the answer is never wrong, only sometimes empty.
    """
    runs: list[str] = []
    current: list[str] = []
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        step = 1
        literal: str | None = None
        if char == "\\" and index + 1 < len(pattern):
            following = pattern[index + 1]
            literal = following if not following.isalnum() else None
            step = 2
        elif char == "[":
            end = pattern.find("]", index + 2)
            step = (end - index + 1) if end != -1 else len(pattern) - index
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return ""
        elif char not in _META and depth == 0:
            literal = char
        next_char = pattern[index + step] if index + step < len(pattern) else ""
        if literal is not None and next_char not in _QUANTIFIERS:
            current.append(literal)
        else:
            runs.append("".join(current))
            current = []
        index += step
    runs.append("".join(current))
    return max(runs, key=len)


def builtin_profiles() -> dict[str, StrippingProfile]:
    text = (
        resources.files("kraken.phishing").joinpath("profiles.json").read_text("utf-8")
    )
    raw: dict[str, dict[str, Any]] = json.loads(text)["profiles"]
    return {
        name: StrippingProfile.from_dict({"name": name, **rules})
        for name, rules in raw.items()
    }


def load_profile(name_or_path: str) -> StrippingProfile:
    """A built-in profile by name, or a JSON file with the built-ins' keys."""
    profiles = builtin_profiles()
    if name_or_path in profiles:
        return profiles[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(sorted(profiles))
        raise ModelError(
            f"unknown stripping profile {name_or_path!r} (built-in: {known})"
        )
    data = json.loads(path.read_text("utf-8"))
    return StrippingProfile.from_dict({"name": path.stem, **data})
