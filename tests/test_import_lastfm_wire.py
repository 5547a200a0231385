"""Units of the Last.fm importer: rate limiter, page parsing, redaction, CLI helpers, and
the parts of pylast it relies on (these fail loudly if a pylast release changes them)."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from royalty.cli_import import _ProgressBar, summary_line
from royalty.errors import UsageError
from royalty.history import parse_date, parse_period
from royalty.importers import _lastfm_wire as wire
from royalty.importers.lastfm_api import ImportSummary, Progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def most_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1.0) for t in times)


def test_limiter_paces_then_keeps_the_window_by_hand() -> None:
    clock = FakeClock()
    limiter = wire.RateLimiter(5, clock=clock, sleep=clock.sleep)
    starts = [limiter.acquire()[0] for _ in range(7)]
    step = 1 / (0.98 * 5)  # 0.204 s
    # five paced starts, then the sixth waits for the first to be 1.02 s old (a step
    # later would be 1.0204), and the seventh a step after the sixth
    expected = [0, step, 2 * step, 3 * step, 4 * step, 5 * step, 6 * step]
    assert starts == pytest.approx(expected)


def test_limiter_window_rule_at_a_fractional_rate_by_hand() -> None:
    clock = FakeClock()
    limiter = wire.RateLimiter(2.5, clock=clock, sleep=clock.sleep)
    starts = [limiter.acquire()[0] for _ in range(5)]
    step = 1 / (0.98 * 2.5)  # 0.408 s; but at most 2 starts in any second
    expected = [0, step, 1.02, 1.02 + step, 2.04]
    assert starts == pytest.approx(expected)


@pytest.mark.parametrize("rate", [0.5, 1, 2.5, 5, 7.3, 20])
def test_limiter_never_exceeds_the_rate_in_any_second(rate: float) -> None:
    clock = FakeClock()
    limiter = wire.RateLimiter(rate, clock=clock, sleep=clock.sleep)
    starts = [limiter.acquire()[0] for _ in range(60)]
    assert most_in_a_second(starts) <= max(1, int(rate))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 1 / (0.98 * rate) - 1e-9
    # and it is not much slower than the limit allows
    bound = max(1 / (0.98 * rate), 1.02 / max(1, int(rate)))
    assert (starts[-1] - starts[0]) / 59 <= bound + 1e-9


def test_a_late_send_pushes_the_next_start_back() -> None:
    clock = FakeClock()
    limiter = wire.RateLimiter(5, clock=clock, sleep=clock.sleep)
    ticket = limiter.acquire()
    clock.now = 0.05  # the request went out 50 ms after it was let through
    limiter.sent(ticket)
    assert limiter.acquire()[0] == pytest.approx(0.05 + 1 / 4.9)


def test_pause_holds_every_start() -> None:
    clock = FakeClock()
    limiter = wire.RateLimiter(5, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.pause(3.0)
    assert limiter.acquire()[0] >= 3.0


def test_limiter_is_strict_across_threads() -> None:
    limiter = wire.RateLimiter(40)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(6):
            ticket = limiter.acquire()
            with lock:
                starts.append(ticket[0])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(starts) == 48
    assert most_in_a_second(starts) <= 40
    ordered = sorted(starts)
    assert min(b - a for a, b in itertools.pairwise(ordered)) >= 1 / (0.98 * 40)


def test_rate_must_be_positive() -> None:
    with pytest.raises(UsageError):
        wire.RateLimiter(0)


PAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<lfm status="ok">
<recenttracks user="RJ" page="2" perPage="200" totalPages="3" total="402">
<track nowplaying="true"><artist mbid="">Now</artist><name>Playing</name><mbid/>
<album mbid="">X</album></track>
<track><artist mbid="a-1">Sigur R\xc3\xb3s &amp; &lt;co&gt;</artist><name>Say "hi"</name>
<mbid>t-1</mbid><album mbid="r-1">&#225;gaetis</album><date uts="1213031819">9 Jun 2008</date>
</track>
<track><artist mbid="">Plain</artist><name>Song</name><mbid></mbid>
<date uts="1213031000">9 Jun 2008</date></track>
</recenttracks></lfm>"""


def test_read_page_keeps_mbids_and_skips_now_playing() -> None:
    root = wire._parse_ok(PAGE)
    assert root is not None
    page = wire.read_page(root)
    assert (page.number, page.per_page, page.total_pages, page.total) == (2, 200, 3, 402)
    assert page.rows == [
        (1213031819, "Sigur Rós & <co>", 'Say "hi"', "ágaetis", "a-1", "r-1", "t-1"),
        (1213031000, "Plain", "Song", None, None, None, None),
    ]


def test_invalid_xml_characters_are_dropped_like_pylast_does() -> None:
    body = PAGE.replace(b"Plain", b"Pla\x01in")
    root = wire._parse_ok(body)
    assert root is not None
    assert wire.read_page(root).rows[1][1] == "Plain"


@pytest.mark.parametrize(
    "body",
    [
        b'<lfm status="failed"><error code="6">User not found</error></lfm>',
        b"<html><body>Bad gateway</body></html>",
        b"<lfm status=",
        b"",
    ],
)
def test_anything_but_an_ok_reply_is_left_to_pylast(body: bytes) -> None:
    assert wire._parse_ok(body) is None


def test_a_reply_without_counts_is_a_retryable_problem() -> None:
    root = wire._parse_ok(b'<lfm status="ok"><recenttracks user="x" page="1"/></lfm>')
    assert root is not None
    with pytest.raises(wire.WireProblem):
        wire.read_page(root)


