"""A Last.fm-compatible fake of ``user.getRecentTracks`` on 127.0.0.1, for tests and benchmarks.

It answers in the shape of the real 2.0 API (https://www.last.fm/api/show/user.getRecentTracks):
``<lfm status="ok"><recenttracks user= page= perPage= totalPages= total=>`` with one
``<track>`` per play, newest first, ``<date uts=…>``, ``mbid`` attributes on artist and
album, a ``<mbid>`` element for the track, and the now-playing track (``nowplaying="true"``,
no date) first on page 1. ``from`` is inclusive and ``to`` exclusive, ``limit`` defaults to
50 and is clamped to 1..200. Errors look like ``<lfm status="failed"><error code="N">…``.
``format=json`` gives the JSON shape instead.

Knobs: ``latency`` per request; ``max_rps``, above which a request gets error 29; faults
injected with :meth:`FakeLastfm.inject`; callbacks after the n-th request
(:meth:`FakeLastfm.after`) to add plays while an import runs. Every request is recorded with
its arrival time (``time.monotonic``) so tests can check the rate limit from the server's side.
"""

from __future__ import annotations

import gc
import json
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

API_KEY = "f4k3k3y0123456789abcdef012345678"
"""The key the fake accepts unless told otherwise (never a real key)."""

_MESSAGES = {
    3: "Invalid Method - No method with that name in this package",
    6: "User not found",
    8: "Operation failed - Most likely the backend service failed. Please try again.",
    10: "Invalid API key - You must be granted a valid key by last.fm",
    11: "Service Offline - This service is temporarily offline. Try again later.",
    16: "There was a temporary error processing your request. Please try again",
    17: "Login: User required to be logged in",
    26: "Suspended API key - Access for your account has been suspended, please contact Last.fm",
    29: "Rate Limit Exceeded - Your IP has made too many requests in a short period",
}
_HTTP_FOR_CODE = {6: 404, 10: 403, 17: 403, 26: 403, 29: 429}


@dataclass(frozen=True)
class Play:
    """One scrobble on the fake server."""

    uts: int
    artist: str
    track: str
    album: str = ""
    artist_mbid: str = ""
    album_mbid: str = ""
    track_mbid: str = ""


@dataclass
class Fault:
    """A fault to inject into the next matching requests.

    ``kind`` is one of: ``error`` (Last.fm error ``code``), ``http`` (HTTP status ``code``
    with an HTML body), ``malformed`` (HTTP 200, not XML), ``truncated`` (HTTP 200, the XML
    cut in half with a matching Content-Length), ``short`` (the full Content-Length is
    promised, half is sent, then the connection closes), ``drop`` (the connection closes
    with no answer) and ``timeout`` (no answer for ``delay`` seconds, then a drop).
    """

    kind: str
    code: int = 0
    times: int = 1
    page: int | None = None
    retry_after: str | None = None
    retry_after_date: float | None = None  # send Retry-After as an HTTP date this far ahead
    delay: float = 2.0
    message: str | None = None
    wait: float = 0.0  # extra seconds before this answer


@dataclass(frozen=True)
class Request:
    """What the fake saw: arrival time, parameters (without the key) and what it answered."""

    t: float
    params: dict[str, str]
    outcome: str


