"""The typed shape of `kraken.yaml`: one frozen model per section.

The key names are a public contract (operators write them), so they mirror the
YAML exactly; Python-side conveniences are properties, never renamed keys.
Validation here is per-value; checks that need several sections at once
(templates against routes, required ServiceNow fields) live in
`kraken.config.checks`. Pure: no I/O, no environment reads.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)

from kraken.config.secrets import Secrets

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
DEFAULT_ACTIONS = ("Create",)
DEFAULT_REQUIRED_FIELDS = (
    "short_description",
    "description",
    "caller_id",
    "category",
    "subcategory",
    "assignment_group",
    "impact",
    "urgency",
    "contact_type",
    "correlation_id",
)

Playbook = Literal["ticket", "ignore"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


def _priority(value: Any) -> Any:
    """Accept `P3`, `p3`, `3` and 3 so YAML authors need not remember the form."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if text.isdigit():
        text = f"P{text}"
    return text


def _template_value(value: Any) -> Any:
    """A field value may be written as a number (`impact: 2`); an empty key is ''."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


NonEmptyStr = Annotated[StrictStr, Field(min_length=1)]
HttpUrl = Annotated[StrictStr, AfterValidator(_http_url)]
PositiveInt = Annotated[StrictInt, Field(ge=1)]
PositiveFloat = Annotated[StrictFloat, Field(gt=0)]
Priority = Annotated[Literal["P1", "P2", "P3", "P4", "P5"], BeforeValidator(_priority)]
TemplateValue = Annotated[StrictStr, BeforeValidator(_template_value)]
TemplateFields = dict[NonEmptyStr, TemplateValue]


class _Section(BaseModel):
    """Base for every section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: NonEmptyStr = "127.0.0.1"
    port: Annotated[StrictInt, Field(ge=1, le=65535)] = 8080
    webhook_header: NonEmptyStr = "X-Kraken-Token"
    max_body_bytes: PositiveInt = 1_048_576


class DatabaseSettings(_Section):
    url: NonEmptyStr = "sqlite:///kraken.db"


class LoggingSettings(_Section):
    model_config = ConfigDict(populate_by_name=True)

    level: Annotated[LogLevel, BeforeValidator(_upper)] = "INFO"
    # `json` would shadow a BaseModel method, so the attribute has another name.
    json_lines: StrictBool = Field(default=False, alias="json")


class PollSettings(_Section):
    enabled: StrictBool = False
    query: NonEmptyStr = "status:open"
    interval_seconds: PositiveFloat = 30.0
    page_size: Annotated[StrictInt, Field(ge=1, le=100)] = 100


class OpsgenieSettings(_Section):
    url: HttpUrl = "https://api.opsgenie.com"
    poll: PollSettings = PollSettings()


class ServicenowSettings(_Section):
    url: HttpUrl = "https://example.service-now.com"
    auth: Literal["basic", "oauth"] = "basic"
    # Both auth modes log in as this user (OAuth uses the password grant).
    username: NonEmptyStr = "kraken.integration"
    client_id: StrictStr | None = Field(default=None, validate_default=True)
    table: NonEmptyStr = "incident"
    required_fields: tuple[NonEmptyStr, ...] = DEFAULT_REQUIRED_FIELDS

    @field_validator("client_id")
    @classmethod
    def _client_id_for_oauth(
        cls, value: str | None, info: ValidationInfo
    ) -> str | None:
        if info.data.get("auth") == "oauth" and not value:
            raise ValueError("required when auth is oauth")
        return value


class WorkerSettings(_Section):
    concurrency: PositiveInt = 8
    batch_size: PositiveInt = 16
    max_attempts: PositiveInt = 5
    backoff_base_seconds: PositiveFloat = 1.0
    backoff_max_seconds: PositiveFloat = 300.0
    lease_seconds: PositiveFloat = 60.0
    poll_interval_seconds: PositiveFloat = 0.2

    @field_validator("backoff_max_seconds")
    @classmethod
    def _max_not_below_base(cls, value: float, info: ValidationInfo) -> float:
        base = info.data.get("backoff_base_seconds")
        if base is not None and value < base:
            raise ValueError("must be >= backoff_base_seconds")
        return value


class MatchSpec(_Section):
    """Criteria a route applies to an alert; an empty criterion matches anything."""

    tags_all: tuple[NonEmptyStr, ...] = ()
    tags_any: tuple[NonEmptyStr, ...] = ()
    tags_none: tuple[NonEmptyStr, ...] = ()
    priority: tuple[Priority, ...] = ()
    source: tuple[NonEmptyStr, ...] = ()
    entity: tuple[NonEmptyStr, ...] = ()
    actions: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)] = DEFAULT_ACTIONS


class TicketSpec(_Section):
    """`template` names a start point; every other key is a field override.

    Overrides are kept as pydantic extras so they dump back to the flat YAML
    shape and their errors carry the YAML location (`routes[0].ticket.impact`).
    """

    model_config = ConfigDict(extra="allow")

    template: NonEmptyStr | None = None
    __pydantic_extra__: dict[str, TemplateValue] = Field(init=False)

    @property
    def fields(self) -> dict[str, str]:
        """The field overrides, without `template`."""
        return dict(self.__pydantic_extra__ or {})


class OpsgenieBackChannel(_Section):
    """What Kraken tells OpsGenie after the playbook ran."""

    note: StrictBool = True
    acknowledge: StrictBool = False
    add_tags: tuple[NonEmptyStr, ...] = ()


class _RouteBody(_Section):
    name: NonEmptyStr
    playbook: Playbook
    # Validated even when absent, so a ticket route without it is reported.
    ticket: TicketSpec | None = Field(default=None, validate_default=True)
    opsgenie: OpsgenieBackChannel = OpsgenieBackChannel()

    @field_validator("ticket")
    @classmethod
    def _ticket_for_ticket_playbook(
        cls, value: TicketSpec | None, info: ValidationInfo
    ) -> TicketSpec | None:
        if info.data.get("playbook") == "ticket" and value is None:
            raise ValueError("required when playbook is ticket")
        return value


class Route(_RouteBody):
    """One entry of `routes:`; the first whose `match` holds wins."""

    match: MatchSpec

    @property
    def actions(self) -> tuple[str, ...]:
        return self.match.actions


class DefaultRoute(_RouteBody):
    """The fallback for alerts no route matched; it has no `match`, only actions."""

    name: NonEmptyStr = "default"
    actions: Annotated[tuple[NonEmptyStr, ...], Field(min_length=1)] = DEFAULT_ACTIONS


# What a matched route is, wherever a caller does not care which kind it is.
RouteConfig: TypeAlias = Route | DefaultRoute


class Settings(_Section):
    """Everything `kraken.yaml` holds, plus the secrets the loader read from env."""

    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    logging: LoggingSettings = LoggingSettings()
    opsgenie: OpsgenieSettings = OpsgenieSettings()
    servicenow: ServicenowSettings = ServicenowSettings()
    worker: WorkerSettings = WorkerSettings()
    templates: dict[NonEmptyStr, TemplateFields] = Field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    default_route: DefaultRoute | None = None
    # Filled by the loader from the environment; never read from or dumped to YAML.
    secrets: Secrets = Field(default_factory=Secrets, exclude=True)
