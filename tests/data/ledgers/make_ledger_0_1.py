"""Made ledger-0.1/ once, with credledger as it stood before ledger/ was reorganised
(commit named in README.md). Kept for provenance: run again, it makes a different
ledger (salts, keys and ids are random), so tests pin what is stored, not this script.

    python tests/data/ledgers/make_ledger_0_1.py tests/data/ledgers/ledger-0.1
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from credledger.ledger.acts import ADMIN, Act
from credledger.ledger.application import CredentialLedger
from credledger.ledger.identity_records import move_base_url
from credledger.ledger.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.http_helpers import microcredential_definition

BASE_URL = "https://ledger.example.nl"


def every_kind_of_event(ledger: CredentialLedger) -> dict[str, Any]:
    school = ledger.register_issuer(Act(ADMIN), "Hogeschool Zuid", "https://hz.example.nl")
    other = ledger.register_issuer(Act(ADMIN), "Universiteit Noord", "https://un.example.nl")
    sid, oid = school.issuer.id, other.issuer.id
    actor, other_actor = Act(str(sid)), Act(str(oid))
    ledger.issuers.update_profile(actor, sid, {"email": "badges@hz.example.nl"})
    token = ledger.issuers.issue_token(Act(str(sid)), sid)
    ledger.issuers.revoke_token(Act(str(sid)), sid, token)
    achievement = ledger.define_achievement(actor, microcredential_definition(suspendable=True))
    ledger.achievements.revise(
        Act(str(sid)), achievement.id, microcredential_definition(suspendable=True, ects=5)
    )
    spare = ledger.define_achievement(Act(str(sid)), microcredential_definition(name="Spare"))
    ledger.achievements.archive(Act(str(sid)), spare.id)
    first = ledger.issue_credential(Act(str(sid)), achievement.id, {"email": "ann@example.org"})
    second = ledger.issue_credential(Act(str(sid)), achievement.id, {"email": "bob@example.org"})
    ledger.change_status(Act(str(sid)), first.credential.id, "suspend", "under review")
    ledger.change_status(Act(str(sid)), first.credential.id, "reinstate", "cleared")
    ledger.reissues.reissue(Act(str(sid)), first.credential.id, "grade corrected")
    recognition = ledger.recognise(other_actor, first.vc, "recognised", ects=4)
    ledger.recognitions.withdraw(Act(str(oid)), recognition.id, "entered in error")
    endorsement, _ = ledger.endorse(Act(str(oid)), str(achievement.id), "Well designed")
    ledger.endorsements.withdraw(Act(str(oid)), endorsement.id, "course changed")
    ledger.change_status(Act(str(sid)), second.credential.id, "revoke", "fraud")
    old_key = ledger.issuer(sid).active_key_id
    ledger.rotate_issuer_key(Act(str(sid)), sid)
    ledger.keys.report_compromised(Act(str(sid)), sid, old_key, "laptop stolen")
    ledger.keys.reissue_signed_by(Act(str(sid)), sid, old_key, "key compromised")
    ledger.erase_learner(Act(str(sid)), {"email": "bob@example.org"})
    move_base_url(ledger, "https://credentials.example.nl", Act(ADMIN))
    ledger.publish_status_lists()
    ledger.catch_up()
    ledger.tlog.make_checkpoint()
    return {"log_key": ledger.tlog.vkey}


def main(target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data"
        ledger = CredentialLedger(Settings(data_dir=data, base_url=BASE_URL))
        try:
            made = every_kind_of_event(ledger)
        finally:
            ledger.close()
        target.mkdir(parents=True, exist_ok=True)
        for name in sorted(p.name for p in data.iterdir()):
            if name.endswith(".sqlite") and name not in {"vault.sqlite", "read.sqlite"}:
                with sqlite3.connect(data / name) as db:
                    db.execute("VACUUM INTO ?", (str(target / name),))
                with sqlite3.connect(target / name) as copy:  # as the ledger keeps them
                    copy.execute("PRAGMA journal_mode=WAL")
        (target / "log.vkey").write_text(made["log_key"] + "\n")
    shutil.rmtree(target / "__pycache__", ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
