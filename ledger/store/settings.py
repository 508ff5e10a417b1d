"""Where the ledger keeps its data, read once from arguments and the environment."""

from __future__ import annotations

import importlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from credledger.crypto.errors import CryptoError
from credledger.crypto.signed_note import CosignatureVerifier


class SettingsError(ValueError):
    """A setting is missing or malformed (e.g. an unsupported database URL)."""


class PostgresExtraMissingError(SettingsError):
    """A PostgreSQL URL is configured but the optional PostgreSQL driver is not installed."""


POSTGRES_MODULES = ("psycopg", "psycopg_pool")


def require_postgres_driver() -> None:
    """PostgreSQL support is an extra: say how to install it, in one line, when missing."""
    missing = []
    for module in POSTGRES_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise PostgresExtraMissingError(
            "CREDLEDGER_DATABASE_URL names PostgreSQL, but its driver is not installed "
            f"({', '.join(missing)}): pip install 'credledger[postgres]'"
        )


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str, name: str = "CREDLEDGER_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR networks (``10.0.0.0/8, ::1``)."""
    networks = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as exc:
            raise SettingsError(f"{name}: {item!r} is not an IP address or CIDR ({exc})") from None
    return tuple(networks)


def parse_interval(value: str | None, name: str = "CREDLEDGER_CHECKPOINT_INTERVAL") -> float:
    """Seconds, 0 or more (unset or empty: 0)."""
    if value is None or not value.strip():
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        raise SettingsError(f"{name}: {value!r} is not a number of seconds") from None
    if not 0 <= seconds < float("inf"):
        raise SettingsError(f"{name}: {value!r} must be 0 or more seconds")
    return seconds


CLAIM_LIFETIME_DEFAULT = 14 * 86_400
CLAIM_LIFETIME_BOUNDS = (60, 366 * 86_400)
"""A claim lives from a minute to a year and a day (``expires_in`` and the default)."""


def parse_claim_lifetime(value: str | None, name: str = "CREDLEDGER_CLAIM_LIFETIME") -> int:
    """Whole seconds within CLAIM_LIFETIME_BOUNDS (unset or empty: 14 days)."""
    return parse_seconds(value, name, CLAIM_LIFETIME_DEFAULT, CLAIM_LIFETIME_BOUNDS)


NONCE_LIFETIME_DEFAULT = 300
NONCE_LIFETIME_BOUNDS = (1, 3600)
"""An OpenID4VCI c_nonce is good from a second to an hour after it is given (5 minutes)."""


def parse_nonce_lifetime(value: str | None, name: str = "CREDLEDGER_NONCE_LIFETIME") -> int:
    """Whole seconds within NONCE_LIFETIME_BOUNDS (unset or empty: 5 minutes)."""
    return parse_seconds(value, name, NONCE_LIFETIME_DEFAULT, NONCE_LIFETIME_BOUNDS)


def parse_seconds(value: str | None, name: str, default: int, bounds: tuple[int, int]) -> int:
    """Whole seconds within ``bounds`` (unset or empty: ``default``)."""
    if value is None or not value.strip():
        return default
    low, high = bounds
    try:
        seconds = int(value)
    except ValueError:
        raise SettingsError(f"{name}: {value!r} is not a whole number of seconds") from None
    if not low <= seconds <= high:
        raise SettingsError(f"{name}: {value!r} must be {low} to {high} seconds")
    return seconds


class WitnessEndpoint(NamedTuple):
    """A witness the log pushes its checkpoints to (c2sp.org/tlog-witness)."""

    url: str
    """The witness's submission prefix: requests go to ``<url>/add-checkpoint``."""
    vkey: str
    """The witness's cosignature vkey: only cosignatures that verify with it are kept."""


def parse_witnesses(value: str, name: str = "CREDLEDGER_WITNESSES") -> tuple[WitnessEndpoint, ...]:
    """Comma-separated ``URL=VKEY`` pairs: a witness's submission prefix (http or https,
    no query) and its vkey (``name+keyid+base64``), split at the first ``=``."""
    witnesses: list[WitnessEndpoint] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        url, equals, vkey = item.partition("=")
        parts = urlsplit(url.strip())
        if not equals or parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"{name}: {item[:80]!r} is not URL=VKEY (an http(s) URL)")
        if parts.query or parts.fragment:
            raise SettingsError(f"{name}: a witness URL has no query or fragment ({url!r})")
        try:
            CosignatureVerifier.from_vkey(vkey.strip())
        except CryptoError as exc:
            raise SettingsError(f"{name}: not a witness vkey after {url!r}: {exc}") from None
        witnesses.append(WitnessEndpoint(url.strip().rstrip("/"), vkey.strip()))
    return tuple(witnesses)


