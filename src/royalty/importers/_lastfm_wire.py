"""The wire level of the Last.fm importer: transport, rate limiter, page parsing, redaction.

Kept apart from :mod:`royalty.importers.lastfm_api` to keep both small. This module does
not import pylast: the transport is given the HTTP client module pylast uses.
"""

from __future__ import annotations

import math
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlsplit

from royalty.errors import UsageError
from royalty.importers._lastfm_http import DeadlinePassed, ReplyTooLarge, read_capped, wrap_pool

RATE_MARGIN: Final = 0.98
"""Pace at 98 % of the limit, so that jitter in delivery cannot push a window over it."""
WINDOW_GUARD: Final = 0.02
"""Seconds added to the one-second window, for the same reason as the margin: a server sees
our starts shifted a little by network and scheduling delays."""

PageRow = tuple[int, str, str, str | None, str | None, str | None, str | None]
"""One play: (uts, artist, track, album, artist_mbid, album_mbid, track_mbid)."""
NO_TIME: Final = -(2**63)
"""The ``uts`` of a play whose time is missing or not a whole number of seconds."""

_STUB: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n<lfm status="ok"></lfm>\n'
# Characters XML 1.0 forbids; Last.fm has been known to send them in names.
_INVALID_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]+")
_DROP_HEADERS: Final = frozenset({"content-length", "content-encoding", "transfer-encoding"})


class WireProblem(Exception):
    """A failure worth retrying: Last.fm error 8/11/16/29, HTTP 5xx, bad body, network."""

    def __init__(self, reason: str, code: int | None, retry_after: float | None) -> None:
        super().__init__(reason)
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class WirePage:
    """One parsed ``user.getRecentTracks`` page: its attributes and its dated plays."""

    number: int
    per_page: int
    total_pages: int
    total: int
    rows: list[PageRow]


class RateLimiter:
    """Spaces request starts evenly, never more than ``rate`` in any one-second window.

    Starts are paced ``1 / (0.98 * rate)`` seconds apart, and a start also waits until the
    ``floor(rate)``-th previous one is over 1.02 s old. A start counts from when the
    request has actually gone out (:meth:`sent`), if that is later than when it was let
    through: a pause in between (a garbage collection, say) must not bunch the next
    requests up behind it. Thread-safe.

    Example:
        >>> limiter = RateLimiter(5)
        >>> limiter.sent(limiter.acquire())  # the first start is immediate
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0:
            raise UsageError(f"the request rate must be positive, not {rate}")
        self.interval = 1.0 / (rate * RATE_MARGIN)
        self._starts: deque[list[float]] = deque(maxlen=max(1, math.floor(rate)))
        self._next = -math.inf
        self._resume = -math.inf
        self._clock, self._sleep = clock, sleep
        self._turn = threading.Lock()  # one waiter at a time: each start follows the last
        self._state = threading.Lock()  # guards the fields; never held while sleeping

    def pause(self, seconds: float) -> None:
        """Hold every start for ``seconds`` from now (the server asked us to slow down)."""
        with self._state:
            self._resume = max(self._resume, self._clock() + seconds)

    def acquire(self) -> list[float]:
        """Wait until a request may start; return its ticket for :meth:`sent`."""
        with self._turn:
            while True:
                with self._state:
                    now = self._clock()
                    ready = max(self._next, self._resume)
                    if len(self._starts) == self._starts.maxlen:
                        ready = max(ready, self._starts[0][0] + 1.0 + WINDOW_GUARD)
                    if ready <= now:
                        ticket = [now]
                        self._starts.append(ticket)
                        self._next = now + self.interval
                        return ticket
                self._sleep(min(ready - now, 0.25))  # short naps notice a pause() sooner

    def sent(self, ticket: list[float]) -> None:
        """The request of ``ticket`` has gone out: count its start from now if later."""
        with self._state:
            now = self._clock()
            if now > ticket[0]:
                ticket[0] = now
                self._next = max(self._next, now + self.interval)


class Transport:
    """An httpx transport for pylast's network: any API root, rate-limited, parse-once.

    pylast builds ``https://<host>/2.0/`` and opens and closes an httpx client per
    request; mounted on that client, this transport sends each request to the configured
    root instead (scheme, host, port and path), through the limiter, over one pool of
    keep-alive connections. A ``status="ok"`` body is parsed here, kept for
    :meth:`take_root` in the calling thread, and pylast gets a bare ``<lfm status="ok"/>``
    to check. Error bodies reach pylast untouched, so its exceptions carry the codes.
    """

    def __init__(
        self, httpx: Any, api_url: str, limiter: RateLimiter, timeout: float, secret: str
    ) -> None:
        parts = _api_root(api_url, secret, httpx.URL)
        self._httpx, self._limiter, self.secret = httpx, limiter, secret
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._netloc, self._path = parts.netloc, parts.path or "/"
        self.display_url = redact(f"{parts.scheme}://{parts.netloc}{self._path}", secret)
        self.deadline = 2 * timeout
        """Seconds one request may take in all, however slowly its reply trickles in."""
        self._timeout = {
            "connect": min(timeout, 10.0),
            "read": timeout,
            "write": timeout,
            "pool": timeout,
        }
        # plain http needs no TLS context, and loading the CA bundle costs ~0.1 s of CPU
        self._inner = httpx.HTTPTransport(retries=0, verify=parts.scheme == "https")
        self._backend = wrap_pool(self._inner)
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self.requests = 0

    # pylast's client closes its mounts after every request; the pool must outlive that.
    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None

    def shutdown(self) -> None:
        """Close the connection pool (the end of the run)."""
        self._inner.close()

    def handle_request(self, request: Any) -> Any:
        self._local.status = self._local.retry_after = self._local.root = None
        request.url = request.url.copy_with(
            scheme=self._scheme, host=self._host, port=self._port, path=self._path
        )
        request.headers["Host"] = self._netloc
        request.extensions = {
            **request.extensions,
            "timeout": self._timeout,
            "trace": self._trace,
        }
        began = time.monotonic()
        if self._backend is not None:
            self._backend.start(self.deadline)
        try:
            response = self._inner.handle_request(request)
            try:
                body = read_capped(response)
            finally:
                response.close()
        except ReplyTooLarge:
            raise
        except Exception:
            if time.monotonic() - began >= self.deadline:
                raise DeadlinePassed from None
            raise
        finally:
            if self._backend is not None:
                self._backend.stop()
        self._local.status = response.status_code
        self._local.retry_after = _retry_after(response.headers.get("Retry-After"))
        if response.status_code == 200:
            root = _parse_ok(body)
            if root is not None:
                self._local.root, body = root, _STUB
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _DROP_HEADERS]
        return self._httpx.Response(response.status_code, headers=headers, content=body)

    def _trace(self, event: str, info: object) -> None:
        """httpcore's trace hook: wait for the limiter just before the request goes out.

        Waiting here rather than before ``handle_request`` keeps connecting (and the lazy
        imports of a first request) out of the spacing, so the server sees the pacing.
        """
        if event.endswith("send_request_headers.started"):
            self._local.ticket = self._limiter.acquire()
            with self._count_lock:
                self.requests += 1
        elif ".send_request_body." in event and not event.endswith(".started"):
            self._limiter.sent(self._local.ticket)

    def take_root(self) -> ET.Element | None:
        """The parsed body of this thread's last ``status="ok"`` reply, once."""
        root: ET.Element | None = getattr(self._local, "root", None)
        self._local.root = None
        return root

    def last_status(self) -> int | None:
        """The HTTP status of this thread's last reply (None: no reply)."""
        status: int | None = getattr(self._local, "status", None)
        return status

    def last_retry_after(self) -> float | None:
        """Seconds the server asked to wait in this thread's last reply, if it did."""
        wait: float | None = getattr(self._local, "retry_after", None)
        return wait


