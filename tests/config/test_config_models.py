"""The settings models on their own: coercions that help, strictness that protects."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kraken.config import Settings
from kraken.config.models import MatchSpec, TicketSpec


def test_priority_accepts_number_and_lowercase_forms() -> None:
    assert MatchSpec.model_validate({"priority": [1, "p2", "3", "P4"]}).priority == (
        "P1",
        "P2",
        "P3",
        "P4",
    )


def test_actions_default_to_create() -> None:
    assert MatchSpec().actions == ("Create",)


def test_ticket_overrides_are_fields_and_template_is_not() -> None:
    ticket = TicketSpec.model_validate(
        {"template": "siem", "assignment_group": "SOC L1", "impact": 2}
    )
    assert ticket.template == "siem"
    assert ticket.fields == {"assignment_group": "SOC L1", "impact": "2"}


def test_ticket_dumps_back_to_the_flat_yaml_shape() -> None:
    ticket = TicketSpec.model_validate({"template": "t", "urgency": "1"})
    assert ticket.model_dump() == {"template": "t", "urgency": "1"}


def test_logging_json_key_maps_to_json_lines() -> None:
    settings = Settings.model_validate({"logging": {"level": "debug", "json": True}})
    assert settings.logging.json_lines is True
    assert settings.logging.level == "DEBUG"
    assert settings.model_dump(by_alias=True)["logging"]["json"] is True


def test_settings_are_immutable() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.server.port = 1


def test_floats_accept_integers_but_not_strings() -> None:
    assert (
        Settings.model_validate({"worker": {"lease_seconds": 30}}).worker.lease_seconds
        == 30.0
    )
    with pytest.raises(ValidationError):
        Settings.model_validate({"worker": {"lease_seconds": "30"}})
