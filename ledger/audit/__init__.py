"""Auditing the log, the status lists and the read model against the events (read-only)."""
