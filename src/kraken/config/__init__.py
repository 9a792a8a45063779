"""Typed settings from one YAML file, secrets from the environment.

`load_settings` is the start-up entry point; `check_settings` backs
`kraken config check`. The models are pure; only the loader reads the file
and the environment.
"""

from kraken.config.checks import missing_secrets
from kraken.config.loader import check_settings, evaluate_settings, load_settings
from kraken.config.models import DefaultRoute, Route, Settings, TicketSpec
from kraken.config.secrets import Secrets, load_secrets

__all__ = [
    "DefaultRoute",
    "Route",
    "Secrets",
    "Settings",
    "TicketSpec",
    "check_settings",
    "evaluate_settings",
    "load_secrets",
    "load_settings",
    "missing_secrets",
]
