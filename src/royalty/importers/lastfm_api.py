"""Import a user's scrobbles from the Last.fm API: complete, fast and crash-safe.

This is the only module of royalty that imports pylast. How it works:

* **Requests.** pylast builds, sends and error-checks every request (its network object,
  its request class and its exceptions). An httpx transport mounted on the network (pylast
  passes its ``proxy`` mapping to httpx as ``mounts``) adds what pylast lacks: the API root
  may be any URL, plain http included (pylast always sends to ``https://<host>``); requests
  pass the rate limiter; and a success body is parsed once, with ElementTree, while pylast
  is handed a bare ``<lfm status="ok"/>``. pylast would otherwise parse each 200-track page
  with minidom and pretty-print it for a debug log line: about 57 ms of CPU a page, measured.
* **Paging.** ``user.getRecentTracks``, 200 plays a page (the documented maximum), with
  ``to`` pinned when the run starts so that plays scrobbled meanwhile cannot shift pages.
  Page 1 (the newest) tells the page count; the rest are fetched concurrently, oldest first,
  by worker threads that share one :class:`RateLimiter`.
* **Crash safety.** Pages are folded in from the oldest, and each contiguous stretch is
  committed to the store, cut between two distinct timestamps: the store's multiset merge
  would keep only one of two same-second plays split across two commits. So the store
  always holds a complete prefix of the history, and a re-run that starts at the newest
  stored second (inclusive) ends with every play exactly once.
* **Completeness.** Each page must agree with page 1 on ``total``; otherwise the history
  changed under us and the window is fetched again. At the end, the plays stored for the
  window must number at least the ``total`` Last.fm reported, or the run fails.

pylast's public paging (``User.get_recent_tracks``) asks for 50 plays a request, one
request at a time, and drops the MBIDs, so this module uses two private names of pylast:
``pylast._Request`` and its ``_download_response()``, plus the fact that pylast mounts
``network.proxy`` on its httpx client. Tested with pylast 7.2;
``tests/test_import_lastfm_wire.py::test_pylast_still_has_what_the_importer_uses`` fails
loudly if a release changes them.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pylast

from royalty import store
from royalty.config import config_path, read_config
from royalty.errors import UsageError
from royalty.importers._lastfm_http import MAX_REPLY_BYTES, DeadlinePassed, ReplyTooLarge
from royalty.importers._lastfm_pages import (
    PAGE_SIZE,
    SOURCE,
    ImportSummary,
    IncompleteImportError,
    LastfmError,
    PageImporter,
    Progress,
)
from royalty.importers._lastfm_wire import (
    RateLimiter,
    Transport,
    WirePage,
    WireProblem,
    read_page,
    redact,
)

__all__ = [
    "DEFAULT_API_URL",
    "PAGE_SIZE",
    "SOURCE",
    "ImportSummary",
    "IncompleteImportError",
    "LastfmError",
    "MissingApiKeyError",
    "Progress",
    "import_user",
    "resolve_settings",
]

DEFAULT_API_URL: Final = "https://ws.audioscrobbler.com/2.0/"
KEY_URL: Final = "https://www.last.fm/api/account/create"
API_KEY_ENV: Final = "LASTFM_API_KEY"
API_URL_ENV: Final = "LASTFM_API_URL"
DEFAULT_MAX_RPS: Final = 5.0
"""Last.fm's documented ceiling: 5 requests per second per IP, averaged over 5 minutes."""
TIMEOUT: Final = 30.0

_TRANSIENT: Final = frozenset({8, 11, 16, 29})
_PERMANENT: Final = {
    6: "Last.fm has no user {user!r}; check the spelling",
    10: f"Last.fm rejected the API key; check it, or get one at {KEY_URL}",
    17: "{user} keeps their listening history private on Last.fm; it can be imported once "
    "they untick 'Hide recent listening information' in their privacy settings",
    26: f"this API key has been suspended by Last.fm; get a new one at {KEY_URL}",
}


