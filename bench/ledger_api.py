"""The ledger names the benchmarks use, found wherever the checkout being measured keeps them.

bench/compare_revisions.py runs these (current) scripts with another checkout's
interpreter, so the same benchmark measures an older revision too. ledger/ has moved
its modules since (commit ada91f5 put them into rooms), so each name is looked up in its
current module first and then in the places it lived before; the first module that has
it wins. Add a place here when a module moves again, rather than editing every script.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "ADMIN",
    "Act",
    "AwardRequest",
    "Credential",
    "CredentialLedger",
    "IssuedCredential",
    "ReadModel",
    "SQLiteTreeStore",
    "Settings",
    "TransparencyLog",
    "acting",
    "audit_store",
    "canonical_json",
    "did_web_document",
    "dump_json",
    "followers_paused",
    "leaf_for",
    "load_bundle",
    "open_recorder",
    "origin_for",
    "replace_signer",
    "verify_bundle",
]

# name -> modules under credledger.ledger, newest place first.
PLACES: dict[str, tuple[str, ...]] = {
    "CredentialLedger": ("application",),
    "AwardRequest": ("services.issuance", "application"),
    "IssuedCredential": ("services.issuance", "application"),
    "canonical_json": ("credentials.canonical", "application"),
    "ADMIN": ("domain.acts", "acts"),
    "Act": ("domain.acts", "acts"),
    "acting": ("domain.acts", "acts"),
    "Credential": ("domain.credential", "credential"),
    "origin_for": ("domain.ledger_identity", "ledger_identity"),
    "Settings": ("store.settings", "settings"),
    "ReadModel": ("store.read_model", "read_model"),
    "SQLiteTreeStore": ("store.tree_sqlite", "tree_store"),
    "TransparencyLog": ("log.transparency_log", "transparency_log"),
    "leaf_for": ("log.leaves", "leaves"),
    "open_recorder": ("audit.events", "audit_events"),
    "audit_store": ("audit.local", "audit"),
    "dump_json": ("verify.bundle_file", "verify.bundle", "bundle"),
    "load_bundle": ("verify.bundle_file", "verify.bundle", "bundle"),
    "verify_bundle": ("verify.bundle", "bundle"),
}


def find(name: str) -> Any:
    """The object ``name`` from the first of its places this checkout has."""
    for place in PLACES[name]:
        module_name = f"credledger.ledger.{place}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only a missing place is skipped; a module that fails inside is an error.
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            continue
        if hasattr(module, name):
            return getattr(module, name)
    raise ImportError(f"{name} is in none of credledger.ledger.{{{', '.join(PLACES[name])}}}")


ADMIN = find("ADMIN")
Act = find("Act")
AwardRequest = find("AwardRequest")
Credential = find("Credential")
CredentialLedger = find("CredentialLedger")
IssuedCredential = find("IssuedCredential")
ReadModel = find("ReadModel")
SQLiteTreeStore = find("SQLiteTreeStore")
Settings = find("Settings")
TransparencyLog = find("TransparencyLog")
acting = find("acting")
audit_store = find("audit_store")
canonical_json = find("canonical_json")
dump_json = find("dump_json")
leaf_for = find("leaf_for")
load_bundle = find("load_bundle")
open_recorder = find("open_recorder")
origin_for = find("origin_for")
verify_bundle = find("verify_bundle")


# -- reaching into a ledger, whichever shape its facade has ---------------------------------
# Before the services split (ledger/application.py one class), the ledger held its signer
# and its followers' hook itself; after it, services hold them (``ledger.issuers.signer``,
# ``ledger.store.on_recorded``). Benchmarks that time a part without the rest go through here.


def did_web_document(ledger: Any, issuer_id: Any) -> dict[str, Any]:
    """The issuer's did:web document, as the ledger serves it."""
    if hasattr(ledger, "dids"):
        return dict(ledger.dids.document(issuer_id))
    return dict(ledger.did_web_document(issuer_id))


def replace_signer(ledger: Any, wrap: Callable[[Any], Any]) -> None:
    """Sign through ``wrap(signer)`` from now on, wherever this ledger keeps its signer."""
    owners = [ledger, getattr(ledger, "issuers", None)]
    for owner in owners:
        if owner is not None and hasattr(owner, "signer"):
            owner.signer = wrap(owner.signer)


@contextlib.contextmanager
def followers_paused(ledger: Any) -> Iterator[None]:
    """Acts are saved without their followers (log, read model) running after each save;
    ``ledger.catch_up()`` brings them up to date afterwards."""
    store = getattr(ledger, "store", None)
    if store is not None and hasattr(store, "on_recorded"):
        hook = store.on_recorded
        store.on_recorded = None
        try:
            yield
        finally:
            store.on_recorded = hook
        return
    notify = ledger._notify
    ledger._notify = lambda recordings: None
    try:
        yield
    finally:
        ledger._notify = notify
