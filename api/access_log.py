"""The server's access log names the path, never the query string.

A client that puts a token in a URL (``?token=…``) is refused, but uvicorn's access log
would still print it; search terms (``?q=``) may be personal data. So each access-log
line keeps method, path and status and replaces a query string with ``?…``: enough to
see that one was sent, nothing of what it said.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "?…"


class QueryStringRedactor(logging.Filter):
    """Rewrites uvicorn's access records (``client - "METHOD path?query HTTP/v" status``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, mark, _ = args[2].partition("?")
            if mark:
                record.args = (args[0], args[1], path + REDACTED, args[3], args[4])
        return True


def redact_query_strings(logger_name: str = ACCESS_LOGGER) -> None:
    """Install the redactor on the access logger (once, however often the app is made)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, QueryStringRedactor) for f in logger.filters):
        logger.addFilter(QueryStringRedactor())