def test_redact() -> None:
    text = "POST https://ws.audioscrobbler.com/2.0/?api_key=SECRET&x=1 failed: SECRET"
    out = wire.redact(text, "SECRET")
    assert "SECRET" not in out
    assert out == "POST https://ws.audioscrobbler.com/2.0/?… failed: <api key>"


def test_retry_after_values() -> None:
    from email.utils import formatdate

    assert wire._retry_after("7") == 7.0
    assert wire._retry_after("-3") == 0.0
    assert wire._retry_after(None) is None
    assert wire._retry_after("soon") is None
    ahead = wire._retry_after(formatdate(time.time() + 30, usegmt=True))
    assert ahead is not None
    assert 28 <= ahead <= 30


def test_transport_rejects_roots_it_cannot_use() -> None:
    import pylast

    httpx = vars(pylast)["httpx"]
    limiter = wire.RateLimiter(5)
    for url in ("ftp://x.org/2.0/", "http:///2.0/", "https://u:p@x.org/", "http://x/?api_key=K"):
        with pytest.raises(UsageError) as info:
            wire.Transport(httpx, url, limiter, 1.0, "K")
        assert "K" not in str(info.value).replace("Kind", "")


# -- what the importer relies on in pylast (private parts included) --------------------------
def test_pylast_still_has_what_the_importer_uses() -> None:
    import inspect

    import pylast

    why = "royalty's Last.fm importer relies on this; pin pylast or update lastfm_api.py"
    httpx = vars(pylast).get("httpx")
    assert httpx is not None, f"pylast no longer imports httpx as `httpx`: {why}"
    for name in ("HTTPTransport", "Response", "Client"):
        assert hasattr(httpx, name), f"pylast's httpx lacks {name}: {why}"
    assert hasattr(pylast, "_Request"), f"pylast._Request is gone: {why}"
    params = list(inspect.signature(pylast._Request).parameters)
    assert params[:3] == ["network", "method_name", "params"], why
    assert callable(getattr(pylast._Request, "_download_response", None)), why
    network = pylast.LastFMNetwork(api_key="k")
    assert isinstance(network.ws_server, tuple), why
    marker = object()
    network.enable_proxy({"all://example": marker})
    assert network.proxy == {"all://example": marker}, f"enable_proxy changed: {why}"
    error = pylast.WSError(network, "6", "User not found")
    assert (error.status, error.details) == ("6", "User not found"), why
    assert pylast.NetworkError(network, OSError("x")).underlying_error.args == ("x",), why
    source = inspect.getsource(pylast._Request._download_response)
    assert "mounts=self.network.proxy" in source, f"pylast stopped mounting its proxies: {why}"
    # The per-request deadline sits under the pool httpx makes (see _lastfm_http).
    from royalty.importers._lastfm_http import DeadlineBackend, wrap_pool

    transport = httpx.HTTPTransport()
    assert isinstance(wrap_pool(transport), DeadlineBackend), f"httpx's pool changed: {why}"
    transport.close()


def test_only_one_module_imports_pylast() -> None:
    root = Path(__file__).parents[1] / "src" / "royalty"
    pattern = re.compile(r"^\s*(import pylast|from pylast)", re.MULTILINE)
    users = sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*.py") if pattern.search(p.read_text())
    )
    assert users == ["importers/lastfm_api.py"]


def test_cli_start_up_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, royalty.cli_import, royalty.cli;"
        "print(sorted(m for m in ('pylast', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


# -- CLI helpers ---------------------------------------------------------------------------
def test_parse_since() -> None:
    assert parse_period(None, None) == (None, None)
    assert parse_date("2024-01-31") == datetime(2024, 1, 31, tzinfo=UTC)
    assert parse_date("2024-01-31T12:30:00+02:00") == datetime(2024, 1, 31, 10, 30, tzinfo=UTC)
    assert parse_date("2024-01-31T12:30") == datetime(2024, 1, 31, 12, 30, tzinfo=UTC)
    assert parse_date("2024-01-31", end=True) == datetime(2024, 2, 1, tzinfo=UTC)
    with pytest.raises(UsageError, match="last tuesday"):
        parse_date("last tuesday")


def test_summary_line() -> None:
    summary = ImportSummary(
        user="rj",
        new_plays=1,
        total_plays=20345,
        first_play=datetime(2008, 6, 9, 17, 16, tzinfo=UTC),
        last_play=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
        window_plays=1,
        requests=1,
        retries=2,
        seconds=3.25,
    )
    assert summary_line(summary) == (
        "rj: 1 new play; 20,345 stored, 2008-06-09 to 2024-01-02; 1 request, 2 retries, 3.2 s"
    )


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    quiet = _ProgressBar(io.StringIO())
    assert not quiet.live
    tty = Tty()
    bar = _ProgressBar(tty)
    assert bar.live
    bar.update(Progress(25, 100, 5000, 20000, 25, 0, timedelta(seconds=5).total_seconds()))
    text = tty.getvalue()
    assert "25/100 pages" in text
    assert "5,000/20,000 plays" in text
    assert "5.0 req/s" in text
    assert "ETA 0:15" in text  # 75 pages left at 5 a second
    assert "[######" + "." * 18 + "]" in text  # a quarter of 24 cells
    bar.clear()
    assert tty.getvalue().endswith("\r\033[K")