@dataclass
class FakeLastfm:
    """The fake server. Use as a context manager; ``url`` is the API root to pass as --api-url."""

    plays: list[Play] = field(default_factory=list)
    user: str = "rj"
    api_key: str = API_KEY
    latency: float = 0.0
    max_rps: int | None = None
    now_playing: Play | None = None
    private_users: tuple[str, ...] = ()
    suspended_keys: tuple[str, ...] = ()
    requests: list[Request] = field(default_factory=list)
    handler: ClassVar[type[BaseHTTPRequestHandler]]  # set below, after _Handler

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._hooks: dict[int, list[Callable[[], None]]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._gc_was_enabled = True

    # -- control ---------------------------------------------------------------------------
    def __enter__(self) -> FakeLastfm:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        # Arrival times must not absorb this process's garbage-collection pauses (50 to
        # 340 ms measured with pandas loaded in pytest), or the rate-limit checks would
        # blame a client that kept to its pacing. Reference counting still frees memory.
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        fake = self

        class Handler(self.handler):  # type: ignore[name-defined]
            owner = fake

        server = _Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            if self._gc_was_enabled:
                gc.enable()

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/2.0/"

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def after(self, n: int, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the ``n``-th request arrives, before answering it."""
        with self._lock:
            self._hooks.setdefault(n, []).append(hook)

    def add_plays(self, plays: Iterable[Play]) -> None:
        with self._lock:
            self.plays.extend(plays)

    def max_in_window(self, window: float = 1.0, requests: list[Request] | None = None) -> int:
        """The most requests that arrived within any half-open window of ``window`` seconds."""
        times = sorted(r.t for r in (self.requests if requests is None else requests))
        best, lo = 0, 0
        for hi, t in enumerate(times):
            while times[lo] <= t - window:
                lo += 1
            best = max(best, hi - lo + 1)
        return best

    # -- answering -------------------------------------------------------------------------
    def answer(self, params: dict[str, str]) -> tuple[str, Fault | None, int, str, str]:
        """Decide the answer: (outcome, fault, status, content type, body)."""
        now = time.monotonic()
        with self._lock:
            recent = sum(1 for r in self.requests if r.t > now - 1.0)
            public = {k: v for k, v in params.items() if k != "api_key"}
            fault = self._take_fault(params)
            limited = self.max_rps is not None and recent + 1 > self.max_rps
            outcome = "429" if limited else (fault.kind if fault else "ok")
            self.requests.append(Request(now, public, outcome))
            hooks = self._hooks.pop(len(self.requests), [])
        for hook in hooks:
            hook()
        if limited:
            return "error", None, *self._error(29, params)
        if fault is not None and fault.kind == "error":
            return "error", fault, *self._error(fault.code, params, fault.message)
        if fault is not None:
            return fault.kind, fault, fault.code or 200, "text/xml", self._ok(params)
        status, ctype, body = self._respond(params)
        return "ok", None, status, ctype, body

    def _take_fault(self, params: dict[str, str]) -> Fault | None:
        page = int(params.get("page") or 1)
        for fault in self._faults:
            if fault.times > 0 and (fault.page is None or fault.page == page):
                fault.times -= 1
                return fault
        return None

    def _respond(self, params: dict[str, str]) -> tuple[int, str, str]:
        if params.get("method", "").lower() != "user.getrecenttracks":
            return self._error(3, params)
        key = params.get("api_key", "")
        if key in self.suspended_keys:
            return self._error(26, params)
        if key != self.api_key:
            return self._error(10, params)
        user = params.get("user", "")
        if user.lower() != self.user.lower():
            return self._error(6, params)
        if user.lower() in (u.lower() for u in self.private_users):
            return self._error(17, params)
        return 200, *(
            ("application/json", self._json(params))
            if params.get("format") == "json"
            else ("text/xml", self._ok(params))
        )

    def _error(
        self, code: int, params: dict[str, str], message: str | None = None
    ) -> tuple[int, str, str]:
        text = message or _MESSAGES.get(code, "Error")
        if params.get("format") == "json":
            return (
                _HTTP_FOR_CODE.get(code, 200),
                "application/json",
                json.dumps({"error": code, "message": text}),
            )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<lfm status="failed">\n'
            f'<error code="{code}">{escape(text)}</error></lfm>\n'
        )
        return _HTTP_FOR_CODE.get(code, 200), "text/xml", body

    def _window(self, params: dict[str, str]) -> tuple[list[Play], int, int, int]:
        lo = int(params.get("from") or 0)
        hi = int(params.get("to") or 2**62)
        limit = min(max(int(params.get("limit") or 50), 1), 200)
        page = max(int(params.get("page") or 1), 1)
        with self._lock:
            indexed = [(p.uts, i, p) for i, p in enumerate(self.plays) if lo <= p.uts < hi]
        indexed.sort(key=lambda x: (x[0], x[1]), reverse=True)  # newest first, stable
        chosen = [p for _, _, p in indexed[(page - 1) * limit : page * limit]]
        return chosen, len(indexed), limit, page

    def _ok(self, params: dict[str, str]) -> str:
        chosen, total, limit, page = self._window(params)
        pages = math.ceil(total / limit)
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<lfm status="ok">\n'
            f'<recenttracks user={quoteattr(self.user)} page="{page}" perPage="{limit}" '
            f'totalPages="{pages}" total="{total}">'
        ]
        if page == 1 and self.now_playing is not None:
            out.append(_track_xml(self.now_playing, now=True))
        out.extend(_track_xml(p) for p in chosen)
        out.append("</recenttracks></lfm>\n")
        return "\n".join(out)

    def _json(self, params: dict[str, str]) -> str:
        chosen, total, limit, page = self._window(params)
        tracks: list[dict[str, Any]] = []
        if page == 1 and self.now_playing is not None:
            tracks.append(_track_json(self.now_playing, now=True))
        tracks.extend(_track_json(p) for p in chosen)
        attr = {
            "user": self.user,
            "totalPages": str(math.ceil(total / limit)),
            "page": str(page),
            "perPage": str(limit),
            "total": str(total),
        }
        return json.dumps({"recenttracks": {"track": tracks, "@attr": attr}})


def _track_xml(p: Play, now: bool = False) -> str:
    date = (
        ""
        if now
        else (f'<date uts="{p.uts}">{time.strftime("%d %b %Y, %H:%M", time.gmtime(p.uts))}</date>')
    )
    attr = ' nowplaying="true"' if now else ""
    return (
        f"<track{attr}>"
        f"<artist mbid={quoteattr(p.artist_mbid)}>{escape(p.artist)}</artist>"
        f"<name>{escape(p.track)}</name><streamable>0</streamable>"
        f"<mbid>{escape(p.track_mbid)}</mbid>"
        f"<album mbid={quoteattr(p.album_mbid)}>{escape(p.album)}</album>"
        "<url>https://www.last.fm/music/x/_/y</url>"
        '<image size="small">https://lastfm.freetls.fastly.net/i/u/34s/2a96.png</image>'
        '<image size="medium">https://lastfm.freetls.fastly.net/i/u/64s/2a96.png</image>'
        '<image size="large">https://lastfm.freetls.fastly.net/i/u/174s/2a96.png</image>'
        '<image size="extralarge">https://lastfm.freetls.fastly.net/i/u/300x300/2a96.png</image>'
        f"{date}</track>"
    )


def _track_json(p: Play, now: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "artist": {"mbid": p.artist_mbid, "#text": p.artist},
        "streamable": "0",
        "mbid": p.track_mbid,
        "album": {"mbid": p.album_mbid, "#text": p.album},
        "name": p.track,
        "url": "https://www.last.fm/music/x/_/y",
        "image": [],
    }
    if now:
        out["@attr"] = {"nowplaying": "true"}
    else:
        text = time.strftime("%d %b %Y, %H:%M", time.gmtime(p.uts))
        out["date"] = {"uts": str(p.uts), "#text": text}
    return out


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hang up: expected
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeLastfm
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle(urlsplit(self.path).query)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        query = urlsplit(self.path).query
        self._handle(f"{query}&{body}" if query else body)

    def _handle(self, query: str) -> None:
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        outcome, fault, status, ctype, body = self.owner.answer(params)
        if self.owner.latency or (fault and fault.wait):
            time.sleep(self.owner.latency + (fault.wait if fault else 0.0))
        data = body.encode("utf-8")
        headers: dict[str, str] = {}
        if fault is not None and fault.retry_after is not None:
            headers["Retry-After"] = fault.retry_after
        if fault is not None and fault.retry_after_date is not None:
            ahead = time.time() + fault.retry_after_date
            headers["Retry-After"] = formatdate(ahead, usegmt=True)
        if outcome in ("drop", "timeout"):
            if outcome == "timeout":
                time.sleep(fault.delay if fault else 2.0)
            self.close_connection = True
            return
        if outcome == "http":
            data = f"<html><body><h1>{status} Server Error</h1></body></html>".encode()
            ctype = "text/html"
        elif outcome == "malformed":
            data = b"<html><body>Our servers are having a rest</body>"
            ctype = "text/html"
        elif outcome == "truncated":
            data = data[: len(data) // 2]
        self.send_response(status)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if outcome == "short":
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self.wfile.write(data)


FakeLastfm.handler = _Handler
