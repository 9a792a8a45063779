"""Getting alerts in: the webhook app, the pollers, and one module per provider."""