def _api_root(api_url: str, secret: str, parse: Callable[[str], object]) -> Any:
    """``api_url`` split, if it can be the root of an API; else a usage error.

    ``parse`` is the HTTP client's URL parser: what it refuses would fail every request.
    """
    problem = ""
    try:
        parts = urlsplit(api_url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
        parse(api_url)
    except Exception as exc:  # ValueError, or the client's InvalidURL
        problem = f" ({redact(str(exc), secret)})"
    else:
        if any(c.isspace() or not c.isprintable() for c in api_url):
            problem = " (it holds a space or a control character)"
        elif parts.username or parts.password:
            problem = " (it must not hold a user name or password)"
        elif parts.scheme in ("http", "https") and parts.hostname and not parts.query:
            return parts
    raise UsageError(
        f"{redact(api_url, secret)!r} is not the root of a Last.fm-compatible API{problem}; "
        "use an http(s) URL such as https://ws.audioscrobbler.com/2.0/"
    )


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _parse_ok(body: bytes) -> ET.Element | None:
    """The parsed body if it is a well-formed ``<lfm status="ok">`` reply, else None."""
    # LookupError and ValueError: an encoding declaration Python does not know or expat
    # cannot take (a reply is UTF-8 whatever it declares; the retry below reads it so).
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, LookupError, ValueError):
        try:
            root = ET.fromstring(_INVALID_XML.sub("", body.decode("utf-8", "replace")))
        except (ET.ParseError, LookupError, ValueError):
            return None  # pylast will find it malformed
    return root if root.tag == "lfm" and root.get("status") == "ok" else None


def read_page(root: ET.Element) -> WirePage:
    """The attributes and dated plays of one ``recenttracks`` reply; skips now-playing.

    Raises:
        WireProblem: the reply lacks the ``recenttracks`` element or its attributes.
    """
    tracks = root.find("recenttracks")
    if tracks is None:
        raise WireProblem("Last.fm sent a reply without <recenttracks>", None, None)
    try:
        number, per_page, pages, total = (
            int(tracks.get(name, "")) for name in ("page", "perPage", "totalPages", "total")
        )
    except ValueError:
        raise WireProblem("Last.fm sent a page without its counts", None, None) from None
    rows: list[PageRow] = []
    for track in tracks.iterfind("track"):
        date = track.find("date")
        if date is None or track.get("nowplaying") == "true":
            continue  # the track playing now has no date and is not a play yet
        artist, album = track.find("artist"), track.find("album")
        try:
            uts = int(date.get("uts", ""))
        except ValueError:
            uts = NO_TIME  # a bad play, not a bad reply: a retry would get the same
        rows.append(
            (
                uts,
                (artist.text or "") if artist is not None else "",
                track.findtext("name") or "",
                (album.text or None) if album is not None else None,
                (artist.get("mbid") or None) if artist is not None else None,
                (album.get("mbid") or None) if album is not None else None,
                track.findtext("mbid") or None,
            )
        )
    return WirePage(number, per_page, pages, total, rows)


def redact(text: str, secret: str) -> str:
    """``text`` without the secret, URL query strings and URL user names and passwords.

    Example:
        >>> redact("GET https://me:pw@h/2.0/?api_key=abc failed (abc)", "abc")
        'GET https://…@h/2.0/?… failed (<api key>)'
    """
    text = re.sub(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/?#@]*@", r"\1…@", text)
    text = re.sub(r"(https?://[^\s?#]*)\?\S*", r"\1?…", text)
    return text.replace(secret, "<api key>") if secret else text
