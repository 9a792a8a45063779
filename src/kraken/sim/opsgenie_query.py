"""`GET /v2/alerts` for the simulator: a small subset of OpsGenie search syntax.

Supported terms, joined by whitespace or `AND`: `status:open|closed`,
`acknowledged:true|false`, `tag:<t>` (also `tags:`), `alias:<a>`,
`priority:P1..P5`. Anything else is answered 422, so a client that relies on
more syntax finds out in tests rather than by silently getting every alert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from kraken.sim.opsgenie_alerts import SimAlert

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

_SORT_KEYS: dict[str, Callable[[SimAlert], Any]] = {
    "createdAt": lambda a: a.created_ns,
    "updatedAt": lambda a: a.updated_ns,
    "lastOccurredAt": lambda a: a.last_occurred_ns,
    "tinyId": lambda a: a.tiny_id,
    "count": lambda a: a.count,
    "alias": lambda a: a.alias,
    "message": lambda a: a.message,
    "status": lambda a: a.status,
    "acknowledged": lambda a: a.acknowledged,
}

_FIELDS: dict[str, Callable[[SimAlert, str], bool]] = {
    "status": lambda a, v: a.status == v,
    "acknowledged": lambda a, v: str(a.acknowledged).lower() == v.lower(),
    "tag": lambda a, v: v in a.tags,
    "tags": lambda a, v: v in a.tags,
    "alias": lambda a, v: a.alias == v,
    "priority": lambda a, v: a.priority == v,
}


@dataclass(frozen=True, slots=True)
class ListParams:
    terms: tuple[tuple[str, str], ...]
    query: str
    offset: int
    limit: int
    sort: str
    order: str

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> ListParams:
        query = params.get("query", "")
        try:
            offset = int(params.get("offset", "0"))
            limit = int(params.get("limit", str(DEFAULT_LIMIT)))
        except ValueError:
            raise ValueError("offset and limit must be integers") from None
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"offset must be >= 0 and limit between 1 and {MAX_LIMIT}")
        sort = params.get("sort", "createdAt")
        order = params.get("order", "desc")
        if sort not in _SORT_KEYS or order not in ("asc", "desc"):
            raise ValueError("unsupported sort or order")
        return cls(_parse(query), query, offset, limit, sort, order)


def _parse(query: str) -> tuple[tuple[str, str], ...]:
    terms = []
    for word in query.split():
        if word.upper() == "AND":
            continue
        name, sep, value = word.partition(":")
        if not sep or name not in _FIELDS or not value:
            raise ValueError(f"unsupported query term: {word}")
        terms.append((name, value.strip('"')))
    return tuple(terms)


def list_page(
    alerts: list[SimAlert], params: ListParams, base_url: str
) -> dict[str, Any]:
    """`{data, paging}` for one page, with OpsGenie's absolute paging links."""
    matched = [a for a in alerts if all(_FIELDS[n](a, v) for n, v in params.terms)]
    matched.sort(key=_SORT_KEYS[params.sort], reverse=params.order == "desc")
    page = matched[params.offset : params.offset + params.limit]

    def link(offset: int) -> str:
        query = {
            "query": params.query,
            "limit": params.limit,
            "sort": params.sort,
            "offset": offset,
            "order": params.order,
        }
        return f"{base_url.rstrip('/')}/v2/alerts?{urlencode(query)}"

    last = max(0, (len(matched) - 1) // params.limit * params.limit)
    paging = {"first": link(0), "last": link(last)}
    if params.offset + params.limit < len(matched):
        paging["next"] = link(params.offset + params.limit)
    if params.offset > 0:
        paging["prev"] = link(max(0, params.offset - params.limit))
    return {"data": [a.base_view() for a in page], "paging": paging}
