"""Verifying what others made: credentials, presentations, DIDs, status lists,
proof bundles; the one guarded fetcher."""
