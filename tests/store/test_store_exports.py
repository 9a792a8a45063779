from __future__ import annotations

import kraken.store


def test_every_exported_name_exists() -> None:
    missing = [name for name in kraken.store.__all__ if not hasattr(kraken.store, name)]
    assert missing == []


def test_public_surface_is_stable() -> None:
    expected = {
        "Accepted", "AuditRecord", "DATABASE_URL_ENV", "DEFAULT_DATABASE_URL", "Job",
        "JobQueue", "JobState", "NewEvent", "StoredEvent", "TicketRecord",
        "accept_events", "compute_backoff", "count_events", "count_tickets",
        "create_engine_for", "find_ticket", "get_cursor", "get_event", "list_audit",
        "record_audit", "record_ticket", "resolve_database_url", "set_cursor",
        "store_errors", "transaction", "upgrade",
    }  # fmt: skip
    assert set(kraken.store.__all__) == expected
