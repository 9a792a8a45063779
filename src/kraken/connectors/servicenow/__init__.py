"""connectors/servicenow."""