@dataclass(frozen=True)
class Settings:
    """What this start asks for. ``base_url`` and ``log_origin`` are requests: a new
    ledger is created with them, an existing one keeps its recorded identity and
    refuses a start that asks for another (``ledger_identity``). ``default_base_url``
    is what a new ledger gets when no base URL is given (``serve``: its own address).
    """

    data_dir: Path
    base_url: str | None = None
    default_base_url: str = "http://127.0.0.1:8000"
    database_url: str | None = None
    checkpoint_interval: float = 0.0
    """Seconds between signed checkpoints: 0 signs one after every act that added leaves;
    more signs at most that often, the server's tick signing what is left."""
    log_origin: str | None = None
    witness_keys: tuple[str, ...] = ()
    """Witnesses whose cosignatures the log keeps when they bring them (pull witnesses)."""
    witnesses: tuple[WitnessEndpoint, ...] = ()
    """Witnesses the log pushes each new checkpoint to, and keeps the cosignatures of."""
    allow_private_fetch: bool = False
    """Let the guarded fetcher reach private and loopback addresses (tests only)."""
    fetch_deadline_seconds: float = 5.0
    """The total time one fetch (DID document, status list) may take."""
    fetches_per_request: int = 8
    """How many fetches one verification request may cause."""
    trusted_proxies: tuple[Network, ...] = ()
    """Peers whose X-Forwarded-For/-Proto headers the HTTP server believes (default none)."""
    claim_lifetime: int = CLAIM_LIFETIME_DEFAULT
    """Seconds a claim stays open when its offer names no ``expires_in`` (14 days)."""
    nonce_lifetime: int = NONCE_LIFETIME_DEFAULT
    """Seconds an OpenID4VCI c_nonce is taken after the Nonce Endpoint gave it."""

    @classmethod
    def from_env(
        cls,
        data_dir: str | Path | None = None,
        base_url: str | None = None,
        **overrides: object,
    ) -> Settings:
        """``base_url``: given on the command line (else $CREDLEDGER_BASE_URL, else none)."""
        data = Path(data_dir or os.environ.get("CREDLEDGER_DATA") or "credledger-data")
        settings = cls(
            data_dir=data.resolve(),
            base_url=base_url or os.environ.get("CREDLEDGER_BASE_URL") or None,
            database_url=os.environ.get("CREDLEDGER_DATABASE_URL") or None,
            allow_private_fetch=os.environ.get("CREDLEDGER_ALLOW_PRIVATE_FETCH") == "1",
            trusted_proxies=parse_networks(os.environ.get("CREDLEDGER_TRUSTED_PROXIES", "")),
            witness_keys=tuple(
                v.strip()
                for v in os.environ.get("CREDLEDGER_WITNESS_KEYS", "").split(",")
                if v.strip()
            ),
            witnesses=parse_witnesses(os.environ.get("CREDLEDGER_WITNESSES", "")),
            **{
                "checkpoint_interval": parse_interval(
                    os.environ.get("CREDLEDGER_CHECKPOINT_INTERVAL")
                ),
                "claim_lifetime": parse_claim_lifetime(os.environ.get("CREDLEDGER_CLAIM_LIFETIME")),
                "nonce_lifetime": parse_nonce_lifetime(os.environ.get("CREDLEDGER_NONCE_LIFETIME")),
                **overrides,
            },  # type: ignore[arg-type]
        )
        settings.eventsourcing_env()  # validate early
        return settings

    @property
    def cosigner_keys(self) -> tuple[str, ...]:
        """Every witness vkey whose cosignatures count: pull witnesses' and pushed-to ones'."""
        return tuple(dict.fromkeys([*self.witness_keys, *(w.vkey for w in self.witnesses)]))

    def eventsourcing_env(self) -> dict[str, str]:
        # Aggregates are cached (deep-copied out, fast-forwarded from the store on every
        # get), so a use case does not replay an issuer's or definition's whole history.
        cache = {"AGGREGATE_CACHE_MAXSIZE": "5000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
        return {**cache, **self._store_env()}

    def _store_env(self) -> dict[str, str]:
        if not self.database_url:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.data_dir / "events.sqlite"),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        url = urlsplit(self.database_url)
        if url.scheme not in ("postgresql", "postgres"):
            raise SettingsError(
                "CREDLEDGER_DATABASE_URL must be a postgresql:// URL (or unset for SQLite)"
            )
        require_postgres_driver()
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "credledger",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "credledger"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
        }