class MissingApiKeyError(UsageError):
    """No API key in the options, the environment or the config file."""


def resolve_settings(api_key: str | None = None, api_url: str | None = None) -> tuple[str, str]:
    """The API key and root to use: the arguments, else the environment, else ``royalty.toml``.

    Raises:
        MissingApiKeyError: no key anywhere; the message says where to get one.

    Example:
        >>> resolve_settings("0123abcd", None)[1]  # doctest: +SKIP
        'https://ws.audioscrobbler.com/2.0/'
    """
    key = api_key or os.environ.get(API_KEY_ENV)
    url = api_url or os.environ.get(API_URL_ENV)
    if not key or not url:
        section = read_config().get("lastfm")
        if isinstance(section, dict):
            key = key or _text(section.get("api_key"))
            url = url or _text(section.get("api_url"))
    if not key or not key.strip():
        raise MissingApiKeyError(
            f"no Last.fm API key: pass --api-key, set {API_KEY_ENV}, or put api_key under "
            f"[lastfm] in {config_path()}; get a key at {KEY_URL}"
        )
    return key.strip(), (url or DEFAULT_API_URL).strip()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def import_user(
    user: str,
    *,
    api_key: str,
    api_url: str = DEFAULT_API_URL,
    since: datetime | None = None,
    max_rps: float = DEFAULT_MAX_RPS,
    home: Path | None = None,
    progress: Callable[[Progress], None] | None = None,
    timeout: float = TIMEOUT,
    skip_bad_rows: bool = False,
) -> ImportSummary:
    """Fetch ``user``'s scrobbles into the store: all of them, or only those not yet stored.

    Holds the user's store lock from the first page on, so a failure at the first
    request leaves nothing in the store, not even the user's folder. A run fetches plays
    at or after the newest one stored from the Last.fm API (or ``since``, whichever is
    later; plays imported from files do not count) and before the moment it started.

    Args:
        user: the Last.fm user name (validated before any request).
        api_key: the Last.fm API key; never printed, logged or stored.
        api_url: root of a Last.fm-compatible 2.0 API (http or https).
        since: on a first import, only plays from this moment on (naive means UTC).
        max_rps: at most this many requests in any one-second window.
        home: the store's folder (default ``ROYALTY_HOME``).
        progress: called after every page, and before every wait with ``note`` saying
            what it waits for; never two calls at once.
        timeout: seconds to wait for a connection or a reply before retrying; a request
            also gives up after twice that in all, however slowly its reply trickles in.
        skip_bad_rows: skip and count plays dated before 2002 or in the future instead of
            stopping at the first. Plays without an artist or a title are always skipped
            and counted (``ImportSummary.skipped``).

    Raises:
        LastfmError: Last.fm refused (``code`` 6, 10, 17, 26…), kept failing, sent a play
            with an impossible time or counts that do not add up. The plays fetched so far
            are kept (the message says how many) and a re-run resumes.
        IncompleteImportError: the store holds fewer plays than Last.fm reported.
        StoreLockedError: another royalty process is writing this user's history.

    Example:
        >>> import_user("rj", api_key=key).new_plays  # doctest: +SKIP
        20000
    """
    store.validate_user(user, lastfm=True)
    if not max_rps > 0 or not math.isfinite(max_rps):
        raise UsageError(f"--max-rps must be a positive number, not {max_rps}")
    if not api_key:
        raise MissingApiKeyError(f"no Last.fm API key; get one at {KEY_URL}")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    client = _Client(user, api_key, api_url, max_rps, timeout)
    try:
        importer = PageImporter(
            user,
            client.request,
            client.limiter,
            lambda: client.transport.requests,
            workers=min(16, max(2, math.ceil(max_rps * 2))),
            home=home,
            progress=progress,
            skip_bad=skip_bad_rows,
            lock=lambda: store.lock(user, home),
        )
        return importer.run(since)
    finally:
        client.close()


