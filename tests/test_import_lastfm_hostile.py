"""The Last.fm importer against a hostile or broken server, and what a play is on a page.

A reply that trickles in forever, a huge or gzip-bomb reply, an absurd page count, a
Retry-After of a day, a play dated in 5138 or 1970 or without an artist: each ends in
plays stored and counted, or one ``Error:`` line, quickly, with the store unchanged.
"""

from __future__ import annotations

import io
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from fake_lastfm import API_KEY, Fault, Play
from fake_lastfm_hostile import HostileLastfm, first_time, set_attribute
from fake_lastfm_plays import expected_rows, make_plays, stored_rows
from royalty import store
from royalty.cli_import import _ProgressBar, import_command, summary_line
from royalty.importers import _lastfm_pages, lastfm_api


@pytest.fixture
def fake() -> Iterator[HostileLastfm]:
    with HostileLastfm(make_plays(450)) as server:
        yield server


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lastfm_pages, "BACKOFF_BASE", 0.01)


def run(url: str, **kw: Any) -> lastfm_api.ImportSummary:
    kw.setdefault("timeout", 1.0)
    return lastfm_api.import_user("rj", api_key=API_KEY, api_url=url, max_rps=50, **kw)


def cli(*args: str) -> Any:
    app = typer.Typer()
    app.command()(import_command)
    return CliRunner().invoke(app, list(args))


def one_error_line(result: Any) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    return str(lines[0])


# -- what a play is --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("uts", "why"),
    [
        ("99999999999999", "more than a day in the future"),
        ("1000", "before 2002"),
        ("1.6e9", "not a whole number of seconds"),
        ("", "missing"),
    ],
)
def test_an_impossible_time_is_one_error_line_and_the_store_is_unchanged(
    fake: HostileLastfm, uts: str, why: str
) -> None:
    fake.plays = make_plays(150)  # one page: nothing can be stored before it
    fake.rewrite = first_time(uts)
    line = one_error_line(cli("rj", "--api-key", API_KEY, "--api-url", fake.url))
    assert why in line
    assert "Last.fm page 1, play 1" in line
    assert "--skip-bad-rows" in line
    assert "nothing new was stored" in line
    assert len(fake.requests) == 1  # a bad play is not a bad reply: no retry
    assert not store.user_dir("rj").exists()


def test_an_impossible_time_after_a_commit_keeps_the_prefix_and_says_so(
    fake: HostileLastfm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lastfm_pages, "COMMIT_SECONDS", 0.0)
    future = first_time(99_999_999_999_999)

    def late_bad_page_2(body: str) -> str:
        if 'page="2"' not in body:
            return body
        time.sleep(0.5)  # page 3, the oldest, is stored first
        return future(body)

    fake.rewrite = late_bad_page_2
    with pytest.raises(lastfm_api.LastfmError) as info:
        run(fake.url)
    message = str(info.value)
    assert message.startswith("Last.fm page 2, play 1: time")
    stored = stored_rows("rj")
    assert message.endswith(f"; {len(stored)} new plays fetched before this are stored")
    assert "run the same command again" not in message  # it would stop at the same play
    assert stored == expected_rows(sorted(fake.plays, key=lambda p: p.uts)[: len(stored)])


def test_skip_bad_rows_skips_and_counts_impossible_times(fake: HostileLastfm) -> None:
    fake.rewrite = first_time(99_999_999_999_999)  # the newest play of every page
    result = cli("rj", "--api-key", API_KEY, "--api-url", fake.url, "--skip-bad-rows")
    assert result.exit_code == 0, result.stderr
    assert "skipped 3 (3 bad rows)" in result.stdout  # 450 plays: three pages
    newest_of_pages = {fake.plays[449].uts, fake.plays[249].uts, fake.plays[49].uts}
    assert stored_rows("rj") == expected_rows(p for p in fake.plays if p.uts not in newest_of_pages)


