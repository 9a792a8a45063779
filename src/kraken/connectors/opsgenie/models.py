"""Wire shapes and limits of the OpsGenie Alert API v2.

The limits come from the API's own schema; checking them here turns a request
OpsGenie would reject (422) into a clear local error before any round trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args
from urllib.parse import parse_qs, urlsplit

from kraken.errors import PermanentConnectorError

SYSTEM = "opsgenie"

Priority = Literal["P1", "P2", "P3", "P4", "P5"]
PRIORITIES: frozenset[str] = frozenset(get_args(Priority))

MAX_MESSAGE = 130
MAX_ALIAS = 512
MAX_DESCRIPTION = 15000
MAX_ENTITY = 512
MAX_SOURCE = 100
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_NOTE = 25000
MAX_USER = 100
MAX_LIST_LIMIT = 100


@dataclass(frozen=True, slots=True)
class AlertPage:
    """One page of `GET /v2/alerts`; `next_offset` is None on the last page."""

    alerts: list[dict[str, Any]]
    next_offset: int | None


def check_tags(tags: Sequence[str]) -> list[str]:
    """Tags as OpsGenie accepts them; too many or too long is a caller bug.

    Tags are Kraken's routing primitive, so silently dropping one would send
    an alert down the wrong route; raising is safer than truncating.
    """
    if isinstance(tags, str):
        raise TypeError("tags must be a sequence of strings, not one string")
    if len(tags) > MAX_TAGS:
        raise ValueError(f"OpsGenie accepts at most {MAX_TAGS} tags, got {len(tags)}")
    for tag in tags:
        if not tag or len(tag) > MAX_TAG_LENGTH:
            raise ValueError(f"each tag must be 1..{MAX_TAG_LENGTH} characters")
    return list(tags)


def clip(value: str | None, limit: int) -> str | None:
    """Truncate free text to a documented limit, as OpsGenie itself would."""
    return None if value is None else value[:limit]


def request_id_of(body: Any, *, operation: str) -> str:
    """The `requestId` of a 202 answer."""
    request_id = body.get("requestId") if isinstance(body, Mapping) else None
    if not isinstance(request_id, str) or not request_id:
        raise PermanentConnectorError(SYSTEM, operation, detail="no requestId")
    return request_id


def data_of(body: Any, *, operation: str) -> Any:
    """The `data` member of a 200 answer."""
    if not isinstance(body, Mapping) or "data" not in body:
        raise PermanentConnectorError(SYSTEM, operation, detail="body has no data")
    return body["data"]


def next_offset_of(body: Mapping[str, Any]) -> int | None:
    """The offset in `paging.next`, which OpsGenie omits on the last page."""
    paging = body.get("paging")
    link = paging.get("next") if isinstance(paging, Mapping) else None
    if not isinstance(link, str) or not link:
        return None
    values = parse_qs(urlsplit(link).query).get("offset")
    if not values or not values[0].isdigit():
        return None
    return int(values[0])
