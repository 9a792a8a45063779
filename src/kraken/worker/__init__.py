"""Claim jobs, run them, retry with backoff, dead-letter, shut down cleanly."""