def test_plays_without_artist_or_title_are_skipped_and_counted(fake: HostileLastfm) -> None:
    fake.add_plays([Play(1_600_000_000, "  ", "Title"), Play(1_600_000_100, "Artist", "")])
    summary = run(fake.url)
    assert summary.skipped == {"no artist": 1, "no track title": 1}
    assert summary.new_plays == 450
    assert stored_rows("rj") == expected_rows(fake.plays[:450])
    assert "skipped 2 (1 no artist, 1 no track title); 450 stored" in summary_line(summary)


# -- the client's limits ---------------------------------------------------------------
@pytest.mark.parametrize("headers", [False, True])
def test_a_reply_that_trickles_in_gives_up_at_the_deadline(
    fake: HostileLastfm, headers: bool
) -> None:
    # A byte every 0.2 s never trips a 1 s read timeout; the whole request must still
    # be over in 2 s (twice the timeout), then retried.
    fake.drip, fake.drip_for, fake.times, fake.drip_headers = 0.2, 8.0, 1, headers
    began = time.monotonic()
    summary = run(fake.url)
    assert time.monotonic() - began < 6.0  # without a deadline: 8 s for the drip alone
    assert summary.retries == 1
    assert stored_rows("rj") == expected_rows(fake.plays)


@pytest.mark.parametrize("how", ["length", "close", "gzip"])
def test_a_huge_reply_is_refused_without_reading_it_all(fake: HostileLastfm, how: str) -> None:
    fake.huge, fake.huge_how = 17 * 2**20, how  # over the 16 MiB cap
    with pytest.raises(lastfm_api.LastfmError, match="more than 16 MiB") as info:
        run(fake.url)
    assert "nothing new was stored" in str(info.value)
    assert len(fake.requests) == 1  # not worth a retry


@pytest.mark.parametrize(
    ("pages", "total"), [(100_000, None), (50_000_000, 10_000_000_000), (3, -1), (0, 450)]
)
def test_page_counts_that_do_not_add_up_are_refused_before_any_page_is_queued(
    fake: HostileLastfm, pages: int, total: int | None
) -> None:
    rewrites = [set_attribute("totalPages", pages)]
    if total is not None:
        rewrites.append(set_attribute("total", total))
    fake.rewrite = lambda body: rewrites[-1](rewrites[0](body))
    with pytest.raises(lastfm_api.LastfmError, match="does not add up"):
        run(fake.url)
    assert len(fake.requests) == 1


def test_a_retry_after_beyond_the_cap_stops_at_once_and_says_how_long(
    fake: HostileLastfm,
) -> None:
    fake.inject(Fault("error", 29, retry_after="100000"))
    began = time.monotonic()
    line = one_error_line(cli("rj", "--api-key", API_KEY, "--api-url", fake.url))
    assert time.monotonic() - began < 5.0
    assert "asks to wait 27.8 hours" in line
    assert len(fake.requests) == 1


def test_a_short_retry_after_is_waited_for_and_shown(fake: HostileLastfm) -> None:
    fake.inject(Fault("error", 29, retry_after="1"))
    notes: list[str] = []
    run(fake.url, progress=lambda p: notes.append(p.note) if p.note else None)
    assert notes == ["page 1: the server asked to wait 1 s; retry 1 of 5 in 1 s"]
    assert stored_rows("rj") == expected_rows(fake.plays)


# -- a closed port, a bad URL, secrets -------------------------------------------------
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_closed_port_shows_each_wait_and_says_nothing_was_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_lastfm_pages, "MAX_RETRIES", 2)
    notes: list[str] = []
    url = f"http://127.0.0.1:{closed_port()}/2.0/"
    with pytest.raises(lastfm_api.LastfmError) as info:
        run(url, progress=lambda p: notes.append(p.note) if p.note else None)
    assert len(notes) == 2
    assert notes[0].startswith(f"page 1: the connection to {url} failed (ConnectError")
    assert notes[1].endswith("retry 2 of 2 in 0 s")
    message = str(info.value)
    assert message.endswith("; nothing new was stored")
    assert "kept" not in message
    assert not store.user_dir("rj").exists()  # not even an empty folder or a .lock


