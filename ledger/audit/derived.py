"""The state derived from the events, audited: every status list version, the read model.

Neither needs the log, so on a large log with worker processes it is checked in a
process of its own while the log is replayed (:class:`DerivedStateCheck`); a finding of
the log's is still the one reported when both find something, as when run in turn.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from credledger.ledger.audit.events import open_events, open_recorder
from credledger.ledger.audit.report import AuditSetupError, Discrepancy
from credledger.ledger.audit.status import FirstStates, check_read_model, check_status_lists
from credledger.ledger.store.schema import READ_MODEL_FILE
from credledger.ledger.store.settings import Settings

__all__ = ["DerivedStateCheck", "check_derived_state"]


def check_derived_state(
    settings: Settings, first_states: FirstStates | None
) -> tuple[int, str | None]:
    """Every status list version against the events, and the read model against a
    rebuild: how many versions were checked, and a warning if the model could not be."""
    recorder = open_recorder(settings)
    try:
        versions = check_status_lists(recorder, first_states)
        return versions, check_read_model(recorder, settings.data_dir / READ_MODEL_FILE)
    finally:
        datastore = getattr(recorder, "datastore", None)
        if datastore is not None:
            datastore.close()


class DerivedStateCheck:
    """:func:`check_derived_state`, in a spawned process started now (``apart``) or here
    when its :meth:`result` is asked for."""

    def __init__(self, settings: Settings, first_states: FirstStates | None, apart: bool) -> None:
        self.settings, self.first_states = settings, first_states
        self._process: Any = None
        if apart:
            context = multiprocessing.get_context("spawn")  # no store connection inherited
            self._answer, sending = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_check_apart, args=(settings, sending), daemon=True
            )
            self._process.start()
            sending.close()

    def result(self) -> tuple[int, str | None]:
        """The check's outcome (raises its Discrepancy)."""
        if self._process is None:
            return check_derived_state(self.settings, self.first_states)
        try:
            outcome = self._answer.recv()
        except EOFError:
            raise AuditSetupError("the process checking status lists stopped") from None
        if outcome[0] == "found":
            raise outcome[1]
        if outcome[0] == "failed":
            raise AuditSetupError(f"checking status lists failed: {outcome[1]}")
        return outcome[1], outcome[2]

    def close(self) -> None:
        """Stop the process if it still runs (the log's finding made it moot)."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._answer.close()
            self._process = None


def _check_apart(settings: Settings, answer: Connection) -> None:
    events = open_events(settings)
    try:
        versions, warning = check_derived_state(settings, getattr(events, "first_states", None))
        answer.send(("ok", versions, warning))
    except Discrepancy as found:  # pickles whole
        answer.send(("found", found))
    except Exception as exc:  # reported in the parent, which decides the audit's outcome
        answer.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        events.close()
        answer.close()
