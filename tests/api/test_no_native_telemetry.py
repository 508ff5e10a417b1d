"""FastAPI's native OpenTelemetry is off: request bodies (credentials, personal data) and
exception messages are never handed to a tracing pipeline someone installs on the host."""

from __future__ import annotations

import hashlib

import pytest
from credledger.api.app import create_app


def test_the_app_records_no_spans_metrics_or_logs_of_its_requests() -> None:
    app = create_app(object(), hashlib.sha256(b"telemetry").digest())  # type: ignore[arg-type]
    config = getattr(app, "_telemetry", None)
    if config is None:
        pytest.skip("this FastAPI has no native telemetry")
    assert (config["tracing"], config["metrics"], config["logs"]) == (False, False, False)
    assert not app._native_telemetry.enabled()
