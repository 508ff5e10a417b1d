"""Concurrent awards never share a status index and never double-issue, also across
two ledger instances sharing one PostgreSQL store (as two server processes would)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from credledger.ledger.application import CredentialLedger
from credledger.ledger.domain.acts import ADMIN, Act

from ...http_helpers import microcredential_definition


def award_many(ledgers: list[Any], actor: str, achievement: Any, per_thread: int) -> list[Any]:
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(ledger: Any, thread: int) -> None:
        try:
            for i in range(per_thread):
                act = Act.of(actor, f"t{thread}-{i}", f"{thread}-{i}".encode())
                issued = ledger.issue_credential(act, achievement.id, {"eduid": f"u{thread}-{i}"})
                with lock:
                    results.append(issued)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(ledgers[t % len(ledgers)], t)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def indices(results: list[Any]) -> list[tuple[str, int]]:
    return [
        (str(r.credential.status_slot["group"]), r.credential.status_slot["index"]) for r in results
    ]


def test_threads_in_one_process_claim_distinct_indices(ledger: Any) -> None:
    school = ledger.register_issuer(Act(ADMIN), "S")
    actor = str(school.issuer.id)
    achievement = ledger.define_achievement(Act(actor), microcredential_definition())
    results = award_many([ledger], actor, achievement, 8)
    assert len(results) == 48
    assert not [k for k, n in Counter(indices(results)).items() if n > 1]


def test_two_instances_on_postgres_claim_distinct_indices(settings: Any, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("two instances share a store only on PostgreSQL")
    first = CredentialLedger(settings)
    other_settings = type(settings)(**{**settings.__dict__, "data_dir": settings.data_dir / "b"})
    second = CredentialLedger(other_settings)
    try:
        school = first.register_issuer(Act(ADMIN), "S")
        actor = str(school.issuer.id)
        achievement = first.define_achievement(Act(actor), microcredential_definition())
        results = award_many([first, second], actor, achievement, 6)
        assert len(results) == 36
        assert not [k for k, n in Counter(indices(results)).items() if n > 1]
        first.catch_up()
        claimed = first.read_model.db.execute("SELECT COUNT(*) FROM credentials").fetchone()[0]
        assert claimed == 36
    finally:
        first.close()
        second.close()


@pytest.fixture
def colliding_allocator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every allocation proposes the lowest index its caller thinks is free, so concurrent
    callers collide on purpose and the store's claim check must sort them out."""

    def lowest_free(used: Any, length: int, rng: Any = None) -> int:
        return next(i for i in range(length) if i not in used)

    monkeypatch.setattr("credledger.ledger.services.status_slots.allocate_index", lowest_free)


def test_forced_collisions_are_retried_not_doubled(ledger: Any, colliding_allocator: None) -> None:
    school = ledger.register_issuer(Act(ADMIN), "S")
    actor = str(school.issuer.id)
    achievement = ledger.define_achievement(Act(actor), microcredential_definition())
    results = award_many([ledger], actor, achievement, 5)
    assert len(results) == 30
    assert sorted(i for _, i in indices(results)) == list(range(30))


def test_forced_collisions_across_instances(
    settings: Any, backend: str, colliding_allocator: None
) -> None:
    if backend != "postgres":
        pytest.skip("two instances share a store only on PostgreSQL")
    first = CredentialLedger(settings)
    second = CredentialLedger(
        type(settings)(**{**settings.__dict__, "data_dir": settings.data_dir / "b"})
    )
    try:
        school = first.register_issuer(Act(ADMIN), "S")
        actor = str(school.issuer.id)
        achievement = first.define_achievement(Act(actor), microcredential_definition())
        results = award_many([first, second], actor, achievement, 4)
        assert sorted(i for _, i in indices(results)) == list(range(24))
    finally:
        first.close()
        second.close()
