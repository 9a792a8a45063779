"""ServiceNow Table API connector: incidents keyed by Kraken's correlation id."""

from kraken.connectors.servicenow.auth import BasicAuth, OAuthPasswordGrant
from kraken.connectors.servicenow.client import ServiceNowClient
from kraken.connectors.servicenow.models import Incident

__all__ = ["BasicAuth", "Incident", "OAuthPasswordGrant", "ServiceNowClient"]
