"""Incident records as ServiceNow stores and renders them, for the simulator.

Field names, defaults and the string-only encoding follow real create
responses (see the contract sheet): every value is a string, unset fields are
`""`, and reference fields render as `{"link", "value"}` unless the caller asks
for `sysparm_exclude_reference_link=true`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REFERENCE_TABLES: dict[str, str] = {
    "caller_id": "sys_user",
    "opened_by": "sys_user",
    "assigned_to": "sys_user",
    "resolved_by": "sys_user",
    "closed_by": "sys_user",
    "assignment_group": "sys_user_group",
    "sys_domain": "sys_user_group",
    "company": "core_company",
    "location": "cmn_location",
    "cmdb_ci": "cmdb_ci",
    "business_service": "cmdb_ci_service",
    "service_offering": "service_offering",
    "parent_incident": "incident",
    "problem_id": "problem",
    "rfc": "change_request",
    "caused_by": "change_request",
}

JOURNAL_FIELDS = frozenset({"work_notes", "comments", "comments_and_work_notes"})

_BLANK_FIELDS = (
    "task_effective_number",
    "sys_created_by",
    "sys_updated_by",
    "opened_at",
    "opened_by",
    "resolved_at",
    "resolved_by",
    "closed_at",
    "closed_by",
    "close_code",
    "close_notes",
    "hold_reason",
    "subcategory",
    "short_description",
    "description",
    "contact_type",
    "caller_id",
    "assignment_group",
    "assigned_to",
    "correlation_id",
    "correlation_display",
    "cmdb_ci",
    "business_service",
    "service_offering",
    "company",
    "location",
    "parent_incident",
    "problem_id",
    "rfc",
    "caused_by",
    "child_incidents",
    "made_sla",
    "sla_due",
    "notify",
    "approval",
    "upon_approval",
    "upon_reject",
    "watch_list",
    "work_notes_list",
    "knowledge",
    "reassignment_count",
    "calendar_stc",
    "business_stc",
    "calendar_duration",
    "business_duration",
    "origin_table",
    "origin_id",
    "universal_request",
    "route_reason",
    "cause",
    "business_impact",
    "user_input",
    "sys_tags",
    "escalation",
    "work_notes",
    "comments",
    "comments_and_work_notes",
)

DEFAULTS: dict[str, str] = dict.fromkeys(_BLANK_FIELDS, "") | {
    "sys_class_name": "incident",
    "sys_mod_count": "0",
    "sys_domain": "global",
    "sys_domain_path": "/",
    "state": "1",
    "incident_state": "1",
    "active": "true",
    "impact": "3",
    "urgency": "3",
    "priority": "5",
    "severity": "3",
    "category": "inquiry",
    "reopen_count": "0",
    "reassignment_count": "0",
    "made_sla": "true",
    "notify": "1",
    "approval": "not requested",
    "upon_approval": "proceed",
    "upon_reject": "cancel",
    "escalation": "0",
}

KNOWN_FIELDS = frozenset(DEFAULTS) | {
    "sys_id",
    "number",
    "sys_created_on",
    "sys_updated_on",
}


def as_string(value: Any) -> str:
    """How ServiceNow stores a JSON value sent for a string field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return str(value.get("value", ""))
    return str(value)


def writable(body: Mapping[str, Any]) -> dict[str, str]:
    """The fields a write sets; as on ServiceNow, unknown fields are dropped."""
    return {
        name: as_string(value)
        for name, value in body.items()
        if (name in DEFAULTS or name.startswith(("u_", "x_")))
        and name not in JOURNAL_FIELDS
    }


def computed_priority(impact: str, urgency: str) -> str:
    """Priority from the out-of-the-box impact x urgency matrix (1 = critical)."""
    try:
        value = int(impact) + int(urgency) - 1
    except ValueError:
        return DEFAULTS["priority"]
    return str(min(5, max(1, value)))


def render(
    record: Mapping[str, str],
    *,
    base_url: str,
    fields: list[str] | None,
    exclude_links: bool,
) -> dict[str, Any]:
    """One record as the Table API returns it."""
    names = fields if fields is not None else list(record)
    out: dict[str, Any] = {}
    for name in names:
        if name not in record:
            continue
        value = record[name]
        table = REFERENCE_TABLES.get(name)
        if table and value and not exclude_links:
            link = f"{base_url.rstrip('/')}/api/now/table/{table}/{value}"
            out[name] = {"link": link, "value": value}
        else:
            out[name] = value
    return out
