"""A realistic stream of alerts for the demo; seeded, so the same seed repeats it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from kraken.connectors.opsgenie.models import Priority


@dataclass(frozen=True, slots=True)
class DemoAlert:
    message: str
    alias: str
    tags: tuple[str, ...]
    priority: Priority
    source: str
    entity: str
    description: str
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Source:
    name: str
    tags: tuple[str, ...]
    messages: tuple[str, ...]
    entities: tuple[str, ...]
    weight: int


_SOURCES = (
    _Source(
        "splunk",
        ("siem", "splunk"),
        (
            "Excessive failed logins for {user}",
            "Brute force against VPN gateway from {ip}",
            "Suspicious PowerShell execution on {host}",
        ),
        ("vpn-gw-01", "dc-02", "ws-{n}"),
        30,
    ),
    _Source(
        "elastic",
        ("siem", "elastic"),
        (
            "Possible data exfiltration to {ip}",
            "Rare parent process for cmd.exe on {host}",
        ),
        ("db-{n}", "app-{n}"),
        20,
    ),
    _Source(
        "crowdstrike",
        ("edr", "crowdstrike"),
        ("Malware detected: {family} on {host}", "Credential dumping on {host}"),
        ("ws-{n}", "laptop-{n}"),
        20,
    ),
    _Source(
        "aws-guardduty",
        ("cloud", "aws"),
        (
            "UnauthorizedAccess:IAMUser/ConsoleLogin from {ip}",
            "Recon:EC2/PortProbeUnprotectedPort on {host}",
        ),
        ("i-0{n}abc", "iam-{user}"),
        15,
    ),
    _Source("heartbeat", ("heartbeat", "test"), ("Heartbeat {n}",), ("kraken",), 5),
    _Source("nagios", (), ("Disk usage above 90% on {host}",), ("fs-{n}",), 10),
)

_USERS = ("alice", "bob", "carol", "dave", "svc-backup")
_FAMILIES = ("Emotet", "QakBot", "AgentTesla", "Lumma")
_PRIORITIES: tuple[Priority, ...] = ("P1", "P2", "P3", "P3", "P4", "P5")
_SEVERITY_TAGS = ("critical", "high", "medium", "low")


def generate(
    count: int, *, seed: int = 7, duplicate_share: float = 0.1
) -> list[DemoAlert]:
    """`count` alert creations; about `duplicate_share` reuse an earlier alias,
    which OpsGenie (and its simulator) folds into the existing alert."""
    rng = random.Random(seed)
    weights = [s.weight for s in _SOURCES]
    made: list[DemoAlert] = []
    for index in range(count):
        if made and rng.random() < duplicate_share:
            made.append(rng.choice(made))
            continue
        src = rng.choices(_SOURCES, weights)[0]
        values = {
            "user": rng.choice(_USERS),
            "ip": f"203.0.113.{rng.randint(1, 254)}",
            "host": f"ws-{rng.randint(100, 999)}",
            "family": rng.choice(_FAMILIES),
            "n": str(rng.randint(1, 40)),
        }
        message = rng.choice(src.messages).format(**values)
        tags = src.tags
        if src.tags and src.name != "heartbeat":
            tags = (*tags, rng.choice(_SEVERITY_TAGS))
        made.append(
            DemoAlert(
                message=message,
                alias=f"{src.name}-{index:06d}",
                tags=tags,
                priority=rng.choice(_PRIORITIES),
                source=src.name,
                entity=rng.choice(src.entities).format(**values),
                description=f"{message}. Raised by {src.name} detection rules.",
                details={"user": values["user"], "host": values["host"]},
            )
        )
    return made
