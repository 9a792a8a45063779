"""The demo's configuration: a real YAML file, loaded the way `serve` loads one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_TICKET_BASE = {
    "short_description": "[{{ alert.priority or 'P3' }}] {{ alert.message }}",
    "description": (
        "{{ alert.description or alert.message }}\n\n"
        "Source: {{ alert.source }}\nEntity: {{ alert.entity }}\n"
        "Tags: {{ alert.tags | join(', ') }}\n"
        "OpsGenie alert: {{ alert.tiny_id }} ({{ alert.id }})"
    ),
    "caller_id": "kraken.integration",
    "category": "security",
    "contact_type": "monitoring",
    "impact": "{{ {'P1': '1', 'P2': '1', 'P3': '2'}.get(alert.priority, '3') }}",
    "urgency": "{{ {'P1': '1', 'P2': '2', 'P3': '2'}.get(alert.priority, '3') }}",
}


def demo_config(
    *, database_url: str, opsgenie_url: str, servicenow_url: str
) -> dict[str, Any]:
    return {
        "server": {
            "host": "127.0.0.1",
            "port": 8080,
            "webhook_header": "X-Kraken-Token",
        },
        "database": {"url": database_url},
        "logging": {"level": "WARNING"},
        "opsgenie": {"url": opsgenie_url},
        "servicenow": {
            "url": servicenow_url,
            "auth": "basic",
            "username": "kraken.integration",
        },
        # Short backoff so the demo's injected vendor errors retry quickly.
        "worker": {
            "concurrency": 16,
            "batch_size": 32,
            "max_attempts": 8,
            "backoff_base_seconds": 0.05,
            "backoff_max_seconds": 2.0,
            "lease_seconds": 30.0,
            "poll_interval_seconds": 0.05,
        },
        "templates": {"security": _TICKET_BASE},
        "routes": [
            {
                "name": "heartbeats",
                "match": {"tags_any": ["heartbeat", "test"]},
                "playbook": "ignore",
            },
            {
                "name": "siem",
                "match": {"tags_all": ["siem"]},
                "playbook": "ticket",
                "ticket": {
                    "template": "security",
                    "subcategory": "siem alert",
                    "assignment_group": "SOC L1",
                },
                "opsgenie": {"note": True, "add_tags": ["ticketed"]},
            },
            {
                "name": "edr",
                "match": {"tags_any": ["edr"]},
                "playbook": "ticket",
                "ticket": {
                    "template": "security",
                    "subcategory": "endpoint",
                    "assignment_group": "SOC L2 Endpoint",
                },
                "opsgenie": {"note": True, "acknowledge": True},
            },
            {
                "name": "cloud",
                "match": {"tags_all": ["cloud"]},
                "playbook": "ticket",
                "ticket": {
                    "template": "security",
                    "subcategory": "cloud",
                    "assignment_group": "Cloud Security",
                },
                "opsgenie": {"note": True},
            },
        ],
        "default_route": {
            "name": "default",
            "playbook": "ticket",
            "ticket": {
                "template": "security",
                "subcategory": "unclassified",
                "assignment_group": "SOC L1",
            },
        },
    }


def write_demo_config(path: Path, **urls: str) -> Path:
    path.write_text(yaml.safe_dump(demo_config(**urls), sort_keys=False))
    return path
