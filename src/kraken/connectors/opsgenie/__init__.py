"""connectors/opsgenie."""
