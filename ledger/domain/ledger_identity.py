"""The ledger's identity: its log origin and public base URL(s), fixed when it is created.

Checkpoints are signed under the log origin and every credential names URLs under
the public base URL, so neither may follow the host or port a process happens to
listen on. Both are recorded as events of one ``Ledger`` aggregate (a leaf each, no
personal data): ``Created`` when a new ledger is made, ``IdentityAdopted`` when a
ledger made before identities were recorded first starts (it keeps the origin its
checkpoints carry), and ``PublicBaseUrlMoved`` for each explicit move. The log origin
never changes; earlier base URLs stay recorded, so what was issued under them keeps
being recognised as this ledger's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, UUID, uuid5

from credledger.ledger.domain.aggregate import LedgerAggregate
from eventsourcing.domain import event

LEDGER_ID = uuid5(NAMESPACE_URL, "https://credledger.org/ns/ledger-identity")
"""The one ``Ledger`` aggregate of a store (fixed, so two first starts cannot both create one)."""

MAX_BASE_URL_LENGTH = 512


class LedgerIdentityError(Exception):
    """The ledger's recorded identity and what this start asked for disagree, or a URL is bad."""


class BaseUrlInvalidError(LedgerIdentityError):
    """A public base URL must be an absolute http(s) URL without query or fragment."""


class BaseUrlChangeRefusedError(LedgerIdentityError):
    """A start asked for another base URL than the recorded one: only a recorded move changes it."""


class LogOriginChangeRefusedError(LedgerIdentityError):
    """A start asked for another log origin than the recorded one, which never changes."""


def normalise_base_url(text: str) -> str:
    """``scheme://host[:port][/path]`` without a trailing slash; raises BaseUrlInvalidError."""
    url = text.strip().rstrip("/")
    if not url or len(url) > MAX_BASE_URL_LENGTH or not url.isprintable() or " " in url:
        raise BaseUrlInvalidError(f"not a usable public base URL: {text[:80]!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BaseUrlInvalidError(f"the public base URL must be http(s)://HOST[:PORT], not {url!r}")
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise BaseUrlInvalidError(f"the public base URL has no query, fragment or user: {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise BaseUrlInvalidError(f"malformed port in {url!r}") from None
    return url


def origin_for(base_url: str) -> str:
    """The log origin a new ledger at ``base_url`` gets (C2SP: a schema-less URL)."""
    parts = urlsplit(base_url)
    return f"{parts.netloc}{parts.path}".rstrip("/") + "/log"


@dataclass(frozen=True)
class LedgerIdentity:
    """What a ledger is known by: read once at start, the same for every process.

    ``base_urls`` holds every public base URL the ledger has had, oldest first; the
    last one is the one new credentials, status lists and DIDs are written under.
    """

    log_origin: str
    base_urls: tuple[str, ...]

    @property
    def base_url(self) -> str:
        """The current public base URL."""
        return self.base_urls[-1]

    @property
    def epoch(self) -> int:
        """How many moves the base URL has had (0 for a ledger still at its first)."""
        return len(self.base_urls) - 1

    def base_url_of(self, url: str) -> str | None:
        """The recorded base URL that ``url`` lies under (the longest match), or None."""
        matches = [b for b in set(self.base_urls) if url == b or url.startswith(b + "/")]
        return max(matches, key=len) if matches else None

    def base_url_for_host(self, host: str | None) -> str:
        """The base URL a request to ``host`` (its Host header) was addressed under: the
        newest recorded one on that host, else the current one. Only recorded values
        come back, whatever the header says."""
        wanted = (host or "").strip().lower()
        for base_url in reversed(self.base_urls):
            if urlsplit(base_url).netloc.lower() == wanted:
                return base_url
        return self.base_url


class Ledger(LedgerAggregate):
    """The ledger itself: its log origin and the history of its public base URL."""

    TOPIC = "credledger.ledger.ledger_identity:Ledger"

    class Event(LedgerAggregate.Event):
        TOPIC = "credledger.ledger.ledger_identity:Ledger.Event"

    class Created(LedgerAggregate.Created):
        TOPIC = "credledger.ledger.ledger_identity:Ledger.Created"
        log_origin: str
        base_url: str

    class IdentityAdopted(LedgerAggregate.Created):
        """A ledger made before identities were recorded: ``origin_from`` says where its
        origin came from (``checkpoint`` when it had signed some, else ``base_url``)."""

        TOPIC = "credledger.ledger.ledger_identity:Ledger.IdentityAdopted"

        log_origin: str
        base_url: str
        origin_from: str

    def __init__(self, log_origin: str, base_url: str) -> None:
        self.log_origin = log_origin
        self.base_urls = [base_url]

    @classmethod
    def create_id(cls, *_: Any, **__: Any) -> UUID:
        return LEDGER_ID

    @classmethod
    def create(cls, log_origin: str, base_url: str) -> Ledger:
        return cls._create(cls.Created, id=LEDGER_ID, log_origin=log_origin, base_url=base_url)

    @classmethod
    def adopt(cls, log_origin: str, base_url: str, origin_from: str) -> Ledger:
        return cls._create(
            cls.IdentityAdopted,
            id=LEDGER_ID,
            log_origin=log_origin,
            base_url=base_url,
            origin_from=origin_from,
        )

    @event(
        "PublicBaseUrlMoved", topic="credledger.ledger.ledger_identity:Ledger.PublicBaseUrlMoved"
    )
    def move_base_url(self, base_url: str, previous: str) -> None:
        self.base_urls.append(base_url)

    @property
    def identity(self) -> LedgerIdentity:
        return LedgerIdentity(self.log_origin, tuple(self.base_urls))