class _Client:
    """pylast's network, with the transport mounted; makes one request for one page."""

    def __init__(self, user: str, key: str, api_url: str, max_rps: float, timeout: float) -> None:
        self.user = user
        self.limiter = RateLimiter(max_rps)
        # pylast's own HTTP client module (httpx; httpx2 from pylast 7.2), for the transport
        self.transport = Transport(vars(pylast)["httpx"], api_url, self.limiter, timeout, key)
        self.network = pylast.LastFMNetwork(api_key=key)
        # pylast hands its proxy mapping to httpx as ``mounts``; a host-specific pattern wins
        # over any proxy taken from the environment.
        self.network.enable_proxy({f"all://{self.network.ws_server[0]}": self.transport})
        # pylast logs whole error replies at DEBUG; a reply could quote the key back, and
        # httpx logs each request's URL, which holds the key if the user put it in the path.
        self._redactor = _Redactor(key)
        for name in _LOGGERS:
            logging.getLogger(name).addFilter(self._redactor)

    def close(self) -> None:
        for name in _LOGGERS:
            logging.getLogger(name).removeFilter(self._redactor)
        self.transport.shutdown()

    def request(self, params: dict[str, Any], page: int) -> WirePage:
        """One ``user.getRecentTracks`` request through pylast; its exceptions become ours."""
        request = pylast._Request(self.network, "user.getRecentTracks", params)
        try:
            request._download_response()  # type: ignore[no-untyped-call]
        except pylast.WSError as exc:
            raise self._translate(exc) from None
        except pylast.NetworkError as exc:
            raise self._network(exc.underlying_error) from None
        except Exception:  # MalformedResponseError, or pylast tripping over an odd body
            raise self._malformed() from None
        root = self.transport.take_root()
        if root is None:
            raise WireProblem("Last.fm sent an empty reply", None, None)
        result = read_page(root)
        if result.number != page:
            raise WireProblem(f"Last.fm sent page {result.number} for page {page}", None, None)
        return result

    def _network(self, error: BaseException) -> Exception:
        url = self.transport.display_url
        if isinstance(error, ReplyTooLarge):
            return LastfmError(
                f"{url} sent a reply of more than {MAX_REPLY_BYTES // 2**20} MiB, where a "
                "page of plays takes about 0.1 MiB; check --api-url"
            )
        if isinstance(error, DeadlinePassed):
            return WireProblem(
                f"{url} sent no complete reply within {self.transport.deadline:g} s", None, None
            )
        reason = type(error).__name__
        text = redact(str(error), self.transport.secret)
        return WireProblem(f"the connection to {url} failed ({reason}: {text})", None, None)

    def _malformed(self) -> Exception:
        status = self.transport.last_status()
        if status is not None and 400 <= status < 500 and status != 429:
            return LastfmError(
                f"{self.transport.display_url} answered HTTP {status}, not a Last.fm reply; "
                "check --api-url",
                status,
            )
        return WireProblem(
            "Last.fm sent a malformed or truncated reply", None, self.transport.last_retry_after()
        )

    def _translate(self, exc: pylast.WSError) -> Exception:
        status = str(exc.status)
        code = int(status) if status.isdigit() else None
        details = redact(str(exc.details or ""), self.transport.secret)
        if code in _PERMANENT:
            return LastfmError(_PERMANENT[code].format(user=self.user), code)
        if code is not None and (code in _TRANSIENT or 500 <= code <= 599):
            kind = "HTTP" if code >= 500 else "Last.fm error"
            return WireProblem(
                f"{kind} {code} ({details})", code, self.transport.last_retry_after()
            )
        return LastfmError(f"Last.fm answered error {status}: {details}", code)


_LOGGERS: Final = ("pylast", "httpx", "httpx2", "httpcore", "httpcore2")
"""Loggers whose records could hold the key (only records logged on these very loggers
pass their filters; httpcore's sub-loggers log no URLs)."""


class _Redactor(logging.Filter):
    """Takes the key out of log records before any handler sees them."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self.secret)
        if clean != message:
            record.msg, record.args = clean, None
        return True
