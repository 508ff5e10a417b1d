"""The event store says which ids name a stored aggregate without loading any: what the
VC API's issue reads first, so that a new credential costs no lookups of what a retry
might have made (retries themselves: tests/api/test_vc_api.py)."""

from __future__ import annotations

import uuid
from typing import Any

from credledger.ledger.domain.acts import ADMIN, Act


def test_known_ids_are_exactly_the_stored_aggregates(ledger: Any) -> None:
    issuer = ledger.register_issuer(Act(ADMIN), "Hogeschool Leeuwarden").issuer
    strangers = {uuid.uuid4() for _ in range(3)}
    assert ledger.given.aggregates.known({issuer.id, *strangers}) == {issuer.id}
    assert ledger.given.aggregates.known(strangers) == set()
    assert ledger.given.aggregates.known([None, issuer.id]) == {issuer.id}
    assert ledger.given.aggregates.known([]) == set()
