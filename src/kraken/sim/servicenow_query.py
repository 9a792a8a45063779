"""ServiceNow encoded queries (`sysparm_query`) for the simulator.

Terms are joined by `^`; a literal caret is written `^^`. Supported: the
operators below, and `ORDERBY<f>` / `ORDERBYDESC<f>`. Real ServiceNow ignores
terms it cannot parse and may then match every record; the simulator answers
400 instead, so a client bug shows up in tests rather than as a wrong match.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_TERM = re.compile(
    r"^([A-Za-z0-9_]+?)"
    r"(ISNOTEMPTY|ISEMPTY|STARTSWITH|ENDSWITH|LIKE|!=|>=|<=|=|<|>)(.*)$",
    re.DOTALL,
)


def _compare(a: str, b: str) -> int:
    """Numbers compare as numbers (ServiceNow stores them as strings), else text."""
    try:
        x, y = float(a), float(b)
    except ValueError:
        return (a > b) - (a < b)
    return (x > y) - (x < y)


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "LIKE": lambda a, b: b.lower() in a.lower(),
    "STARTSWITH": lambda a, b: a.lower().startswith(b.lower()),
    "ENDSWITH": lambda a, b: a.lower().endswith(b.lower()),
    "ISEMPTY": lambda a, b: a == "",
    "ISNOTEMPTY": lambda a, b: a != "",
    "<": lambda a, b: _compare(a, b) < 0,
    ">": lambda a, b: _compare(a, b) > 0,
    "<=": lambda a, b: _compare(a, b) <= 0,
    ">=": lambda a, b: _compare(a, b) >= 0,
}


@dataclass(frozen=True, slots=True)
class EncodedQuery:
    terms: tuple[tuple[str, str, str], ...]
    order_by: tuple[tuple[str, bool], ...]

    def matches(self, record: Mapping[str, str]) -> bool:
        return all(_OPERATORS[op](record.get(f, ""), v) for f, op, v in self.terms)

    def sort(self, records: list[dict[str, str]]) -> list[dict[str, str]]:
        ordered = list(records)
        # Stable sorts applied last key first give a multi-key order.
        for name, descending in reversed(self.order_by):
            ordered.sort(key=operator.itemgetter(name), reverse=descending)
        return ordered


def split_terms(text: str) -> list[str]:
    """Split on single `^`; `^^` stands for a literal caret inside a value."""
    terms: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "^":
            if text.startswith("^^", i):
                current.append("^")
                i += 2
                continue
            terms.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    terms.append("".join(current))
    return [term for term in terms if term]


def parse(text: str, known_fields: frozenset[str]) -> EncodedQuery:
    """Parse a query; unknown fields and unsupported syntax raise ValueError."""
    terms: list[tuple[str, str, str]] = []
    order_by: list[tuple[str, bool]] = []
    for term in split_terms(text):
        if term.startswith("ORDERBYDESC"):
            order_by.append((_known(term[11:], known_fields), True))
        elif term.startswith("ORDERBY"):
            order_by.append((_known(term[7:], known_fields), False))
        elif term.startswith(("OR", "NQ")):
            raise ValueError("OR and NQ terms are not supported by the simulator")
        else:
            match = _TERM.match(term)
            if match is None:
                raise ValueError("unsupported query term")
            name, op, value = match.groups()
            terms.append((_known(name, known_fields), op, value))
    return EncodedQuery(tuple(terms), tuple(order_by))


def _known(name: str, known_fields: frozenset[str]) -> str:
    if name not in known_fields:
        raise ValueError(f"unknown field: {name}")
    return name