@pytest.mark.parametrize("fault", [Fault("error", 6), Fault("error", 10)])
def test_a_refused_first_page_leaves_no_folder(fake: HostileLastfm, fault: Fault) -> None:
    fake.inject(fault)
    with pytest.raises(lastfm_api.LastfmError):
        run(fake.url)
    assert not store.user_dir("rj").exists()


def test_an_empty_history_leaves_no_folder(fake: HostileLastfm) -> None:
    fake.plays = []
    assert run(fake.url).total_plays == 0
    assert not store.user_dir("rj").exists()


def test_the_progress_line_shows_a_wait_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    bar = _ProgressBar(tty)
    bar.update(
        lastfm_api.Progress(0, 0, 0, 0, 1, 1, 0.5, note="page 1: refused; retry 1 of 5 in 1 s")
    )
    assert tty.getvalue() == "\r\033[KWaiting: page 1: refused; retry 1 of 5 in 1 s"
    assert not _ProgressBar(io.StringIO()).live  # the CLI passes no callback then


def test_a_failed_import_is_one_line_on_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lastfm_pages, "MAX_RETRIES", 1)
    url = f"http://127.0.0.1:{closed_port()}/2.0/"
    line = one_error_line(cli("rj", "--api-key", API_KEY, "--api-url", url))
    assert line.endswith("; nothing new was stored")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:-1/2.0/",
        "http://[::1/2.0/",
        "http://127.0.0.1:port/",
        "ftp://127.0.0.1/",
        "http:///2.0/",
        "http://exa mple.com/2.0/",
        "http://ho\x00st/2.0/",
        "http://host/2.\t0/",
    ],
)
def test_a_malformed_api_url_is_one_error_line(url: str) -> None:
    line = one_error_line(cli("rj", "--api-key", API_KEY, "--api-url", url))
    assert "is not the root of a Last.fm-compatible API" in line
    assert not store.has_user("rj")


def test_a_password_in_the_api_url_is_never_shown(fake: HostileLastfm) -> None:
    url = fake.url.replace("http://", "http://me:hunter2@")
    line = one_error_line(cli("rj", "--api-key", API_KEY, "--api-url", url))
    assert "hunter2" not in line
    assert "user name or password" in line


def test_a_key_in_the_api_url_path_never_appears(
    fake: HostileLastfm,
    caplog: pytest.LogCaptureFixture,
    royalty_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_lastfm_pages, "MAX_RETRIES", 1)
    caplog.set_level(logging.DEBUG)
    url = f"{fake.url}{API_KEY}/"
    fake.inject(Fault("drop", page=1))  # a network error message names the URL
    ok = cli("rj", "--api-key", API_KEY, "--api-url", url)
    assert ok.exit_code == 0, ok.stderr
    fake.inject(Fault("drop", times=100))
    failed = cli("rj", "--api-key", API_KEY, "--api-url", url)
    line = one_error_line(failed)
    assert "<api key>" in line  # the URL is shown, the key in it is not
    seen = ok.stdout + ok.stderr + failed.stdout + caplog.text
    assert "HTTP Request" in caplog.text  # httpx logged the requests…
    assert API_KEY not in seen + line  # …without the key
    for path in royalty_home.rglob("*"):
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes(), path


def test_plays_stored_by_another_import_during_page_1_are_not_fetched_twice(
    fake: HostileLastfm,
) -> None:
    # Page 1 comes before the lock: if another import stores plays meanwhile, the run
    # starts again from the newest of them, and every play is stored once.
    from royalty.importers._lastfm_plays import frame

    older = sorted(fake.plays, key=lambda p: p.uts)[:300]
    rows = [(p.uts, p.artist, p.track, p.album, p.artist_mbid, p.album_mbid, p.track_mbid)
            for p in older]  # fmt: skip
    fake.after(1, lambda: store.merge("rj", frame(rows)))
    summary = run(fake.url)
    assert stored_rows("rj") == expected_rows(fake.plays)
    assert summary.new_plays == 150
    assert {r.params.get("from") for r in fake.requests[1:]} == {str(older[-1].uts)}
