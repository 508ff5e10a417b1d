"""What the ledger is about: aggregates, acts, the event registry, domain rules
and errors. No SQL, no HTTP."""
