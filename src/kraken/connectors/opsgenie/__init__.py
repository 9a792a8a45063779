"""OpsGenie Alert API v2 connector: create, annotate and close alerts."""

from kraken.connectors.opsgenie.client import OpsGenieClient
from kraken.connectors.opsgenie.models import AlertPage, Priority

__all__ = ["AlertPage", "OpsGenieClient", "Priority"]
