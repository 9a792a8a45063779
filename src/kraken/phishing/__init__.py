"""phishing."""
