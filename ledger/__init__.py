"""The only package that stores anything: aggregates, events, the Merkle log, read models."""
