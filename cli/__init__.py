"""The ``credledger`` command: a thin layer over the library (or over HTTP)."""
